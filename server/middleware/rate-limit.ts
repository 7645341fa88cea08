/**
 * Route middleware for the public endpoints' rate limits (the limiters themselves are in
 * `server/lib/rate-limiter.ts`): per visitor (`c.var.visitor`) and per workspace.
 */
import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors.ts";
import type { RateLimitGroupName, RateLimitRejection } from "../lib/rate-limiter.ts";
import { refuses } from "../lib/refusals.ts";
import type { AppEnv } from "../types.ts";

/** The 429 envelope with Retry-After. */
export function rateLimitedError(rejection: RateLimitRejection): ApiError {
  const message =
    rejection.scope === "visitor"
      ? "Too many requests from this visitor; try again later"
      : "Too many requests for this workspace right now; try again later";
  return new ApiError("rate_limited", message, rejection, { "Retry-After": String(rejection.retryAfterSeconds) });
}

/**
 * Route middleware, after an auth guard: the workspace's `rateLimits[group]` per visitor and per
 * workspace; answers 429 `rate_limited` with Retry-After before the handler runs (nothing stored).
 */
export function rateLimit(group: RateLimitGroupName) {
  const limit = createMiddleware<AppEnv>(async (c, next) => {
    const { workspace } = c.var.auth;
    const limits = c.var.rateLimits;
    const visitor = limits.visitorKey(workspace.id, c.var.visitor.ip, c.var.visitor.userAgent ?? "");
    const nowMs = c.var.deps.clock.now().getTime();
    const rejection = limits.take(group, workspace.settings.rateLimits[group], workspace.id, visitor, nowMs);
    if (rejection) throw rateLimitedError(rejection);
    await next();
  });
  return refuses(limit, [429]);
}
