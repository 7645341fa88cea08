/**
 * Who a visitor is, without keeping who they are: IPs are only ever stored as salted hashes, and
 * the salt changes every day (HMAC of the server secret and the date), so yesterday's hashes
 * cannot be linked to today's. Within a day they still catch duplicates and self-referrals.
 */
import type { Context } from "hono";
import { hmacSha256Hex } from "../lib/crypto.ts";
import type { AppEnv } from "../types.ts";

const day = (now: Date) => now.toISOString().slice(0, 10);

export function ipHash(secret: string, workspaceId: string, ip: string, now: Date): string {
  return hmacSha256Hex(secret, `ip|${day(now)}|${workspaceId}|${ip}`);
}

export function visitorHash(secret: string, workspaceId: string, ip: string, userAgent: string, now: Date): string {
  return hmacSha256Hex(secret, `visitor|${day(now)}|${workspaceId}|${ip}|${userAgent}`);
}

/**
 * The client IP: the runtime's own view, or, when configured to trust a proxy, the last
 * X-Forwarded-For hop: the one that proxy appended. Earlier hops are whatever the client sent.
 */
export function clientIp(c: Context<AppEnv>): string {
  const { deps } = c.var;
  if (deps.config.trustProxy) {
    const forwarded = c.req.header("X-Forwarded-For")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return deps.clientIp?.(c) ?? "unknown";
}

/** The caller of this request as a visitor of a workspace (address + user agent, daily-salted hash). */
export function requestVisitorHash(c: Context<AppEnv>, workspaceId: string): string {
  const { config, clock } = c.var.deps;
  return visitorHash(config.secret, workspaceId, clientIp(c), c.req.header("User-Agent") ?? "", clock.now());
}

/** Two-letter country from the edge, when a CDN adds it. */
export function edgeCountry(c: Context<AppEnv>): string | null {
  const value = c.req.header("CF-IPCountry") ?? c.req.header("X-Vercel-IP-Country") ?? "";
  return /^[A-Z]{2}$/.test(value) && value !== "XX" ? value : null;
}
