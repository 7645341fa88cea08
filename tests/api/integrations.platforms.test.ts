/**
 * Teachable, Thinkific and Kajabi connectors fed their documented example payloads
 * (tests/fixtures/), authenticated as each platform does: conversion, attribution, rewards and
 * decision log; replays, twenty concurrent deliveries, events out of order, and bad input.
 */
import { and, count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { conversions, integrationEvents } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { type Referrer, referrerFactory } from "../support/click-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { deliver, fixture, type MadeConnector, makeConnector, thinkificSignature } from "../support/integrations.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

const thinkificSecret = "thinkific-client-secret-0123";
let t: TestApp;
let ws: CreatedWorkspace;
let priya: Referrer;
let admin: Record<string, string>;

beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  admin = { Authorization: `Bearer ${ws.secretKey}` };
  priya = await referrerFactory(t.db, ws.id, { sub: "priya", name: "Priya" }, { now: t.clock.now() });
});
afterEach(() => t.cleanup());

async function conversion(externalId: string) {
  const response = await t.call("GET", `/v1/conversions/${encodeURIComponent(externalId)}`, { headers: admin });
  return { status: response.status, body: await response.json() };
}

async function eventLog(connector: MadeConnector) {
  const response = await t.call("GET", `/v1/admin/integrations/${connector.id}/events`, { headers: admin });
  return (await response.json()).items as { outcome: string; detail: string; eventType: string }[];
}

async function conversionCount() {
  const [row] = await t.db.select({ n: count() }).from(conversions).where(eq(conversions.workspaceId, ws.id));
  return row?.n ?? 0;
}

describe("Thinkific", () => {
  let thinkific: MadeConnector;
  const signed = (body: string) => ({ "X-Thinkific-Hmac-Sha256": thinkificSignature(body, thinkificSecret) });
  beforeEach(async () => {
    thinkific = await makeConnector(t, ws.secretKey, {
      platform: "thinkific",
      signingSecret: thinkificSecret,
      courses: { "1": "intro-webhooks" },
      currency: "USD",
    });
  });

  it("records the documented order.created with its coupon code as the referral, and says so in the decision log", async () => {
    const order = fixture("thinkific", "order.created");
    (order.payload as Record<string, unknown>).coupon = { code: priya.code };
    const response = await deliver(t, thinkific, order, { sign: signed });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ received: true, outcome: "recorded" });
    const { body } = await conversion("thinkific:order:19796");
    expect(body.conversion).toMatchObject({
      type: "enrollment",
      course: "intro-webhooks",
      amount: 5000,
      currency: "USD",
    });
    expect(body.conversion.customerId).toMatch(/^email:[0-9a-f]{64}$/);
    expect(body.attribution).toMatchObject({ status: "attributed", code: priya.code });
    const rules = body.attribution.decision.map(
      (step: { rule: string; detail: string }) => `${step.rule}: ${step.detail}`,
    );
    expect(rules[0]).toBe("source: thinkific webhook: the coupon or referral code it carried is the referral evidence");
    expect(rules.some((line: string) => line.startsWith(`code: matched referral code ${priya.code}`))).toBe(true);
    expect(body.rewards.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toContain("ninjas@thinkific.com");
  });

  it("refuses a wrong or missing signature and a wrong token (401), logging signature failures, storing nothing", async () => {
    const order = fixture("thinkific", "order.created");
    await expectError(await deliver(t, thinkific, order), 401, "unauthorized");
    await expectError(
      await deliver(t, thinkific, order, {
        sign: (body) => ({ "X-Thinkific-Hmac-Sha256": thinkificSignature(body, "other") }),
      }),
      401,
      "unauthorized",
    );
    await expectError(await deliver(t, thinkific, order, { sign: signed, token: "ict_wrong" }), 401, "unauthorized");
    await expectError(await deliver(t, thinkific, order, { sign: signed, token: null }), 401, "unauthorized");
    expect(await conversionCount()).toBe(0);
    const log = await eventLog(thinkific);
    // Without the token nothing is written; behind the right token, a bad signature is logged.
    expect(log.map((event) => event.outcome)).toEqual(["refused", "refused"]);
    expect(log.map((event) => event.detail)).toContain("x-thinkific-hmac-sha256 does not match the signing secret");
    expect(log.map((event) => event.detail)).toContain("missing x-thinkific-hmac-sha256 header");
  });

  it("a redelivery replays, and twenty at once make one conversion", async () => {
    const order = fixture("thinkific", "order.created");
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(t, thinkific, order, { sign: signed })));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    const outcomes = await Promise.all(answers.map(async (answer) => (await answer.json()).outcome));
    expect(outcomes.filter((outcome) => outcome === "recorded")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "replay")).toHaveLength(19);
    expect(await conversionCount()).toBe(1);
  });

  it("a refund before its order waits, and is recorded (voiding the rewards) when the order arrives", async () => {
    const refund = fixture("thinkific", "order_transaction.refunded");
    const early = await deliver(t, thinkific, refund, { sign: signed });
    expect(await early.json()).toMatchObject({ outcome: "pending" });
    expect(await conversionCount()).toBe(0);
    const order = fixture("thinkific", "order.created");
    (order.payload as Record<string, unknown>).coupon = { code: priya.code };
    expect(await (await deliver(t, thinkific, order, { sign: signed })).json()).toMatchObject({ outcome: "recorded" });
    const { status, body } = await conversion("thinkific:refund:88123");
    expect(status).toBe(200);
    expect(body.conversion).toMatchObject({ type: "refund", refundOf: "thinkific:order:19796", amount: 5000 });
    const sale = await conversion("thinkific:order:19796");
    expect(sale.body.rewards.every((reward: { status: string }) => reward.status === "void")).toBe(true);
    expect(sale.body.rewards).toHaveLength(2);
    const log = await eventLog(thinkific);
    expect(log.find((event) => event.eventType === "order_transaction.refunded")?.outcome).toBe("reconciled");
    // The same refund delivered again later replays the reconciled one.
    expect(await (await deliver(t, thinkific, refund, { sign: signed })).json()).toMatchObject({ outcome: "replay" });
  });

  it("a refund and its order delivered at the same moment end with both recorded, whichever lands first", async () => {
    const refund = fixture("thinkific", "order_transaction.refunded");
    const order = fixture("thinkific", "order.created");
    const answers = await Promise.all([
      deliver(t, thinkific, refund, { sign: signed }),
      deliver(t, thinkific, order, { sign: signed }),
      deliver(t, thinkific, refund, { sign: signed }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect((await conversion("thinkific:refund:88123")).status).toBe(200);
    const rows = await t.db.select().from(integrationEvents).where(eq(integrationEvents.connectorId, thinkific.id));
    expect(rows.filter((row) => row.outcome === "pending")).toEqual([]);
  });

  it("maps enrollment.completed to a completion of the same learner, and user.signup to a signup", async () => {
    await deliver(t, thinkific, fixture("thinkific", "order.created"), { sign: signed });
    const done = await deliver(t, thinkific, fixture("thinkific", "enrollment.completed"), { sign: signed });
    expect(await done.json()).toMatchObject({ outcome: "recorded" });
    const completion = await conversion("thinkific:completion:47263");
    const order = await conversion("thinkific:order:19796");
    expect(completion.body.conversion).toMatchObject({ type: "completion", course: "intro-webhooks" });
    expect(completion.body.conversion.customerId).toBe(order.body.conversion.customerId);
    expect(
      await (await deliver(t, thinkific, fixture("thinkific", "user.signup"), { sign: signed })).json(),
    ).toMatchObject({ outcome: "recorded" });
    expect((await conversion("thinkific:user:123999")).body.conversion.type).toBe("signup");
  });

  it("an unknown topic is acknowledged and logged as ignored; amounts as strings count exactly", async () => {
    const unknown = { ...fixture("thinkific", "order.created"), resource: "lesson", action: "completed" };
    const answer = await deliver(t, thinkific, unknown, { sign: signed });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      outcome: "ignored",
      detail: "event type lesson.completed is not used by Chorus",
    });
    const order = fixture("thinkific", "order.created");
    (order.payload as Record<string, unknown>).amount_cents = "5000";
    await deliver(t, thinkific, order, { sign: signed });
    expect((await conversion("thinkific:order:19796")).body.conversion.amount).toBe(5000);
  });

  it("a payload without the email, or with an unmapped course, is refused or ignored with a reason, never a 500", async () => {
    const noEmail = fixture("thinkific", "order.created");
    (noEmail.payload as Record<string, unknown>).user = {};
    const refused = await deliver(t, thinkific, noEmail, { sign: signed });
    expect((await expectError(refused, 400, "invalid_request")).message).toContain("names no email");
    const otherCourse = fixture("thinkific", "order.created");
    (otherCourse.payload as Record<string, unknown>).product_id = 999;
    const ignored = await deliver(t, thinkific, otherCourse, { sign: signed });
    expect(await ignored.json()).toMatchObject({
      outcome: "ignored",
      detail: expect.stringContaining("course 999 is not mapped"),
    });
    const badAmount = fixture("thinkific", "order.created");
    (badAmount.payload as Record<string, unknown>).amount_cents = "fifty";
    await expectError(await deliver(t, thinkific, badAmount, { sign: signed }), 400, "invalid_request");
    expect(await conversionCount()).toBe(0);
  });
});

describe("Teachable", () => {
  let teachable: MadeConnector;
  beforeEach(async () => {
    teachable = await makeConnector(t, ws.secretKey, { platform: "teachable", courses: { "2001": "data-analytics" } });
  });

  it("records Sale.created with its coupon as the referral; a completion before the sale waits for it", async () => {
    const completion = await deliver(t, teachable, fixture("teachable", "Enrollment.completed"));
    expect(await completion.json()).toMatchObject({ outcome: "pending" });
    const sale = fixture("teachable", "Sale.created");
    (sale.object as Record<string, unknown>).coupon = { code: priya.code };
    expect(await (await deliver(t, teachable, sale)).json()).toMatchObject({ outcome: "recorded" });
    const recorded = await conversion("teachable:sale:8801");
    expect(recorded.body.conversion).toMatchObject({
      type: "enrollment",
      amount: 449910,
      currency: "INR",
      course: "data-analytics",
    });
    expect(recorded.body.attribution.status).toBe("attributed");
    const done = await conversion("teachable:completion:55012");
    expect(done.status).toBe(200);
    // The customer's earlier attribution carries the completion to Priya.
    expect(done.body.attribution).toMatchObject({ status: "attributed", referrer: { id: "priya" } });
  });

  it("Transaction.refunded refunds the sale; a wrong token is refused", async () => {
    await deliver(t, teachable, fixture("teachable", "Sale.created"));
    expect(await (await deliver(t, teachable, fixture("teachable", "Transaction.refunded"))).json()).toMatchObject({
      outcome: "recorded",
    });
    expect((await conversion("teachable:refund:66021")).body.conversion).toMatchObject({
      refundOf: "teachable:sale:8801",
      amount: 449910,
    });
    await expectError(
      await deliver(t, teachable, fixture("teachable", "Sale.created"), { token: "ict_nope" }),
      401,
      "unauthorized",
    );
  });

  it("an unknown currency is refused with a clear reason", async () => {
    const sale = fixture("teachable", "Sale.created");
    (sale.object as Record<string, unknown>).currency = "XYZ";
    const answer = await deliver(t, teachable, sale);
    expect((await expectError(answer, 400, "invalid_request")).message).toContain("unknown currency XYZ");
    expect(await conversionCount()).toBe(0);
  });
});

describe("Kajabi", () => {
  it("records the documented purchase sample by its offer's course, with the coupon code as the referral", async () => {
    const kajabi = await makeConnector(t, ws.secretKey, { platform: "kajabi", courses: { "0": "kajabi-course" } });
    const purchase = fixture("kajabi", "purchase");
    ((purchase[0] as Record<string, Record<string, unknown>>).attributes as Record<string, unknown>).coupon_code =
      priya.code;
    const answer = await deliver(t, kajabi, purchase);
    expect(await answer.json()).toMatchObject({ outcome: "recorded" });
    const { body } = await conversion("kajabi:purchase:0");
    expect(body.conversion).toMatchObject({
      type: "enrollment",
      amount: 1000,
      currency: "USD",
      course: "kajabi-course",
    });
    expect(body.attribution.code).toBe(priya.code);
    expect(JSON.stringify(body)).not.toContain("john.doe@example.com");
    // Kajabi signs nothing: the token is the whole proof, and a rotation retires the old one.
    const rotated = await (
      await t.call("POST", `/v1/admin/integrations/${kajabi.id}/rotate`, { headers: admin })
    ).json();
    await expectError(await deliver(t, kajabi, purchase), 401, "unauthorized");
    expect(await (await deliver(t, kajabi, purchase, { token: rotated.token })).json()).toMatchObject({
      outcome: "replay",
    });
  });
});

describe("erasure", () => {
  it("drops a completion that waits for its sale when its learner is erased", async () => {
    await referrerFactory(
      t.db,
      ws.id,
      { sub: "asha", name: "Asha", email: "asha@example.com" },
      { now: t.clock.now() },
    );
    const teachable = await makeConnector(t, ws.secretKey, {
      platform: "teachable",
      courses: { "2001": "data-analytics" },
    });
    expect(await (await deliver(t, teachable, fixture("teachable", "Enrollment.completed"))).json()).toMatchObject({
      outcome: "pending",
    });
    const erased = await t.call("DELETE", "/v1/learners/asha", { headers: admin });
    expect(await erased.json()).toMatchObject({ connectorEventsDropped: 1 });
    const left = await t.db.select().from(integrationEvents).where(eq(integrationEvents.workspaceId, ws.id));
    expect(left.filter((row) => row.outcome === "pending")).toEqual([]);
    expect(JSON.stringify(left)).not.toContain("asha@example.com");
  });
});

describe("the event log", () => {
  it("is capped per connector, keeping what still waits", async () => {
    const teachable = await makeConnector(t, ws.secretKey, {
      platform: "teachable",
      courses: { "2001": "data-analytics" },
    });
    await deliver(t, teachable, fixture("teachable", "Transaction.refunded"));
    for (let i = 0; i < 55; i++) await deliver(t, teachable, { type: "Comment.created", id: i, object: {} });
    const rows = await t.db
      .select({ outcome: integrationEvents.outcome })
      .from(integrationEvents)
      .where(and(eq(integrationEvents.workspaceId, ws.id), eq(integrationEvents.connectorId, teachable.id)));
    expect(rows.length).toBe(51);
    expect(rows.filter((row) => row.outcome === "pending")).toHaveLength(1);
  });
});
