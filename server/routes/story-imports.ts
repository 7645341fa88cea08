/**
 * Importing earlier testimonials from a CSV file (secret key, or a moderator or owner): preview
 * first (every row checked, nothing saved), then import (valid rows saved, progress streamed as
 * NDJSON, one line per batch of 1,000 rows, so the dashboard's bar moves with the rows truly written).
 * The file is the raw body (`Content-Type: text/csv`), read as a stream: a cross-site form cannot
 * send that type, and 100,000 rows never sit in memory (json-body.ts lets these paths through).
 */
import { z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { ApiError, apiErrorOf, errorResponses } from "../errors.ts";
import { refuses } from "../lib/refusals.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { errorText } from "../lib/telemetry.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import type { ImportProgress } from "../services/story-import.ts";
import { maxListedErrors } from "../services/story-import-limits.ts";
import type { AppEnv } from "../types.ts";
import { workspaceContext } from "./context.ts";

/** The body must be a CSV file: the type is checked here, the bytes by the import itself. */
const requireCsvBody = createMiddleware<AppEnv>(async (c, next) => {
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "text/csv") {
    throw new ApiError("unsupported_media_type", "Send the file as the body with `Content-Type: text/csv`");
  }
  if (c.req.raw.body === null) throw new ApiError("invalid_request", "Send the CSV file as the body");
  await next();
});
refuses(requireCsvBody, [400, 415]);

const csvFile = {
  required: true,
  description:
    "The CSV file, UTF-8 (a BOM is fine; UTF-16 with its BOM is decoded). The first row names the columns: " +
    "name, headline, body, rating (1–5), date (2024-03-31), course (an existing course slug), outcome " +
    "(promotion, salary_increase, new_job, career_switch, started_business, skills), consent_publish (must be yes), " +
    "consent_name and consent_photo (yes or no); optional consent_salary, salary_increase_pct, months_to_outcome, " +
    "photo_url (https). Other columns are ignored. At most 128 MiB.",
  content: { "text/csv": { schema: z.string().openapi({ format: "binary" }) } },
};

const label = z.object({
  label: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .default("CSV import")
    .openapi({ description: "Your name for this import, such as the file's name; kept on every story" }),
});

const RowError = z.object({
  row: z.number().int().openapi({ description: "As a spreadsheet numbers it: the header is row 1" }),
  column: z.string().nullable(),
  reason: z.string(),
});

const counts = {
  rows: z.number().int().openapi({ description: "Data rows read (blank rows are skipped)" }),
  valid: z.number().int(),
  refused: z.number().int(),
};

const ImportPreview = z
  .object({
    ...counts,
    alreadyImported: z
      .number()
      .int()
      .openapi({ description: "Valid rows already in the workspace: importing skips them" }),
    errors: z.array(RowError).openapi({ description: `Every row error, up to the first ${maxListedErrors}` }),
    sample: z.array(z.record(z.string(), z.unknown())).openapi({ description: "The first valid rows as stored" }),
    ignoredColumns: z.array(z.string()),
  })
  .openapi("StoryImportPreview");
export type StoryImportPreview = z.infer<typeof ImportPreview>;

/** One line of the import's NDJSON answer. */
export type StoryImportLine = { type: "progress" | "done" } & ImportProgress;
export type StoryImportFailure = { type: "error"; error: { code: string; message: string } } & ImportProgress;

const previewRoute = apiRoute({
  method: "post",
  path: "/v1/admin/stories/imports/preview",
  tags: ["Moderation"],
  summary: "Check a CSV of testimonials; nothing is saved",
  description:
    "Reads and checks every row. Row errors (row, column, reason) come back with the counts; a problem with the " +
    "whole file (no header, a required column missing, not UTF-8 text, an unclosed quote) is a 400.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession, requireCsvBody] as const,
  request: { query: label, body: csvFile },
  responses: {
    200: {
      description: "What an import of this file would do",
      content: { "application/json": { schema: ImportPreview } },
    },
  },
});

const importRoute = apiRoute({
  method: "post",
  path: "/v1/admin/stories/imports",
  tags: ["Moderation"],
  summary: "Import a CSV of testimonials",
  description:
    "Saves the valid rows as pending stories (`source: import`, `self_reported`, no learner); refused rows are " +
    "counted, not saved. Idempotent: a row already imported (same content) is a duplicate and is skipped. The " +
    "answer streams NDJSON: a `progress` line after each batch of 1,000 rows, then `done` with the totals (or " +
    "`error` if the file breaks off; the rows before it are saved, and importing the fixed file again adds the rest).",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession, requireCsvBody] as const,
  request: { query: label, body: csvFile },
  responses: {
    200: {
      description: "Progress lines, then the totals",
      content: {
        "application/x-ndjson": {
          schema: z.string().openapi({
            example:
              '{"type":"progress","rows":1000,"valid":998,"refused":2,"imported":998,"duplicates":0}\n' +
              '{"type":"done","rows":812,"valid":806,"refused":6,"imported":806,"duplicates":0}\n',
          }),
        },
      },
    },
    ...errorResponses(400),
  },
});

const encoder = new TextEncoder();
const line = (value: unknown) => encoder.encode(`${JSON.stringify(value)}\n`);

/** Loaded by the first import, not at start-up (worker.build.ts: a cold start does not parse it). */
const lazyImporter = () => import("../services/story-import.ts");

export const storyImportRoutes = createRouter()
  .openapi(previewRoute, async (c) => {
    const { previewImport } = await lazyImporter();
    const preview = await previewImport(workspaceContext(c), {
      body: c.req.raw.body as ReadableStream<Uint8Array>,
      label: c.req.valid("query").label,
    });
    return c.json(preview, 200);
  })
  .openapi(importRoute, async (c) => {
    const { importStories } = await lazyImporter();
    const progress = importStories(workspaceContext(c), {
      body: c.req.raw.body as ReadableStream<Uint8Array>,
      label: c.req.valid("query").label,
    });
    // The header and the first batch before answering: a file-level refusal is a plain 400.
    const first = await progress.next();
    let last = first.done ? null : first.value;
    let sentFirst = false;
    const stream = new ReadableStream<Uint8Array>({
      // One batch per pull: a client that stops reading stops the import between batches.
      async pull(controller) {
        if (!sentFirst && last) {
          sentFirst = true;
          controller.enqueue(line({ type: "progress", ...last }));
          return;
        }
        try {
          const next = await progress.next();
          if (next.done) {
            controller.enqueue(line({ type: "done", ...last }));
            controller.close();
            return;
          }
          last = next.value;
          controller.enqueue(line({ type: "progress", ...last }));
        } catch (error) {
          // The status is already sent: the refusal is the last line. A fault of ours names no detail.
          const known = apiErrorOf(error);
          const { code, message } = known ?? {
            code: "internal",
            message: "The import stopped on a server error; the rows counted so far are saved: import the file again",
          };
          controller.enqueue(line({ type: "error", error: { code, message }, ...last }));
          controller.close();
          if (!known) c.var.deps.log?.error({ error: errorText(error) }, "story import failed");
        }
      },
      async cancel() {
        await progress.return(undefined);
      },
    });
    return c.body(stream, 200, { "Content-Type": "application/x-ndjson", "Cache-Control": "no-store" }) as never;
  });
