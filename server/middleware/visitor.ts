/**
 * Who is calling, read from the request once per request and handed to routes and services as a
 * plain `Visitor` value (`c.var.visitor`): the client address, the user agent and the edge's
 * country. Services never see the request itself.
 */
import type { Context } from "hono";
import type { Visitor } from "../services/types.ts";
import type { AppEnv, Deps } from "../types.ts";

/**
 * The client IP: the runtime's own view, or, when configured to trust a proxy, the last
 * X-Forwarded-For hop: the one that proxy appended. Earlier hops are whatever the client sent.
 */
function clientIp(c: Context<AppEnv>, deps: Deps): string {
  if (deps.config.trustProxy) {
    const forwarded = c.req.header("X-Forwarded-For")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return deps.clientIp?.(c) ?? "unknown";
}

/** Two-letter country from the edge, when a CDN adds it. */
function edgeCountry(c: Context<AppEnv>): string | null {
  const value = c.req.header("CF-IPCountry") ?? c.req.header("X-Vercel-IP-Country") ?? "";
  return /^[A-Z]{2}$/.test(value) && value !== "XX" ? value : null;
}

export function readVisitor(c: Context<AppEnv>, deps: Deps): Visitor {
  return { ip: clientIp(c, deps), userAgent: c.req.header("User-Agent"), country: edgeCountry(c) };
}
