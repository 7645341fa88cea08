/**
 * The rate limiters of the public endpoints: fixed windows per key, in process memory. In-process means
 * per server process or Workers isolate: enough to slow a spammer down at the edge of one
 * instance, not a global quota. Each workspace sets its limits in its program settings
 * (`rateLimits`, per endpoint group, per visitor and per workspace); the limiters themselves
 * belong to one app (made in createApp), so apps and tests never share counts.
 *
 * A check is O(1) and synchronous (two map lookups, no database, no await, no crypto): the
 * redirect runs it on every click.
 */
import type { RateLimitGroup, RateLimitSettings } from "../../db/program-settings.ts";

export type RateLimitResult = { allowed: boolean; remaining: number; retryAfterSeconds: number };
export type WindowRule = { limit: number; windowMs: number };
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
  hit(key: string, nowMs: number, rule: WindowRule): RateLimitResult {
    let window = this.current(key, nowMs, rule);
    if (!window) {
      window = { start: nowMs, count: 0 };
      this.store(key, window);
    }
    window.count++;
    return this.result(window, nowMs, rule, 0);
  }

  /** Whether one more hit would be within the limit, without counting it. */
  check(key: string, nowMs: number, rule: WindowRule): RateLimitResult {
    const window = this.current(key, nowMs, rule);
    return window
      ? this.result(window, nowMs, rule, 1)
      : { allowed: true, remaining: rule.limit - 1, retryAfterSeconds: 0 };
  }

  private result(window: Window, nowMs: number, rule: WindowRule, extra: number): RateLimitResult {
    const count = window.count + extra;
    return {
      allowed: count <= rule.limit,
      remaining: Math.max(0, rule.limit - count),
      retryAfterSeconds: Math.max(1, Math.ceil((window.start + rule.windowMs - nowMs) / 1000)),
    };
  }

  /** The live window of `key` under `rule` (a changed window length applies at once). */
  private current(key: string, nowMs: number, rule: WindowRule): Window | undefined {
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
export type RateLimitRejection = { scope: "visitor" | "address" | "workspace"; retryAfterSeconds: number };

/**
 * Server-wide limits beside the workspaces' own (from server/config.ts): clicks per address per
 * minute, whatever the user agent (null: off).
 */
export type ServerRateLimits = {
  clicksPerAddressPerMinute?: number | null | undefined;
  /** Told of every refusal (the metrics count them): the group (`sign_in` for the dashboard's) and scope. */
  onRefusal?: ((group: string, scope: RateLimitRejection["scope"]) => void) | undefined;
};

/**
 * Failed dashboard sign-ins per address: secret keys carry 190 random bits, so this is not what
 * keeps them safe; it keeps a guesser from turning the sign-in into a free key-lookup service.
 */
const failedSignIns: WindowRule = { limit: 10, windowMs: 15 * 60_000 };

/** The default of CLICKS_PER_ADDRESS_PER_MINUTE: a lecture hall behind one NAT clicking a link together stays under it. */
export const defaultClicksPerAddressPerMinute = 300;

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

/**
 * Every limiter of one app: one for visitors, one for addresses, one for workspaces (so a flood
 * of visitors cannot evict workspace counts).
 */
export class RateLimits {
  private readonly visitors = new RateLimiter({ maxKeys: 200_000 });
  private readonly addresses = new RateLimiter({ maxKeys: 100_000 });
  private readonly workspaces = new RateLimiter({ maxKeys: 20_000 });
  private readonly signInFailures = new RateLimiter({ maxKeys: 20_000 });
  // Random per process, so nobody can craft two visitors whose keys collide.
  private readonly seed = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
  private readonly clicksPerAddress: WindowRule | null;
  private readonly onRefusal: NonNullable<ServerRateLimits["onRefusal"]>;

  constructor(server: ServerRateLimits = {}) {
    this.onRefusal = server.onRefusal ?? (() => {});
    const perMinute =
      server.clicksPerAddressPerMinute === undefined
        ? defaultClicksPerAddressPerMinute
        : server.clicksPerAddressPerMinute;
    this.clicksPerAddress = perMinute ? { limit: perMinute, windowMs: 60_000 } : null;
  }

  /**
   * The in-memory key of one visitor in one workspace: address and user agent, so that the
   * learners of one campus or office behind a single address are not one visitor. A client that
   * changes its user agent on every request escapes this limit and meets the workspace's.
   */
  visitorKey(workspaceId: string, ip: string, userAgent: string): string {
    return digest(`${workspaceId}|${ip}|${userAgent}`, this.seed);
  }

  /**
   * The in-memory key of one address in one workspace, whatever its user agent: a script that
   * rotates its user agent meets this limit (issue 15: 5,000 counted redirects from one address).
   * Per workspace, so one provider's traffic never uses up another's allowance.
   */
  addressKey(workspaceId: string, ip: string): string {
    return digest(`${workspaceId}|${ip}`, this.seed);
  }

  /** Whether `ip` may try to sign in to the dashboard now, or why not. */
  signInAllowed(ip: string, nowMs: number): RateLimitRejection | null {
    const result = this.signInFailures.check(this.signInKey(ip), nowMs, failedSignIns);
    if (result.allowed) return null;
    this.onRefusal("sign_in", "address");
    return { scope: "address", retryAfterSeconds: result.retryAfterSeconds };
  }

  /** Counts one failed dashboard sign-in from `ip`. */
  signInFailed(ip: string, nowMs: number): void {
    this.signInFailures.hit(this.signInKey(ip), nowMs, failedSignIns);
  }

  private signInKey(ip: string): string {
    return digest(`sign-in|${ip}`, this.seed);
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
    addressKey?: string,
  ): RateLimitRejection | null {
    const visitorRule = limits.perVisitor && rule(limits.perVisitor);
    const workspaceRule = limits.perWorkspace && rule(limits.perWorkspace);
    // Only clicks have a per-address limit: the card's and stories' calls come from learners
    // already limited by their own token's visitor.
    const addressRule = group === "clicks" && addressKey !== undefined ? this.clicksPerAddress : null;
    const vKey = `${group}:${visitorKey}`;
    const aKey = `${group}:${addressKey}`;
    const wKey = `${group}:${workspaceId}`;
    const visitor = visitorRule ? this.visitors.check(vKey, nowMs, visitorRule) : null;
    const address = addressRule ? this.addresses.check(aKey, nowMs, addressRule) : null;
    const workspace = workspaceRule ? this.workspaces.check(wKey, nowMs, workspaceRule) : null;
    const refused = [
      { scope: "visitor" as const, result: visitor },
      { scope: "address" as const, result: address },
      { scope: "workspace" as const, result: workspace },
    ].filter((limit) => limit.result?.allowed === false);
    const [first] = refused;
    if (first) {
      this.onRefusal(group, first.scope);
      return {
        scope: first.scope,
        retryAfterSeconds: Math.max(...refused.map((limit) => limit.result?.retryAfterSeconds ?? 0)),
      };
    }
    if (visitorRule) this.visitors.hit(vKey, nowMs, visitorRule);
    if (addressRule) this.addresses.hit(aKey, nowMs, addressRule);
    if (workspaceRule) this.workspaces.hit(wKey, nowMs, workspaceRule);
    return null;
  }
}

const rule = (setting: { limit: number; windowSeconds: number }): WindowRule => ({
  limit: setting.limit,
  windowMs: setting.windowSeconds * 1000,
});
