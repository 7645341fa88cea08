/**
 * Which reward rule applies to a conversion, and what it gives: pure functions over the program's
 * rules (db/reward-rule-settings.ts), so the exact money is testable on its own. Amounts are
 * integer minor units of the currency (paise, cents, yen, fils); a percentage is taken in basis
 * points and rounded half up to the nearest minor unit, in integer arithmetic, never in floats.
 */
import type { RewardRule, RewardRules, RuleAmount } from "../../db/reward-rule-settings.ts";
import { formatMoney } from "../lib/money.ts";

/** How a rule is named in a decision log. */
export const ruleName = (rule: RewardRule): string =>
  rule.course ? `the rule for ${rule.course}` : "the rule for all courses";

/** The rule for a course: its own rule, else the all-courses rule, and the rule the winner beat. */
export function ruleFor(
  rules: RewardRules["rules"],
  course: string | null,
): { rule: RewardRule | null; beaten: RewardRule | null } {
  const general = rules.find((rule) => rule.course === null) ?? null;
  const own = course ? (rules.find((rule) => rule.course === course) ?? null) : null;
  return own ? { rule: own, beaten: general } : { rule: general, beaten: null };
}

/** `percent`% of `amount` minor units, rounded half up (7.5% of 12,345 yen is 925.875: 926 yen). */
export function percentOf(amount: number, percent: number): number {
  const basisPoints = BigInt(Math.round(percent * 100));
  return Number((BigInt(amount) * basisPoints + 5_000n) / 10_000n);
}

/** The reward of the rule's tier for the referrer's `ordinal`th successful referral, and the tier's name. */
export function tierFor(rule: RewardRule, ordinal: number): { reward: RuleAmount; tier: string | null } {
  const tier = [...rule.tiers].reverse().find((candidate) => ordinal >= candidate.from);
  if (tier) return { reward: tier.reward, tier: `the tier from ${tier.from} referrals` };
  if (rule.tiers.length === 0) return { reward: rule.reward, tier: null };
  return { reward: rule.reward, tier: `the first tier (below ${rule.tiers[0]!.from} referrals)` };
}

/** The payment a conversion records, when it carries one: minor units and currency. */
export type Paid = { amount: number; currency: string } | null;

/** What a rule's reward comes to for one payment, with how it was worked out; or why it gives nothing. */
export type Computed = { amount: number; currency: string; how: string } | { none: string };

export function computeReward(reward: RuleAmount, paid: Paid): Computed {
  if (reward.type === "fixed") {
    const value = formatMoney(reward.amount, reward.currency);
    if (paid && paid.currency !== reward.currency)
      return {
        amount: reward.amount,
        currency: reward.currency,
        how: `fixed ${value}; the payment is in ${paid.currency}: the reward stays in ${reward.currency}, not converted`,
      };
    return { amount: reward.amount, currency: reward.currency, how: `fixed ${value}` };
  }
  if (!paid) return { none: `${reward.percent}% of the amount paid: the conversion carries no amount, so no reward` };
  const { cap } = reward;
  if (cap && cap.currency !== paid.currency)
    return {
      none: `${reward.percent}% capped at ${formatMoney(cap.amount, cap.currency)}: the payment is in ${paid.currency}, which the cap cannot bound (no conversion between currencies), so no reward`,
    };
  const raw = percentOf(paid.amount, reward.percent);
  const of = `${reward.percent}% of ${formatMoney(paid.amount, paid.currency)} = ${formatMoney(raw, paid.currency)} (rounded half up)`;
  if (cap && raw > cap.amount)
    return {
      amount: cap.amount,
      currency: paid.currency,
      how: `${of}, capped at ${formatMoney(cap.amount, cap.currency)}`,
    };
  return { amount: raw, currency: paid.currency, how: of };
}

/**
 * The referrer reward a card or page announces for a course: the base reward of its rule when it
 * is a fixed amount (a percentage depends on what the friend pays, so none is announced).
 */
export function announcedReward(
  rules: RewardRules["rules"],
  course: string | null,
): { type: RewardRule["kind"]; amount: number; currency: string } | null {
  const { rule } = ruleFor(rules, course);
  if (rule?.reward.type !== "fixed") return null;
  return { type: rule.kind, amount: rule.reward.amount, currency: rule.reward.currency };
}
