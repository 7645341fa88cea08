/**
 * What the app and the background work tell the operator: a structured log and a few metrics.
 * Only the shapes live here (Web-safe, no platform): Node writes the log through pino and counts
 * with prom-client (server/node-telemetry.ts), Workers writes JSON lines with console.log
 * (server/lib/console-logger.ts) and keeps no metrics. Absent, everything is silent, so tests and
 * the CLI need not build either.
 *
 * What may go into a field: ids (request, workspace, endpoint, event, message), route patterns,
 * statuses, counts and durations. Never a key, token, cookie, email address or client address:
 * tests/api/personal-data.test.ts scans every line a run writes for them.
 */

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

/** One log line's fields beside its message. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export type Logger = {
  error(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  debug(fields: LogFields, message: string): void;
};

/** The outboxes whose sends are counted and watched. */
export type OutboxName = "webhooks" | "mail";

/** What became of one send from an outbox. */
export type SendOutcome = "delivered" | "retrying" | "failed" | "suppressed";

/** The events the metrics count; each method is cheap and synchronous (the redirect calls one). */
export type Metrics = {
  /** One answered request: its route pattern (never the raw path), method and status. */
  request(route: string, method: string, status: number, seconds: number): void;
  /** One group-commit batch of clicks written (its size), or failed. */
  clickBatch(size: number, written: boolean): void;
  /** One send from an outbox and its outcome. */
  sent(outbox: OutboxName, outcome: SendOutcome): void;
  /** One request refused by a rate limit (a group of program settings, or `sign_in`), by scope. */
  rateLimited(group: string, scope: string): void;
};

export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
};

export const noMetrics: Metrics = {
  request() {},
  clickBatch() {},
  sent() {},
  rateLimited() {},
};

/** Where the background work reports: its log and its counters (both optional). */
export type Telemetry = { log?: Logger; metrics?: Metrics };

/** An error as one log field: its stack (what an operator needs to find the line), or its text. */
export const errorText = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? error.message) : String(error);
