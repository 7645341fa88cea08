import type { Context } from "hono";
import type { AppEnv } from "../types.ts";

/** The base every link Chorus prints starts with: PUBLIC_URL, else the origin the request came to. */
export function publicBase(c: Context<AppEnv>): string {
  return new URL(c.var.deps.config.publicUrl ?? c.req.url).origin;
}

/**
 * Whether browsers reach this server over https: PUBLIC_URL is https (a TLS-terminating proxy
 * hands the request on as plain http, issue 15), the request itself is, or a trusted proxy says
 * so in X-Forwarded-Proto (its last hop, the one it wrote).
 */
export function reachedOverHttps(c: Context<AppEnv>): boolean {
  const { publicUrl, trustProxy } = c.var.deps.config;
  if (publicUrl?.startsWith("https:") || c.req.url.startsWith("https:")) return true;
  return trustProxy && c.req.header("X-Forwarded-Proto")?.split(",").at(-1)?.trim().toLowerCase() === "https";
}
