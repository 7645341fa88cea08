/**
 * The program's reward rules (README "Reward rules"): what a referrer earns, per course or for all
 * courses, as a fixed amount or a percentage of the amount paid (with a cap), by tier of successful
 * referrals, for the first payment only or each payment up to N, with an optional small reward for
 * the friend's sign-up; and, across all rules, a monthly cap per referrer and milestone bonuses.
 *
 * The settings before rules (`referrerReward`, `monthlyCap`, `milestones`) are still read, and
 * still accepted in a PATCH: `foldLegacyRewards` turns them into the equivalent rule, so stored
 * programs and callers of the older API keep their behaviour.
 */
import { z } from "zod";
import { currency } from "./currency-field.ts";

const minorUnits = z
  .number("a whole number of minor units (paise, cents; yen have none)")
  .int("a whole number of minor units (paise, cents; yen have none)")
  .nonnegative("zero or more")
  .max(1_000_000_000, "at most 1,000,000,000 minor units");

const RewardMoney = z.object({ amount: minorUnits, currency });

/** Course slugs as conversions carry them (server/lib/fields.ts has the same rule; db/ imports nothing of server/). */
const courseSlug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "a course slug such as data-analytics");

/** A percentage with at most two decimals (7.5, 12.25): kept exact as basis points when computed. */
const percent = z
  .number("a number from 0.01 to 100")
  .min(0.01, "at least 0.01")
  .max(100, "at most 100")
  .refine(
    (value) => Number.isInteger(Math.round(value * 100)) && Math.abs(value * 100 - Math.round(value * 100)) < 1e-9,
    "at most two decimals",
  );

/** What one referral earns: a fixed amount, or a percentage of the amount paid with an optional cap. */
export const RuleAmount = z.discriminatedUnion("type", [
  z.object({ type: z.literal("fixed"), amount: minorUnits, currency }),
  z.object({
    type: z.literal("percent"),
    percent,
    /** The most one payment earns, in the conversion's currency (a payment in another currency earns nothing). */
    cap: RewardMoney.nullable().default(null),
  }),
]);
export type RuleAmount = z.infer<typeof RuleAmount>;

/** From the referrer's `from`th successful referral on, `reward` replaces the rule's own. */
export const RuleTier = z.object({
  from: z
    .number()
    .int("a whole number")
    .min(2, "at least 2 (below the first tier the rule's own reward applies)")
    .max(100_000),
  reward: RuleAmount,
});

export const rewardKinds = ["credit", "coupon", "cash"] as const;

/** One reward rule: for one course, or (course null) for all courses. */
export const RewardRule = z.object({
  /** The course this rule is for; null: all courses (a course's own rule wins over it). */
  course: courseSlug.nullable().default(null),
  /** How the reward reaches the referrer. */
  kind: z.enum(rewardKinds).default("credit"),
  reward: RuleAmount,
  /** Tiers by the referrer's count of successful referrals, lowest `from` first. */
  tiers: z
    .array(RuleTier)
    .max(10)
    .refine(
      (tiers) => tiers.every((tier, i) => i === 0 || tier.from > tiers[i - 1]!.from),
      "tiers in rising order of count, each count once",
    )
    .default([]),
  /**
   * Instalments and renewals (several conversions of one customer on one course): `"first"` rewards
   * the first payment only; `{ upTo: N }` rewards each payment up to the Nth.
   */
  payments: z
    .union([
      z.literal("first"),
      z.object({ upTo: z.number().int("a whole number").min(1, "at least 1").max(120, "at most 120") }),
    ])
    .default("first"),
  /** A small reward for the referrer when the friend signs up (once per friend); null: none. */
  signupReward: RewardMoney.nullable().default(null),
});
export type RewardRule = z.infer<typeof RewardRule>;

const Milestone = z.object({ count: z.number().int().min(1).max(100_000), bonus: RewardMoney });

/** The program's reward rules and the limits across them. */
export const RewardRules = z.object({
  rules: z
    .array(RewardRule)
    .max(100)
    .superRefine((rules, ctx) => {
      const seen = new Set<string | null>();
      rules.forEach((rule, i) => {
        if (seen.has(rule.course))
          ctx.addIssue({
            code: "custom",
            path: [i, "course"],
            message: rule.course
              ? `a second rule for ${rule.course}: one rule per course`
              : "a second rule for all courses: one only",
          });
        seen.add(rule.course);
      });
    })
    .default([]),
  /** At most this many referrer rewards per referrer per calendar month (UTC); null for no cap. */
  monthlyCap: z.number().int().min(1).max(10_000).nullable().default(null),
  /** A bonus once the referrer's successful referrals reach `count`. */
  milestones: z.array(Milestone).max(20).default([]),
});
export type RewardRules = z.infer<typeof RewardRules>;

/** The rules of a new program: 500.00 INR credit per referral, for all courses (as before rules). */
export const defaultRewardRules: RewardRules = {
  rules: [
    {
      course: null,
      kind: "credit",
      reward: { type: "fixed", amount: 50_000, currency: "INR" },
      tiers: [],
      payments: "first",
      signupReward: null,
    },
  ],
  monthlyCap: null,
  milestones: [],
};

/** The settings before rules: still read from stored programs and accepted in a PATCH. */
export const LegacyRewardSettings = {
  referrerReward: z
    .object({ type: z.enum(rewardKinds), amount: minorUnits, currency })
    .nullable()
    .optional()
    .describe("Deprecated: the all-courses rule's fixed reward (folded into rewardRules)."),
  monthlyCap: z.number().int().min(1).max(10_000).nullable().optional().describe("Deprecated: rewardRules.monthlyCap."),
  milestones: z.array(Milestone).max(20).optional().describe("Deprecated: rewardRules.milestones."),
};

type Legacy = {
  referrerReward?: { type: RewardRule["kind"]; amount: number; currency: string } | null;
  monthlyCap?: number | null;
  milestones?: RewardRules["milestones"];
};

/**
 * The legacy fields given, applied to the rules as their equivalent: `referrerReward` becomes the
 * all-courses rule's fixed reward and kind (null removes that rule), `monthlyCap` and `milestones`
 * replace the rules' own. Fields not given leave the rules alone.
 */
export function foldLegacyRewards(rules: RewardRules, legacy: Legacy): RewardRules {
  let folded = rules;
  if (legacy.referrerReward !== undefined) {
    const others = folded.rules.filter((rule) => rule.course !== null);
    const old = folded.rules.find((rule) => rule.course === null);
    const given = legacy.referrerReward;
    folded = {
      ...folded,
      rules: given
        ? [
            ...others,
            {
              ...(old ?? defaultRewardRules.rules[0]!),
              kind: given.type,
              reward: { type: "fixed", amount: given.amount, currency: given.currency },
              tiers: [],
            },
          ]
        : others,
    };
  }
  if (legacy.monthlyCap !== undefined) folded = { ...folded, monthlyCap: legacy.monthlyCap };
  if (legacy.milestones !== undefined) folded = { ...folded, milestones: legacy.milestones };
  return folded;
}
