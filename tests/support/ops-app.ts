/**
 * The app as the Node entry builds it for an operator: pino writing JSON lines (captured here,
 * in memory), prom-client metrics with GET /metrics behind a token, the click writer counting its
 * batches and /readyz reading the migrations. Over a fresh database file, with a settable clock.
 */
import { pendingMigrations } from "../../db/migrate.ts";
import { createApp } from "../../server/app.ts";
import type { Config } from "../../server/config.ts";
import type { LogLevel } from "../../server/lib/telemetry.ts";
import { createNodeLogger, createNodeMetrics } from "../../server/node-telemetry.ts";
import { createClickWriter } from "../../server/services/click-writer.ts";
import type { Deps } from "../../server/types.ts";
import { freshDatabase } from "./database.ts";
import { caller, type TestApp, testClock, testConfig } from "./test-app.ts";

export const metricsToken = "metrics-token-0123456789abcdef";

/** One captured log line, parsed: pino's fields plus ours. */
export type LogLine = Record<string, unknown> & { level: number; time: number; msg: string };

export type OpsApp = TestApp & {
  /** Every line written so far, parsed (each must be one JSON object). */
  lines: () => LogLine[];
  /** The raw text written so far. */
  rawLog: () => string;
  log: ReturnType<typeof createNodeLogger>;
  metrics: ReturnType<typeof createNodeMetrics>;
};

export async function createOpsApp(
  options: { logLevel?: LogLevel; config?: Partial<Config>; deps?: Partial<Deps> } = {},
): Promise<OpsApp> {
  const database = await freshDatabase();
  const clock = testClock();
  const written: string[] = [];
  const log = createNodeLogger(options.logLevel ?? "info", { write: (line: string) => void written.push(line) });
  const metrics = createNodeMetrics();
  const clickWriter = createClickWriter({ db: database.db }, { metrics });
  const app = createApp({
    db: database.db,
    clock,
    config: { ...testConfig, ...options.config },
    clickWriter,
    clickRecorder: { exclusive: true },
    log,
    metrics,
    metricsEndpoint: { token: metricsToken, render: () => metrics.render({ db: database.db, clock }) },
    pendingMigrations: () => pendingMigrations(database.client),
    ...options.deps,
  });
  const rawLog = () => written.join("");
  return {
    ...database,
    app,
    clock,
    call: caller(() => app),
    flushClicks: () => clickWriter.flush(),
    log,
    metrics,
    rawLog,
    lines: () =>
      rawLog()
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as LogLine),
  };
}
