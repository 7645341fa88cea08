/**
 * Many conversions in one call (`POST /v1/conversions/batch`, `chorus import conversions`).
 *
 * Each item is exactly what `recordConversion` does for one conversion (the same write, the same
 * idempotency by id), so attribution, fraud rules, rewards, webhooks and mail cannot drift apart.
 * What changes is the cost: one write transaction per chunk instead of one per conversion (a
 * commit, with its fsync, is most of a single conversion's time), and each item in its own
 * savepoint, so an item that is refused rolls back only what it wrote. Items run in their order,
 * so a refund later in the batch finds its original, and a repeated id is a replay, as one by one.
 * Chunks keep the write lock short enough for clicks to get their turn between them. One thing is
 * done per chunk rather than per item: the analytics rollups of the conversions it recorded
 * (server/services/conversion-rollups.ts), which the triggers would add one conversion at a time.
 */
import { writeTransaction } from "../lib/write-transaction.ts";
import { fixedClock } from "./clock.ts";
import type { ConversionInput } from "./conversion-input.ts";
import { addConversionRollups, deferConversionRollups } from "./conversion-rollups.ts";
import { type ConversionResponse, type PreparedConversion, prepareConversion, writeConversion } from "./conversions.ts";
import { DomainError } from "./errors.ts";
import type { TransactionMemo } from "./transaction-memo.ts";
import type { SecretContext, WorkspaceContext } from "./types.ts";

/** The most conversions one batch may carry. */
export const maxBatchConversions = 1000;

/** Items per write transaction: about 50 ms of lock at the measured rate, so clicks wait little. */
const chunkSize = 100;

/** One item's outcome: recorded now, a replay of the original answer, or refused with the reason. */
export type BatchItemOutcome =
  | { index: number; outcome: "recorded" | "replayed"; body: ConversionResponse }
  | { index: number; outcome: "refused"; error: DomainError };

/**
 * Records each input as `recordConversion` would, in order. An item that is not an input (it
 * failed validation at the edge) is passed as its DomainError and answered with it, in place.
 */
export async function recordConversionBatch(
  ctx: WorkspaceContext & SecretContext,
  items: (ConversionInput | DomainError)[],
): Promise<BatchItemOutcome[]> {
  if (items.length > maxBatchConversions)
    throw new DomainError("invalid_request", `At most ${maxBatchConversions} conversions per batch`, [
      { path: "conversions", message: `has ${items.length} items` },
    ]);
  const now = ctx.clock.now();
  const outcomes: BatchItemOutcome[] = [];
  for (let start = 0; start < items.length; start += chunkSize) {
    const chunk = items.slice(start, start + chunkSize);
    const prepared = await Promise.all(chunk.map((item) => prepareItem(ctx, item, now)));
    // Retried as a whole on a lock conflict (writeTransaction), so the outcomes are collected
    // fresh inside and kept only once the chunk has committed.
    const written = await writeTransaction(ctx.db, async (tx) => {
      // Fresh for each attempt of each chunk: what it remembers holds only under this write lock.
      const memo: TransactionMemo = new Map();
      const step = { tx, workspace: ctx.workspace, clock: fixedClock(now), secret: ctx.secret, memo };
      const done: BatchItemOutcome[] = [];
      // The chunk's rollups are added together at its end (most of its conversions share them),
      // from the conversions it recorded in their final state.
      await deferConversionRollups(step);
      const recorded: string[] = [];
      for (const [offset, item] of prepared.entries()) {
        const index = start + offset;
        if (item instanceof DomainError) {
          done.push({ index, outcome: "refused", error: item });
          continue;
        }
        try {
          const result = await tx.transaction((savepoint) => writeConversion({ ...step, tx: savepoint }, item));
          done.push({ index, outcome: result.created ? "recorded" : "replayed", body: result.body });
          if (result.created) recorded.push(result.body.conversion.id);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          done.push({ index, outcome: "refused", error });
        }
      }
      await addConversionRollups(step, recorded);
      return done;
    });
    outcomes.push(...written);
  }
  return outcomes;
}

async function prepareItem(
  ctx: SecretContext,
  item: ConversionInput | DomainError,
  now: Date,
): Promise<PreparedConversion | DomainError> {
  if (item instanceof DomainError) return item;
  try {
    return await prepareConversion(ctx, item, now);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}
