/**
 * The emails' words and layout: each template renders a subject, an HTML part and a plain-text
 * part in English or Hindi, in the provider's name, logo and colour. No remote images but the
 * provider's own logo (no tracking pixels), every link into Chorus tagged `ch=email` (clicks
 * from mail count as the email channel), real headings, alt text, and the accent used only where
 * its text colour is chosen for contrast (black or white, whichever contrasts more).
 */
export type MailLocale = "en" | "hi";

export type MailBrand = { name: string; logoUrl: string | null; color: string };

/** "A reward was earned", to the advocate whose friend's conversion earned it. */
export type RewardEarnedData = {
  /** The advocate's first name, when known. */
  firstName: string | null;
  /** The reward as words: "₹500.00 credit". */
  reward: string;
  /** Held until this day (ISO), or null when already approved. */
  holdUntil: string | null;
  /** The advocate's referral code, to share their link again. */
  shareCode: string | null;
};

export type MailTemplates = { "reward-earned": RewardEarnedData };
export type MailTemplate = keyof MailTemplates;

export type RenderInput<T extends MailTemplate = MailTemplate> = {
  template: T;
  locale: MailLocale;
  data: MailTemplates[T];
  brand: MailBrand;
  /** The one-click unsubscribe link of this message's category. */
  unsubscribeUrl: string;
  /** Chorus's public base URL: links into Chorus start with it. */
  publicUrl: string;
};

export type RenderedMail = { subject: string; html: string; text: string };

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );

/** The link with `ch=email` set (kept otherwise as given). */
export function emailLink(url: string): string {
  const link = new URL(url);
  link.searchParams.set("ch", "email");
  return link.toString();
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Black or white text on the accent, whichever has the higher WCAG contrast ratio. */
export function textOn(hex: string): "#000000" | "#ffffff" {
  const l = luminance(hex);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
}

type Words = {
  subject: (d: RewardEarnedData, brand: string) => string;
  heading: string;
  greeting: (name: string | null) => string;
  earned: (reward: string) => string;
  held: (day: string) => string;
  approved: string;
  share: string;
  footer: (brand: string) => string;
  unsubscribe: string;
  logoAlt: (brand: string) => string;
};

const words: Record<MailLocale, Words> = {
  en: {
    subject: (d, brand) => `You earned a reward from ${brand}: ${d.reward}`,
    heading: "You earned a reward",
    greeting: (name) => (name ? `Hello ${name},` : "Hello,"),
    earned: (reward) => `A friend you referred joined, and you earned ${reward}.`,
    held: (day) => `It is on hold until ${day}, in case the purchase is refunded; then it is approved.`,
    approved: "It is approved.",
    share: "Share your link again",
    footer: (brand) => `You receive this because you refer friends to ${brand}.`,
    unsubscribe: "Unsubscribe from reward emails",
    logoAlt: (brand) => `${brand} logo`,
  },
  hi: {
    subject: (d, brand) => `${brand} से आपको इनाम मिला: ${d.reward}`,
    heading: "आपको इनाम मिला",
    greeting: (name) => (name ? `नमस्ते ${name},` : "नमस्ते,"),
    earned: (reward) => `आपके भेजे एक मित्र ने दाख़िला लिया, और आपको ${reward} मिला।`,
    held: (day) => `रिफ़ंड की स्थिति के लिए यह ${day} तक रुका है; उसके बाद स्वीकृत हो जाएगा।`,
    approved: "यह स्वीकृत है।",
    share: "अपना लिंक फिर से साझा करें",
    footer: (brand) => `आपको यह ईमेल इसलिए मिला क्योंकि आप मित्रों को ${brand} से जोड़ते हैं।`,
    unsubscribe: "इनाम वाले ईमेल बंद करें",
    logoAlt: (brand) => `${brand} का लोगो`,
  },
};

/** Renders one message: subject, HTML and plain text, from the same words. */
export function renderMail(input: RenderInput): RenderedMail {
  const { locale, data, brand, unsubscribeUrl } = input;
  const w = words[locale];
  const e = escapeHtml;
  const status = data.holdUntil ? w.held(data.holdUntil) : w.approved;
  const share = data.shareCode ? emailLink(`${input.publicUrl}/r/${encodeURIComponent(data.shareCode)}`) : null;
  const subject = w.subject(data, brand.name);
  const text = [
    brand.name,
    "",
    w.heading,
    "",
    w.greeting(data.firstName),
    "",
    w.earned(data.reward),
    status,
    ...(share ? ["", `${w.share}: ${share}`] : []),
    "",
    "--",
    w.footer(brand.name),
    `${w.unsubscribe}: ${unsubscribeUrl}`,
    "",
  ].join("\n");
  const ink = textOn(brand.color);
  const logo = brand.logoUrl
    ? `<img src="${e(brand.logoUrl)}" alt="${e(w.logoAlt(brand.name))}" height="40" style="display:block;height:40px;border:0">`
    : `<p style="margin:0;font-size:20px;font-weight:bold">${e(brand.name)}</p>`;
  const html = `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(subject)}</title></head>
<body style="margin:0;padding:24px;background:#ffffff;color:#1f2937;font-family:system-ui,sans-serif;line-height:1.5">
<div style="max-width:560px;margin:0 auto">
<header style="border-bottom:4px solid ${brand.color};padding-bottom:12px">${logo}</header>
<main>
<h1 style="font-size:22px;margin:24px 0 12px">${e(w.heading)}</h1>
<p>${e(w.greeting(data.firstName))}</p>
<p>${e(w.earned(data.reward))}</p>
<p>${e(status)}</p>
${share ? `<p><a href="${e(share)}" style="display:inline-block;padding:10px 16px;border-radius:6px;background:${brand.color};color:${ink};text-decoration:none;font-weight:bold">${e(w.share)}</a></p>` : ""}
</main>
<footer style="margin-top:32px;font-size:14px;color:#4b5563">
<p>${e(w.footer(brand.name))}</p>
<p><a href="${e(unsubscribeUrl)}" style="color:#1f2937">${e(w.unsubscribe)}</a></p>
</footer>
</div>
</body>
</html>
`;
  return { subject, html, text };
}
