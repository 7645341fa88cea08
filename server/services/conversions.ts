/**
 * Conversions: what the provider's server reports (signup, enrolment, completion, refund).
 *
 * Idempotency lives in the database: the first statement of the write transaction inserts the
 * conversion with ON CONFLICT DO NOTHING on (workspace, external id). Whoever inserts the row
 * does the attribution, fraud checks and rewards in the same transaction and stores the answer;
 * everyone else reads that answer back (200) or, if their body differs, gets 409. Nothing is
 * checked first and written later, so concurrent retries cannot count twice.
 */
import { and, eq, or, sql, sum } from "drizzle-orm";
import type { DecisionStep } from "../../db/schema.ts";
import { clicks, conversions, learners, rewards } from "../../db/schema.ts";
import { canonicalJson } from "../lib/canonical-json.ts";
import { sha256Hex } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import { isoDay } from "../lib/money.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { attribute } from "./attribution.ts";
import { fixedClock } from "./clock.ts";
import type { ConversionInput } from "./conversion-input.ts";
import { DomainError } from "./errors.ts";
import { checkFraud } from "./fraud.ts";
import { emailHash, exactEmailHash } from "./learners.ts";
import { enqueueCompletionMail, enqueueFriendMail } from "./mail-messages.ts";
import { enqueueEvent } from "./outbox.ts";
import { voidBannedRewards } from "./review-queue.ts";
import { grantRewards, reverseRewards } from "./reward-rules.ts";
import { approveDueRewards, type RewardJson, type RewardRow, rewardsJson } from "./rewards.ts";
import type { SecretContext, TransactionContext, WorkspaceContext } from "./types.ts";

/** How far ahead of our clock an `occurredAt` may be (clock skew), and how far back (imports). */
const maxFutureMs = 5 * 60_000;
const maxPastMs = 10 * 366 * 86_400_000;

export type ConversionResponse = {
  conversion: {
    id: string;
    externalId: string;
    type: ConversionInput["type"];
    customerId: string;
    course: string | null;
    amount: number | null;
    currency: string | null;
    refundOf: string | null;
    metadata: Record<string, unknown> | null;
    occurredAt: string;
    createdAt: string;
  };
  attribution: {
    status: "attributed" | "unattributed";
    flagged: boolean;
    code: string | null;
    referrer: { id: string; name: string | null } | null;
    clickId: string | null;
    channel: string | null;
    storyId: string | null;
    decision: DecisionStep[];
  };
  rewards: RewardJson[];
};

export type RecordedConversion = { created: boolean; body: ConversionResponse };

function occurredAtOf(input: ConversionInput, now: Date): number {
  if (input.occurredAt === undefined) return now.getTime();
  const at = Date.parse(input.occurredAt);
  if (at > now.getTime() + maxFutureMs)
    throw new DomainError("invalid_request", "The request body is invalid", [
      { path: "occurredAt", message: "is in the future" },
    ]);
  if (at < now.getTime() - maxPastMs)
    throw new DomainError("invalid_request", "The request body is invalid", [
      { path: "occurredAt", message: "is more than ten years ago" },
    ]);
  return at;
}

/** A conversion checked and hashed, ready to be written: the work done outside the write lock. */
export type PreparedConversion = {
  input: ConversionInput;
  occurredAt: number;
  requestHash: string;
  customerEmailHash: string | null;
  customerEmailHashes: string[];
};

/** Checks `occurredAt` against the clock and computes the hashes; throws DomainError for a refused time. */
export async function prepareConversion(
  { secret }: SecretContext,
  input: ConversionInput,
  now: Date,
): Promise<PreparedConversion> {
  const occurredAt = occurredAtOf(input, now);
  // The hash covers what the caller sent (after validation), not defaults we filled in, so a
  // retry without `occurredAt` an hour later is still the same request.
  const [requestHash, customerEmailHash] = await Promise.all([
    sha256Hex(canonicalJson(input)),
    input.customer.email ? emailHash(secret, input.customer.email) : null,
  ]);
  const legacyEmailHash = input.customer.email ? exactEmailHash(secret, input.customer.email) : null;
  const customerEmailHashes = [customerEmailHash, legacyEmailHash].filter(
    (hash, i, all): hash is string => hash !== null && all.indexOf(hash) === i,
  );
  return { input, occurredAt, requestHash, customerEmailHash, customerEmailHashes };
}

/** Records one conversion exactly once; `created` is false for a replay of the same request. */
export async function recordConversion(
  ctx: WorkspaceContext & SecretContext,
  input: ConversionInput,
): Promise<RecordedConversion> {
  const now = ctx.clock.now();
  const prepared = await prepareConversion(ctx, input, now);
  return writeTransaction(ctx.db, (tx) =>
    writeConversion({ tx, workspace: ctx.workspace, clock: fixedClock(now), secret: ctx.secret }, prepared),
  );
}

/**
 * The write itself, inside the caller's transaction (or savepoint): the insert that decides who
 * records it, then attribution, fraud checks, rewards, events and mail. A DomainError thrown here
 * must roll back what this call wrote; the caller's transaction or savepoint does that.
 */
export async function writeConversion(
  step: TransactionContext & SecretContext,
  { input, occurredAt, requestHash, customerEmailHash, customerEmailHashes }: PreparedConversion,
): Promise<RecordedConversion> {
  const { tx, workspace, secret } = step;
  const at = step.clock.now().getTime();
  // Every step sees one instant (the caller's fixed clock): the conversion, its rewards, their
  // hold and their events share it.
  const id = newId("cnv");
  // The two writes of every conversion are plain SQL: on a batch's path the query builder cost
  // more CPU to build them than SQLite took to run them (measured).
  const inserted = await tx.all<{ id: string }>(sql`INSERT INTO conversions (id, workspace_id, external_id, type,
      customer_id, customer_email_hash, course, amount, currency, click_id, refund_of, status, flagged, decision,
      request_hash, response, occurred_at, created_at)
    VALUES (${id}, ${workspace.id}, ${input.id}, ${input.type}, ${input.customer.id}, ${customerEmailHash},
      ${input.course ?? ""}, ${input.amount ?? null}, ${input.currency ?? null}, NULL, ${input.refundOf ?? null},
      'unattributed', 0, '[]', ${requestHash}, '{}', ${occurredAt}, ${at})
    ON CONFLICT (workspace_id, external_id) DO NOTHING
    RETURNING id`);
  if (inserted.length === 0) return replay(step, input.id, requestHash);

  const base = { id, externalId: input.id, occurredAt, createdAt: at };
  const outcome =
    input.type === "refund"
      ? await processRefund(step, input, base)
      : await processConversion(step, { input, customerEmailHashes, base });
  const body = buildResponse(input, base, outcome, await rewardsJson(step, { rows: outcome.rewards }));
  await tx.run(sql`UPDATE conversions SET status = ${outcome.status}, flagged = ${outcome.flagged ? 1 : 0},
      referrer_id = ${outcome.referrerId}, code_id = ${outcome.codeId}, click_id = ${outcome.clickId},
      channel = ${outcome.channel}, story_id = ${outcome.storyId}, decision = ${JSON.stringify(outcome.decision)},
      response = ${JSON.stringify(body)}
    WHERE id = ${id}`);
  if (outcome.status === "attributed" && input.type !== "refund") {
    await enqueueEvent(step, {
      workspaceId: workspace.id,
      type: "conversion.attributed",
      data: { conversion: body.conversion, attribution: body.attribution },
    });
    // A conversion that earns the advocate a reward is told by the reward's message
    // ("a friend you referred joined, and you earned…"): one message per event, not two.
    const rewarded = outcome.rewards.some((row) => row.side === "referrer" && row.learnerId === outcome.referrerId);
    if (outcome.referrerId && !rewarded) {
      await enqueueFriendMail(step, {
        referrerId: outcome.referrerId,
        customerId: input.customer.id,
        stage: input.type,
      });
    }
  }
  if (input.type === "completion") {
    await enqueueCompletionMail(
      { ...step, secret },
      {
        customer: input.customer,
        emailHash: customerEmailHash,
        course: input.course ?? "",
      },
    );
  }
  return { created: true, body };
}

async function replay(
  { tx, workspace }: TransactionContext,
  externalId: string,
  requestHash: string,
): Promise<RecordedConversion> {
  const [existing] = await tx
    .select({ requestHash: conversions.requestHash, response: conversions.response })
    .from(conversions)
    .where(and(eq(conversions.workspaceId, workspace.id), eq(conversions.externalId, externalId)));
  if (!existing) throw new Error("conversion vanished after a conflicting insert");
  if (existing.requestHash !== requestHash) {
    throw new DomainError("conflict", `Conversion ${externalId} was already recorded with a different body`, {
      hint: "Use a new id for a new conversion; resend the identical body to read the original answer.",
    });
  }
  return { created: false, body: existing.response as ConversionResponse };
}

type Outcome = {
  status: "attributed" | "unattributed";
  flagged: boolean;
  referrerId: string | null;
  referrer: { id: string; name: string | null } | null;
  code: string | null;
  codeId: string | null;
  clickId: string | null;
  channel: string | null;
  storyId: string | null;
  decision: DecisionStep[];
  rewards: RewardRow[];
};

type Base = { id: string; externalId: string; occurredAt: number; createdAt: number };

async function processConversion(
  ctx: TransactionContext,
  { input, customerEmailHashes, base }: { input: ConversionInput; customerEmailHashes: string[]; base: Base },
): Promise<Outcome> {
  const attribution = await attribute(ctx, {
    conversionId: base.id,
    customerId: input.customer.id,
    clickId: input.clickId,
    code: input.code,
    emailHashes: customerEmailHashes,
    occurredAt: base.occurredAt,
  });
  const decision = [...sourceSteps(input), ...attribution.decision];
  let flagged = false;
  let granted: RewardRow[] = [];
  if (attribution.status === "attributed") {
    const fraud = await checkFraud(ctx, {
      attribution,
      customer: { id: input.customer.id, email: input.customer.email, emailHashes: customerEmailHashes },
      occurredAt: base.occurredAt,
    });
    flagged = fraud.flagged;
    decision.push(...fraud.steps);
    const result = await grantRewards(ctx, {
      conversion: {
        id: base.id,
        externalId: base.externalId,
        type: input.type,
        customerId: input.customer.id,
        course: input.course ?? null,
        amount: input.amount ?? null,
        currency: input.currency ?? null,
      },
      referrer: attribution.referrer,
      flagged,
      flaggedBy: fraud.steps.filter((step) => step.result === "fail" && step.rule !== "fraud").map((step) => step.rule),
    });
    granted = result.rows;
    decision.push(...result.steps);
    if (fraud.banned) {
      granted = await voidBannedRewards(ctx, { rows: granted });
      decision.push({ rule: "block-list", result: "info", detail: "the referrer is banned: their rewards are void" });
    }
  }
  const referrer = attribution.referrer;
  return {
    status: attribution.status,
    flagged,
    referrerId: referrer?.id ?? null,
    referrer: referrer ? { id: referrer.externalId, name: referrer.name } : null,
    code: attribution.code?.code ?? null,
    codeId: attribution.code?.id ?? null,
    clickId: attribution.click?.id ?? (await ownClickId(ctx, input.clickId)),
    channel: attribution.channel,
    storyId: attribution.storyId,
    decision,
    rewards: granted,
  };
}

/**
 * A conversion a connector made (server/services/integrations/) says where it came from and
 * which field of the platform's event carried the referral, before the attribution steps.
 */
function sourceSteps(input: ConversionInput): DecisionStep[] {
  const source = input.metadata?.source;
  if (typeof source !== "string") return [];
  const via = input.metadata?.referralVia;
  return [
    {
      rule: "source",
      result: "info",
      detail: `${source} webhook: ${typeof via === "string" ? `the ${via} it carried is the referral evidence` : "it carried no click id or code"}`,
    },
  ];
}

/**
 * The click id the provider sent, kept only when it names one of this workspace's clicks: the
 * analytics rollups read the click's country and time through it, so another workspace's click id
 * would carry that workspace's data into this one's figures.
 */
async function ownClickId({ tx, workspace }: TransactionContext, clickId: string | undefined): Promise<string | null> {
  if (!clickId) return null;
  const [row] = await tx
    .select({ id: clicks.id })
    .from(clicks)
    .where(and(eq(clicks.workspaceId, workspace.id), eq(clicks.id, clickId)));
  return row?.id ?? null;
}

async function processRefund(ctx: TransactionContext, input: ConversionInput, base: Base): Promise<Outcome> {
  const { tx, workspace } = ctx;
  const refundOf = input.refundOf ?? "";
  const [original] = await tx
    .select()
    .from(conversions)
    .where(and(eq(conversions.workspaceId, workspace.id), eq(conversions.externalId, refundOf)));
  // Throwing rolls the whole transaction back: an unknown refund leaves nothing behind.
  if (!original)
    throw new DomainError("invalid_request", `No conversion ${refundOf} to refund in this workspace`, [
      { path: "refundOf", message: "unknown conversion id" },
    ]);
  if (original.type === "refund")
    throw new DomainError("invalid_request", "A refund cannot be refunded", [
      { path: "refundOf", message: "is a refund" },
    ]);
  const decision: DecisionStep[] = [
    {
      rule: "refund",
      result: "info",
      detail: `refund of ${original.type} ${original.externalId} from ${isoDay(original.occurredAt)}`,
    },
  ];
  const refundedSoFar = await refundedTotal(ctx, original, input);
  let reversed: Awaited<ReturnType<typeof reverseRewards>> = { rows: [], steps: [] };
  if (refundedSoFar !== null && refundedSoFar < (original.amount ?? 0)) {
    // A partial refund: the friend still paid for (and keeps) the course, so the rewards stand
    // until the refunds add up to the whole amount; net revenue counts each part as it comes.
    decision.push({
      rule: "refund",
      result: "info",
      detail: `partial refund: ${refundedSoFar} of ${original.amount} ${original.currency} refunded so far; rewards kept until the refund is full`,
    });
  } else {
    reversed = await reverseRewards(ctx, { original, refund: base });
  }
  decision.push(...reversed.steps);
  const [referrer] = original.referrerId
    ? await tx
        .select({ id: learners.externalId, name: learners.name })
        .from(learners)
        .where(and(eq(learners.workspaceId, workspace.id), eq(learners.id, original.referrerId)))
    : [];
  const original_response = original.response as Partial<ConversionResponse>;
  return {
    status: original.status,
    flagged: original.flagged,
    referrerId: original.referrerId,
    referrer: referrer ?? null,
    code: original_response.attribution?.code ?? null,
    codeId: original.codeId,
    clickId: original.clickId,
    channel: original.channel,
    storyId: original.storyId,
    decision,
    rewards: reversed.rows,
  };
}

/**
 * The amount refunded of `original` so far, this refund included (it is already inserted), or
 * null when a refund without an amount, or in another currency, makes it a full refund.
 */
async function refundedTotal(
  { tx, workspace }: TransactionContext,
  original: { externalId: string; amount: number | null; currency: string | null },
  input: ConversionInput,
): Promise<number | null> {
  if (input.amount == null || original.amount == null || input.currency !== original.currency) return null;
  const [row] = await tx
    .select({ total: sum(conversions.amount) })
    .from(conversions)
    .where(
      and(
        eq(conversions.workspaceId, workspace.id),
        eq(conversions.refundOf, original.externalId),
        eq(conversions.type, "refund"),
        eq(conversions.currency, original.currency ?? ""),
      ),
    );
  return Number(row?.total ?? 0);
}

function buildResponse(
  input: ConversionInput,
  base: Base,
  outcome: Outcome,
  rewardList: RewardJson[],
): ConversionResponse {
  return {
    conversion: {
      id: base.id,
      externalId: base.externalId,
      type: input.type,
      customerId: input.customer.id,
      course: input.course ?? null,
      amount: input.amount ?? null,
      currency: input.currency ?? null,
      refundOf: input.refundOf ?? null,
      metadata: input.metadata ?? null,
      occurredAt: new Date(base.occurredAt).toISOString(),
      createdAt: new Date(base.createdAt).toISOString(),
    },
    attribution: {
      status: outcome.status,
      flagged: outcome.flagged,
      code: outcome.code,
      referrer: outcome.referrer,
      clickId: outcome.clickId,
      channel: outcome.channel,
      storyId: outcome.storyId,
      decision: outcome.decision,
    },
    rewards: rewardList,
  };
}

/**
 * A conversion as first answered, with its rewards as they stand now. By your id or ours. An
 * unknown id is refused before anything is written; then holds that ended are approved, so the
 * rewards shown are current.
 */
export async function getConversion(ctx: WorkspaceContext, input: { id: string }): Promise<ConversionResponse> {
  const found = await readConversion(ctx, input.id);
  const approved = await approveDueRewards(ctx, { workspaceId: ctx.workspace.id });
  return approved > 0 ? readConversion(ctx, input.id) : found;
}

async function readConversion(ctx: WorkspaceContext, id: string): Promise<ConversionResponse> {
  const { db } = ctx;
  const workspaceId = ctx.workspace.id;
  const [row] = await db
    .select()
    .from(conversions)
    .where(and(eq(conversions.workspaceId, workspaceId), or(eq(conversions.externalId, id), eq(conversions.id, id))))
    .limit(1);
  if (!row) throw new DomainError("not_found", `No conversion ${id} in this workspace`);
  const current = await db
    .select()
    .from(rewards)
    .where(and(eq(rewards.workspaceId, workspaceId), eq(rewards.conversionId, row.id)));
  const stored = row.response as ConversionResponse;
  return { ...stored, rewards: await rewardsJson(ctx, { rows: current }) };
}
