/**
 * A small in-process rate limiter (fixed window per key) and the middleware that applies it.
 * In-process means per server process or Workers isolate: enough to slow a spammer down at the
 * edge of one instance, not a global quota. Keys are opaque strings; callers build them from the
 * workspace and a salted visitor hash, so nothing personal is kept in memory.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors.ts";
import { clientIp, visitorHash } from "../services/visitors.ts";
import type { AppEnv } from "../types.ts";

export type RateLimitResult = { allowed: boolean; remaining: number; retryAfterSeconds: number };

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(readonly options: { limit: number; windowMs: number; maxKeys?: number }) {}

  /** Counts one hit for `key` at `nowMs` and says whether it is within the limit. */
  hit(key: string, nowMs: number): RateLimitResult {
    const { limit, windowMs } = this.options;
    let window = this.windows.get(key);
    if (!window || nowMs - window.start >= windowMs || nowMs < window.start) {
      this.prune(nowMs);
      window = { start: nowMs, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    const retryAfterSeconds = Math.max(1, Math.ceil((window.start + windowMs - nowMs) / 1000));
    return { allowed: window.count <= limit, remaining: Math.max(0, limit - window.count), retryAfterSeconds };
  }

  private prune(nowMs: number) {
    const maxKeys = this.options.maxKeys ?? 100_000;
    if (this.windows.size < maxKeys) return;
    for (const [key, window] of this.windows) {
      if (nowMs - window.start >= this.options.windowMs) this.windows.delete(key);
    }
    // Still full of live windows: forget the oldest rather than grow without bound.
    while (this.windows.size >= maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest === undefined) break;
      this.windows.delete(oldest);
    }
  }
}

/** One visitor (address + user agent) in a workspace, as a daily-salted hash: a rate-limit key or a stored column. */
export function requestVisitorHash(c: Context<AppEnv>, workspaceId: string): string {
  const { config, clock } = c.var.deps;
  return visitorHash(config.secret, workspaceId, clientIp(c), c.req.header("User-Agent") ?? "", clock.now());
}

/**
 * Route middleware: at most `limit` requests per `windowMs` per key. The default key is the
 * workspace (from an earlier auth guard) plus the visitor hash; answers 429 with Retry-After.
 */
export function rateLimit(options: {
  limiter: RateLimiter;
  scope: string;
  key?: (c: Context<AppEnv>) => Promise<string>;
}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = options.key
      ? await options.key(c)
      : `${c.var.auth.workspace.id}:${requestVisitorHash(c, c.var.auth.workspace.id)}`;
    const result = options.limiter.hit(`${options.scope}:${key}`, c.var.deps.clock.now().getTime());
    if (!result.allowed) {
      throw new ApiError("rate_limited", "Too many requests from this visitor; try again later", undefined, {
        "Retry-After": String(result.retryAfterSeconds),
      });
    }
    await next();
  });
}
