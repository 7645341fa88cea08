/**
 * Issue 15 (medium): one workspace's 100 endpoints at a server that never answered pushed another
 * workspace's delivery from under 2 s to 410 s. Claims are round robin across workspaces with a
 * limit in flight per workspace and per endpoint; a failing endpoint backs off, then pauses; a
 * workspace has at most so many endpoints; a deleted endpoint's queue goes with it.
 * Rounds are asserted by what each claim takes, never by wall time.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, nodeSettings } from "../../server/config.ts";
import { jitteredBackoffMs } from "../../server/lib/backoff.ts";
import { claimDueDeliveries, deliverDueWebhooks, startDueDeliveries } from "../../server/services/webhooks.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";
import { startReceiver } from "../support/webhook-receiver.ts";

let t: TestApp;
let a: CreatedWorkspace;
let b: CreatedWorkspace;
const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];

beforeEach(async () => {
  t = await createTestApp();
  a = await workspaceFactory(t.db);
  b = await workspaceFactory(t.db);
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  t.cleanup();
});

const deps = () => ({ db: t.db, clock: t.clock });
const auth = (ws: CreatedWorkspace) => ({ Authorization: `Bearer ${ws.secretKey}` });

async function receiver(...args: Parameters<typeof startReceiver>) {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
}

/** The receivers listen on 127.0.0.1: each endpoint opts in to private targets, as a self-hoster's would. */
async function addEndpoint(ws: CreatedWorkspace, url: string, events?: string[]) {
  const body = { url, events, allowPrivateNetwork: true };
  const response = await t.call("POST", "/v1/admin/webhooks", { body, headers: auth(ws) });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string };
}

/** One attributed enrolment: conversion.attributed and two reward.created events. */
async function convert(ws: CreatedWorkspace) {
  const referrer = await referrerFactory(t.db, ws.id, {}, { now: t.clock.now() });
  await poster(t, ws.secretKey)(enrollment({ code: referrer.code }));
}

async function eventIds(ws: CreatedWorkspace, type = "conversion.attributed") {
  const rows = await t.client.execute({
    sql: "select id from webhook_events where workspace_id = ? and type = ? order by created_at, id",
    args: [ws.id, type],
  });
  return rows.rows.map((row) => String(row.id));
}

async function workspaceOf(claims: { endpoint_id: string }[]) {
  const rows = await t.client.execute("select id, workspace_id from webhook_endpoints");
  const owner = new Map(rows.rows.map((row) => [String(row.id), String(row.workspace_id)]));
  return claims.map((claim) => owner.get(claim.endpoint_id));
}

describe("fair delivery across workspaces", () => {
  it("claims round robin: B's event in the first round though A's 30 older deliveries are due, A capped at its slots", async () => {
    const hanging = await receiver([], 0, { hang: true });
    for (let i = 0; i < 10; i++) await addEndpoint(a, `${hanging.url}/${i}`);
    await convert(a); // 10 endpoints × 3 events, all older than B's
    t.clock.advance(1000);
    const ok = await receiver();
    await addEndpoint(b, ok.url, ["conversion.attributed"]);
    await convert(b);

    const first = await workspaceOf(await claimDueDeliveries(deps()));
    expect(first.filter((owner) => owner === b.id)).toHaveLength(1);
    expect(first.filter((owner) => owner === a.id)).toHaveLength(5);

    // A's five are still in flight (nothing recorded): the next round takes B's next event, none of A's.
    await convert(b);
    const second = await workspaceOf(await claimDueDeliveries(deps()));
    expect(second).toEqual([b.id]);
  });

  it("delivers B's next event in the next round while A's endpoints hang on a real server", async () => {
    const hanging = await receiver([], 0, { hang: true });
    for (let i = 0; i < 20; i++) await addEndpoint(a, `${hanging.url}/${i}`);
    await convert(a);
    t.clock.advance(1000);
    const ok = await receiver();
    await addEndpoint(b, ok.url, ["conversion.attributed"]);
    await convert(b);

    // Round one: A's sends hang (no timeout before the server closes); B's first is among them.
    const first = await startDueDeliveries(deps(), { timeoutMs: 600_000 });
    expect(first.claimed).toBe(6);
    // Round two, while A's five still hang: B's next event is sent and recorded.
    await convert(b);
    const second = await startDueDeliveries(deps(), { timeoutMs: 600_000 });
    expect(await second.finished).toMatchObject({ claimed: 1, delivered: 1 });
    const [firstEvent, nextEvent] = await eventIds(b);
    expect(ok.received.map((request) => request.headers["chorus-event-id"])).toContain(nextEvent);

    await hanging.close();
    expect(await first.finished).toMatchObject({ claimed: 6, delivered: 1, retrying: 5 });
    expect(ok.received.map((request) => request.headers["chorus-event-id"]).sort()).toEqual(
      [firstEvent, nextEvent].sort(),
    );
  });

  it("a deleted endpoint's queue is dropped: after A deletes its endpoints only B's delivery is claimed", async () => {
    const hanging = await receiver([], 0, { hang: true });
    const endpoints = [];
    for (let i = 0; i < 10; i++) endpoints.push(await addEndpoint(a, `${hanging.url}/${i}`));
    await convert(a);
    for (const endpoint of endpoints)
      expect((await t.call("DELETE", `/v1/admin/webhooks/${endpoint.id}`, { headers: auth(a) })).status).toBe(204);
    const ok = await receiver();
    await addEndpoint(b, ok.url, ["conversion.attributed"]);
    await convert(b);
    expect(await workspaceOf(await claimDueDeliveries(deps(), { batchSize: 1 }))).toEqual([b.id]);
    const pending = await t.client.execute({
      sql: "select count(*) as n from webhook_deliveries where workspace_id = ? and status = 'pending'",
      args: [a.id],
    });
    expect(pending.rows[0]?.n).toBe(0);
  });
});

describe("an endpoint that keeps failing", () => {
  const options = { pauseAfterFailures: 3, perEndpoint: 1, baseBackoffMs: 1000, random: () => 0 };

  it("backs off as a whole, pauses after 3 failures in a row (kept queue, shown with its reason), and resumes", async () => {
    const flaky = await receiver([500, 500, 500]);
    const endpoint = await addEndpoint(b, flaky.url, ["conversion.attributed"]);
    await convert(b);
    await convert(b);

    expect(await deliverDueWebhooks(deps(), options)).toMatchObject({ claimed: 1, retrying: 1 });
    // The other delivery is due, but its endpoint backs off: nothing is attempted for 1 s.
    expect(await deliverDueWebhooks(deps(), options)).toMatchObject({ claimed: 0 });
    t.clock.advance(1000);
    expect(await deliverDueWebhooks(deps(), options)).toMatchObject({ claimed: 1, retrying: 1 });
    t.clock.advance(1999);
    expect(await deliverDueWebhooks(deps(), options)).toMatchObject({ claimed: 0 });
    t.clock.advance(1);
    expect(await deliverDueWebhooks(deps(), options)).toMatchObject({ claimed: 1, retrying: 1 });

    const list = async () =>
      ((await (await t.call("GET", "/v1/admin/webhooks", { headers: auth(b) })).json()) as { items: unknown[] })
        .items[0];
    expect(await list()).toMatchObject({
      id: endpoint.id,
      status: "paused",
      pausedAt: t.clock.now().toISOString(),
      pauseReason: "3 failed deliveries in a row; the last: HTTP 500",
      consecutiveFailures: 3,
    });
    // Paused: never attempted, however long, but new events still queue for it.
    t.clock.advance(7 * 86_400_000);
    await convert(b);
    expect(await deliverDueWebhooks(deps(), options)).toMatchObject({ claimed: 0 });
    expect(flaky.received).toHaveLength(3);

    const resumed = await t.call("POST", `/v1/admin/webhooks/${endpoint.id}/resume`, { headers: auth(b) });
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toMatchObject({ status: "active", pauseReason: null, consecutiveFailures: 0 });
    let delivered = 0;
    for (let round = 0; round < 5; round++) delivered += (await deliverDueWebhooks(deps(), options)).delivered;
    expect(delivered).toBe(3);
    expect(flaky.received).toHaveLength(6);
  });

  it("resume of an unknown or another workspace's endpoint is a 404", async () => {
    const endpoint = await addEndpoint(b, "https://hooks.example/b");
    await expectError(
      await t.call("POST", `/v1/admin/webhooks/${endpoint.id}/resume`, { headers: auth(a) }),
      404,
      "not_found",
    );
    await expectError(
      await t.call("POST", "/v1/admin/webhooks/whk_nope/resume", { headers: auth(b) }),
      404,
      "not_found",
    );
  });

  it("backs off exponentially from 30 s, capped at 6 h, with jitter of at most 20 % (never later)", () => {
    const steps = Array.from({ length: 12 }, (_, i) => jitteredBackoffMs(i + 1, 30_000, 21_600_000, () => 0));
    expect(steps).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_840_000, 7_680_000, 15_360_000, 21_600_000,
      21_600_000,
    ]);
    expect(jitteredBackoffMs(1, 30_000, 21_600_000, () => 0.999_999)).toBe(24_000);
    expect(jitteredBackoffMs(12, 30_000, 21_600_000, () => 0.5)).toBe(19_440_000);
  });
});

describe("endpoints per workspace", () => {
  it("are capped (20 by default), refused with the error envelope; another workspace is not affected", async () => {
    for (let i = 0; i < 20; i++) await addEndpoint(a, `https://hooks.example/${i}`);
    const refused = await expectError(
      await t.call("POST", "/v1/admin/webhooks", { body: { url: "https://hooks.example/21" }, headers: auth(a) }),
      409,
      "conflict",
    );
    expect(refused.message).toBe(
      "This workspace has 20 webhook endpoints, the most it may have: delete one before adding another",
    );
    await addEndpoint(b, "https://hooks.example/b");
    // A deleted endpoint frees its place.
    const list = (await (await t.call("GET", "/v1/admin/webhooks", { headers: auth(a) })).json()) as {
      items: { id: string }[];
    };
    await t.call("DELETE", `/v1/admin/webhooks/${list.items[0]?.id}`, { headers: auth(a) });
    await addEndpoint(a, "https://hooks.example/21");
  });

  it("the cap is CHORUS_WEBHOOK_ENDPOINTS_MAX", async () => {
    const settings = nodeSettings({ CHORUS_WEBHOOK_ENDPOINTS_MAX: "100" });
    expect(settings.config("s".repeat(32)).webhookEndpointLimit).toBe(100);
    expect(() => nodeSettings({ CHORUS_WEBHOOK_ENDPOINTS_MAX: "lots" })).toThrow(ConfigError);
    t.cleanup();
    t = await createTestApp({ webhookEndpointLimit: 2 });
    a = await workspaceFactory(t.db);
    await addEndpoint(a, "https://hooks.example/1");
    await addEndpoint(a, "https://hooks.example/2");
    await expectError(
      await t.call("POST", "/v1/admin/webhooks", { body: { url: "https://hooks.example/3" }, headers: auth(a) }),
      409,
      "conflict",
    );
  });
});
