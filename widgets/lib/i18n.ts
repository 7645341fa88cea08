/**
 * Strings and number formats for the elements, in English and Hindi. English strings ship with the
 * elements; Hindi ones (the `*.hi.ts` modules) load on demand, so English pages never download
 * them. Numbers, money and dates go through Intl, so they follow the reader's language
 * (₹1,500.00 / ₹1,500.00, 12 Nov / 12 नव॰).
 */
import type { FriendOffer } from "./api-types.ts";

const en = {
  cardTitle: "Invite friends, earn rewards",
  friendGets: "Your friends get {offer} off their first course.",
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
  earnings: "Earnings and payouts",
  pending: "Pending",
  approved: "Approved",
  issued: "Issued",
  void: "Void",
  signIn: "Sign in to get your personal referral link.",
  loading: "Loading your referral link…",
  loadFailed: "We couldn't load your referral link.",
  retry: "Try again",
  invitedOffer: "{name} invited you: {offer} off your first course",
  invitedNoOffer: "{name} invited you to learn here",
  aFriend: "A friend",
  dismiss: "Dismiss",
  referralOffer: "Referral offer",
};

type Messages = typeof en;
export type MessageKey = keyof Messages;
export type Locale = "en" | "hi";
type Vars = Record<string, string | number>;

export function resolveLocale(lang: string | null | undefined): Locale {
  return lang?.toLowerCase().startsWith("hi") ? "hi" : "en";
}

const fill = (template: string, vars: Vars) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ""));

/** What an element needs of a catalog before it renders: its strings in a locale. */
export interface Loadable {
  /** Starts loading `locale`'s strings; `undefined` when they are already here. */
  load(locale: Locale): Promise<void> | undefined;
}

export type Catalog<M> = Loadable & ((locale: Locale, key: keyof M, vars?: Vars) => string);

/**
 * A catalog: English strings in the element's own chunk, Hindi ones in a chunk of their own that
 * is imported (relative to the importing module, so from the Chorus host) the first time an
 * element needs them. An English page never requests it. The Hindi module must have every key:
 * a missing one is a type error here. Until `load` resolves, or if the chunk cannot be loaded,
 * the English string is used; elements wait for `load` before rendering (see element.ts).
 */
export function catalog<M extends Record<string, string>>(
  en: M,
  hindi: () => Promise<{ default: Record<keyof M, string> }>,
): Catalog<M> {
  let hi: Record<keyof M, string> | undefined;
  let loading: Promise<void> | undefined;
  const text = (locale: Locale, key: keyof M, vars: Vars = {}) => fill(((locale === "hi" && hi) || en)[key], vars);
  text.load = (locale: Locale) => {
    if (locale === "en" || hi) return undefined;
    loading ??= hindi().then(
      (module) => {
        hi = module.default;
      },
      (error: unknown) => {
        console.warn("chorus: Hindi strings failed to load", error);
        hi = en;
      },
    );
    return loading;
  };
  return text;
}

/** The referral elements' strings (card and banner). */
export const messages = catalog(en, () => import("./i18n.hi.ts"));

const intlLocale = (locale: Locale) => (locale === "hi" ? "hi-IN" : "en-IN");

/**
 * Whole numbers under 1,000 are written alike in en-IN and hi-IN (Latin digits, no separator), so
 * they skip Intl: a page's first `Intl.NumberFormat` loads locale data (10–20 ms in a fresh tab),
 * which held up the wall's first cards for a "20% higher salary, after 4 months".
 */
export function formatNumber(locale: Locale, value: number): string {
  return value >= 0 && value < 1e3 && value % 1 === 0
    ? `${value}`
    : new Intl.NumberFormat(intlLocale(locale)).format(value);
}

/** Minor units to a currency string, with the currency's own number of decimals. */
export function formatMoney(locale: Locale, minor: number, currency: string): string {
  const format = new Intl.NumberFormat(intlLocale(locale), { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** A date for people; text that is not a date (a credential's own dates come from its issuer) stays as written. */
export function formatDate(locale: Locale, iso: string): string {
  // Only ISO 8601 is read as a date: engines "parse" loose text ("spring of 2024" as 1 January).
  const date = new Date(/^\d{4}-\d\d-\d\d/.test(iso) ? iso : Number.NaN);
  return Number.isNaN(date.getTime())
    ? iso
    : new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "medium" }).format(date);
}

export function formatOffer(locale: Locale, offer: FriendOffer): string {
  return offer.type === "percent" ? `${offer.percent}%` : formatMoney(locale, offer.amount, offer.currency);
}
