import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb } from "../../db/index.ts";
import { deliverDueWebhooks } from "../../server/services/webhooks.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";
import { startReceiver } from "../support/webhook-receiver.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let auth: Record<string, string>;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  auth = { Authorization: `Bearer ${ws.secretKey}` };
});
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  t.cleanup();
});

/** What a receiver does: recompute the HMAC over `t.body` and compare in constant time. */
function verify(header: string, body: string, secret: string) {
  const parts = Object.fromEntries(header.split(",").map((part) => part.split("=") as [string, string]));
  const expected = createHmac("sha256", secret).update(`${parts.t}.${body}`).digest("hex");
  return { ok: timingSafeEqual(Buffer.from(expected), Buffer.from(parts.v1 ?? "")), timestamp: Number(parts.t) };
}

/** Receivers here listen on 127.0.0.1: the admin opts each endpoint in to private targets (self-hosting). */
async function createEndpoint(url: string, events?: string[]) {
  const response = await t.call("POST", "/v1/admin/webhooks", {
    body: { url, events, allowPrivateNetwork: true },
    headers: auth,
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; secret: string; url: string; events: string[] };
}

const deps = () => ({ db: t.db, clock: t.clock });

describe("webhook delivery", () => {
  it("retries with backoff until the receiver accepts, delivers once, signed", async () => {
    receiver = await startReceiver([500, 503, 200]);
    const endpoint = await createEndpoint(receiver.url, ["conversion.attributed"]);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const priya = await referrerFactory(t.db, ws.id, { sub: "priya" }, { now: t.clock.now() });
    await poster(t, ws.secretKey)(enrollment({ id: "order-9", code: priya.code }));

    expect(await deliverDueWebhooks(deps(), { baseBackoffMs: 1000 })).toMatchObject({ claimed: 1, retrying: 1 });
    // Not due yet: the backoff holds it back.
    expect(await deliverDueWebhooks(deps(), { baseBackoffMs: 1000 })).toMatchObject({ claimed: 0 });
    t.clock.advance(1000);
    expect(await deliverDueWebhooks(deps(), { baseBackoffMs: 1000 })).toMatchObject({ claimed: 1, retrying: 1 });
    t.clock.advance(1000);
    expect(await deliverDueWebhooks(deps(), { baseBackoffMs: 1000 })).toMatchObject({ claimed: 0 });
    t.clock.advance(1000); // second retry waits 2 × base
    expect(await deliverDueWebhooks(deps(), { baseBackoffMs: 1000 })).toMatchObject({ claimed: 1, delivered: 1 });
    t.clock.advance(3_600_000);
    expect(await deliverDueWebhooks(deps(), { baseBackoffMs: 1000 })).toMatchObject({ claimed: 0 });

    expect(receiver.received).toHaveLength(3);
    const last = receiver.received[2]!;
    const event = JSON.parse(last.body);
    expect(event).toMatchObject({ type: "conversion.attributed", data: { conversion: { externalId: "order-9" } } });
    expect(new Set(receiver.received.map((r) => r.headers["chorus-event-id"]))).toEqual(new Set([event.id]));
    const signature = verify(String(last.headers["chorus-signature"]), last.body, endpoint.secret);
    expect(signature.ok).toBe(true);
    expect(signature.timestamp).toBe(Math.floor(t.clock.now().getTime() / 1000) - 3600);
    expect(verify(String(last.headers["chorus-signature"]), last.body, "whsec_wrong").ok).toBe(false);

    const log = await (await t.call("GET", `/v1/admin/webhooks/${endpoint.id}/deliveries`, { headers: auth })).json();
    expect(log.items).toEqual([
      expect.objectContaining({
        eventId: event.id,
        type: "conversion.attributed",
        status: "delivered",
        attempts: 3,
        lastStatusCode: 200,
      }),
    ]);
  });

  it("lets two workers run at once without sending anything twice", async () => {
    receiver = await startReceiver();
    await createEndpoint(receiver.url);
    const priya = await referrerFactory(t.db, ws.id, { sub: "priya" }, { now: t.clock.now() });
    const post = poster(t, ws.secretKey);
    for (let i = 0; i < 5; i++) await post(enrollment({ code: priya.code }));
    // Three runners over their own drizzle handles, small batches so they interleave.
    const runners = Array.from({ length: 3 }, () => createDb(t.client));
    const runUntilEmpty = async (db: (typeof runners)[number]) => {
      const reports = [];
      for (;;) {
        const report = await deliverDueWebhooks({ db, clock: t.clock }, { batchSize: 2 });
        if (report.claimed === 0) return reports;
        reports.push(report);
      }
    };
    const reports = (await Promise.all(runners.map(runUntilEmpty))).flat();
    expect(reports.length).toBeGreaterThanOrEqual(8);
    // 5 × (conversion.attributed + 2 × reward.created)
    expect(reports.reduce((sum, report) => sum + report.delivered, 0)).toBe(15);
    expect(receiver.received).toHaveLength(15);
    expect(new Set(receiver.received.map((r) => r.headers["chorus-event-id"])).size).toBe(15);
  });

  it("marks a delivery failed after the last attempt, and resends it on request", async () => {
    receiver = await startReceiver([500, 500, 200]);
    const endpoint = await createEndpoint(receiver.url, ["reward.created"]);
    const priya = await referrerFactory(t.db, ws.id, { sub: "priya" }, { now: t.clock.now() });
    await poster(t, ws.secretKey)(enrollment({ code: priya.code, customer: { id: "f" } }));
    // Two reward.created events; both fail on their only attempt.
    expect(await deliverDueWebhooks(deps(), { maxAttempts: 1 })).toMatchObject({ failed: 2 });
    const log = await (
      await t.call("GET", `/v1/admin/webhooks/${endpoint.id}/deliveries?status=failed`, { headers: auth })
    ).json();
    expect(log.items).toHaveLength(2);
    expect(log.items[0]).toMatchObject({ status: "failed", lastStatusCode: 500, lastError: "HTTP 500" });
    const eventId = log.items[0].eventId;
    const one = await (
      await t.call("GET", `/v1/admin/webhooks/${endpoint.id}/deliveries?event=${eventId}`, { headers: auth })
    ).json();
    expect(one.items.map((item: { eventId: string }) => item.eventId)).toEqual([eventId]);
    const resent = await t.call("POST", `/v1/admin/webhooks/${endpoint.id}/deliveries/${eventId}/resend`, {
      headers: auth,
    });
    expect(await resent.json()).toMatchObject({ status: "pending", eventId });
    expect(await deliverDueWebhooks(deps())).toMatchObject({ claimed: 1, delivered: 1 });
    expect(receiver.received.at(-1)?.headers["chorus-event-id"]).toBe(eventId);
  });

  it("records network errors and keeps retrying", async () => {
    // A port nothing listens on (fetch refuses port 9 itself, before connecting).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", () => resolve()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const endpoint = await createEndpoint(`http://127.0.0.1:${port}/unreachable`);
    await poster(
      t,
      ws.secretKey,
    )(enrollment({ code: (await referrerFactory(t.db, ws.id, {}, { now: t.clock.now() })).code }));
    const report = await deliverDueWebhooks(deps(), { timeoutMs: 2000, perEndpoint: 3, random: () => 0 });
    expect(report.retrying).toBe(3);
    const log = await (await t.call("GET", `/v1/admin/webhooks/${endpoint.id}/deliveries`, { headers: auth })).json();
    // A class of failure, never the error's own text (issue 15: the log was a port scanner).
    expect(log.items[0].lastError).toBe("refused: the connection was refused");
    // Three failures in a row: the endpoint backs off 30 s, 60 s, then 120 s.
    const later = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString();
    expect(log.items.map((item: { nextAttemptAt: string }) => item.nextAttemptAt).sort()).toEqual(
      [30_000, 60_000, 120_000].map(later),
    );
  });

  it("logs a target that accepts but never answers as a timeout, with nothing of the remote", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    try {
      const port = (silent.address() as { port: number }).port;
      const endpoint = await createEndpoint(`http://127.0.0.1:${port}/hook`);
      await poster(
        t,
        ws.secretKey,
      )(enrollment({ code: (await referrerFactory(t.db, ws.id, {}, { now: t.clock.now() })).code }));
      await deliverDueWebhooks(deps(), { timeoutMs: 300, perEndpoint: 3 });
      const log = await (await t.call("GET", `/v1/admin/webhooks/${endpoint.id}/deliveries`, { headers: auth })).json();
      expect(log.items[0]).toMatchObject({ lastStatusCode: null, lastError: "timeout: no answer within 0.3 s" });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("webhook endpoints", () => {
  it("are listed without their secret and deleted", async () => {
    const endpoint = await createEndpoint("https://hooks.example/chorus");
    const list = await (await t.call("GET", "/v1/admin/webhooks", { headers: auth })).json();
    expect(list).toEqual({
      items: [
        {
          id: endpoint.id,
          url: "https://hooks.example/chorus",
          events: [],
          allowPrivateNetwork: true,
          status: "active",
          pausedAt: null,
          pauseReason: null,
          consecutiveFailures: 0,
          retryAt: null,
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    expect(JSON.stringify(list)).not.toContain(endpoint.secret);
    expect((await t.call("DELETE", `/v1/admin/webhooks/${endpoint.id}`, { headers: auth })).status).toBe(204);
    expect((await (await t.call("GET", "/v1/admin/webhooks", { headers: auth })).json()).items).toEqual([]);
    await expectError(await t.call("DELETE", `/v1/admin/webhooks/${endpoint.id}`, { headers: auth }), 404, "not_found");
  });

  it("get no deliveries after deletion: the queue is dropped with the endpoint, not left to a worker", async () => {
    receiver = await startReceiver();
    const endpoint = await createEndpoint(receiver.url);
    const code = (await referrerFactory(t.db, ws.id, {}, { now: t.clock.now() })).code;
    await poster(t, ws.secretKey)(enrollment({ code }));
    await t.call("DELETE", `/v1/admin/webhooks/${endpoint.id}`, { headers: auth });
    const queue = await t.client.execute({
      sql: "select status, last_error from webhook_deliveries where endpoint_id = ?",
      args: [endpoint.id],
    });
    expect(queue.rows.map((row) => [row.status, row.last_error])).toEqual(
      Array.from({ length: 3 }, () => ["failed", "endpoint deleted"]),
    );
    expect(await deliverDueWebhooks(deps())).toMatchObject({ claimed: 0 });
    expect(receiver.received).toEqual([]);
  });

  it.each([
    [{ url: "ftp://hooks.example" }, "url"],
    [{ url: "not a url" }, "url"],
    [{ url: "https://hooks.example", events: ["order.paid"] }, "events.0"],
  ])("refuse %j", async (body, path) => {
    const error = await expectError(
      await t.call("POST", "/v1/admin/webhooks", { body, headers: auth }),
      400,
      "invalid_request",
    );
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});
