/**
 * `chorus import stories FILE`: earlier testimonials from a CSV file, through the same service as
 * `POST /v1/admin/stories/imports` (README "Importing testimonials from CSV"): the file is checked
 * first (row errors printed, nothing saved when the whole file is refused), then its valid rows are
 * saved 1,000 at a time with a progress bar over the file's bytes. Idempotent like the endpoint:
 * run it again after an interruption, and rows already imported are counted as duplicates.
 */
import { createReadStream, statSync } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { SingleBar } from "cli-progress";
import type { Db } from "../db/index.ts";
import { type ImportProgress, importStories, previewImport } from "./services/story-import.ts";
import type { RowError } from "./services/story-import-rows.ts";
import type { Clock, Workspace } from "./services/types.ts";

export type StoryImportSummary = ImportProgress & { errors: RowError[] };

/** The file's bytes as a web stream, counting them for the progress bar. */
function fileStream(file: string, onBytes: (bytes: number) => void): ReadableStream<Uint8Array> {
  let read = 0;
  const input = createReadStream(file);
  input.on("data", (chunk) => {
    read += chunk.length;
    onBytes(read);
  });
  return Readable.toWeb(input) as ReadableStream<Uint8Array>;
}

/** Imports FILE into the workspace; the row errors come back with the totals (the first 1,000). */
export async function importStoriesFile(
  ctx: { db: Db; clock: Clock; workspace: Workspace },
  file: string,
  label = basename(file),
): Promise<StoryImportSummary> {
  const preview = await previewImport(ctx, { body: fileStream(file, () => {}), label });
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: "{bar} {percentage}%  {rows} rows  {eta_formatted} left" })
    : null;
  bar?.start(statSync(file).size, 0, { rows: 0 });
  let read = 0;
  let last: ImportProgress = { rows: 0, valid: 0, refused: 0, imported: 0, duplicates: 0 };
  for await (const progress of importStories(ctx, { body: fileStream(file, (bytes) => (read = bytes)), label })) {
    last = progress;
    bar?.update(read, { rows: progress.rows });
  }
  bar?.stop();
  return { ...last, errors: preview.errors };
}
