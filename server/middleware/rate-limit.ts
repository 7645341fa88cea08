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
  const message = {
    visitor: "Too many requests from this visitor; try again later",
    address: "Too many requests from this address; try again later",
    workspace: "Too many requests for this workspace right now; try again later",
  }[rejection.scope];
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
    const { ip, userAgent } = c.var.visitor;
    const visitor = limits.visitorKey(workspace.id, ip, userAgent ?? "");
    const address = limits.addressKey(workspace.id, ip);
    const nowMs = c.var.deps.clock.now().getTime();
    const rejection = limits.take(group, workspace.settings.rateLimits[group], workspace.id, visitor, nowMs, address);
    if (rejection) throw rateLimitedError(rejection);
    await next();
  });
  return refuses(limit, [429]);
}
