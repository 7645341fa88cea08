/**
 * Bodies are JSON or nothing. Parsing here (before the route's validator, which reuses the
 * parsed body) lets a wrong content type answer 415 and broken JSON answer 400, never a 500.
 */
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors.ts";
import type { AppEnv } from "../types.ts";

const jsonType = /^application\/([\w.-]+\+)?json$/i;

export const jsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (!["POST", "PUT", "PATCH"].includes(c.req.method)) return next();
  if (c.req.raw.body === null || c.req.header("Content-Length") === "0") return next();
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim() ?? "";
  if (!jsonType.test(mediaType)) {
    throw new ApiError("unsupported_media_type", "Send the body as JSON with `Content-Type: application/json`");
  }
  try {
    await c.req.json();
  } catch {
    throw new ApiError("invalid_json", "The body is not valid JSON");
  }
  await next();
});

export const limitBody = createMiddleware<AppEnv>((c, next) =>
  bodyLimit({
    maxSize: c.var.deps.config.bodyLimitBytes,
    onError: () => {
      throw new ApiError("payload_too_large", `The body is larger than ${c.var.deps.config.bodyLimitBytes} bytes`);
    },
  })(c, next),
);
