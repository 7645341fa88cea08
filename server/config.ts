/** Server configuration, read from the environment once and validated before the first request. */
import { z } from "@hono/zod-openapi";

export const Config = z.object({
  /** Signs sessions and salts IP hashes. Generated and kept in the database when not given. */
  secret: z.string().min(32, "CHORUS_SECRET must be at least 32 characters"),
  /** The public base URL (links, redirects). When absent, the request's own origin is used. */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Where unknown referral codes go instead of the 404 page. */
  fallbackUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Take the client IP from X-Forwarded-For (only behind a proxy you run). */
  trustProxy: z.boolean().default(false),
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10_000_000)
    .default(64 * 1024),
});

export type Config = z.infer<typeof Config>;

/** The environment variables Chorus reads (the README's configuration table lists them). */
export type ConfigEnv = {
  CHORUS_SECRET?: string;
  PUBLIC_URL?: string;
  FALLBACK_URL?: string;
  BODY_LIMIT_BYTES?: string;
  TRUST_PROXY?: string;
};

export function configFromEnv(env: ConfigEnv, defaults: { secret?: string } = {}): Config {
  const parsed = Config.safeParse({
    secret: env.CHORUS_SECRET || defaults.secret,
    publicUrl: env.PUBLIC_URL || undefined,
    fallbackUrl: env.FALLBACK_URL || undefined,
    bodyLimitBytes: env.BODY_LIMIT_BYTES || undefined,
    trustProxy: env.TRUST_PROXY === "1" || env.TRUST_PROXY === "true",
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return parsed.data;
}
