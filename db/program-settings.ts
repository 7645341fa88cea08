/**
 * A workspace's program: how referrals are attributed, rewarded and policed. Stored as one JSON
 * column and validated on every read and write, so later capabilities add fields with defaults
 * instead of migrations.
 */
import { z } from "zod";

const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, "an ISO 4217 code such as INR or USD")
  .refine((code) => {
    try {
      return Intl.supportedValuesOf("currency").includes(code);
    } catch {
      return true;
    }
  }, "an ISO 4217 currency code");

const minorUnits = z.number().int().nonnegative().max(1_000_000_000);

export const Money = z.object({ amount: minorUnits, currency });

export const ReferrerReward = z.object({
  type: z.enum(["credit", "coupon", "cash"]),
  amount: minorUnits,
  currency,
});

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

export const ProgramSettings = z.object({
  attribution: z
    .object({
      windowDays: z.number().int().min(1).max(365).default(30),
      model: z.enum(["last-click", "first-click"]).default("last-click"),
    })
    .default({ windowDays: 30, model: "last-click" }),
  referrerReward: ReferrerReward.nullable().default({ type: "credit", amount: 50_000, currency: "INR" }),
  friendOffer: FriendOffer.nullable().default({ type: "percent", percent: 10 }),
  /** Rewards on enrolment, or only once the friend completes the course. */
  trigger: z.enum(["enrollment", "completion"]).default("enrollment"),
  holdDays: z.number().int().min(0).max(365).default(14),
  /** At most this many referrer rewards per referrer per calendar month; null for no cap. */
  monthlyCap: z.number().int().min(1).max(10_000).nullable().default(null),
  milestones: z
    .array(z.object({ count: z.number().int().min(1).max(100_000), bonus: Money }))
    .max(20)
    .default([]),
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
    })
    .nullable()
    .default(null),
});

export type ProgramSettings = z.infer<typeof ProgramSettings>;

/** Settings for a new workspace: every default, with the given origins. */
export function defaultProgramSettings(allowedOrigins: string[] = []): ProgramSettings {
  return ProgramSettings.parse({ allowedOrigins });
}
