/**
 * Rewards, driven by the program rules only (never by what a story says): a referrer reward and
 * a friend offer when the friend reaches the trigger (enrolment or completion), a hold before
 * approval, a monthly cap per referrer and milestone bonuses. States: pending → approved →
 * issued, or void. A refund voids what its conversion caused, or claws issued money back with a
 * negative entry. Every change announces itself in the outbox, in the same transaction.
 */
import { and, count, desc, eq, gte, inArray, lt, lte, ne, or, type SQL } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import type { DecisionStep } from "../../db/schema.ts";
import { conversions, learners, rewards, workspaces } from "../../db/schema.ts";
import { decodeCursor } from "../lib/cursor.ts";
import { newId } from "../lib/ids.ts";
import { formatMoney, isoDay } from "../lib/money.ts";
import { paginate } from "../lib/paginate.ts";
import { type Tx, writeTransaction } from "../lib/write-transaction.ts";
import { DomainError } from "./errors.ts";
import { type DbOrTx, enqueueEvent } from "./outbox.ts";
import type { Learner, Workspace } from "./types.ts";

export type RewardRow = typeof rewards.$inferSelect;
export type RewardStatus = RewardRow["status"];

const dayMs = 86_400_000;

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

export async function rewardsJson(db: DbOrTx, workspaceId: string, rows: RewardRow[]): Promise<RewardJson[]> {
  const map = await externalIds(db, workspaceId, rows);
  return rows.map((row) => rewardJson(row, row.learnerId ? (map.get(row.learnerId) ?? null) : null));
}

/** A reward as a webhook event carries it. */
async function rewardData(db: DbOrTx, row: RewardRow): Promise<RewardJson> {
  const [json] = await rewardsJson(db, row.workspaceId, [row]);
  return json!;
}

function describe(row: Pick<RewardRow, "amount" | "currency" | "percent" | "kind">): string {
  if (row.amount !== null && row.currency) return `${formatMoney(row.amount, row.currency)} ${row.kind}`;
  return `${row.percent}% ${row.kind}`;
}

function statusText(row: Pick<RewardRow, "status" | "flagged" | "holdUntil">): string {
  if (row.flagged) return "held for review (flagged)";
  if (row.status === "approved") return "approved (no hold)";
  return `pending until ${isoDay(row.holdUntil ?? 0)}`;
}

async function insertReward(
  tx: Tx,
  workspaceId: string,
  values: Omit<RewardRow, "id" | "workspaceId" | "createdAt" | "updatedAt">,
  now: number,
  learnerExternalId?: string | null,
): Promise<RewardRow> {
  const [row] = await tx
    .insert(rewards)
    .values({ id: newId("rwd"), workspaceId, ...values, createdAt: now })
    .returning();
  if (!row) throw new Error("reward insert returned nothing");
  const data = learnerExternalId === undefined ? await rewardData(tx, row) : rewardJson(row, learnerExternalId);
  await enqueueEvent(tx, { workspaceId, type: "reward.created", data, now: new Date(now) });
  return row;
}

const live = ne(rewards.status, "void");
const referralReward = and(eq(rewards.side, "referrer"), ne(rewards.kind, "milestone"));

/** Creates the rewards a qualifying conversion earns, and explains each one. */
export async function grantRewards(
  tx: Tx,
  workspace: Workspace,
  conversion: { id: string; externalId: string; type: string; customerId: string },
  referrer: Learner | null,
  flagged: boolean,
  now: number,
): Promise<{ rows: RewardRow[]; steps: DecisionStep[] }> {
  const settings = workspace.settings;
  const steps: DecisionStep[] = [];
  const rows: RewardRow[] = [];
  if (conversion.type !== settings.trigger) {
    steps.push({
      rule: "trigger",
      result: "skip",
      detail: `rewards are earned on ${settings.trigger}; this is a ${conversion.type}: no reward`,
    });
    return { rows, steps };
  }
  // Through the customer's conversions (indexed by customer), then their rewards (by conversion).
  // No workspace condition on rewards: it would tempt the planner into scanning every reward of
  // the workspace, and a conversion's rewards are always in the conversion's workspace.
  const [earlier] = await tx
    .select({ conversionId: rewards.conversionId })
    .from(conversions)
    .innerJoin(rewards, eq(rewards.conversionId, conversions.id))
    .where(
      and(
        eq(conversions.workspaceId, workspace.id),
        eq(conversions.customerId, conversion.customerId),
        ne(rewards.kind, "milestone"),
        live,
      ),
    )
    .limit(1);
  if (earlier) {
    steps.push({
      rule: "trigger",
      result: "skip",
      detail: `customer already earned rewards (conversion ${earlier.conversionId}): one set per referred customer`,
    });
    return { rows, steps };
  }
  steps.push({ rule: "trigger", result: "pass", detail: `${conversion.type} is the reward trigger` });

  // The hold runs from when Chorus learns of the conversion, so an imported past conversion is
  // still held for review (and for a refund) before it is approved.
  const holdUntil = now + settings.holdDays * dayMs;
  const status: RewardStatus = !flagged && settings.holdDays === 0 ? "approved" : "pending";
  const common = {
    conversionId: conversion.id,
    customerId: conversion.customerId,
    status,
    flagged,
    holdUntil,
    percent: null,
  };

  if (!settings.referrerReward) {
    steps.push({ rule: "referrer-reward", result: "skip", detail: "the program has no referrer reward" });
  } else if (!referrer) {
    steps.push({ rule: "referrer-reward", result: "skip", detail: "no referrer learner to reward" });
  } else {
    const mine = and(eq(rewards.workspaceId, workspace.id), eq(rewards.learnerId, referrer.id), referralReward, live);
    const cap = settings.monthlyCap;
    const month = new Date(now);
    const monthStart = Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1);
    const monthEnd = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1);
    const [thisMonth] = cap
      ? await tx
          .select({ n: count() })
          .from(rewards)
          .where(and(mine, gte(rewards.createdAt, monthStart), lt(rewards.createdAt, monthEnd)))
      : [{ n: 0 }];
    const who = referrer.name ?? referrer.externalId;
    if (cap && (thisMonth?.n ?? 0) >= cap) {
      steps.push({
        rule: "monthly-cap",
        result: "fail",
        detail: `monthly cap reached: ${who} already has ${thisMonth?.n} of ${cap} referrer rewards in ${month.toISOString().slice(0, 7)}`,
      });
    } else {
      if (cap)
        steps.push({
          rule: "monthly-cap",
          result: "pass",
          detail: `${(thisMonth?.n ?? 0) + 1} of ${cap} referrer rewards this month`,
        });
      const { type, amount, currency } = settings.referrerReward;
      const row = await insertReward(
        tx,
        workspace.id,
        { ...common, side: "referrer", learnerId: referrer.id, kind: type, amount, currency, reason: "referral" },
        now,
        referrer.externalId,
      );
      rows.push(row);
      steps.push({
        rule: "referrer-reward",
        result: "pass",
        detail: `reward ${describe(row)} for ${who} ${statusText(row)}`,
      });

      const [total] = settings.milestones.length > 0 ? await tx.select({ n: count() }).from(rewards).where(mine) : [];
      const done = total?.n ?? 0;
      for (const milestone of settings.milestones) {
        if (done < milestone.count) continue;
        const reason = `milestone:${milestone.count}`;
        const [already] = await tx
          .select({ id: rewards.id })
          .from(rewards)
          .where(
            and(
              eq(rewards.workspaceId, workspace.id),
              eq(rewards.learnerId, referrer.id),
              eq(rewards.reason, reason),
              live,
            ),
          );
        if (already) continue;
        const bonus = await insertReward(
          tx,
          workspace.id,
          {
            ...common,
            side: "referrer",
            learnerId: referrer.id,
            kind: "milestone",
            amount: milestone.bonus.amount,
            currency: milestone.bonus.currency,
            reason,
          },
          now,
          referrer.externalId,
        );
        rows.push(bonus);
        steps.push({
          rule: "milestone",
          result: "pass",
          detail: `milestone of ${milestone.count} rewarded referrals reached: bonus ${describe(bonus)} ${statusText(bonus)}`,
        });
      }
    }
  }

  const offer = settings.friendOffer;
  if (!offer) {
    steps.push({ rule: "friend-offer", result: "skip", detail: "the program has no friend offer" });
  } else {
    const row = await insertReward(
      tx,
      workspace.id,
      {
        ...common,
        side: "friend",
        learnerId: null,
        kind: "discount",
        amount: offer.type === "amount" ? offer.amount : null,
        currency: offer.type === "amount" ? offer.currency : null,
        percent: offer.type === "percent" ? offer.percent : null,
        reason: "friend offer",
      },
      now,
      null,
    );
    rows.push(row);
    steps.push({
      rule: "friend-offer",
      result: "pass",
      detail: `friend offer ${describe(row)} for customer ${conversion.customerId} ${statusText(row)}`,
    });
  }
  return { rows, steps };
}

/** Voids what a refunded conversion caused; issued money is clawed back with a negative entry. */
export async function reverseRewards(
  tx: Tx,
  workspaceId: string,
  original: { id: string; externalId: string },
  refund: { id: string; externalId: string },
  now: number,
): Promise<{ rows: RewardRow[]; steps: DecisionStep[] }> {
  const steps: DecisionStep[] = [];
  const rows: RewardRow[] = [];
  const caused = await tx
    .select()
    .from(rewards)
    .where(and(eq(rewards.workspaceId, workspaceId), eq(rewards.conversionId, original.id)));
  if (caused.length === 0)
    steps.push({
      rule: "refund",
      result: "info",
      detail: `conversion ${original.externalId} earned no rewards: nothing to void`,
    });
  for (const reward of caused) {
    if (reward.reason?.startsWith("clawback:")) continue;
    if (reward.status === "void") {
      steps.push({ rule: "refund", result: "skip", detail: `reward ${reward.id} was already void` });
    } else if (reward.status === "issued") {
      const reason = `clawback:${reward.id}`;
      const [already] = await tx
        .select({ id: rewards.id })
        .from(rewards)
        .where(and(eq(rewards.workspaceId, workspaceId), eq(rewards.reason, reason)));
      if (already) {
        steps.push({
          rule: "refund",
          result: "skip",
          detail: `reward ${reward.id} was already clawed back (${already.id})`,
        });
      } else if (reward.amount === null || reward.amount <= 0) {
        steps.push({
          rule: "refund",
          result: "info",
          detail: `reward ${reward.id} (${describe(reward)}) was already used: nothing to claw back`,
        });
      } else {
        const row = await insertReward(
          tx,
          workspaceId,
          {
            conversionId: refund.id,
            side: reward.side,
            learnerId: reward.learnerId,
            customerId: reward.customerId,
            kind: reward.kind,
            amount: -reward.amount,
            currency: reward.currency,
            percent: null,
            status: "approved",
            flagged: false,
            holdUntil: null,
            reason,
          },
          now,
        );
        rows.push(row);
        steps.push({
          rule: "refund",
          result: "pass",
          detail: `reward ${reward.id} was already issued: claw back ${describe(row)}`,
        });
      }
    } else {
      const [row] = await tx
        .update(rewards)
        .set({ status: "void", reason: `refunded by ${refund.externalId}`, updatedAt: now })
        .where(and(eq(rewards.id, reward.id), inArray(rewards.status, ["pending", "approved"])))
        .returning();
      if (!row) continue;
      rows.push(row);
      await enqueueEvent(tx, {
        workspaceId,
        type: "reward.voided",
        data: await rewardData(tx, row),
        now: new Date(now),
      });
      steps.push({
        rule: "refund",
        result: "pass",
        detail: `voided reward ${reward.id} (${describe(reward)}, was ${reward.status})`,
      });
    }
  }
  return { rows, steps };
}

/**
 * Approves every held reward whose hold has ended, unless flagged (a person decides) or
 * refunded (already void). Runs from the background tick and before rewards are read.
 */
export async function approveDueRewards(db: Db, now: Date, workspaceId?: string): Promise<number> {
  if (!workspaceId) {
    // Workspace by workspace, so each look-up uses the (workspace, status) index.
    let approved = 0;
    for (const { id } of await db.select({ id: workspaces.id }).from(workspaces)) {
      approved += await approveDueRewards(db, now, id);
    }
    return approved;
  }
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
    for (const row of rows) {
      await enqueueEvent(tx, {
        workspaceId: row.workspaceId,
        type: "reward.approved",
        data: await rewardData(tx, row),
        now,
      });
    }
    return rows.length;
  });
}

const transitions = {
  approve: { from: ["pending"], to: "approved", event: "reward.approved" },
  void: { from: ["pending", "approved"], to: "void", event: "reward.voided" },
  issue: { from: ["approved"], to: "issued", event: null },
} as const;

export type RewardAction = keyof typeof transitions;

/**
 * An admin's decision on one reward, applied only from the states that allow it. The reward's
 * `reason` stays as the rules wrote it ("referral", "milestone:5", "clawback:…"): the rules read it.
 */
export async function changeReward(
  db: Db,
  workspaceId: string,
  rewardId: string,
  action: RewardAction,
  now: Date,
): Promise<RewardJson> {
  const rule = transitions[action];
  const row = await writeTransaction(db, async (tx) => {
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
    if (rule.event) await enqueueEvent(tx, { workspaceId, type: rule.event, data: await rewardData(tx, changed), now });
    return changed;
  });
  const [json] = await rewardsJson(db, workspaceId, [row]);
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
export async function listRewards(db: Db, workspaceId: string, filter: RewardFilter, now: Date) {
  const after = decodeCursor(filter.cursor, ["number", "string"]);
  await approveDueRewards(db, now, workspaceId);
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
  if (after) {
    const [createdAt, id] = after;
    where.push(or(lt(rewards.createdAt, createdAt), and(eq(rewards.createdAt, createdAt), lt(rewards.id, id))));
  }
  const rows = await db
    .select()
    .from(rewards)
    .where(and(...where))
    .orderBy(desc(rewards.createdAt), desc(rewards.id))
    .limit(filter.limit + 1);
  const page = paginate(rows, filter.limit, (last) => [last.createdAt, last.id]);
  return { items: await rewardsJson(db, workspaceId, page.items), nextCursor: page.nextCursor };
}
