import type { Context } from "hono";
import type { AppEnv } from "../types.ts";

/** The base every link Chorus prints starts with: PUBLIC_URL, else the origin the request came to. */
export function publicBase(c: Context<AppEnv>): string {
  return new URL(c.var.deps.config.publicUrl ?? c.req.url).origin;
}
