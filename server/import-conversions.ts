/**
 * `chorus import conversions FILE`: a provider's history (CSV or NDJSON) through the same batch
 * service as `POST /v1/conversions/batch`, so every row is attributed, checked, rewarded and
 * announced exactly as if it had been posted alone.
 *
 * Resumable by idempotency, not by a checkpoint: every row's `id` is its idempotency key, so a
 * run interrupted anywhere is simply run again; rows already recorded come back as replays
 * (nothing is written twice) and the rest are recorded. Refused rows are written with their
 * reason beside the file (FILE.refused.ndjson), and the file is complete for each run.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { SingleBar } from "cli-progress";
import { parse } from "csv-parse";
import type { Db } from "../db/index.ts";
import { validationDetails } from "./lib/validation.ts";
import { ConversionInput } from "./routes/conversion-schemas.ts";
import { maxBatchConversions, recordConversionBatch } from "./services/conversion-batch.ts";
import type { ConversionInput as ConversionValue } from "./services/conversion-input.ts";
import { DomainError } from "./services/errors.ts";
import type { Clock, Workspace } from "./services/types.ts";

export type ImportSummary = { rows: number; recorded: number; replayed: number; refused: number; refusedFile: string };

/** A CSV row's columns (header names) as the API's body; empty cells are left out. */
const csvColumns = [
  "id",
  "type",
  "customer_id",
  "customer_email",
  "customer_name",
  "course",
  "amount",
  "currency",
  "click_id",
  "code",
  "refund_of",
  "occurred_at",
] as const;

function fromCsv(row: Record<string, string>): unknown {
  const cell = (name: (typeof csvColumns)[number]) => (row[name]?.trim() ? row[name].trim() : undefined);
  const unknown = Object.keys(row).filter((name) => !(csvColumns as readonly string[]).includes(name));
  if (unknown.length > 0) return new DomainError("invalid_request", `Unknown column ${unknown.join(", ")}`);
  const amount = cell("amount");
  return {
    id: cell("id"),
    type: cell("type"),
    customer: { id: cell("customer_id"), email: cell("customer_email"), name: cell("customer_name") },
    course: cell("course"),
    amount: amount === undefined ? undefined : /^\d+$/.test(amount) ? Number(amount) : amount,
    currency: cell("currency"),
    clickId: cell("click_id"),
    code: cell("code"),
    refundOf: cell("refund_of"),
    occurredAt: cell("occurred_at"),
  };
}

/** Every row of the file, in order: parsed bodies, or the reason a line could not be read. */
async function* rowsOf(file: string): AsyncGenerator<{ line: number; value: unknown }> {
  if (/\.ndjson$|\.jsonl$/i.test(file)) {
    let line = 0;
    for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) {
      line++;
      if (!text.trim()) continue;
      try {
        yield { line, value: JSON.parse(text) };
      } catch {
        yield { line, value: new DomainError("invalid_request", "The line is not valid JSON") };
      }
    }
    return;
  }
  const parser = createReadStream(file).pipe(parse({ columns: true, bom: true, skip_empty_lines: true, info: true }));
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>)
    yield { line: info.lines, value: fromCsv(record) };
}

async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(file)) for (const byte of chunk as Buffer) if (byte === 10) lines++;
  return lines;
}

function checked(value: unknown): ConversionValue | DomainError {
  if (value instanceof DomainError) return value;
  const parsed = ConversionInput.safeParse(value);
  return parsed.success
    ? parsed.data
    : new DomainError("invalid_request", "The row is invalid", validationDetails(parsed.error));
}

/** Imports FILE into the workspace, in batches, with a progress bar on stderr when it is a terminal. */
export async function importConversions(
  ctx: { db: Db; clock: Clock; secret: string; workspace: Workspace },
  file: string,
): Promise<ImportSummary> {
  const refusedFile = `${file}.refused.ndjson`;
  const refusals = createWriteStream(refusedFile);
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: "{bar} {value}/{total} lines  {eta_formatted} left" })
    : null;
  bar?.start(await countLines(file), 0);
  const summary = { rows: 0, recorded: 0, replayed: 0, refused: 0, refusedFile };
  let pending: { line: number; value: unknown }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const outcomes = await recordConversionBatch(
      ctx,
      pending.map((row) => checked(row.value)),
    );
    for (const outcome of outcomes) {
      summary[outcome.outcome]++;
      if (outcome.outcome !== "refused") continue;
      const row = pending[outcome.index];
      const { code, message, details } = outcome.error;
      refusals.write(
        `${JSON.stringify({ line: row?.line, row: row?.value instanceof DomainError ? null : row?.value, error: { code, message, details } })}\n`,
      );
    }
    bar?.update(pending[pending.length - 1]?.line ?? 0);
    pending = [];
  };
  for await (const row of rowsOf(file)) {
    summary.rows++;
    pending.push(row);
    if (pending.length === maxBatchConversions) await flush();
  }
  await flush();
  bar?.stop();
  await new Promise((resolve) => refusals.end(resolve));
  return summary;
}
