/** The hosted advocate page panel's strings (settings page), in English and Hindi. */
import { catalog } from "../lib/i18n.ts";

const en = {
  title: "Hosted advocate page",
  intro:
    "A page of your learners' own on this server, for providers on hosted platforms: they sign in with their email and get their referral link, rewards and story form.",
  slug: "Address (/p/…: lower-case letters, digits and hyphens; empty: no hosted page)",
  policy: "Who may sign in",
  known: "Learners you already know (from conversions, integrations or learner tokens)",
  domains: "Also anyone at the domains below",
  anyone: "Anyone (new people start with no history)",
  domainList: "Domains (one per line, like acme.example)",
  badSlug: "Use 3 to 40 lower-case letters, digits and single hyphens, like acme-academy.",
  badDomain: "“{domain}” is not a domain such as acme.example.",
  needDomains: "List at least one domain, or choose another rule.",
  problems: "Please fix {n} problem(s) below.",
  save: "Save hosted page",
  saved: "Saved. The page is at {url}",
  savedOff: "Saved. There is no hosted page.",
  open: "Open the page",
  invalid: "This value is not valid.",
};

export type HostedPageKey = keyof typeof en;

export const hostedPageText = catalog(en, () => import("./hosted-page-strings.hi.ts"));
