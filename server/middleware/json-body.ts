/**
 * Bodies are JSON or nothing. Parsing here (before the route's validator, which reuses the
 * parsed body) lets a wrong content type answer 415 and broken JSON answer 400, never a 500.
 */

import type { Context, Next } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { ApiError, type DescribedStatus } from "../errors.ts";
import { refuses } from "../lib/refusals.ts";
import { photoLimits } from "../services/photo-bytes.ts";
import type { AppEnv } from "../types.ts";

const jsonType = /^application\/([\w.-]+\+)?json$/i;

/** The methods whose body is read (checked, limited and parsed); other bodies are never read. */
const bodyMethods = ["POST", "PUT", "PATCH"];
const bodyRefusals = (statuses: DescribedStatus[]) => (method: string) =>
  bodyMethods.includes(method) ? statuses : [];

/** Where the app reads bodies with `limitBody` then `jsonBody` (app.ts mounts them here). */
export const bodyPaths = "/v1/*";

/**
 * RFC 8058: mail providers POST `List-Unsubscribe=One-Click` as a form to the unsubscribe link;
 * that route reads only its query, never the body.
 */
export const oneClickUnsubscribePath = "/v1/mail/unsubscribe";

/** A story's photo upload: the body is the image itself (the route checks its type and bytes). */
export const photoUploadPath = /^\/v1\/stories\/[^/]+\/photo$/;

/**
 * Routes whose body is a CSV file read as a stream (the testimonial import, up to 100,000 rows):
 * never parsed as JSON here, and allowed `csvBodyLimitBytes`. The route checks its own type.
 */
export const csvBodyPaths = new Set(["/v1/admin/stories/imports/preview", "/v1/admin/stories/imports"]);
/** 100,000 testimonials of about 600 bytes each, with room to spare. */
export const csvBodyLimitBytes = 128 * 1024 * 1024;

/**
 * Raw media uploads (a story's video and poster): their routes read the body as a stream and
 * refuse it once it passes their own limit (routes/story-videos.ts), far above BODY_LIMIT_BYTES.
 */
export const isMediaUpload = (method: string, path: string) =>
  method === "PUT" && /^\/v1\/stories\/[^/]+\/(video|poster)$/.test(path);

export const jsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (!bodyMethods.includes(c.req.method) || c.req.path === oneClickUnsubscribePath || csvBodyPaths.has(c.req.path)) {
    return next();
  }
  if (photoUploadPath.test(c.req.path) || isMediaUpload(c.req.method, c.req.path)) return next();
  if (c.req.raw.body === null || c.req.header("Content-Length") === "0") return next();
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim() ?? "";
  if (!jsonType.test(mediaType)) {
    throw new ApiError("unsupported_media_type", "Send the body as JSON with `Content-Type: application/json`");
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError("invalid_json", "The body is not valid JSON");
  }
  const where = nulPath(body);
  if (where !== null) {
    throw new ApiError("invalid_request", "Text may not contain NUL characters (U+0000)", [
      { path: where, message: "contains U+0000" },
    ]);
  }
  await next();
});
refuses(jsonBody, bodyRefusals([400, 415]));

/**
 * Where a NUL character hides in a JSON value, if anywhere. SQLite keeps such text whole, but
 * drivers read it back cut at the NUL, so two different values would look the same. Walked with
 * a stack, not recursion: a 64 KB body can nest deeper than the call stack.
 */
function nulPath(body: unknown): string | null {
  const stack: [unknown, string][] = [[body, ""]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [value, path] = next;
    if (typeof value === "string") {
      if (value.includes("\u0000")) return path || "(body)";
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        const itemPath = path ? `${path}.${key}` : key;
        if (key.includes("\u0000")) return itemPath;
        stack.push([item, itemPath]);
      }
    }
  }
  return null;
}
/**
 * Paths whose bodies are lists (a thousand conversions of up to 2 KB of metadata each) and may be
 * larger than BODY_LIMIT_BYTES, which sizes the bodies of everything else.
 */
const largeBodyPaths: Record<string, number> = { "/v1/conversions/batch": 4 * 1024 * 1024 };

/**
 * A CSV body counted as it streams: hono's bodyLimit reads a body without Content-Length into
 * memory whole, which is what a streamed import must not do.
 */
function limitStreamedBody(c: Context<AppEnv>, next: Next) {
  const tooLarge = () => new ApiError("payload_too_large", `The body is larger than ${csvBodyLimitBytes} bytes`);
  const declared = Number(c.req.header("Content-Length") ?? 0);
  if (declared > csvBodyLimitBytes) throw tooLarge();
  const body = c.req.raw.body;
  if (body === null) return next();
  let size = 0;
  const counted = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > csvBodyLimitBytes) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  c.req.raw = new Request(c.req.raw, { body: counted, duplex: "half" } as RequestInit);
  return next();
}

export const limitBody = createMiddleware<AppEnv>((c, next) => {
  if (!bodyMethods.includes(c.req.method) || isMediaUpload(c.req.method, c.req.path)) return next();
  if (csvBodyPaths.has(c.req.path)) return limitStreamedBody(c, next);
  const upload = photoUploadPath.test(c.req.path) ? photoLimits.maxBytes : 0;
  const maxSize = Math.max(c.var.deps.config.bodyLimitBytes, largeBodyPaths[c.req.path] ?? 0, upload);
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("payload_too_large", `The body is larger than ${maxSize} bytes`);
    },
  })(c, next);
});
refuses(limitBody, bodyRefusals([413]));
