/**
 * The one module that reads the environment. Every variable of the README's configuration table
 * is validated here, before anything else happens, so a mistake stops the start with a message
 * that names the variable (`PORT=abc` must not become NaN). The entries (node.ts, worker.ts,
 * cli.ts) each read the variables they use; everything else takes plain values.
 */
import { z } from "zod";
import { webUrl } from "../db/web-url.ts";
import { logLevels } from "./lib/telemetry.ts";

export const defaultDatabaseUrl = "file:./data/chorus.db";

/** What `createApp` is given as `deps.config`. */
export type Config = {
  /** Signs sessions and salts IP hashes (32+ characters). Generated and kept in the database on Node when not given. */
  secret: string;
  /** The public base URL (links, redirects). When absent, the request's own origin is used. */
  publicUrl?: string;
  /** Where unknown referral codes go instead of the 404 page. */
  fallbackUrl?: string;
  /** Take the client IP from X-Forwarded-For (only behind a proxy you run). */
  trustProxy: boolean;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  /**
   * Counted clicks per address per minute in one workspace, whatever the user agent; null turns
   * it off. Absent: the default (defaultClicksPerAddressPerMinute in server/lib/rate-limiter.ts).
   */
  clicksPerAddressPerMinute?: number | null;
  /** The most webhook endpoints one workspace may have (default 20). */
  webhookEndpointLimit?: number;
  /** `GET /readyz` fails once a due outbox message has waited this long unclaimed (default 300). */
  readyOutboxMaxAgeSeconds?: number;
};

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be from ${min} to ${max}`).max(max, `must be from ${min} to ${max}`));

const flag = (meaning: string) =>
  z
    .enum(["0", "1", "true", "false"], { error: `must be 1 or 0 (${meaning})` })
    .transform((value) => value === "1" || value === "true");

const httpUrl = webUrl({ error: "must be an http(s) URL such as https://go.acme.example" });

/** The variables, by their names: a failure's path is the variable that is wrong. */
const Env = z.object({
  PORT: wholeNumber(0, 65_535).default(8787),
  HOST: z.string().default("localhost"),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|libsql:|https?:|wss?:)/, "must be file:PATH, libsql://… or http(s)://… (a libSQL server)")
    .default(defaultDatabaseUrl),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  // An embedded file as a libSQL embedded replica of this server (docs/operations-data.md).
  DATABASE_SYNC_URL: z
    .string()
    .regex(
      /^(libsql:|https?:|wss?:)\/\/[^\s]+$/,
      "must be libsql://… or http(s)://… (the libSQL server or Turso database to replicate)",
    )
    .optional(),
  DATABASE_SYNC_INTERVAL_SECONDS: wholeNumber(1, 3600).default(1),
  PUBLIC_URL: httpUrl.optional(),
  FALLBACK_URL: httpUrl.optional(),
  CHORUS_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  // Unset: on for a first run, off in production (see demoSetting).
  CHORUS_DEMO: flag("0 skips the demo workspace").optional(),
  NODE_ENV: z.string().optional(),
  // Anything but `normal` keeps the safe default: a typo must never weaken durability.
  CHORUS_DB_SYNCHRONOUS: z
    .string()
    .optional()
    .transform((value): "FULL" | "NORMAL" => (value?.toLowerCase() === "normal" ? "NORMAL" : "FULL")),
  // Node: the folder uploaded media (story photos, videos) are kept in; default `media/` in the data folder.
  MEDIA_DIR: z.string().min(1).optional(),
  TRUST_PROXY: flag("1 only behind your own proxy").default(false),
  BODY_LIMIT_BYTES: wholeNumber(1024, 10_000_000).default(64 * 1024),
  // 0 turns the limit off; unset keeps the default (300).
  CLICKS_PER_ADDRESS_PER_MINUTE: wholeNumber(0, 1_000_000).optional(),
  CHORUS_WEBHOOK_ENDPOINTS_MAX: wholeNumber(1, 1000).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, "must be smtp://[user:password@]host[:port] or smtps://…")
    .optional(),
  MAIL_FROM: z.email("must be one email address, such as rewards@acme.example").max(254).optional(),
  MAIL_PER_RECIPIENT_PER_DAY: wholeNumber(1, 1000).default(10),
  // Workers: the HTTP email API (Resend's, or one that speaks its request shape).
  MAIL_API_URL: httpUrl.optional(),
  MAIL_API_KEY: z.string().min(1).optional(),
  // Operations (docs/operations.md): the log's level, the /metrics token, /readyz's outbox limit.
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(", ")}` }).default("info"),
  METRICS_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
  READY_OUTBOX_MAX_AGE_SECONDS: wholeNumber(60, 86_400).default(300),
});

export type EnvName = keyof z.input<typeof Env>;
/** The environment as the process (or the Workers bindings) hands it over. */
export type RawEnv = Partial<Record<EnvName, string>>;
type Env = z.output<typeof Env>;

/** A configuration mistake: the message names each wrong variable and says what it must be. */
export class ConfigError extends Error {}

const secretNames = new Set<string>([
  "CHORUS_SECRET",
  "DATABASE_AUTH_TOKEN",
  "DATABASE_URL",
  "DATABASE_SYNC_URL",
  "SMTP_URL",
  "MAIL_API_KEY",
  "METRICS_TOKEN",
]);

function read<K extends EnvName>(raw: RawEnv, names: readonly K[]): Pick<Env, K> {
  // An empty variable counts as unset (as a blank line in an .env file means).
  const given = Object.fromEntries(names.map((name) => [name, raw[name] === "" ? undefined : raw[name]]));
  // Only the caller's variables are given: the others parse as unset, and cannot fail.
  const parsed = Env.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      // Secrets are never echoed: on Workers this message is the answer to every request.
      const got = secretNames.has(name) ? "" : ` (got ${JSON.stringify(given[name])})`;
      return `${name} ${issue.message}${got}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return parsed.data;
}

const appNames = [
  "PUBLIC_URL",
  "FALLBACK_URL",
  "TRUST_PROXY",
  "BODY_LIMIT_BYTES",
  "CLICKS_PER_ADDRESS_PER_MINUTE",
  "CHORUS_WEBHOOK_ENDPOINTS_MAX",
  "READY_OUTBOX_MAX_AGE_SECONDS",
] as const;

function appConfig(env: Pick<Env, (typeof appNames)[number]>, secret: string): Config {
  return {
    secret,
    publicUrl: env.PUBLIC_URL,
    fallbackUrl: env.FALLBACK_URL,
    trustProxy: env.TRUST_PROXY,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    ...(env.CLICKS_PER_ADDRESS_PER_MINUTE === undefined
      ? {}
      : { clicksPerAddressPerMinute: env.CLICKS_PER_ADDRESS_PER_MINUTE || null }),
    webhookEndpointLimit: env.CHORUS_WEBHOOK_ENDPOINTS_MAX,
    readyOutboxMaxAgeSeconds: env.READY_OUTBOX_MAX_AGE_SECONDS,
  };
}

/** The Node server's settings (`npm start`). Without CHORUS_SECRET the entry generates one. */
export function nodeSettings(raw: RawEnv) {
  const env = read(raw, [
    "PORT",
    "HOST",
    "DATABASE_URL",
    "DATABASE_AUTH_TOKEN",
    "DATABASE_SYNC_URL",
    "DATABASE_SYNC_INTERVAL_SECONDS",
    "CHORUS_SECRET",
    "CHORUS_DEMO",
    "NODE_ENV",
    "CHORUS_DB_SYNCHRONOUS",
    "SMTP_URL",
    "MAIL_FROM",
    "MAIL_PER_RECIPIENT_PER_DAY",
    "LOG_LEVEL",
    "METRICS_TOKEN",
    "MEDIA_DIR",
    ...appNames,
  ]);
  // Links, QR codes (cached publicly for a day) and redirects would otherwise be built from the
  // request's Host header, which any client sets.
  if (env.NODE_ENV === "production" && !env.PUBLIC_URL)
    throw new ConfigError(
      "Invalid configuration:\n  PUBLIC_URL must be set when NODE_ENV=production (links are built from it, never from the request's Host header)",
    );
  return {
    port: env.PORT,
    host: env.HOST,
    database: databaseSettings(env),
    ...demoSetting(env),
    secret: env.CHORUS_SECRET,
    mail: mailSettings(env),
    logLevel: env.LOG_LEVEL,
    /** GET /metrics answers only with this bearer token; unset, /metrics is off (404). */
    metricsToken: env.METRICS_TOKEN,
    /** Where media files are kept; unset, `media/` beside the database file (server/node.ts). */
    mediaDir: env.MEDIA_DIR,
    /** The app's config, once the secret is known (given, or kept in the database). */
    config: (secret: string) => appConfig(env, secret),
  };
}

/** SMTP mail, when both SMTP_URL and MAIL_FROM are set; neither: mail is off (messages wait queued). */
export type MailSettings = { smtpUrl: string; from: string; perRecipientPerDay: number };

function mailSettings(env: Pick<Env, "SMTP_URL" | "MAIL_FROM" | "MAIL_PER_RECIPIENT_PER_DAY">): MailSettings | null {
  if (!env.SMTP_URL && !env.MAIL_FROM) return null;
  if (!env.SMTP_URL || !env.MAIL_FROM)
    throw new ConfigError(
      `Invalid configuration:\n  ${env.SMTP_URL ? "MAIL_FROM" : "SMTP_URL"} must be set too: mail needs both SMTP_URL and MAIL_FROM`,
    );
  return { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, perRecipientPerDay: env.MAIL_PER_RECIPIENT_PER_DAY };
}

/**
 * The demo workspace and its `/demo` site (whose checkout lets anyone create enrolments and
 * rewards) are for a first run. Unless CHORUS_DEMO says otherwise they are off in production:
 * `NODE_ENV=production`, or a public URL on https (a deployed server). The banner says why.
 */
function demoSetting(env: Pick<Env, "CHORUS_DEMO" | "NODE_ENV" | "PUBLIC_URL">) {
  if (env.CHORUS_DEMO !== undefined)
    return { demo: env.CHORUS_DEMO, demoReason: `CHORUS_DEMO=${env.CHORUS_DEMO ? 1 : 0}` };
  const production =
    env.NODE_ENV === "production"
      ? "NODE_ENV=production"
      : env.PUBLIC_URL?.startsWith("https:")
        ? "PUBLIC_URL is https"
        : null;
  return production
    ? { demo: false, demoReason: `${production}; CHORUS_DEMO=1 turns it on` }
    : { demo: true, demoReason: "a first run; CHORUS_DEMO=0 turns it off" };
}

/** The CLI's settings: only the database. */
export function cliSettings(raw: RawEnv) {
  return databaseSettings(
    read(raw, [
      "DATABASE_URL",
      "DATABASE_AUTH_TOKEN",
      "DATABASE_SYNC_URL",
      "DATABASE_SYNC_INTERVAL_SECONDS",
      "CHORUS_DB_SYNCHRONOUS",
    ]),
  );
}

/** The server secret as the CLI reads it (imports hash emails with it); unset: the one the server stored. */
export function cliServerSecret(raw: RawEnv): string | undefined {
  return read(raw, ["CHORUS_SECRET"]).CHORUS_SECRET;
}

/**
 * What `chorus member add` needs to print a working sign-in link: the server's secret (the one it
 * runs with; without CHORUS_SECRET, the one it keeps in the database) and its public address.
 */
export function cliLinkSettings(raw: RawEnv) {
  const env = read(raw, ["CHORUS_SECRET", "PUBLIC_URL", "PORT"]);
  return { secret: env.CHORUS_SECRET, publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}` };
}

export type DatabaseSettings = {
  url: string;
  authToken?: string;
  /** Embedded files only: the `synchronous` pragma (db/migrate.ts prepareFileDatabase). */
  synchronous: "FULL" | "NORMAL";
  /** Embedded files only: the file is an embedded replica of this libSQL server (authToken is its token). */
  sync?: { url: string; intervalSeconds: number };
};

type DatabaseEnv = Pick<
  Env,
  | "DATABASE_URL"
  | "DATABASE_AUTH_TOKEN"
  | "DATABASE_SYNC_URL"
  | "DATABASE_SYNC_INTERVAL_SECONDS"
  | "CHORUS_DB_SYNCHRONOUS"
>;

function databaseSettings(env: DatabaseEnv): DatabaseSettings {
  // A replica needs a local file to hold the copy; a remote DATABASE_URL already is the server.
  if (env.DATABASE_SYNC_URL && !env.DATABASE_URL.startsWith("file:"))
    throw new ConfigError(
      "Invalid configuration:\n  DATABASE_SYNC_URL needs DATABASE_URL to be a file:PATH (the embedded replica's local copy)",
    );
  return {
    url: env.DATABASE_URL,
    authToken: env.DATABASE_AUTH_TOKEN,
    synchronous: env.CHORUS_DB_SYNCHRONOUS,
    ...(env.DATABASE_SYNC_URL
      ? { sync: { url: env.DATABASE_SYNC_URL, intervalSeconds: env.DATABASE_SYNC_INTERVAL_SECONDS } }
      : {}),
  };
}

/** CHORUS_DB_SYNCHRONOUS as the embedded file's `synchronous` pragma. */
export const fileSynchronous = (raw: RawEnv): "FULL" | "NORMAL" =>
  read(raw, ["CHORUS_DB_SYNCHRONOUS"]).CHORUS_DB_SYNCHRONOUS;

/**
 * The worker's settings, from its bindings. DATABASE_URL and CHORUS_SECRET are required there:
 * unlike Node there is no default file and no start-up step that could generate a secret.
 */
export function workerSettings(raw: RawEnv) {
  const missing = (["DATABASE_URL", "CHORUS_SECRET"] as const).filter((name) => !raw[name]?.trim());
  if (missing.length > 0) {
    throw new ConfigError(
      `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set: set DATABASE_URL in wrangler.toml [vars] and the secrets with \`wrangler secret put NAME\``,
    );
  }
  const env = read(raw, [
    "DATABASE_URL",
    "DATABASE_AUTH_TOKEN",
    "CHORUS_SECRET",
    "MAIL_API_URL",
    "MAIL_API_KEY",
    "MAIL_FROM",
    "MAIL_PER_RECIPIENT_PER_DAY",
    "LOG_LEVEL",
    ...appNames,
  ]);
  if (env.DATABASE_URL.startsWith("file:"))
    throw new ConfigError("DATABASE_URL cannot be a file: on Workers: use a libSQL server (libsql://… or https://…)");
  return {
    database: { url: overHttp(env.DATABASE_URL), authToken: env.DATABASE_AUTH_TOKEN },
    config: appConfig(env, env.CHORUS_SECRET!),
    mail: workerMailSettings(env),
    logLevel: env.LOG_LEVEL,
  };
}

/**
 * The worker speaks libSQL over HTTP only (`@libsql/client/http`: its WebSocket client would add
 * ~4 KB gzip to every cold start). A libSQL server answers both on the same address, so a
 * `ws://`/`wss://` URL is the same server over `http://`/`https://`; `libsql://` already means HTTPS.
 */
function overHttp(url: string): string {
  return url.replace(/^ws(s?):/i, "http$1:");
}

/**
 * Workers mail through an HTTP email API, when MAIL_API_KEY and MAIL_FROM are set; neither: mail
 * is off (messages wait queued). A cron run has no request to take an origin from, so the
 * unsubscribe links need PUBLIC_URL.
 */
export type WorkerMailSettings = {
  apiUrl?: string;
  apiKey: string;
  from: string;
  publicUrl: string;
  perRecipientPerDay: number;
};

function workerMailSettings(
  env: Pick<Env, "MAIL_API_URL" | "MAIL_API_KEY" | "MAIL_FROM" | "MAIL_PER_RECIPIENT_PER_DAY" | "PUBLIC_URL">,
): WorkerMailSettings | null {
  if (!env.MAIL_API_KEY && !env.MAIL_FROM) return null;
  const missing = [
    !env.MAIL_API_KEY && "MAIL_API_KEY",
    !env.MAIL_FROM && "MAIL_FROM",
    !env.PUBLIC_URL && "PUBLIC_URL",
  ].filter(Boolean);
  if (missing.length > 0)
    throw new ConfigError(
      `Invalid configuration:\n  ${missing.join(" and ")} must be set too: mail on Workers needs MAIL_API_KEY, MAIL_FROM and PUBLIC_URL (the base of unsubscribe links)`,
    );
  return {
    apiUrl: env.MAIL_API_URL,
    apiKey: env.MAIL_API_KEY!,
    from: env.MAIL_FROM!,
    publicUrl: env.PUBLIC_URL!,
    perRecipientPerDay: env.MAIL_PER_RECIPIENT_PER_DAY,
  };
}
