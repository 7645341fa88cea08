/**
 * A referrer's earnings as the referral card and the hosted page show them (issue 18): totals
 * pending, approved and paid per currency, and each reward with the reason it waits, as a code
 * the page or card puts into words (English and Hindi): a hold until a date, a review, a payout
 * method to add, a minimum to reach, the next payout batch, "no Stripe customer".
 */
import { and, eq, inArray } from "drizzle-orm";
import { rewards } from "../../db/schema.ts";
import { pageRewards } from "./advocate-page.ts";
import { getPayoutMethod, type PayoutMethodJson } from "./payout-methods.ts";
import type { WorkspaceContext } from "./types.ts";

/** Why a reward is where it is; `until`, `rules` and `minimum` carry the facts the words need. */
export type EarningReason =
  | { code: "hold"; until: string }
  | { code: "review"; rules: string[] }
  | { code: "refunded" }
  | { code: "voided" }
  | { code: "payout-method" }
  | { code: "minimum"; minimum: number }
  | { code: "next-batch" }
  | { code: "delivering" }
  | { code: "no-stripe-customer" }
  | { code: "delivery-failed" }
  | { code: "paid" };

export type Earning = {
  id: string;
  kind: string;
  amount: number | null;
  currency: string | null;
  percent: number | null;
  status: "pending" | "approved" | "paid" | "void";
  reason: EarningReason;
  /** A coupon reward's code for the next course, once issued. */
  code: string | null;
  createdAt: string;
};

export type Earnings = {
  totals: { currency: string; pending: number; approved: number; paid: number }[];
  items: Earning[];
  payoutMethod: PayoutMethodJson | null;
  /** The program pays cash, or the referrer has cash rewards: the card offers to add a payout method. */
  paysCash: boolean;
};

/** The learner's latest 50 referrer rewards as earnings, with totals over them. */
export async function learnerEarnings(ctx: WorkspaceContext, input: { learnerId: string }): Promise<Earnings> {
  const { db, workspace } = ctx;
  const [page, payoutMethod] = await Promise.all([pageRewards(ctx, input.learnerId), getPayoutMethod(ctx, input)]);
  const ids = page.map((reward) => reward.id);
  const delivery = ids.length
    ? await db
        .select({ id: rewards.id, code: rewards.deliveredCode, error: rewards.deliveryError })
        .from(rewards)
        .where(and(eq(rewards.workspaceId, workspace.id), inArray(rewards.id, ids)))
    : [];
  const approvedCash = new Map<string, number>();
  for (const reward of page)
    if (reward.status === "approved" && reward.kind === "cash" && reward.currency && reward.amount)
      approvedCash.set(reward.currency, (approvedCash.get(reward.currency) ?? 0) + reward.amount);
  const totals = new Map<string, Earnings["totals"][number]>();
  const items = page.map((reward): Earning => {
    const stored = delivery.find((row) => row.id === reward.id);
    const status = reward.status === "issued" ? "paid" : reward.status;
    if (reward.currency && reward.amount !== null && status !== "void") {
      const total = totals.get(reward.currency) ?? { currency: reward.currency, pending: 0, approved: 0, paid: 0 };
      total[status] += reward.amount;
      totals.set(reward.currency, total);
    }
    return {
      id: reward.id,
      kind: reward.kind,
      amount: reward.amount,
      currency: reward.currency,
      percent: reward.percent,
      status,
      reason: reasonOf(ctx, reward, stored?.error ?? null, payoutMethod !== null, approvedCash),
      code: reward.status === "issued" ? (stored?.code ?? null) : null,
      createdAt: new Date(reward.createdAt).toISOString(),
    };
  });
  return {
    totals: [...totals.values()],
    items,
    payoutMethod,
    paysCash:
      workspace.settings.rewardRules.rules.some((rule) => rule.kind === "cash") ||
      page.some((reward) => reward.kind === "cash"),
  };
}

function reasonOf(
  { workspace }: WorkspaceContext,
  reward: Awaited<ReturnType<typeof pageRewards>>[number],
  deliveryError: string | null,
  hasMethod: boolean,
  approvedCash: Map<string, number>,
): EarningReason {
  if (reward.status === "issued") return { code: "paid" };
  if (reward.status === "void") return reward.refunded ? { code: "refunded" } : { code: "voided" };
  if (reward.status === "pending") {
    if (reward.review) return { code: "review", rules: reward.review };
    return { code: "hold", until: new Date(reward.holdUntil ?? reward.createdAt).toISOString() };
  }
  if (reward.kind === "cash") {
    if (!hasMethod) return { code: "payout-method" };
    const minimum = reward.currency ? (workspace.settings.payouts.minimum[reward.currency] ?? 0) : 0;
    if ((approvedCash.get(reward.currency ?? "") ?? 0) < minimum) return { code: "minimum", minimum };
    return { code: "next-batch" };
  }
  if (deliveryError === "no Stripe customer") return { code: "no-stripe-customer" };
  if (deliveryError && !deliveryError.startsWith("retrying: ")) return { code: "delivery-failed" };
  return { code: "delivering" };
}
