/**
 * GET /metrics: off (404) without METRICS_TOKEN, 401 without the token, and with it a page that
 * parses as the Prometheus text format (tests/support/prometheus-text.ts) whose counters move as
 * requests are made: requests by route pattern and status, latency histograms, clicks written
 * and group-commit batch sizes, rate-limit refusals, webhook sends, outbox depth and age, the
 * database's size.
 */
import { afterEach, describe, expect, it } from "vitest";
import { deliverDueWebhooks } from "../../server/services/webhooks.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { testOrigin, workspaceFactory } from "../support/factories.ts";
import { createOpsApp, metricsToken, type OpsApp } from "../support/ops-app.ts";
import { type Exposition, parsePrometheusText, sampleValue } from "../support/prometheus-text.ts";
import { learnerCode, visitor } from "../support/referrals.ts";
import { createTestApp, expectError } from "../support/test-app.ts";

let t: OpsApp | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

async function scrape(app: OpsApp): Promise<Exposition> {
  const response = await app.call("GET", "/metrics", { headers: { Authorization: `Bearer ${metricsToken}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parsePrometheusText(await response.text());
}

const requests = (page: Exposition, route: string, status: string, method = "GET") =>
  sampleValue(page, "chorus_http_requests_total", { route, method, status });

describe("GET /metrics", () => {
  it("is off (404) where no token is configured", async () => {
    const bare = await createTestApp();
    try {
      const error = await expectError(await bare.call("GET", "/metrics"), 404, "not_found");
      expect(error.message).toContain("METRICS_TOKEN");
    } finally {
      bare.cleanup();
    }
  });

  it("refuses a missing, wrong or differently shaped token with 401", async () => {
    t = await createOpsApp();
    for (const authorization of [
      undefined,
      `Bearer ${metricsToken}x`,
      `Bearer ${metricsToken.slice(1)}`,
      metricsToken,
    ]) {
      const response = await t.call("GET", "/metrics", {
        headers: authorization ? { Authorization: authorization } : {},
      });
      await expectError(response.clone(), 401, "unauthorized");
      expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="metrics"');
    }
    // Refusals leave nothing in the page but their own request count.
    const page = await scrape(t);
    expect(requests(page, "/metrics", "401")).toBe(4);
  });

  it("parses, with a type for every metric, and counts requests by route pattern, never the raw path", async () => {
    t = await createOpsApp();
    const before = await scrape(t);
    expect(before.types.get("chorus_http_requests_total")).toBe("counter");
    expect(before.types.get("chorus_http_request_duration_seconds")).toBe("histogram");
    expect(before.types.get("chorus_outbox_depth")).toBe("gauge");
    expect(before.types.get("process_resident_memory_bytes")).toBe("gauge");
    for (const name of new Set(before.samples.map((sample) => sample.name.replace(/_(bucket|sum|count)$/, ""))))
      expect(before.types.has(name) || before.types.has(`${name}_total`), name).toBe(true);

    for (let i = 0; i < 3; i++) expect((await t.call("GET", "/healthz")).status).toBe(200);
    expect((await t.call("GET", "/r/nosuchcode")).status).toBe(404);
    expect((await t.call("POST", "/nowhere")).status).toBe(404);
    const page = await scrape(t);
    expect(requests(page, "/healthz", "200") - requests(before, "/healthz", "200")).toBe(3);
    expect(sampleValue(page, "chorus_http_request_duration_seconds_count", { route: "/healthz", status: "200" })).toBe(
      3,
    );
    expect(
      sampleValue(page, "chorus_http_request_duration_seconds_bucket", {
        route: "/healthz",
        status: "200",
        le: "+Inf",
      }),
    ).toBe(3);
    expect(requests(page, "/r/:code", "404")).toBe(1);
    expect(requests(page, "unmatched", "404", "POST")).toBe(1);
    expect(
      page.samples.some((sample) => Object.values(sample.labels).some((value) => value.includes("nosuchcode"))),
    ).toBe(false);
  });

  it("counts clicks written, their group-commit batches and rate-limit refusals", async () => {
    t = await createOpsApp({ config: { trustProxy: true } });
    const ws = await workspaceFactory(t.db, { settings: { defaultTargetUrl: "https://academy.example/course" } });
    const code = await learnerCode(t, ws, "advocate-1");
    const redirects = await Promise.all(
      ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"].map((ip) =>
        t!.call("GET", `/r/${code}`, { headers: visitor(ip) }),
      ),
    );
    expect(redirects.map((response) => response.status)).toEqual([302, 302, 302, 302]);
    await t.flushClicks();
    let page = await scrape(t);
    expect(sampleValue(page, "chorus_clicks_written_total")).toBe(4);
    expect(sampleValue(page, "chorus_click_batch_size_sum")).toBe(4);
    // Concurrent clicks share a transaction: fewer batches than clicks.
    const batches = sampleValue(page, "chorus_click_batch_size_count");
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThan(4);
    expect(requests(page, "/r/:code", "302")).toBe(4);

    const limits = await t.call("PATCH", "/v1/admin/program", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
      body: { rateLimits: { clicks: { perVisitor: { limit: 1, windowSeconds: 60 } } } },
    });
    expect(limits.status).toBe(200);
    const beacon = () =>
      t!.call("POST", "/v1/clicks", {
        headers: { ...visitor("198.51.100.9"), "Chorus-Key": ws.publishableKey, Origin: testOrigin },
        body: { code },
      });
    expect((await beacon()).status).toBe(201);
    expect((await beacon()).status).toBe(429);
    expect((await beacon()).status).toBe(429);
    page = await scrape(t);
    expect(sampleValue(page, "chorus_rate_limited_total", { group: "clicks", scope: "visitor" })).toBe(2);
    expect(requests(page, "/v1/clicks", "429", "POST")).toBe(2);
  });

  it("shows the webhook outbox's depth and age, its sends by outcome, and the database's size", async () => {
    t = await createOpsApp();
    const ws = await workspaceFactory(t.db);
    const hook = await t.call("POST", "/v1/admin/webhooks", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
      body: { url: "https://hooks.academy.example/chorus", events: ["conversion.attributed", "reward.created"] },
    });
    expect(hook.status).toBe(201);
    const priya = await referrerFactory(t.db, ws.id, { sub: "priya" }, { now: t.clock.now() });
    expect((await poster(t, ws.secretKey)(enrollment({ code: priya.code }))).status).toBe(201);
    t.clock.advance(90_000);
    let page = await scrape(t);
    const depth = sampleValue(page, "chorus_outbox_depth", { outbox: "webhooks" });
    expect(depth).toBeGreaterThanOrEqual(1);
    expect(sampleValue(page, "chorus_outbox_oldest_age_seconds", { outbox: "webhooks" })).toBe(90);
    expect(sampleValue(page, "chorus_outbox_overdue_seconds", { outbox: "webhooks" })).toBe(90);
    expect(sampleValue(page, "chorus_outbox_depth", { outbox: "mail" })).toBe(0);

    const telemetry = { log: t.log, metrics: t.metrics };
    const refused = async () => new Response(null, { status: 500 });
    const run = await deliverDueWebhooks(
      { db: t.db, clock: t.clock },
      { fetch: refused, maxAttempts: 1, perEndpoint: 10, telemetry },
    );
    expect(run.failed).toBe(depth);
    page = await scrape(t);
    expect(sampleValue(page, "chorus_outbox_sends_total", { outbox: "webhooks", outcome: "failed" })).toBe(depth);
    expect(sampleValue(page, "chorus_outbox_depth", { outbox: "webhooks" })).toBe(0);
    expect(sampleValue(page, "chorus_outbox_oldest_age_seconds", { outbox: "webhooks" })).toBe(0);

    expect(sampleValue(page, "chorus_database_up")).toBe(1);
    const pages = await t.client.execute(
      "select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()",
    );
    expect(sampleValue(page, "chorus_database_size_bytes")).toBe(Number(pages.rows[0]?.bytes));
    expect(sampleValue(page, "chorus_database_size_bytes")).toBeGreaterThan(100_000);
  });

  it("still answers when the database does not, saying so, with the process figures", async () => {
    t = await createOpsApp();
    t.client.close();
    const page = await scrape(t);
    expect(sampleValue(page, "chorus_database_up")).toBe(0);
    expect(sampleValue(page, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });
});
