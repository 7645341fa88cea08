/**
 * The operator's endpoints: `/healthz` (alive: the process and its database answer, one cheap
 * query, for a restart decision), `/readyz` (fit for traffic: migrations current, outboxes
 * draining, for a load balancer or an alert) and `/metrics` (Prometheus text, behind a token).
 */
import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { ApiError, errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireMetricsToken } from "../middleware/metrics-token.ts";
import { readiness } from "../services/readiness.ts";
import { serviceContext } from "./context.ts";

const Health = z.object({ status: z.literal("ok"), database: z.literal("ok"), time: z.string() }).openapi("Health");

const Ready = z
  .object({
    status: z.literal("ready"),
    checks: z.object({
      database: z.string(),
      migrations: z.string(),
      webhooks: z.string(),
      mail: z.string(),
      primary: z.string().openapi({ description: "An embedded replica's primary (DATABASE_SYNC_URL) answers" }),
    }),
  })
  .openapi("Ready");

const health = apiRoute({
  method: "get",
  path: "/healthz",
  tags: ["System"],
  summary: "Liveness and database check",
  responses: {
    200: { description: "The server and its database answer", content: { "application/json": { schema: Health } } },
    ...errorResponses(503),
  },
});

const ready = apiRoute({
  method: "get",
  path: "/readyz",
  tags: ["System"],
  summary: "Readiness: database, migrations and outboxes",
  description:
    "503 (with each check's verdict in `error.details.checks`) when the database does not answer, it lacks a " +
    "migration of this build, a due webhook or email has waited unclaimed longer than READY_OUTBOX_MAX_AGE_SECONDS, " +
    "or, for an embedded replica, its primary does not answer (clicks are held on this server and written " +
    "once it answers; other writes are refused meanwhile).",
  responses: {
    200: { description: "Every check passes", content: { "application/json": { schema: Ready } } },
    ...errorResponses(503),
  },
});

const metrics = apiRoute({
  method: "get",
  path: "/metrics",
  tags: ["System"],
  summary: "Metrics in the Prometheus text format (Node, with METRICS_TOKEN)",
  description:
    "Needs `Authorization: Bearer <METRICS_TOKEN>`. Answers 404 where metrics are off (METRICS_TOKEN unset, or on Workers).",
  security: [{ metricsToken: [] }],
  middleware: [requireMetricsToken] as const,
  responses: {
    200: { description: "The metrics", content: { "text/plain": { schema: z.string() } } },
  },
});

export const healthRoutes = createRouter()
  .openapi(health, async (c) => {
    const { db, clock } = c.var.deps;
    try {
      await db.run(sql`select 1`);
    } catch {
      throw new ApiError("unavailable", "The database does not answer");
    }
    return c.json({ status: "ok" as const, database: "ok" as const, time: clock.now().toISOString() }, 200);
  })
  .openapi(ready, async (c) => {
    const { config, pendingMigrations, mailTransport, primaryProbe, heldClicks } = c.var.deps;
    const verdict = await readiness(serviceContext(c), {
      pendingMigrations,
      maxOverdueSeconds: config.readyOutboxMaxAgeSeconds ?? 300,
      draining: mailTransport ? ["webhooks", "mail"] : ["webhooks"],
      ...(primaryProbe ? { primary: primaryProbe } : {}),
      ...(heldClicks ? { heldClicks } : {}),
    });
    if (!verdict.ready)
      throw new ApiError("unavailable", `Not ready: ${verdict.reasons.join("; ")}`, { checks: verdict.checks });
    return c.json({ status: "ready" as const, checks: verdict.checks }, 200);
  })
  .openapi(metrics, async (c) => {
    // requireMetricsToken let the request through: the endpoint is configured.
    const { contentType, body } = await c.var.deps.metricsEndpoint!.render();
    c.header("Cache-Control", "no-store");
    return c.text(body, 200, { "Content-Type": contentType });
  });
