/**
 * Strings and number formats for the elements, in English and Hindi. Numbers, money and dates
 * go through Intl, so they follow the reader's language (₹1,500.00 / ₹1,500.00, 12 Nov / 12 नव॰).
 */
import type { FriendOffer } from "./types.ts";

const en = {
  cardTitle: "Invite friends, earn rewards",
  friendGetsPercent: "Your friends get {percent}% off their first course.",
  friendGetsAmount: "Your friends get {amount} off their first course.",
  youEarnEnrollment: "You earn {amount} for each friend who enrols.",
  youEarnCompletion: "You earn {amount} for each friend who completes a course.",
  yourLink: "Your referral link",
  copy: "Copy",
  copied: "Link copied",
  copyFailed: "Select the link and copy it",
  shareOn: "Share on {channel}",
  shareVia: "Share via {channel}",
  moreOptions: "More options",
  showQr: "Show QR code",
  qrLabel: "QR code for your referral link",
  yourResults: "What your sharing brought",
  clicks: "Clicks",
  signups: "Sign-ups",
  enrollments: "Enrolments",
  completions: "Completions",
  rewards: "Your rewards",
  noRewards: "No rewards yet. Share your link to get started.",
  pending: "Pending",
  approved: "Approved",
  issued: "Issued",
  void: "Void",
  signIn: "Sign in to get your personal referral link.",
  loading: "Loading your referral link…",
  loadFailed: "We couldn't load your referral link.",
  retry: "Try again",
  shareText: "I'm learning with this provider and think you'd like it too. Join with my link:",
  invitedOffer: "{name} invited you: {offer} off your first course",
  invitedNoOffer: "{name} invited you to learn here",
  aFriend: "A friend",
  dismiss: "Dismiss",
  referralOffer: "Referral offer",
};

type Messages = typeof en;

const hi: Messages = {
  cardTitle: "दोस्तों को आमंत्रित करें, इनाम पाएँ",
  friendGetsPercent: "आपके दोस्तों को उनके पहले कोर्स पर {percent}% की छूट मिलेगी।",
  friendGetsAmount: "आपके दोस्तों को उनके पहले कोर्स पर {amount} की छूट मिलेगी।",
  youEarnEnrollment: "हर दोस्त के नामांकन पर आपको {amount} मिलेंगे।",
  youEarnCompletion: "कोर्स पूरा करने वाले हर दोस्त पर आपको {amount} मिलेंगे।",
  yourLink: "आपका रेफ़रल लिंक",
  copy: "कॉपी करें",
  copied: "लिंक कॉपी हो गया",
  copyFailed: "लिंक चुनकर कॉपी करें",
  shareOn: "{channel} पर शेयर करें",
  shareVia: "{channel} से शेयर करें",
  moreOptions: "और विकल्प",
  showQr: "QR कोड दिखाएँ",
  qrLabel: "आपके रेफ़रल लिंक का QR कोड",
  yourResults: "आपके शेयर करने का नतीजा",
  clicks: "क्लिक",
  signups: "साइन-अप",
  enrollments: "नामांकन",
  completions: "पूर्ण किए गए कोर्स",
  rewards: "आपके इनाम",
  noRewards: "अभी कोई इनाम नहीं। शुरू करने के लिए अपना लिंक शेयर करें।",
  pending: "लंबित",
  approved: "स्वीकृत",
  issued: "जारी",
  void: "रद्द",
  signIn: "अपना निजी रेफ़रल लिंक पाने के लिए साइन इन करें।",
  loading: "आपका रेफ़रल लिंक लोड हो रहा है…",
  loadFailed: "हम आपका रेफ़रल लिंक लोड नहीं कर सके।",
  retry: "फिर से कोशिश करें",
  shareText: "मैं यहाँ सीख रहा/रही हूँ और मुझे लगता है आपको भी पसंद आएगा। मेरे लिंक से जुड़ें:",
  invitedOffer: "{name} ने आपको आमंत्रित किया है: आपके पहले कोर्स पर {offer} की छूट",
  invitedNoOffer: "{name} ने आपको यहाँ सीखने के लिए आमंत्रित किया है",
  aFriend: "एक दोस्त",
  dismiss: "बंद करें",
  referralOffer: "रेफ़रल ऑफ़र",
};

export type MessageKey = keyof Messages;
export type Locale = "en" | "hi";

const catalogs: Record<Locale, Messages> = { en, hi };

export function resolveLocale(lang: string | null | undefined): Locale {
  return lang?.toLowerCase().startsWith("hi") ? "hi" : "en";
}

const fill = (template: string, vars: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ""));

export function translate(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return fill(catalogs[locale][key], vars);
}

/**
 * A catalog of strings only some elements need (the story elements' own), kept in their own
 * modules so that every other element's download stays as small as it was.
 */
export function catalog<M extends Record<string, string>>(en: M, hi: Record<keyof M, string>) {
  const all: Record<Locale, Record<keyof M, string>> = { en, hi };
  return (locale: Locale, key: keyof M, vars: Record<string, string | number> = {}): string =>
    fill(all[locale][key], vars);
}

const intlLocale = (locale: Locale) => (locale === "hi" ? "hi-IN" : "en-IN");

export function formatNumber(locale: Locale, value: number): string {
  return new Intl.NumberFormat(intlLocale(locale)).format(value);
}

/** Minor units to a currency string, with the currency's own number of decimals. */
export function formatMoney(locale: Locale, minor: number, currency: string): string {
  const format = new Intl.NumberFormat(intlLocale(locale), { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

export function formatDate(locale: Locale, iso: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "medium" }).format(new Date(iso));
}

export function formatOffer(locale: Locale, offer: FriendOffer): string {
  return offer.type === "percent" ? `${offer.percent}%` : formatMoney(locale, offer.amount, offer.currency);
}
