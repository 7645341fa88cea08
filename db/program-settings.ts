/**
 * A workspace's program: how referrals are attributed, rewarded and policed. Stored as one JSON
 * column and validated on every read and write, so later capabilities add fields with defaults
 * instead of migrations.
 */
import { z } from "zod";
import { currency } from "./currency-field.ts";
import { defaultRewardRules, foldLegacyRewards, LegacyRewardSettings, RewardRules } from "./reward-rule-settings.ts";
import { hasUserinfo, userinfoMessage } from "./web-url.ts";

const minorUnits = z.number().int().nonnegative().max(1_000_000_000);

export const Money = z.object({ amount: minorUnits, currency });

/** An amount of money: integer minor units of an ISO 4217 currency (a total may be negative). */
export type Money = { amount: number; currency: string };

export const FriendOffer = z.discriminatedUnion("type", [
  z.object({ type: z.literal("percent"), percent: z.number().int().min(1).max(100) }),
  z.object({ type: z.literal("amount"), amount: minorUnits, currency }),
]);

export const CredentialIssuer = z.object({
  /** The issuer's id as it appears in credentials (a DID or an https URL). */
  id: z.string().min(3).max(500),
  name: z.string().max(200).optional(),
  /** A public key as a JWK, or a JWKS URL, for VC-JWT and Data Integrity proofs. */
  // A JWK's members are strings, booleans or lists of strings (key_ops, x5c): never nested, so
  // a hostile key cannot be a deeply nested value that overflows the stack when it is stored.
  publicKeyJwk: z
    .record(z.string().max(100), z.unknown())
    .refine(
      (jwk) => Object.values(jwk).every(isJwkMember),
      "a JWK: its members are strings, booleans or lists of strings",
    )
    .optional(),
  jwksUrl: z.url({ protocol: /^https$/ }).optional(),
});

function isJwkMember(value: unknown): boolean {
  if (typeof value === "string") return value.length <= 20_000;
  if (typeof value === "boolean") return true;
  return Array.isArray(value) && value.length <= 20 && value.every((item) => typeof item === "string");
}

export const origin = z
  .string()
  .url()
  .transform((value) => new URL(value).origin)
  .refine((value) => value !== "null", "an origin such as https://acme.example");

/** One plain mailbox (as the mail outbox sends to): no spaces, angle brackets, CR/LF or display names. */
const teamAddress = /^[^\s<>"(),;:\\@]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;

/** At most `limit` requests per `windowSeconds` (a fixed window), in one server process or isolate. */
export const RateLimitRule = z.object({
  limit: z.number().int().min(1).max(1_000_000_000),
  windowSeconds: z.number().int().min(1).max(86_400),
});

type RateLimitDefaults = { perVisitor: z.infer<typeof RateLimitRule>; perWorkspace: z.infer<typeof RateLimitRule> };

/** One endpoint group's limits: per visitor (address + user agent) and per workspace; null turns one off. */
const rateLimitGroup = (defaults: RateLimitDefaults) =>
  z
    .object({
      perVisitor: RateLimitRule.nullable().default(defaults.perVisitor),
      perWorkspace: RateLimitRule.nullable().default(defaults.perWorkspace),
    })
    .default(defaults);

/*
 * Defaults: far above what a person does, low enough to slow a script. The per-workspace click
 * limit (10,000 a second over a minute) is above what one Node process serves (about 7,000
 * redirects a second measured on 2 cores), so by default it only bites on a flood aimed at one
 * workspace of a larger deployment; providers sharing a server with others lower it.
 */
const clickLimits = {
  perVisitor: { limit: 60, windowSeconds: 60 },
  perWorkspace: { limit: 600_000, windowSeconds: 60 },
};
const referralLimits = {
  perVisitor: { limit: 120, windowSeconds: 60 },
  perWorkspace: { limit: 120_000, windowSeconds: 60 },
};
/** Sign-in requests on the hosted advocate page (each may send a magic link). */
const advocateSignInLimits = {
  perVisitor: { limit: 10, windowSeconds: 900 },
  perWorkspace: { limit: 600, windowSeconds: 3600 },
};
/** "Who referred you?" questions and confirmations, counted together: each question may test one email or name. */
const referredByLimits = {
  perVisitor: { limit: 10, windowSeconds: 900 },
  perWorkspace: { limit: 1000, windowSeconds: 3600 },
};
const storyLimits = {
  perVisitor: { limit: 5, windowSeconds: 3600 },
  perWorkspace: { limit: 1000, windowSeconds: 3600 },
};

/**
 * Rate limits of the public endpoints: `clicks` (`GET /r/:code` and `POST /v1/clicks`),
 * `referrals` (the card's calls: `GET /v1/referrals/{code}`, `POST /v1/referrals/me`, `POST /v1/events`),
 * `stories` (`POST /v1/stories` and `PATCH /v1/stories/{id}`, counted together) and `referredBy`
 * (`POST /v1/referred-by` and its confirmation, counted together).
 */
export const RateLimitSettings = z.object({
  clicks: rateLimitGroup(clickLimits),
  referrals: rateLimitGroup(referralLimits),
  stories: rateLimitGroup(storyLimits),
  advocateSignIn: rateLimitGroup(advocateSignInLimits),
  referredBy: rateLimitGroup(referredByLimits),
});
export type RateLimitSettings = z.infer<typeof RateLimitSettings>;
export type RateLimitGroup = RateLimitSettings[keyof RateLimitSettings];

/**
 * Paths a hosted advocate page's slug may not take: words people would read as Chorus's own
 * pages, an admin's or a sign-in screen (a slug is the one part of `/p/SLUG` a provider chooses).
 */
export const reservedSlugs = [
  "admin",
  "api",
  "app",
  "assets",
  "auth",
  "chorus",
  "dashboard",
  "demo",
  "docs",
  "help",
  "login",
  "logout",
  "mail",
  "p",
  "r",
  "root",
  "security",
  "settings",
  "signin",
  "sign-in",
  "signout",
  "sign-out",
  "signup",
  "sign-up",
  "static",
  "support",
  "system",
  "verify",
  "www",
] as const;

/** A hosted advocate page's address, `/p/SLUG`: lower-case letters, digits and inner hyphens. */
export const Slug = z
  .string()
  .min(3, "at least 3 characters")
  .max(40, "at most 40 characters")
  .regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/, "lower-case letters, digits and single inner hyphens (acme-academy)")
  .refine((slug) => !(reservedSlugs as readonly string[]).includes(slug), "a reserved word: choose another slug");

/**
 * Who may sign in on the hosted advocate page: `known` learners only (an address the provider
 * already gave Chorus, through a learner token, a conversion or an integration), also anyone at
 * one of `domains`, or `anyone` (who then starts with no history).
 */
export const AdvocateSignIn = z.object({
  policy: z.enum(["known", "domains", "anyone"]).default("known"),
  /** With `domains`: the email domains (lower case, like `acme.example`) whose people may sign in. */
  domains: z
    .array(
      z
        .string()
        .max(253)
        .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a domain such as acme.example"),
    )
    .max(50)
    .default([]),
});

/**
 * The auto-approve rule: `requireCredential` asks for a `credential_verified` story, `minRating`
 * (null: any) for at least that rating, `blockedWords` for none of these words (whole words,
 * any case) in the name, headline or body.
 */
export const AutoApprove = z.object({
  enabled: z.boolean().default(false),
  requireCredential: z.boolean().default(false),
  minRating: z.number().int().min(1).max(5).nullable().default(null),
  blockedWords: z.array(z.string().trim().min(1, "a word or phrase").max(100)).max(500).default([]),
});
export type AutoApprove = z.infer<typeof AutoApprove>;
const defaultAutoApprove: AutoApprove = { enabled: false, requireCredential: false, minRating: null, blockedWords: [] };

/** The settings as read: every field, with its default. */
export const programSettingsShape = {
  attribution: z
    .object({
      windowDays: z.number().int().min(1).max(365).default(30),
      model: z.enum(["last-click", "first-click"]).default("last-click"),
    })
    .default({ windowDays: 30, model: "last-click" }),
  /** What referrers earn: rules per course or for all courses, a monthly cap, milestones (db/reward-rule-settings.ts). */
  rewardRules: RewardRules.default(defaultRewardRules),
  friendOffer: FriendOffer.nullable().default({ type: "percent", percent: 10 }),
  /** Rewards on enrolment, or only once the friend completes the course. */
  trigger: z.enum(["enrollment", "completion"]).default("enrollment"),
  holdDays: z.number().int().min(0).max(365).default(14),
  fraud: z
    .object({
      selfReferral: z.boolean().default(true),
      disposableEmail: z.boolean().default(true),
      botClicks: z.boolean().default(true),
      /** Attributed conversions per referrer per day before the rest are flagged; null for none. */
      velocityPerDay: z.number().int().min(1).max(100_000).nullable().default(20),
    })
    .default({ selfReferral: true, disposableEmail: true, botClicks: true, velocityPerDay: 20 }),
  /** Browser origins allowed to use the publishable key. */
  allowedOrigins: z.array(origin).max(50).default([]),
  credentialIssuers: z.array(CredentialIssuer).max(50).default([]),
  /** Outcome figures from fewer stories than this are suppressed. */
  minSampleSize: z.number().int().min(1).max(1000).default(10),
  /** Where referral links land when neither the code nor its course names a target. */
  defaultTargetUrl: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .default(null),
  /** Where a disabled code sends its visitors. */
  fallbackUrl: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .default(null),
  /** Requests per visitor and per workspace on the public endpoints; over a limit: 429 with Retry-After. */
  rateLimits: RateLimitSettings.default({
    clicks: clickLimits,
    referrals: referralLimits,
    stories: storyLimits,
    advocateSignIn: advocateSignInLimits,
    referredBy: referredByLimits,
  }),
  /**
   * How the provider's emails look (server/services/mail-templates.ts): the name shown as the
   * sender and heading (absent: the workspace's name), a logo (https) and an accent colour.
   */
  brand: z
    .object({
      name: z.string().trim().min(1).max(100).nullable().default(null),
      logoUrl: z
        .url({ protocol: /^https$/ })
        .max(2000)
        .nullable()
        .default(null),
      color: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/, "a colour such as #1d4ed8")
        .default("#1d4ed8"),
    })
    .default({ name: null, logoUrl: null, color: "#1d4ed8" }),
  /** The language of the emails sent to this program's learners. */
  mailLocale: z.enum(["en", "hi"]).default("en"),
  /**
   * "Tell your story", mailed `days` after a learner's completion when no story of theirs for
   * that course came meanwhile; off by default. Its link opens the story form pre-filled, with a
   * one-time token.
   */
  storyRequest: z
    .object({
      enabled: z.boolean().default(false),
      days: z.number().int().min(1).max(365).default(7),
    })
    .default({ enabled: false, days: 7 }),
  /**
   * The team's digest of what waits for a person (stories to moderate, rewards to approve, fraud
   * holds): how often, and to which addresses (team accounts do not exist yet). No recipients, no digest.
   */
  digest: z
    .object({
      frequency: z.enum(["off", "daily", "weekly"]).default("daily"),
      recipients: z
        .array(
          z.string().trim().toLowerCase().max(254).regex(teamAddress, "an email address such as team@acme.example"),
        )
        .max(20)
        .refine((list) => new Set(list).size === list.length, "each address once")
        .default([]),
    })
    .default({ frequency: "daily", recipients: [] }),
  /**
   * Stories approved without a moderator when they meet every condition set here; off by default.
   * Each automatic decision (approved, or left for a moderator with the conditions it missed) is
   * in the audit trail (server/services/story-auto-approve.ts).
   */
  autoApprove: AutoApprove.default(defaultAutoApprove),
  /** The hosted advocate page's address, `/p/SLUG` (unique across the server); null: no hosted page. */
  slug: Slug.nullable().default(null),
  /** Who may sign in on the hosted advocate page (a magic link by email). */
  advocateSignIn: AdvocateSignIn.default({ policy: "known", domains: [] }),
  /**
   * Friend coupon codes (README "Friend offers"): `generated` by Chorus (and created in Stripe as
   * promotion codes when the workspace has a Stripe API key) or drawn from an uploaded `pool`;
   * `checkout` names the platform whose checkout link parameter the redirect adds the code to
   * (`stripe`: `prefilled_promo_code`, `teachable`: `coupon_code`, `thinkific`: `coupon`), null for none.
   */
  friendCoupons: z
    .object({
      source: z.enum(["generated", "pool"]).default("generated"),
      checkout: z.enum(["stripe", "teachable", "thinkific"]).nullable().default(null),
      /** Generated codes stop working this many days after they are made; null: they do not expire. */
      expiresInDays: z.number().int().min(1).max(3650).nullable().default(null),
      /** The dashboard warns when fewer unclaimed pool codes than this are left. */
      poolLowAt: z.number().int().min(0).max(100_000).default(20),
    })
    .default({ source: "generated", checkout: null, expiresInDays: null, poolLowAt: 20 }),
  /**
   * Cash payouts (README "Rewards that arrive"): a referrer is due a payout in a currency once
   * their approved cash rewards in it reach `minimum[currency]` (minor units; absent: any amount).
   */
  payouts: z
    .object({
      minimum: z
        .record(currency, minorUnits)
        .refine((minimum) => Object.keys(minimum).length <= 50, "at most 50 currencies")
        .default({}),
    })
    .default({ minimum: {} }),
  /** Store learners' emails in clear (otherwise only salted hashes). */
  storeEmails: z.boolean().default(false),
  /**
   * Stripe webhooks, posted to `POST /v1/integrations/stripe?workspace=WORKSPACE_ID`: the
   * endpoint's signing secret (`whsec_…` from the Stripe dashboard) and what a paid checkout counts as.
   */
  stripe: z
    .object({
      webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9]{8,200}$/, "the endpoint's signing secret, whsec_…"),
      conversionType: z.enum(["signup", "enrollment", "completion"]).default("enrollment"),
      /**
       * Courses by Stripe id (a payment link `plink_…`, price `price_…` or product `prod_…`), for
       * checkouts without `metadata.chorus_course` (Payment Links).
       */
      courses: z
        .record(
          z.string().regex(/^(plink|price|prod)_[A-Za-z0-9]{1,200}$/, "a Stripe id: plink_…, price_… or prod_…"),
          z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "a course slug such as data-analytics"),
        )
        .refine((courses) => Object.keys(courses).length <= 500, "at most 500 entries")
        .optional(),
      /**
       * A subscription's or instalment plan's later payments (`invoice.paid`): `"first"` counts only
       * the first payment (the default); `{ upTo: N }` counts each payment up to the Nth (each can earn rewards).
       */
      invoicePayments: z.union([z.literal("first"), z.object({ upTo: z.number().int().min(1).max(120) })]).optional(),
    })
    .nullable()
    .default(null),
};

/**
 * The settings as stored and as written: the fields before reward rules (`referrerReward`,
 * `monthlyCap`, `milestones`) are still accepted, and folded into `rewardRules` on every read.
 */
export const programSettingsInputShape = {
  ...programSettingsShape,
  rewardRules: RewardRules.optional(),
  ...LegacyRewardSettings,
};

export const ProgramSettings = z
  .object(programSettingsInputShape)
  .transform(({ rewardRules, referrerReward, monthlyCap, milestones, ...rest }) => ({
    ...rest,
    rewardRules: foldLegacyRewards(rewardRules ?? defaultRewardRules, { referrerReward, monthlyCap, milestones }),
  }));

/** Settings as a PATCH or a new workspace gives them: any field may be left out, old names accepted. */
export type ProgramSettingsInput = Partial<z.input<typeof ProgramSettings>>;

export type ProgramSettings = z.infer<typeof ProgramSettings>;

/**
 * Settings as they may be written: the URLs people are sent to or Chorus fetches carry no
 * userinfo (db/web-url.ts). Checked on write only, so a value stored before this rule still reads
 * (and its workspace keeps working) until an admin changes the settings.
 */
export const ProgramSettingsWrite = ProgramSettings.superRefine((settings, ctx) => {
  const urls: [PropertyKey[], string | null | undefined][] = [
    [["defaultTargetUrl"], settings.defaultTargetUrl],
    [["fallbackUrl"], settings.fallbackUrl],
    [["brand", "logoUrl"], settings.brand.logoUrl],
    ...settings.credentialIssuers.map((issuer, i): [PropertyKey[], string | undefined] => [
      ["credentialIssuers", i, "jwksUrl"],
      issuer.jwksUrl,
    ]),
  ];
  for (const [path, value] of urls)
    if (value && hasUserinfo(value)) ctx.addIssue({ code: "custom", path, message: userinfoMessage });
});

/** Settings for a new workspace: every default, with the given origins. */
export function defaultProgramSettings(allowedOrigins: string[] = []): ProgramSettings {
  return ProgramSettings.parse({ allowedOrigins });
}
