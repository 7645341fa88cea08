/**
 * Rate limits of the public endpoints: fixed windows per key, in process memory. In-process means
 * per server process or Workers isolate: enough to slow a spammer down at the edge of one
 * instance, not a global quota. Each workspace sets its limits in its program settings
 * (`rateLimits`, per endpoint group, per visitor and per workspace); the limiters themselves
 * belong to one app (made in createApp), so apps and tests never share counts.
 *
 * A check is O(1) and synchronous (two map lookups, no database, no await, no crypto): the
 * redirect runs it on every click.
 */
import { createMiddleware } from "hono/factory";
import type { RateLimitGroup, RateLimitSettings } from "../../db/program-settings.ts";
import { ApiError } from "../errors.ts";
import { refuses } from "../lib/refusals.ts";
import { clientIp } from "../services/visitors.ts";
import type { AppEnv } from "../types.ts";

export type RateLimitResult = { allowed: boolean; remaining: number; retryAfterSeconds: number };
export type RateLimitRule = { limit: number; windowMs: number };
type Window = { start: number; count: number };

export class RateLimiter {
  /**
   * Two generations of windows: when the current one is full it becomes the previous one, and
   * the previous one is dropped whole. A key found in the previous generation moves to the
   * current one. So memory stays under `maxKeys`, the keys forgotten first are the ones least
   * recently used, and nothing ever iterates a map (evicting a Map's oldest entry one by one
   * costs a scan over deleted slots in V8: measured 200x slower once a 200,000-key map is full).
   */
  private windows = new Map<string, Window>();
  private previous = new Map<string, Window>();

  constructor(readonly options: { maxKeys?: number } = {}) {}

  /** Counts one hit for `key` at `nowMs` and says whether it is within the limit. */
  hit(key: string, nowMs: number, rule: RateLimitRule): RateLimitResult {
    let window = this.current(key, nowMs, rule);
    if (!window) {
      window = { start: nowMs, count: 0 };
      this.store(key, window);
    }
    window.count++;
    return this.result(window, nowMs, rule, 0);
  }

  /** Whether one more hit would be within the limit, without counting it. */
  check(key: string, nowMs: number, rule: RateLimitRule): RateLimitResult {
    const window = this.current(key, nowMs, rule);
    return window
      ? this.result(window, nowMs, rule, 1)
      : { allowed: true, remaining: rule.limit - 1, retryAfterSeconds: 0 };
  }

  private result(window: Window, nowMs: number, rule: RateLimitRule, extra: number): RateLimitResult {
    const count = window.count + extra;
    return {
      allowed: count <= rule.limit,
      remaining: Math.max(0, rule.limit - count),
      retryAfterSeconds: Math.max(1, Math.ceil((window.start + rule.windowMs - nowMs) / 1000)),
    };
  }

  /** The live window of `key` under `rule` (a changed window length applies at once). */
  private current(key: string, nowMs: number, rule: RateLimitRule): Window | undefined {
    let window = this.windows.get(key);
    if (!window) {
      window = this.previous.get(key);
      if (!window) return undefined;
      this.previous.delete(key);
      this.store(key, window);
    }
    if (nowMs - window.start >= rule.windowMs || nowMs < window.start) return undefined;
    return window;
  }

  private store(key: string, window: Window) {
    if (this.windows.size >= Math.max(1, Math.floor((this.options.maxKeys ?? 100_000) / 2))) {
      this.previous = this.windows;
      this.windows = new Map();
    }
    this.windows.set(key, window);
  }
}

export type RateLimitGroupName = keyof RateLimitSettings;

/** Why a request was refused: which limit, and when to come back. */
export type RateLimitRejection = { scope: "visitor" | "workspace"; retryAfterSeconds: number };

/**
 * A 53-bit digest (cyrb53) of a string, seeded per process. Rate-limit keys only live in memory
 * for one window; a cryptographic hash here would cost the redirect about as much again as the
 * salted visitor hash it already computes for the click row (measured ~70 µs in pure JS).
 */
function digest(value: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** Every limiter of one app: one for visitors, one for workspaces (so a flood of visitors cannot evict workspace counts). */
export class RateLimits {
  private readonly visitors = new RateLimiter({ maxKeys: 200_000 });
  private readonly workspaces = new RateLimiter({ maxKeys: 20_000 });
  // Random per process, so nobody can craft two visitors whose keys collide.
  private readonly seed = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;

  /**
   * The in-memory key of one visitor in one workspace: address and user agent, so that the
   * learners of one campus or office behind a single address are not one visitor. A client that
   * changes its user agent on every request escapes this limit and meets the workspace's.
   */
  visitorKey(workspaceId: string, ip: string, userAgent: string): string {
    return digest(`${workspaceId}|${ip}|${userAgent}`, this.seed);
  }

  /**
   * Counts one request of `group` for the visitor and the workspace, or refuses it (then counts
   * nothing: a refused request does not use up anyone's allowance).
   */
  take(
    group: RateLimitGroupName,
    limits: RateLimitGroup,
    workspaceId: string,
    visitorKey: string,
    nowMs: number,
  ): RateLimitRejection | null {
    const visitorRule = limits.perVisitor && rule(limits.perVisitor);
    const workspaceRule = limits.perWorkspace && rule(limits.perWorkspace);
    const vKey = `${group}:${visitorKey}`;
    const wKey = `${group}:${workspaceId}`;
    const visitor = visitorRule ? this.visitors.check(vKey, nowMs, visitorRule) : null;
    const workspace = workspaceRule ? this.workspaces.check(wKey, nowMs, workspaceRule) : null;
    if (visitor?.allowed === false || workspace?.allowed === false) {
      return {
        scope: visitor?.allowed === false ? "visitor" : "workspace",
        retryAfterSeconds: Math.max(
          visitor?.allowed === false ? visitor.retryAfterSeconds : 0,
          workspace?.allowed === false ? workspace.retryAfterSeconds : 0,
        ),
      };
    }
    if (visitorRule) this.visitors.hit(vKey, nowMs, visitorRule);
    if (workspaceRule) this.workspaces.hit(wKey, nowMs, workspaceRule);
    return null;
  }
}

const rule = (setting: { limit: number; windowSeconds: number }): RateLimitRule => ({
  limit: setting.limit,
  windowMs: setting.windowSeconds * 1000,
});

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
    const visitor = limits.visitorKey(workspace.id, clientIp(c), c.req.header("User-Agent") ?? "");
    const nowMs = c.var.deps.clock.now().getTime();
    const rejection = limits.take(group, workspace.settings.rateLimits[group], workspace.id, visitor, nowMs);
    if (rejection) throw rateLimitedError(rejection);
    await next();
  });
  return refuses(limit, [429]);
}
