/**
 * Rewards: their API shape, the approval of holds that ended, an admin's decisions and the admin
 * list. States: pending → approved → issued, or void. What a conversion earns and what a refund
 * reverses are decided by the rules in `reward-rules.ts`. Every change announces itself in the
 * outbox, in the same transaction.
 */
import { and, desc, eq, inArray, lte, type SQL } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { learners, rewards, workspaces } from "../../db/schema.ts";
import { decodeCursor } from "../lib/cursor.ts";
import { olderThan } from "../lib/newest-first.ts";
import { paginate } from "../lib/paginate.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { fixedClock } from "./clock.ts";
import { DomainError } from "./errors.ts";
import { enqueueRewardStatusMail, type RewardDelivery } from "./mail-messages.ts";
import { type DbOrTx, enqueueEvent } from "./outbox.ts";
import type { ServiceContext, TransactionContext, WorkspaceContext } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

export type RewardRow = typeof rewards.$inferSelect;
export type RewardStatus = RewardRow["status"];
/** Columns written only when a reward is delivered (reward-delivery.ts, payout-batches.ts), never when it is earned. */
export type DeliveryColumns = "payoutBatchId" | "deliveredCode" | "deliveryRef" | "deliveryError";

/** The API shape of a reward; `learnerId` is the provider's id of the referrer. */
export function rewardJson(row: RewardRow, learnerExternalId: string | null) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: row.id,
    conversionId: row.conversionId,
    side: row.side,
    learnerId: learnerExternalId,
    customerId: row.customerId,
    kind: row.kind,
    /** How it reached the referrer once issued: the payout batch, coupon code or Stripe balance transaction. */
    payoutBatchId: row.payoutBatchId,
    deliveredCode: row.deliveredCode,
    deliveryRef: row.deliveryRef,
    deliveryError: row.deliveryError,
    amount: row.amount,
    currency: row.currency,
    percent: row.percent,
    status: row.status,
    flagged: row.flagged,
    holdUntil: iso(row.holdUntil),
    reason: row.reason,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: iso(row.updatedAt),
  };
}
export type RewardJson = ReturnType<typeof rewardJson>;

async function externalIds(db: DbOrTx, workspaceId: string, rows: RewardRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((row) => row.learnerId).filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  const found = await db
    .select({ id: learners.id, externalId: learners.externalId })
    .from(learners)
    .where(and(eq(learners.workspaceId, workspaceId), inArray(learners.id, ids)));
  return new Map(found.map((row) => [row.id, row.externalId]));
}

/** Rewards in their API shape, read through the transaction when there is one. */
export async function rewardsJson(
  ctx: WorkspaceContext | TransactionContext,
  input: { rows: RewardRow[] },
): Promise<RewardJson[]> {
  const { rows } = input;
  const map = await externalIds("tx" in ctx ? ctx.tx : ctx.db, ctx.workspace.id, rows);
  return rows.map((row) => rewardJson(row, row.learnerId ? (map.get(row.learnerId) ?? null) : null));
}

/** A reward as a webhook event carries it. */
export async function rewardData(db: DbOrTx, row: RewardRow): Promise<RewardJson> {
  const map = await externalIds(db, row.workspaceId, [row]);
  return rewardJson(row, row.learnerId ? (map.get(row.learnerId) ?? null) : null);
}

/**
 * Approves every held reward whose hold has ended, unless flagged (a person decides) or
 * refunded (already void): in one workspace, or in all of them. Runs from the background tick
 * and before rewards are read.
 */
export async function approveDueRewards(ctx: ServiceContext, input: { workspaceId?: string } = {}): Promise<number> {
  const now = ctx.clock.now();
  if (input.workspaceId) return approveDueIn(ctx.db, input.workspaceId, now);
  // Workspace by workspace, so each look-up uses the (workspace, status) index.
  let approved = 0;
  for (const { id } of await ctx.db.select({ id: workspaces.id }).from(workspaces)) {
    approved += await approveDueIn(ctx.db, id, now);
  }
  return approved;
}

async function approveDueIn(db: Db, workspaceId: string, now: Date): Promise<number> {
  const at = now.getTime();
  const due = and(
    eq(rewards.status, "pending"),
    eq(rewards.flagged, false),
    lte(rewards.holdUntil, at),
    eq(rewards.workspaceId, workspaceId),
  );
  // A cheap read first: most ticks find nothing and should not take the write lock.
  const [any] = await db.select({ id: rewards.id }).from(rewards).where(due).limit(1);
  if (!any) return 0;
  return writeTransaction(db, async (tx) => {
    const rows = await tx.update(rewards).set({ status: "approved", updatedAt: at }).where(due).returning();
    const [space] = rows.length > 0 ? await tx.select().from(workspaces).where(eq(workspaces.id, workspaceId)) : [];
    for (const row of rows) {
      await enqueueEvent(
        { tx, clock: fixedClock(now) },
        { workspaceId: row.workspaceId, type: "reward.approved", data: await rewardData(tx, row) },
      );
      if (space) {
        const step = { tx, workspace: parseWorkspace(space), clock: fixedClock(now) };
        await enqueueRewardStatusMail(step, { reward: row, status: "approved" });
      }
    }
    return rows.length;
  });
}

const transitions = {
  approve: { from: ["pending"], to: "approved", event: "reward.approved" },
  void: { from: ["pending", "approved"], to: "void", event: "reward.voided" },
  issue: { from: ["approved"], to: "issued", event: "reward.issued" },
} as const;

export type RewardAction = keyof typeof transitions;

/**
 * An admin's decision on one reward, applied only from the states that allow it. The reward's
 * `reason` stays as the rules wrote it ("referral", "milestone:5", "clawback:…"): the rules read it.
 */
export async function changeReward(
  ctx: WorkspaceContext,
  input: { rewardId: string; action: RewardAction },
): Promise<RewardJson> {
  const { db, workspace } = ctx;
  const { rewardId, action } = input;
  const workspaceId = workspace.id;
  const rule = transitions[action];
  // The change and its event share one instant.
  const now = ctx.clock.now();
  const row = await writeTransaction(db, async (tx) => {
    const [previous] = await tx
      .select({ status: rewards.status })
      .from(rewards)
      .where(and(eq(rewards.workspaceId, workspaceId), eq(rewards.id, rewardId)));
    const [changed] = await tx
      .update(rewards)
      .set({ status: rule.to, updatedAt: now.getTime() })
      .where(
        and(eq(rewards.workspaceId, workspaceId), eq(rewards.id, rewardId), inArray(rewards.status, [...rule.from])),
      )
      .returning();
    if (!changed) {
      const [current] = await tx
        .select({ status: rewards.status })
        .from(rewards)
        .where(and(eq(rewards.workspaceId, workspaceId), eq(rewards.id, rewardId)));
      if (!current) throw new DomainError("not_found", `No reward ${rewardId} in this workspace`);
      throw new DomainError("conflict", `A ${current.status} reward cannot be changed by "${action}"`, {
        status: current.status,
        allowedFrom: rule.from,
      });
    }
    await recordAudit(
      { ...ctx, tx, clock: fixedClock(now) },
      {
        action: `reward.${action}`,
        targetId: rewardId,
        before: { status: previous?.status ?? null },
        after: { status: changed.status, amount: changed.amount, currency: changed.currency },
        learnerId: changed.learnerId,
      },
    );
    if (rule.event)
      await enqueueEvent(
        { tx, clock: fixedClock(now) },
        { workspaceId, type: rule.event, data: await rewardData(tx, changed) },
      );
    if (rule.to === "approved" || rule.to === "issued")
      await enqueueRewardStatusMail({ tx, workspace, clock: fixedClock(now) }, { reward: changed, status: rule.to });
    return changed;
  });
  const [json] = await rewardsJson(ctx, { rows: [row] });
  return json!;
}

export type RewardFilter = {
  status?: RewardStatus;
  side?: "referrer" | "friend";
  flagged?: boolean;
  learnerExternalId?: string;
  conversionId?: string;
  cursor?: string;
  limit: number;
};

/** Rewards newest first; those whose hold has ended are approved first (a bad cursor approves nothing). */
export async function listRewards(ctx: WorkspaceContext, filter: RewardFilter) {
  const { db, workspace } = ctx;
  const workspaceId = workspace.id;
  const after = decodeCursor(filter.cursor, ["number", "string"]);
  await approveDueRewards(ctx, { workspaceId });
  const where: (SQL | undefined)[] = [eq(rewards.workspaceId, workspaceId)];
  if (filter.status) where.push(eq(rewards.status, filter.status));
  if (filter.side) where.push(eq(rewards.side, filter.side));
  if (filter.flagged !== undefined) where.push(eq(rewards.flagged, filter.flagged));
  if (filter.conversionId) where.push(eq(rewards.conversionId, filter.conversionId));
  if (filter.learnerExternalId) {
    const [learner] = await db
      .select({ id: learners.id })
      .from(learners)
      .where(and(eq(learners.workspaceId, workspaceId), eq(learners.externalId, filter.learnerExternalId)));
    if (!learner) return { items: [], nextCursor: null };
    where.push(eq(rewards.learnerId, learner.id));
  }
  where.push(olderThan(rewards.createdAt, rewards.id, after));
  const rows = await db
    .select()
    .from(rewards)
    .where(and(...where))
    .orderBy(desc(rewards.createdAt), desc(rewards.id))
    .limit(filter.limit + 1);
  const page = paginate(rows, filter.limit, (last) => [last.createdAt, last.id]);
  return { items: await rewardsJson(ctx, { rows: page.items }), nextCursor: page.nextCursor };
}

/**
 * Marks approved rewards issued with how they were delivered (a payout batch, a coupon code, a
 * Stripe balance transaction), in the caller's transaction: each announces `reward.issued` and
 * mails the referrer. Rewards no longer approved (voided meanwhile) are left alone and not returned.
 */
export async function issueDeliveredRewards(
  ctx: TransactionContext,
  input: {
    rewardIds: string[];
    set: Partial<Pick<RewardRow, "payoutBatchId" | "deliveredCode" | "deliveryRef">>;
    delivery: RewardDelivery;
  },
): Promise<RewardRow[]> {
  const { tx, workspace, clock } = ctx;
  if (input.rewardIds.length === 0) return [];
  const rows = await tx
    .update(rewards)
    .set({ ...input.set, status: "issued", deliveryError: null, updatedAt: clock.now().getTime() })
    .where(
      and(eq(rewards.workspaceId, workspace.id), inArray(rewards.id, input.rewardIds), eq(rewards.status, "approved")),
    )
    .returning();
  for (const row of rows) {
    await enqueueEvent(ctx, { workspaceId: workspace.id, type: "reward.issued", data: await rewardData(tx, row) });
    await enqueueRewardStatusMail(ctx, { reward: row, status: "issued", delivery: input.delivery });
  }
  return rows;
}
