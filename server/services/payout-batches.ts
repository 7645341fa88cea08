/**
 * Cash payouts, the finance side (README "Rewards that arrive"): what is due (approved cash
 * rewards not yet in a batch), grouped by the referrer's payout method and the currency, with the
 * program's minimum per currency; and "pay": one batch per method and currency, written in the
 * file format the provider takes (payout-files.ts), sealed at rest (it names payees) and the
 * rewards it covers marked issued with the batch id, in one transaction. A batch id given twice
 * answers the stored batch, byte for byte, and pays nothing again.
 */
import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import { learners, payoutBatches, payoutMethods, rewards } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { open, seal } from "../lib/secret-box.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { DomainError } from "./errors.ts";
import { formatsFor, type PayoutFormat, type PayoutLine, payoutFileText } from "./payout-files.ts";
import { openPayoutMethods, type PayoutMethodKind } from "./payout-methods.ts";
import { issueDeliveredRewards } from "./rewards.ts";
import type { SecretContext, WorkspaceContext } from "./types.ts";

const purpose = "payout-batch";
export const batchIdPattern = /^pob_[A-Za-z0-9]{8,40}$/;

type DueReward = { id: string; learnerId: string; amount: number; currency: string };

/** Approved cash rewards of referrers not paid by a batch yet, oldest first. */
async function dueRewards({ db, workspace }: WorkspaceContext): Promise<DueReward[]> {
  const rows = await db
    .select({ id: rewards.id, learnerId: rewards.learnerId, amount: rewards.amount, currency: rewards.currency })
    .from(rewards)
    .where(
      and(
        eq(rewards.workspaceId, workspace.id),
        eq(rewards.status, "approved"),
        eq(rewards.side, "referrer"),
        eq(rewards.kind, "cash"),
        isNull(rewards.payoutBatchId),
      ),
    )
    .orderBy(asc(rewards.createdAt), asc(rewards.id));
  return rows.filter(
    (row): row is DueReward => row.learnerId !== null && row.amount !== null && row.amount > 0 && row.currency !== null,
  );
}

type Payee = { learnerId: string; currency: string; amount: number; rewardIds: string[] };

function payeesOf(due: DueReward[]): Payee[] {
  const byKey = new Map<string, Payee>();
  for (const reward of due) {
    const key = `${reward.learnerId}\u0000${reward.currency}`;
    const payee = byKey.get(key) ?? {
      learnerId: reward.learnerId,
      currency: reward.currency,
      amount: 0,
      rewardIds: [],
    };
    payee.amount += reward.amount;
    payee.rewardIds.push(reward.id);
    byKey.set(key, payee);
  }
  return [...byKey.values()];
}

export type DuePayoutGroup = {
  /** null: referrers who have not added a payout method (their rewards wait). */
  method: PayoutMethodKind | null;
  currency: string;
  minimum: number;
  /** Minor units due to the payees at or above the minimum. */
  total: number;
  formats: PayoutFormat[];
  payees: {
    learnerId: string;
    name: string | null;
    masked: string | null;
    amount: number;
    rewards: number;
    belowMinimum: boolean;
  }[];
};

/** `GET /v1/admin/payouts`: what is due, by method and currency. */
export async function duePayouts(ctx: WorkspaceContext): Promise<{ groups: DuePayoutGroup[] }> {
  const { db, workspace } = ctx;
  const payees = payeesOf(await dueRewards(ctx));
  const ids = [...new Set(payees.map((payee) => payee.learnerId))];
  const [people, methods] = ids.length
    ? await Promise.all([
        db
          .select({ id: learners.id, externalId: learners.externalId, name: learners.name })
          .from(learners)
          .where(and(eq(learners.workspaceId, workspace.id), inArray(learners.id, ids))),
        db
          .select({ learnerId: payoutMethods.learnerId, kind: payoutMethods.kind, masked: payoutMethods.masked })
          .from(payoutMethods)
          .where(and(eq(payoutMethods.workspaceId, workspace.id), inArray(payoutMethods.learnerId, ids))),
      ])
    : [[], []];
  const groups = new Map<string, DuePayoutGroup>();
  for (const payee of payees) {
    const person = people.find((row) => row.id === payee.learnerId);
    const method = methods.find((row) => row.learnerId === payee.learnerId) ?? null;
    const kind = method?.kind ?? null;
    const key = `${kind}\u0000${payee.currency}`;
    const minimum = workspace.settings.payouts.minimum[payee.currency] ?? 0;
    const group = groups.get(key) ?? {
      method: kind,
      currency: payee.currency,
      minimum,
      total: 0,
      formats: kind ? [...formatsFor[kind]] : [],
      payees: [],
    };
    const belowMinimum = payee.amount < minimum;
    if (!belowMinimum) group.total += payee.amount;
    group.payees.push({
      learnerId: person?.externalId ?? payee.learnerId,
      name: person?.name ?? null,
      masked: method?.masked ?? null,
      amount: payee.amount,
      rewards: payee.rewardIds.length,
      belowMinimum,
    });
    groups.set(key, group);
  }
  // Payable groups first (by method, then currency), those waiting for a payout method last.
  const order = (g: DuePayoutGroup) => `${g.method === null ? 1 : 0}${g.method ?? ""}\u0000${g.currency}`;
  return { groups: [...groups.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)) };
}

export type PayoutBatchJson = {
  id: string;
  method: PayoutMethodKind;
  format: PayoutFormat;
  currency: string;
  total: number;
  payees: number;
  createdAt: string;
};

const batchJson = (row: typeof payoutBatches.$inferSelect): PayoutBatchJson => ({
  id: row.id,
  method: row.method,
  format: row.format,
  currency: row.currency,
  total: row.total,
  payees: row.payees,
  createdAt: new Date(row.createdAt).toISOString(),
});

const notes = {
  en: (brand: string) => `Referral reward from ${brand}. Thank you!`,
  hi: (brand: string) => `${brand} की ओर से रेफ़रल इनाम। धन्यवाद!`,
};

/**
 * `POST /v1/admin/payouts/batches`: pays everyone due in this method and currency (at or above
 * the minimum) with one batch. `batchId` (optional, `pob_…`) makes the call idempotent: a batch
 * already made with it is answered as it was, whatever the other fields say now.
 */
export async function createPayoutBatch(
  ctx: WorkspaceContext & SecretContext,
  input: { method: PayoutMethodKind; currency: string; format: PayoutFormat; batchId?: string | undefined },
): Promise<{ batch: PayoutBatchJson; created: boolean }> {
  const { db, workspace, secret, clock } = ctx;
  if (input.batchId) {
    const [existing] = await db
      .select()
      .from(payoutBatches)
      .where(and(eq(payoutBatches.workspaceId, workspace.id), eq(payoutBatches.id, input.batchId)));
    if (existing) return { batch: batchJson(existing), created: false };
  }
  if (!formatsFor[input.method].includes(input.format))
    throw new DomainError("invalid_request", "The request body is invalid", [
      { path: "format", message: `${input.method} payouts are written as ${formatsFor[input.method].join(" or ")}` },
    ]);
  const batchId = input.batchId ?? newId("pob");
  const minimum = workspace.settings.payouts.minimum[input.currency] ?? 0;
  const methods = await openPayoutMethods(ctx, { kind: input.method });
  const payees = payeesOf(await dueRewards(ctx)).filter(
    (payee) => payee.currency === input.currency && payee.amount >= minimum && methods.has(payee.learnerId),
  );
  if (payees.length === 0)
    throw new DomainError("conflict", `No ${input.method} payouts in ${input.currency} are due`, {
      method: input.method,
      currency: input.currency,
      minimum,
    });
  const names = await db
    .select({ id: learners.id, externalId: learners.externalId, name: learners.name })
    .from(learners)
    .where(
      and(
        eq(learners.workspaceId, workspace.id),
        inArray(
          learners.id,
          payees.map((payee) => payee.learnerId),
        ),
      ),
    );
  // Payees in a stable order (by the provider's learner id), so files are predictable to read and check.
  const externalId = (payee: Payee) => names.find((row) => row.id === payee.learnerId)?.externalId ?? payee.learnerId;
  payees.sort((a, b) => (externalId(a) < externalId(b) ? -1 : externalId(a) > externalId(b) ? 1 : 0));
  const lines: PayoutLine[] = payees.map((payee, index) => ({
    itemId: `${batchId}-${index + 1}`,
    name: names.find((row) => row.id === payee.learnerId)?.name ?? "",
    details: methods.get(payee.learnerId)!.details,
    amount: payee.amount,
    rewardIds: payee.rewardIds,
  }));
  const brand = workspace.settings.brand.name ?? workspace.name;
  const text = payoutFileText(input.format, {
    batchId,
    method: input.method,
    currency: input.currency,
    note: notes[workspace.settings.mailLocale](brand),
    lines,
  });
  const fileCiphertext = await seal({ secret, purpose, owner: `${workspace.id}:${batchId}`, plaintext: text });
  const now = clock.now().getTime();
  const row = await writeTransaction(db, async (tx) => {
    const [made] = await tx
      .insert(payoutBatches)
      .values({
        id: batchId,
        workspaceId: workspace.id,
        method: input.method,
        format: input.format,
        currency: input.currency,
        total: payees.reduce((sum, payee) => sum + payee.amount, 0),
        payees: payees.length,
        fileCiphertext,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!made) return null; // the same id, made by a concurrent call: answered below
    const step = { tx, workspace, clock };
    for (const payee of payees) {
      const issued = await issueDeliveredRewards(step, {
        rewardIds: payee.rewardIds,
        set: { payoutBatchId: batchId },
        delivery: { kind: "cash", method: methods.get(payee.learnerId)!.masked, batchId },
      });
      // A reward voided while the file was written would be paid by the file: refuse the batch.
      if (issued.length !== payee.rewardIds.length)
        throw new DomainError("conflict", "Rewards changed while the batch was made; try again", { batchId });
    }
    await recordAudit(
      { ...ctx, tx },
      {
        action: "payout.pay",
        targetId: batchId,
        after: {
          method: input.method,
          currency: input.currency,
          format: input.format,
          payees: made.payees,
          total: made.total,
        },
      },
    );
    return made;
  });
  if (!row) return createPayoutBatch(ctx, { ...input, batchId });
  return { batch: batchJson(row), created: true };
}

/** `GET /v1/admin/payouts/batches`: the batches made, newest first. */
export async function listPayoutBatches({ db, workspace }: WorkspaceContext) {
  const rows = await db
    .select()
    .from(payoutBatches)
    .where(eq(payoutBatches.workspaceId, workspace.id))
    .orderBy(desc(payoutBatches.createdAt))
    .limit(100);
  return { items: rows.map(batchJson) };
}

/** `GET /v1/admin/payouts/batches/{id}/file`: the batch's file, the same bytes every time. */
export async function payoutBatchFile(
  { db, workspace, secret }: WorkspaceContext & SecretContext,
  input: { batchId: string },
): Promise<{ filename: string; text: string }> {
  const [row] = await db
    .select()
    .from(payoutBatches)
    .where(and(eq(payoutBatches.workspaceId, workspace.id), eq(payoutBatches.id, input.batchId)));
  if (!row) throw new DomainError("not_found", `No payout batch ${input.batchId} in this workspace`);
  const text = await open({ secret, purpose, owner: `${workspace.id}:${row.id}`, sealed: row.fileCiphertext });
  if (text === null) throw new Error(`payout batch ${row.id} cannot be opened with this server secret`);
  return { filename: `${row.id}-${row.format}-${row.currency.toLowerCase()}.csv`, text };
}
