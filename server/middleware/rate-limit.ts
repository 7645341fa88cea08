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

/**
 * Failed dashboard sign-ins, per address: over the limit every attempt answers 429 with
 * Retry-After before any key is looked at (so a throttled guesser learns nothing, even from a
 * right guess). Only refusals (401) count: signing in with the right key never uses the allowance.
 */
export const throttleFailedSignIns = refuses(
  createMiddleware<AppEnv>(async (c, next) => {
    const limits = c.var.rateLimits;
    const { ip } = c.var.visitor;
    const rejection = limits.signInAllowed(ip, c.var.deps.clock.now().getTime());
    if (rejection)
      throw new ApiError("rate_limited", "Too many failed sign-ins from this address; try again later", rejection, {
        "Retry-After": String(rejection.retryAfterSeconds),
      });
    await next();
    if (c.res.status === 401) limits.signInFailed(ip, c.var.deps.clock.now().getTime());
  }),
  [429],
);

/**
 * Asking for a dashboard sign-in link, per address: every request counts (each may send mail), in
 * the same allowance as failed sign-ins.
 */
export const throttleSignInRequests = refuses(
  createMiddleware<AppEnv>(async (c, next) => {
    const limits = c.var.rateLimits;
    const { ip } = c.var.visitor;
    const now = c.var.deps.clock.now().getTime();
    const rejection = limits.signInAllowed(ip, now);
    if (rejection)
      throw new ApiError("rate_limited", "Too many sign-in requests from this address; try again later", rejection, {
        "Retry-After": String(rejection.retryAfterSeconds),
      });
    limits.signInFailed(ip, now);
    await next();
  }),
  [429],
);
