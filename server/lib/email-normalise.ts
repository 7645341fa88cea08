/**
 * One mailbox, one address: the form in which two addresses are compared (self-referral rule,
 * erasure by email). Providers deliver several spellings to the same mailbox; a referrer who
 * buys with `priya+1@gmail.com` is still Priya. Only what the provider documents is folded:
 * dots matter everywhere except Gmail, so a rule is applied only to that provider's domains.
 */

type ProviderRule = {
  /** The character after which the rest of the local part is a tag the provider ignores. */
  tag?: "+" | "-";
  /** Gmail ignores dots in the local part. */
  ignoreDots?: boolean;
  /** The domain the provider's aliases fold into (googlemail.com is gmail.com). */
  canonicalDomain?: string;
};

const gmail: ProviderRule = { tag: "+", ignoreDots: true, canonicalDomain: "gmail.com" };
const plusTags: ProviderRule = { tag: "+" };

/** Domains (lower case, ASCII) and how their mailboxes are spelled. */
const providers: Record<string, ProviderRule> = {
  "gmail.com": gmail,
  "googlemail.com": gmail,
  // Microsoft: +tags (documented since 2020), no dot folding.
  "outlook.com": plusTags,
  "hotmail.com": plusTags,
  "live.com": plusTags,
  "msn.com": plusTags,
  // Yahoo's disposable addresses are name-keyword@.
  "yahoo.com": { tag: "-" },
  "ymail.com": { tag: "-" },
  // Apple: +tags on every iCloud domain.
  "icloud.com": plusTags,
  "me.com": plusTags,
  "mac.com": plusTags,
  "fastmail.com": plusTags,
  "fastmail.fm": plusTags,
  "proton.me": plusTags,
  "protonmail.com": plusTags,
  "pm.me": plusTags,
  "zoho.com": plusTags,
};

/** The domain in lower-case ASCII (an internationalised domain as its punycode), or as given if it is no host name. */
function asciiDomain(domain: string): string {
  // Only a bare host name goes through URL: anything else would be read as a path or a port.
  if (!/^[^\s/?#@:\\[\]%]+$/.test(domain)) return domain;
  try {
    return new URL(`http://${domain}`).hostname;
  } catch {
    return domain;
  }
}

/**
 * The address as its provider delivers it: trimmed and lower-cased for everyone, then the
 * provider's own rules (tags, Gmail's dots, googlemail.com). Not an address's display form: only
 * ever hashed and compared.
 */
export function normaliseEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  const at = trimmed.lastIndexOf("@");
  if (at <= 0) return trimmed;
  let local = trimmed.slice(0, at);
  const domain = asciiDomain(trimmed.slice(at + 1).replace(/\.$/, ""));
  const rule = providers[domain];
  if (!rule) return `${local}@${domain}`;
  if (rule.tag) {
    const cut = local.indexOf(rule.tag);
    // A local part that is only a tag ("+x") is left whole: folding it would leave nothing.
    if (cut > 0) local = local.slice(0, cut);
  }
  if (rule.ignoreDots) local = local.replaceAll(".", "");
  return `${local}@${rule.canonicalDomain ?? domain}`;
}
