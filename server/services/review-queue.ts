/**
 * The fraud review queue: one case per flagged conversion whose rewards are held, with the rules
 * that fired in plain words, its notes, and the decisions a reviewer makes (approve, void, ban
 * the referrer), one case or many at once. Every decision is in the audit trail.
 */
import { and, desc, eq, inArray, lt, or } from "drizzle-orm";
import type { DecisionStep } from "../../db/schema.ts";
import { conversions, learners, reviewNotes, rewards } from "../../db/schema.ts";
import { decodeCursor } from "../lib/cursor.ts";
import { newId } from "../lib/ids.ts";
import { paginate } from "../lib/paginate.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { maskPersonal, recordAudit } from "./audit.ts";
import { banReferrer } from "./block-lists.ts";
import { DomainError } from "./errors.ts";
import { enqueueEvent } from "./outbox.ts";
import { type RewardRow, rewardData, rewardsJson } from "./rewards.ts";
import type { TransactionContext, WorkspaceContext } from "./types.ts";

/** A decision log's failed rule, said as a reviewer would (the log's own detail stays beside it). */
function evidence(step: DecisionStep): string {
  const detail = step.detail;
  if (step.rule === "self-referral") {
    if (detail.includes("network")) return "Same network as the referrer (their own card was seen there)";
    if (detail.includes("IP address")) return "Same IP address as the referrer";
    if (detail.includes("browser")) return "Same browser as the referrer";
    if (detail.includes("email")) return "Self-referral: the customer's email is the referrer's own (normalised)";
    return "Self-referral: the customer is the referrer";
  }
  if (step.rule === "disposable-email") return "Disposable (throwaway) email address";
  if (step.rule === "velocity") return "Too many referred customers for this referrer in 24 hours";
  if (step.rule === "bot-click") return "The referral click was made by a bot";
  if (step.rule === "block-list") return "On the workspace's block list";
  return step.rule;
}

export type ReviewCase = Awaited<ReturnType<typeof listReviewQueue>>["items"][number];

/** Open cases (a flagged conversion with a held reward), newest first. */
export async function listReviewQueue(ctx: WorkspaceContext, input: { cursor?: string; limit: number }) {
  const { db, workspace } = ctx;
  const after = decodeCursor(input.cursor, ["number", "string"]);
  const held = db
    .select({ id: rewards.conversionId })
    .from(rewards)
    .where(and(eq(rewards.workspaceId, workspace.id), eq(rewards.status, "pending"), eq(rewards.flagged, true)));
  const rows = await db
    .select({ conversion: conversions, referrer: learners.externalId })
    .from(conversions)
    .leftJoin(learners, and(eq(learners.workspaceId, workspace.id), eq(learners.id, conversions.referrerId)))
    .where(
      and(
        eq(conversions.workspaceId, workspace.id),
        eq(conversions.flagged, true),
        inArray(conversions.id, held),
        after
          ? or(
              lt(conversions.createdAt, after[0] as number),
              and(eq(conversions.createdAt, after[0] as number), lt(conversions.id, after[1] as string)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(conversions.createdAt), desc(conversions.id))
    .limit(input.limit + 1);
  const { items: page, nextCursor } = paginate(rows, input.limit, (last) => [
    last.conversion.createdAt,
    last.conversion.id,
  ]);
  const ids = page.map((row) => row.conversion.id);
  const [caseRewards, notes] = ids.length
    ? await Promise.all([
        db
          .select()
          .from(rewards)
          .where(and(eq(rewards.workspaceId, workspace.id), inArray(rewards.conversionId, ids))),
        db
          .select()
          .from(reviewNotes)
          .where(and(eq(reviewNotes.workspaceId, workspace.id), inArray(reviewNotes.subjectId, ids)))
          .orderBy(reviewNotes.createdAt),
      ])
    : [[], []];
  const rewardJson = await rewardsJson(ctx, { rows: caseRewards });
  const items = page.map(({ conversion, referrer }) => {
    const fired = conversion.decision.filter((step) => step.result === "fail" && step.rule !== "fraud");
    return {
      conversionId: conversion.id,
      externalId: conversion.externalId,
      type: conversion.type,
      occurredAt: new Date(conversion.occurredAt).toISOString(),
      referrer,
      amount: conversion.amount,
      currency: conversion.currency,
      rules: fired.map((step) => ({ rule: step.rule, evidence: evidence(step), detail: step.detail })),
      rewards: rewardJson.filter((reward) => reward.conversionId === conversion.id),
      notes: notes
        .filter((note) => note.subjectId === conversion.id)
        .map((note) => ({
          id: note.id,
          body: note.body,
          by: note.actorId,
          at: new Date(note.createdAt).toISOString(),
        })),
    };
  });
  return { items, nextCursor };
}

export type ReviewAction = "approve" | "void" | "ban";

async function setStatus(
  step: TransactionContext,
  rows: RewardRow[],
  status: "approved" | "void",
  reason?: string,
): Promise<RewardRow[]> {
  if (rows.length === 0) return [];
  const at = step.clock.now().getTime();
  const changed = await step.tx
    .update(rewards)
    .set({ status, updatedAt: at, ...(reason ? { reason } : {}) })
    .where(
      and(
        eq(rewards.workspaceId, step.workspace.id),
        inArray(
          rewards.id,
          rows.map((row) => row.id),
        ),
      ),
    )
    .returning();
  for (const row of changed)
    await enqueueEvent(step, {
      workspaceId: step.workspace.id,
      type: status === "approved" ? "reward.approved" : "reward.voided",
      data: await rewardData(step.tx, row),
    });
  return changed;
}

/**
 * One decision on many cases, in one transaction: all or none. `approve` releases the held
 * rewards, `void` voids them, `ban` voids them and every other pending reward of the referrer
 * and puts the referrer on the block list (their codes stop crediting).
 */
export async function decideCases(
  ctx: WorkspaceContext,
  input: { conversionIds: string[]; action: ReviewAction; reason?: string },
): Promise<{ decided: number; rewardsChanged: number }> {
  const { action } = input;
  const reason = input.reason?.trim() ?? "";
  if (action === "ban" && !reason)
    throw new DomainError("invalid_request", "A ban needs a reason", [{ path: "reason", message: "required" }]);
  const ids = [...new Set(input.conversionIds)];
  return writeTransaction(ctx.db, async (tx) => {
    const step = { ...ctx, tx };
    const found = await tx
      .select()
      .from(conversions)
      .where(and(eq(conversions.workspaceId, ctx.workspace.id), inArray(conversions.id, ids)));
    const missing = ids.filter((id) => !found.some((row) => row.id === id));
    if (missing.length > 0) throw new DomainError("not_found", `No conversion ${missing.join(", ")} in this workspace`);
    let rewardsChanged = 0;
    for (const conversion of found) {
      const held = await tx
        .select()
        .from(rewards)
        .where(
          and(
            eq(rewards.workspaceId, ctx.workspace.id),
            eq(rewards.conversionId, conversion.id),
            eq(rewards.status, "pending"),
          ),
        );
      let changed: RewardRow[];
      if (action === "approve") changed = await setStatus(step, held, "approved");
      else if (action === "void")
        changed = await setStatus(step, held, "void", reason ? `review: ${reason}` : undefined);
      else {
        if (!conversion.referrerId)
          throw new DomainError("conflict", `Conversion ${conversion.id} has no referrer to ban`);
        await banReferrer(step, { learnerId: conversion.referrerId, reason });
        const theirs = await tx
          .select()
          .from(rewards)
          .where(
            and(
              eq(rewards.workspaceId, ctx.workspace.id),
              eq(rewards.learnerId, conversion.referrerId),
              eq(rewards.status, "pending"),
            ),
          );
        const all = [...held, ...theirs.filter((row) => !held.some((h) => h.id === row.id))];
        changed = await setStatus(step, all, "void", `referrer banned: ${reason}`);
      }
      rewardsChanged += changed.length;
      await recordAudit(step, {
        action: `review.${action}`,
        targetId: conversion.id,
        before: { rewards: held.map((row) => ({ id: row.id, status: row.status })) },
        after: { rewards: changed.map((row) => ({ id: row.id, status: row.status })), reason: reason || null },
        learnerId: conversion.referrerId,
      });
    }
    return { decided: found.length, rewardsChanged };
  });
}

/** A reviewer's note on a case (kept with the case; personal data in it goes with erasure). */
export async function addReviewNote(ctx: WorkspaceContext, input: { conversionId: string; body: string }) {
  const body = input.body.trim();
  if (!body) throw new DomainError("invalid_request", "A note needs text", [{ path: "body", message: "required" }]);
  return writeTransaction(ctx.db, async (tx) => {
    const [conversion] = await tx
      .select({ id: conversions.id, referrerId: conversions.referrerId })
      .from(conversions)
      .where(and(eq(conversions.workspaceId, ctx.workspace.id), eq(conversions.id, input.conversionId)));
    if (!conversion) throw new DomainError("not_found", `No conversion ${input.conversionId} in this workspace`);
    const at = ctx.clock.now().getTime();
    const actorId = ctx.audit?.actor.id ?? "system";
    const id = newId("nte");
    await tx
      .insert(reviewNotes)
      .values({ id, workspaceId: ctx.workspace.id, subjectId: conversion.id, body, actorId, createdAt: at });
    await recordAudit(
      { ...ctx, tx },
      {
        action: "review.note",
        targetId: conversion.id,
        before: null,
        after: { note: maskPersonal(body) },
        learnerId: conversion.referrerId,
      },
    );
    return { id, body, by: actorId, at: new Date(at).toISOString() };
  });
}

/** A banned referrer's new rewards are void from the start, with the reason in the log. */
export async function voidBannedRewards(step: TransactionContext, input: { rows: RewardRow[] }): Promise<RewardRow[]> {
  const theirs = input.rows.filter((row) => row.side === "referrer");
  if (theirs.length === 0) return input.rows;
  const voided = await step.tx
    .update(rewards)
    .set({ status: "void", reason: "referrer banned", updatedAt: step.clock.now().getTime() })
    .where(
      and(
        eq(rewards.workspaceId, step.workspace.id),
        inArray(
          rewards.id,
          theirs.map((row) => row.id),
        ),
      ),
    )
    .returning();
  return input.rows.map((row) => voided.find((v) => v.id === row.id) ?? row);
}

/** Erasure: notes on the learner's conversions go with them. */
export async function forgetReviewNotes(
  step: { tx: TransactionContext["tx"]; workspaceId: string },
  input: { conversionIds: string[] },
): Promise<number> {
  if (input.conversionIds.length === 0) return 0;
  const removed = await step.tx
    .delete(reviewNotes)
    .where(and(eq(reviewNotes.workspaceId, step.workspaceId), inArray(reviewNotes.subjectId, input.conversionIds)))
    .returning({ id: reviewNotes.id });
  return removed.length;
}
