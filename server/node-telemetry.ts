/**
 * The Node server's log (pino: one JSON line per event on stdout) and metrics (prom-client,
 * served at GET /metrics in the Prometheus text format). Each app gets its own registry, so two
 * apps in one process (the tests) never add to each other's counters.
 */
import pino, { type DestinationStream } from "pino";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Logger, LogLevel, Metrics } from "./lib/telemetry.ts";
import { databaseBytes, outboxBacklog } from "./services/readiness.ts";
import type { ServiceContext } from "./services/types.ts";

/** pino at `level`, writing to stdout (or `destination`, in tests). */
export function createNodeLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const logger = pino(
    {
      level,
      // No pid or hostname on every line: the process manager (systemd, Docker) adds its own.
      base: undefined,
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
  return {
    error: (fields, message) => logger.error(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
    info: (fields, message) => logger.info(fields, message),
    debug: (fields, message) => logger.debug(fields, message),
  };
}

/** The latency buckets, in seconds: a redirect answers in about a millisecond, an export in seconds. */
const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Group-commit batch sizes (server/lib/group-commit.ts writes at most 500 clicks at once). */
const batchBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500];

export type NodeMetrics = Metrics & {
  /** The Prometheus text, with the gauges read from the database at this moment. */
  render(ctx: ServiceContext): Promise<{ contentType: string; body: string }>;
  /** Where `chorus_clicks_held` reads an embedded replica's held clicks (server/node-click-spool.ts). */
  watchHeldClicks(held: () => number): void;
};

export function createNodeMetrics(): NodeMetrics {
  const registry = new Registry();
  // Memory, CPU, event-loop lag and open handles of this process (prom-client's standard set).
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requests = new Counter({
    name: "chorus_http_requests_total",
    help: "Requests answered, by route pattern, method and status.",
    labelNames: ["route", "method", "status"],
    registers,
  });
  const latency = new Histogram({
    name: "chorus_http_request_duration_seconds",
    help: "Time to answer a request, by route pattern, method and status.",
    labelNames: ["route", "method", "status"],
    buckets: latencyBuckets,
    registers,
  });
  const clicksWritten = new Counter({
    name: "chorus_clicks_written_total",
    help: "Click rows committed by the group committer.",
    registers,
  });
  const batchSizes = new Histogram({
    name: "chorus_click_batch_size",
    help: "Clicks per group-commit transaction.",
    buckets: batchBuckets,
    registers,
  });
  const failedBatches = new Counter({
    name: "chorus_click_batches_failed_total",
    help: "Group-commit transactions that failed (every click in them answered an error).",
    registers,
  });
  const sent = new Counter({
    name: "chorus_outbox_sends_total",
    help: "Sends from an outbox (webhooks, mail), by outcome: delivered, retrying, failed, suppressed.",
    labelNames: ["outbox", "outcome"],
    registers,
  });
  const rateLimited = new Counter({
    name: "chorus_rate_limited_total",
    help: "Requests refused by a rate limit, by limit group and scope.",
    labelNames: ["group", "scope"],
    registers,
  });
  const depth = new Gauge({
    name: "chorus_outbox_depth",
    help: "Messages waiting in an outbox (pending webhook deliveries, queued mail).",
    labelNames: ["outbox"],
    registers,
  });
  const oldest = new Gauge({
    name: "chorus_outbox_oldest_age_seconds",
    help: "Age of the oldest message waiting in an outbox (back-offs included).",
    labelNames: ["outbox"],
    registers,
  });
  const overdue = new Gauge({
    name: "chorus_outbox_overdue_seconds",
    help: "How long the longest-waiting due message has gone unclaimed (what /readyz compares with its limit).",
    labelNames: ["outbox"],
    registers,
  });
  const databaseUp = new Gauge({
    name: "chorus_database_up",
    help: "1 when the database answered this scrape's queries, 0 when not (the outbox and size gauges then keep their last values).",
    registers,
  });
  const size = new Gauge({
    name: "chorus_database_size_bytes",
    help: "The database's pages in bytes (page_count x page_size).",
    registers,
  });
  let heldClicks = () => 0;
  new Gauge({
    name: "chorus_clicks_held",
    help: "Clicks an embedded replica keeps locally because its primary did not answer, not yet written there (0 otherwise).",
    registers,
    collect() {
      this.set(heldClicks());
    },
  });

  return {
    request(route, method, status, seconds) {
      const labels = { route, method, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    clickBatch(count, written) {
      if (!written) {
        failedBatches.inc();
        return;
      }
      clicksWritten.inc(count);
      batchSizes.observe(count);
    },
    sent(outbox, outcome) {
      sent.inc({ outbox, outcome });
    },
    rateLimited(group, scope) {
      rateLimited.inc({ group, scope });
    },
    watchHeldClicks(held) {
      heldClicks = held;
    },
    async render(ctx) {
      // A database that does not answer must not cost the scrape: the process figures are what
      // an operator needs most then.
      try {
        const [backlog, bytes] = await Promise.all([outboxBacklog(ctx), databaseBytes(ctx)]);
        for (const [outbox, figures] of Object.entries(backlog)) {
          depth.set({ outbox }, figures.depth);
          oldest.set({ outbox }, figures.oldestAgeSeconds);
          overdue.set({ outbox }, figures.overdueSeconds);
        }
        size.set(bytes);
        databaseUp.set(1);
      } catch {
        databaseUp.set(0);
      }
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
