/**
 * The structured log: one JSON line per request (method, route pattern, status, duration,
 * request id, workspace id) and per background job (each webhook delivery, each mail send, each
 * drain), at LOG_LEVEL and above, through pino on Node; the Workers logger writes the same shape
 * with console.log. What may never be in a line (keys, tokens, emails, addresses) is checked by
 * tests/api/personal-data.test.ts over a whole run.
 */
import { afterEach, describe, expect, it } from "vitest";
import { consoleLogger } from "../../server/lib/console-logger.ts";
import { runBackgroundTick, startBackgroundWorker } from "../../server/services/background.ts";
import type { MailTransport } from "../../server/services/mail-outbox.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createOpsApp, type OpsApp } from "../support/ops-app.ts";
import { testConfig } from "../support/test-app.ts";

let t: OpsApp | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

const requestLines = (app: OpsApp) => app.lines().filter((line) => line.msg === "request");

describe("the request log", () => {
  it("writes one JSON line per request with the route pattern, status, duration, request id and workspace", async () => {
    t = await createOpsApp();
    const ws = await workspaceFactory(t.db);
    const program = await t.call("GET", "/v1/admin/program", { headers: { Authorization: `Bearer ${ws.secretKey}` } });
    expect(program.status).toBe(200);
    const missing = await t.call("GET", "/r/asha-7QK2?ch=whatsapp");
    expect(missing.status).toBe(404);
    expect((await t.call("GET", "/v1/admin/program")).status).toBe(401);

    const lines = requestLines(t);
    expect(lines).toHaveLength(3);
    expect(t.rawLog().split("\n").filter(Boolean)).toHaveLength(t.lines().length);
    const [first, second, third] = lines;
    expect(Object.keys(first ?? {}).sort()).toEqual(
      ["durationMs", "level", "method", "msg", "requestId", "route", "status", "time", "workspaceId"].sort(),
    );
    expect(first).toMatchObject({
      level: 30,
      method: "GET",
      route: "/v1/admin/program",
      status: 200,
      requestId: program.headers.get("X-Request-Id"),
      workspaceId: ws.id,
    });
    expect(first?.durationMs).toBeGreaterThanOrEqual(0);
    // The pattern, never the path: a referral code or its query never reaches the log.
    expect(second).toMatchObject({ route: "/r/:code", status: 404, workspaceId: null });
    expect(t.rawLog()).not.toContain("asha-7QK2");
    expect(t.rawLog()).not.toContain("whatsapp");
    // A guard's refusal is logged under the route it guards.
    expect(third).toMatchObject({ route: "/v1/admin/program", status: 401, workspaceId: null });
  });

  it("logs an unexpected failure at error level with its request id, and the 500 line", async () => {
    t = await createOpsApp();
    const ws = await workspaceFactory(t.db);
    t.client.close();
    const response = await t.call("GET", "/v1/admin/program", { headers: { Authorization: `Bearer ${ws.secretKey}` } });
    expect(response.status).toBe(500);
    const requestId = response.headers.get("X-Request-Id");
    const failure = t.lines().find((line) => line.msg === "unexpected error");
    expect(failure).toMatchObject({ level: 50, requestId, route: "/v1/admin/program" });
    expect(String(failure?.error)).toContain("Error");
    expect(requestLines(t)).toEqual([expect.objectContaining({ level: 50, status: 500, requestId })]);
  });

  it("leaves out the lines below LOG_LEVEL", async () => {
    t = await createOpsApp({ logLevel: "warn" });
    expect((await t.call("GET", "/healthz")).status).toBe(200);
    expect(t.lines()).toEqual([]);
  });
});

describe("the background jobs' log", () => {
  it("writes a line per webhook delivery, per mail send and per drain, with ids and outcomes only", async () => {
    t = await createOpsApp();
    const ws = await workspaceFactory(t.db, { settings: { storeEmails: true } });
    const hook = await t.call("POST", "/v1/admin/webhooks", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
      body: { url: "https://hooks.academy.example/chorus", events: ["conversion.attributed"] },
    });
    expect(hook.status).toBe(201);
    const { id: endpointId } = (await hook.json()) as { id: string };
    const priya = await referrerFactory(
      t.db,
      ws.id,
      { sub: "priya", email: "priya@learners.example" },
      { now: t.clock.now() },
    );
    expect((await poster(t, ws.secretKey)(enrollment({ code: priya.code }))).status).toBe(201);

    const sent: string[] = [];
    const transport: MailTransport = { send: async (mail) => void sent.push(mail.to.address) };
    const telemetry = { log: t.log, metrics: t.metrics };
    const report = await runBackgroundTick(
      { db: t.db, clock: t.clock },
      { fetch: async () => new Response(null, { status: 503 }), telemetry },
      {
        transport,
        from: { name: null, address: "rewards@chorus.example" },
        secret: testConfig.secret,
        publicUrl: "https://chorus.test",
        telemetry,
      },
    );
    expect(report.deliveries.retrying).toBe(1);
    expect(sent).toEqual(["priya@learners.example"]);

    const jobs = t.lines().filter((line) => line.job !== undefined);
    expect(jobs.find((line) => line.job === "webhook.delivery")).toMatchObject({
      level: 40,
      msg: "webhook delivery",
      workspaceId: ws.id,
      endpointId,
      eventType: "conversion.attributed",
      attempt: 1,
      statusCode: 503,
      outcome: "retrying",
      error: "HTTP 503",
    });
    expect(jobs.find((line) => line.job === "mail.send")).toMatchObject({
      level: 30,
      msg: "mail send",
      workspaceId: ws.id,
      category: "rewards",
      attempt: 1,
      outcome: "delivered",
      error: null,
    });
    expect(jobs.find((line) => line.job === "drain")).toMatchObject({
      msg: "background tick",
      webhooksClaimed: 1,
      mailClaimed: 1,
    });
    expect(t.rawLog()).not.toContain("priya@learners.example");
    expect(t.rawLog()).not.toContain("hooks.academy.example");
  });
});

describe("the Node background worker's log", () => {
  it("logs a busy tick at info, each send, and idle ticks only at debug", async () => {
    t = await createOpsApp({ logLevel: "debug" });
    const ws = await workspaceFactory(t.db);
    const hook = await t.call("POST", "/v1/admin/webhooks", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
      body: { url: "https://hooks.academy.example/chorus", events: ["conversion.attributed"] },
    });
    expect(hook.status).toBe(201);
    const priya = await referrerFactory(t.db, ws.id, { sub: "priya" }, { now: t.clock.now() });
    expect((await poster(t, ws.secretKey)(enrollment({ code: priya.code }))).status).toBe(201);
    const app = t;
    const worker = startBackgroundWorker(
      { db: t.db, clock: t.clock },
      {
        intervalMs: 60_000,
        delivery: { fetch: async () => new Response(null, { status: 204 }) },
        telemetry: { log: t.log, metrics: t.metrics },
      },
    );
    // The busy tick ticks again once its sends are recorded: that one finds nothing (debug).
    await expect
      .poll(() => app.lines().filter((line) => line.job === "drain").length, { timeout: 5_000 })
      .toBeGreaterThanOrEqual(2);
    await worker.stop();
    const drains = t.lines().filter((line) => line.job === "drain");
    expect(drains[0]).toMatchObject({ level: 30, webhooksClaimed: 1 });
    expect(drains[1]).toMatchObject({ level: 20, webhooksClaimed: 0, approved: 0 });
    expect(t.lines().find((line) => line.job === "webhook.delivery")).toMatchObject({
      level: 30,
      outcome: "delivered",
      statusCode: 204,
    });
  });
});

describe("the Workers log (console.log)", () => {
  it("writes pino's shape as one JSON object per line, at its level and above", () => {
    const written: string[] = [];
    const log = consoleLogger("info", (line) => written.push(line));
    log.debug({ job: "drain" }, "background tick");
    log.info({ requestId: "r1", route: "/r/:code", status: 302 }, "request");
    log.error({ requestId: "r2" }, "unexpected error");
    expect(written.map((line) => JSON.parse(line))).toEqual([
      { level: 30, time: expect.any(Number), requestId: "r1", route: "/r/:code", status: 302, msg: "request" },
      { level: 50, time: expect.any(Number), requestId: "r2", msg: "unexpected error" },
    ]);
    const silent: string[] = [];
    consoleLogger("silent", (line) => silent.push(line)).error({}, "x");
    expect(silent).toEqual([]);
  });
});
