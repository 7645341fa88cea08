/**
 * Rewards that arrive (README "Rewards that arrive"): once a referrer's reward is approved it is
 * delivered by its kind, then marked issued (`reward.issued` webhook and mail):
 *
 * - `coupon`: a code for the referrer's next course. With a Stripe key: a Stripe coupon for the
 *   reward's amount (once, one redemption) and a promotion code, through the `stripe` package;
 *   without one: the oldest unclaimed code of the provider's uploaded pool.
 * - `credit`: a Stripe customer balance transaction crediting the reward's amount to the
 *   referrer's own Stripe customer (stripe-customers.ts); "no Stripe customer" when Stripe never
 *   named one for them.
 * - `cash`: not here; the finance view pays it in a batch (payout-batches.ts).
 *
 * Stripe's errors are never lost: a rate limit, outage or network failure is tried again (after
 * a minute, each background tick), an invalid request or refused key is kept on the reward as
 * `deliveryError` for a person. Stripe requests carry an Idempotency-Key made from the reward's
 * id, so a retry after a lost answer never credits twice.
 */
import { and, asc, eq, inArray, isNull, like, lte, or } from "drizzle-orm";
import { learners, referralCodes, rewards } from "../../db/schema.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { drawFromPool, newFriendCouponCode } from "./friend-coupons.ts";
import { issueDeliveredRewards, type RewardRow } from "./rewards.ts";
import { classifyStripeError, type StripeApiContext, stripeClient } from "./stripe-coupons.ts";
import { stripeCustomerOf } from "./stripe-customers.ts";
import type { Learner, SecretContext, ServiceContext, Workspace, WorkspaceContext } from "./types.ts";
import { getWorkspace } from "./workspaces.ts";

/** A reward Stripe refused for now is tried again no sooner than this after its last attempt. */
const retryAfterMs = 60_000;
const retrying = "retrying: ";

type DeliveryContext = ServiceContext & SecretContext & StripeApiContext;
type Stripe = NonNullable<Awaited<ReturnType<typeof stripeClient>>>;

export type DeliveryReport = { issued: number; retrying: number; failed: number };

type Outcome = { issued: { code?: string; ref?: string } } | { error: string; retry: boolean };

/**
 * Delivers approved coupon and credit rewards not delivered yet (oldest first, at most `limit`),
 * in every workspace or one. Runs from the background tick and after an admin approves.
 */
export async function deliverApprovedRewards(
  ctx: DeliveryContext,
  input: { workspaceId?: string; limit?: number } = {},
): Promise<DeliveryReport> {
  const { db } = ctx;
  const now = ctx.clock.now().getTime();
  const report: DeliveryReport = { issued: 0, retrying: 0, failed: 0 };
  const due = await db
    .select()
    .from(rewards)
    .where(
      and(
        input.workspaceId ? eq(rewards.workspaceId, input.workspaceId) : undefined,
        eq(rewards.status, "approved"),
        eq(rewards.side, "referrer"),
        inArray(rewards.kind, ["coupon", "credit"]),
        or(
          isNull(rewards.deliveryError),
          and(like(rewards.deliveryError, `${retrying}%`), lte(rewards.updatedAt, now - retryAfterMs)),
        ),
      ),
    )
    .orderBy(asc(rewards.createdAt))
    .limit(input.limit ?? 50);
  const clients = new Map<string, { workspace: Workspace; stripe: Stripe | null } | null>();
  for (const reward of due) {
    if (!reward.learnerId || reward.amount === null || reward.amount <= 0 || !reward.currency) continue;
    if (!clients.has(reward.workspaceId)) {
      const workspace = await getWorkspace({ db }, { id: reward.workspaceId });
      clients.set(
        reward.workspaceId,
        workspace ? { workspace, stripe: await stripeClient(ctx, workspace.id, false) } : null,
      );
    }
    const client = clients.get(reward.workspaceId);
    if (!client) continue;
    const wctx = { ...ctx, workspace: client.workspace };
    const [learner] = await db
      .select()
      .from(learners)
      .where(and(eq(learners.workspaceId, reward.workspaceId), eq(learners.id, reward.learnerId)));
    if (!learner || learner.erasedAt !== null) continue;
    const outcome =
      reward.kind === "coupon"
        ? await deliverCoupon(wctx, client.stripe, reward, learner)
        : await deliverCredit(wctx, client.stripe, reward, learner);
    if ("issued" in outcome) {
      await writeTransaction(db, (tx) =>
        issueDeliveredRewards(
          { tx, workspace: client.workspace, clock: ctx.clock },
          {
            rewardIds: [reward.id],
            set: { deliveredCode: outcome.issued.code ?? null, deliveryRef: outcome.issued.ref ?? null },
            delivery: outcome.issued.code ? { kind: "coupon", code: outcome.issued.code } : { kind: "credit" },
          },
        ),
      );
      report.issued++;
    } else {
      await db
        .update(rewards)
        .set({ deliveryError: outcome.retry ? `${retrying}${outcome.error}` : outcome.error, updatedAt: now })
        .where(and(eq(rewards.workspaceId, reward.workspaceId), eq(rewards.id, reward.id)));
      if (outcome.retry) report.retrying++;
      else report.failed++;
    }
  }
  return report;
}

const stripeFailure = (error: unknown): Outcome => {
  const failure = classifyStripeError(error);
  return { error: failure.error, retry: failure.retry };
};

/** A code for the referrer's next course: a Stripe promotion code for the reward's amount, else a pool code. */
async function deliverCoupon(
  ctx: WorkspaceContext,
  stripe: Stripe | null,
  reward: RewardRow,
  learner: Learner,
): Promise<Outcome> {
  const { workspace } = ctx;
  const amount = reward.amount!;
  const currency = reward.currency!;
  if (!stripe) {
    const [code] = await ctx.db
      .select({ id: referralCodes.id })
      .from(referralCodes)
      .where(and(eq(referralCodes.workspaceId, workspace.id), eq(referralCodes.learnerId, learner.id)))
      .limit(1);
    if (!code) return { error: "no referral code to draw a pool code for", retry: false };
    const drawn = await drawFromPool(ctx, {
      referralCodeId: code.id,
      offerKey: `reward:${reward.id}`,
      now: ctx.clock.now().getTime(),
    });
    return drawn ? { issued: { code: drawn.code } } : { error: "the coupon pool is empty", retry: false };
  }
  const couponId = `chorus-reward-${reward.id}`;
  const code = newFriendCouponCode(learner.name, { type: "amount", amount, currency });
  try {
    await stripe.coupons.create(
      {
        id: couponId,
        name: "Referral reward",
        duration: "once",
        amount_off: amount,
        currency: currency.toLowerCase(),
        max_redemptions: 1,
        metadata: { chorus_workspace: workspace.id, chorus_reward: reward.id },
      },
      { idempotencyKey: `chorus-reward-coupon-${reward.id}` },
    );
  } catch (error) {
    if ((error as { code?: string }).code !== "resource_already_exists") return stripeFailure(error);
  }
  try {
    const promotion = await stripe.promotionCodes.create(
      {
        promotion: { type: "coupon", coupon: couponId },
        code,
        max_redemptions: 1,
        metadata: { chorus_workspace: workspace.id, chorus_reward: reward.id },
      },
      { idempotencyKey: `chorus-reward-promotion-${reward.id}` },
    );
    return { issued: { code: promotion.code, ref: promotion.id } };
  } catch (error) {
    return stripeFailure(error);
  }
}

/** A credit on the referrer's Stripe customer balance (a negative balance transaction is a credit). */
async function deliverCredit(
  ctx: WorkspaceContext,
  stripe: Stripe | null,
  reward: RewardRow,
  learner: Learner,
): Promise<Outcome> {
  if (!stripe) return { error: "no Stripe key", retry: false };
  const customer = await stripeCustomerOf(ctx, learner);
  if (!customer) return { error: "no Stripe customer", retry: false };
  try {
    const transaction = await stripe.customers.createBalanceTransaction(
      customer,
      {
        amount: -reward.amount!,
        currency: reward.currency!.toLowerCase(),
        description: "Referral reward",
        metadata: { chorus_workspace: ctx.workspace.id, chorus_reward: reward.id },
      },
      { idempotencyKey: `chorus-reward-credit-${reward.id}` },
    );
    return { issued: { ref: transaction.id } };
  } catch (error) {
    return stripeFailure(error);
  }
}
