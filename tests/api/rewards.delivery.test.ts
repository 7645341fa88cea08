/**
 * Rewards that arrive (issue 18), against the local server that answers like Stripe and records
 * what the official `stripe` package sent: a credit reward becomes a customer balance transaction
 * on the referrer's own Stripe customer (named by their earlier Stripe checkout), field by field;
 * a rate limit is tried again, an invalid request is kept on the reward for a person, no Stripe
 * customer is said plainly; a coupon reward becomes a one-time Stripe promotion code for its
 * amount, or a code from the pool without a key. Each delivery issues the reward, announces
 * `reward.issued` and mails the referrer how it arrived.
 */
import { readFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgramSettingsInput } from "../../db/program-settings.ts";
import { mailMessages, rewards, webhookEvents } from "../../db/schema.ts";
import { deliverApprovedRewards } from "../../server/services/reward-delivery.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { type FakeStripe, startFakeStripe } from "../support/stripe-api.ts";
import { createTestApp, type TestApp, testConfig } from "../support/test-app.ts";

const webhookSecret = "whsec_test0123456789abcdef";
const apiKey = "sk_test_51ChorusTestKey0000000000004242";
const fixtures = JSON.parse(readFileSync("/work/shared/fixtures/stripe/fixtures3.json", "utf8")).resources as Record<
  string,
  Record<string, unknown>
>;
let t: TestApp;
let stripe: FakeStripe;

beforeAll(async () => {
  stripe = await startFakeStripe();
  t = await createTestApp({}, { stripeApi: stripe.api });
});
afterAll(async () => {
  t.cleanup();
  await stripe.close();
});

const deliver = () =>
  deliverApprovedRewards({ db: t.db, clock: t.clock, secret: testConfig.secret, stripeApi: stripe.api });

async function program(referrerReward: ProgramSettingsInput["referrerReward"], withKey = true) {
  const ws = await workspaceFactory(t.db, {
    settings: {
      holdDays: 0,
      storeEmails: true,
      friendOffer: null,
      referrerReward,
      stripe: { webhookSecret, conversionType: "enrollment" },
    },
  });
  const admin = { Authorization: `Bearer ${ws.secretKey}` };
  if (withKey)
    expect((await t.call("PUT", "/v1/admin/stripe/api-key", { headers: admin, body: { apiKey } })).status).toBe(200);
  const priya = await referrerFactory(
    t.db,
    ws.id,
    { sub: "priya", name: "Priya Sharma", email: "priya@mail.example" },
    { now: t.clock.now() },
  );
  return { ws, admin, priya };
}

/** Priya's own purchase through Stripe Checkout, which names her Stripe customer. */
async function priyaPaidThroughStripe(ws: CreatedWorkspace, id: string) {
  const event = {
    id,
    object: "event",
    type: "checkout.session.completed",
    created: Math.floor(t.clock.now().getTime() / 1000) - 60,
    data: {
      object: {
        ...structuredClone(fixtures["checkout.session"]!),
        id: `cs_${id}`,
        payment_intent: `pi_${id}`,
        client_reference_id: null,
        customer: "cus_priya0001",
        customer_details: { email: "Priya@mail.example", name: "Priya Sharma" },
        amount_total: 499_900,
        currency: "inr",
        payment_status: "paid",
        status: "complete",
        metadata: { chorus_course: "data-analytics" },
      },
    },
  };
  const body = JSON.stringify(event);
  const signature = new Stripe("sk_test_unused").webhooks.generateTestHeaderString({
    payload: body,
    secret: webhookSecret,
    timestamp: Math.floor(t.clock.now().getTime() / 1000),
  });
  const response = await t.call("POST", `/v1/integrations/stripe?workspace=${ws.id}`, {
    body,
    headers: { "Stripe-Signature": signature, "Content-Type": "application/json" },
  });
  expect(response.status).toBeLessThan(300);
}

async function friendEnrols(ws: CreatedWorkspace, code: string, friend: string) {
  const { status } = await poster(t, ws.secretKey)(enrollment({ customer: { id: friend }, code }));
  expect(status).toBe(201);
}

async function referrerReward(ws: CreatedWorkspace) {
  const [row] = await t.db
    .select()
    .from(rewards)
    .where(and(eq(rewards.workspaceId, ws.id), eq(rewards.side, "referrer")));
  return row!;
}

async function earnings(ws: CreatedWorkspace) {
  const response = await t.call("GET", "/v1/referrals/me/earnings", {
    headers: {
      "Chorus-Key": ws.publishableKey,
      Origin: testOrigin,
      Authorization: `Bearer ${await learnerToken(ws, { sub: "priya", name: "Priya Sharma", email: "priya@mail.example" })}`,
    },
  });
  expect(response.status).toBe(200);
  return response.json();
}

const since = (from: number) => stripe.requests.slice(from);

describe("a credit reward", () => {
  it("is a balance transaction on the referrer's Stripe customer, field by field; a rate limit is tried again", async () => {
    const { ws, priya } = await program({ type: "credit", amount: 50_000, currency: "INR" });
    await priyaPaidThroughStripe(ws, "evt_priya_own_purchase");
    await friendEnrols(ws, priya.code, "meera");
    expect((await referrerReward(ws)).status).toBe("approved");
    const from = stripe.requests.length;
    const path = "/v1/customers/cus_priya0001/balance_transactions";
    stripe.fail(path, 429, { type: "invalid_request_error", code: "rate_limit", message: "Too many requests" });
    // The package does not retry a 429 itself: the reward waits a minute, then the next run delivers it.
    expect(await deliver()).toEqual({ issued: 0, retrying: 1, failed: 0 });
    expect((await referrerReward(ws)).deliveryError).toBe("retrying: rate limited (429) rate_limit");
    expect(await deliver()).toEqual({ issued: 0, retrying: 0, failed: 0 }); // not before the minute
    t.clock.advance(61_000);
    expect(await deliver()).toEqual({ issued: 1, retrying: 0, failed: 0 });
    const sent = since(from);
    expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual([`POST ${path}`, `POST ${path}`]);
    const reward = await referrerReward(ws);
    for (const request of sent) {
      expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
      expect(request.headers["idempotency-key"]).toBe(`chorus-reward-credit-${reward.id}`);
      expect(request.form).toEqual({
        amount: "-50000",
        currency: "inr",
        description: "Referral reward",
        "metadata[chorus_workspace]": ws.id,
        "metadata[chorus_reward]": reward.id,
      });
    }
    expect(reward).toMatchObject({ status: "issued", deliveryRef: "cbtxn_chorus0001", deliveryError: null });
    const events = await t.db
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.workspaceId, ws.id), eq(webhookEvents.type, "reward.issued")));
    expect(events.map((event) => event.payload)).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ id: reward.id, deliveryRef: "cbtxn_chorus0001" }) }),
    ]);
    const [mail] = await t.db
      .select()
      .from(mailMessages)
      .where(and(eq(mailMessages.workspaceId, ws.id), eq(mailMessages.key, `reward-issued:${reward.id}`)));
    expect(mail?.data).toMatchObject({ status: "issued", delivery: { kind: "credit" } });
    expect((await earnings(ws)).items[0]).toMatchObject({ status: "paid", reason: { code: "paid" } });
    // Delivered once: the next run sends nothing.
    const after = stripe.requests.length;
    await deliver();
    expect(stripe.requests.length).toBe(after);
  });

  it("that Stripe refuses as invalid keeps Stripe's error on the reward, and is not sent again", async () => {
    const { ws, priya } = await program({ type: "credit", amount: 50_000, currency: "INR" });
    await priyaPaidThroughStripe(ws, "evt_priya_invalid");
    await friendEnrols(ws, priya.code, "meera");
    stripe.fail("/v1/customers/cus_priya0001/balance_transactions", 400, {
      type: "invalid_request_error",
      code: "resource_missing",
      message: "No such customer: 'cus_priya0001'",
    });
    expect(await deliver()).toEqual({ issued: 0, retrying: 0, failed: 1 });
    expect(await referrerReward(ws)).toMatchObject({
      status: "approved",
      deliveryError: "invalid request (400) resource_missing",
    });
    const listed = await t.call("GET", "/v1/admin/rewards?side=referrer", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect((await listed.json()).items[0]).toMatchObject({ deliveryError: "invalid request (400) resource_missing" });
    expect((await earnings(ws)).items[0]).toMatchObject({ status: "approved", reason: { code: "delivery-failed" } });
    const after = stripe.requests.length;
    t.clock.advance(3_600_000);
    await deliver();
    expect(stripe.requests.length).toBe(after);
  });

  it('for a referrer Stripe never named says "no Stripe customer" and sends nothing', async () => {
    const { ws, priya } = await program({ type: "credit", amount: 50_000, currency: "INR" });
    await friendEnrols(ws, priya.code, "meera");
    const from = stripe.requests.length;
    expect(await deliver()).toEqual({ issued: 0, retrying: 0, failed: 1 });
    expect(since(from)).toEqual([]);
    expect((await referrerReward(ws)).deliveryError).toBe("no Stripe customer");
    expect((await earnings(ws)).items[0]).toMatchObject({ reason: { code: "no-stripe-customer" } });
  });
});

describe("a coupon reward", () => {
  it("is a one-time Stripe promotion code for the reward's amount, shown to the referrer", async () => {
    const { ws, priya } = await program({ type: "coupon", amount: 50_000, currency: "INR" });
    await friendEnrols(ws, priya.code, "meera");
    const from = stripe.requests.length;
    expect(await deliver()).toEqual({ issued: 1, retrying: 0, failed: 0 });
    const reward = await referrerReward(ws);
    const [coupon, promotion] = since(from);
    expect(`${coupon?.method} ${coupon?.path}`).toBe("POST /v1/coupons");
    expect(coupon?.headers["idempotency-key"]).toBe(`chorus-reward-coupon-${reward.id}`);
    expect(coupon?.form).toEqual({
      id: `chorus-reward-${reward.id}`,
      name: "Referral reward",
      duration: "once",
      amount_off: "50000",
      currency: "inr",
      max_redemptions: "1",
      "metadata[chorus_workspace]": ws.id,
      "metadata[chorus_reward]": reward.id,
    });
    expect(`${promotion?.method} ${promotion?.path}`).toBe("POST /v1/promotion_codes");
    expect(promotion?.headers["idempotency-key"]).toBe(`chorus-reward-promotion-${reward.id}`);
    expect(promotion?.form).toEqual({
      "promotion[type]": "coupon",
      "promotion[coupon]": `chorus-reward-${reward.id}`,
      code: expect.stringMatching(/^PRIYA-500-[2-9A-HJKMNP-Z]{7}$/),
      max_redemptions: "1",
      "metadata[chorus_workspace]": ws.id,
      "metadata[chorus_reward]": reward.id,
    });
    expect(reward).toMatchObject({ status: "issued", deliveredCode: promotion?.form.code });
    expect((await earnings(ws)).items[0]).toMatchObject({ status: "paid", code: promotion?.form.code });
  });

  it("and the referrer's Stripe customer are erased with the referrer (the code is made from their name)", async () => {
    const { ws, admin, priya } = await program({ type: "coupon", amount: 50_000, currency: "INR" });
    await priyaPaidThroughStripe(ws, "evt_priya_erasure");
    await friendEnrols(ws, priya.code, "meera");
    await deliver();
    const code = (await referrerReward(ws)).deliveredCode!;
    expect(code).toMatch(/^PRIYA-500-/);
    const customers = () =>
      t.client.execute({ sql: "select * from stripe_customers where workspace_id = ?", args: [ws.id] });
    expect((await customers()).rows).toHaveLength(1);
    expect((await t.call("DELETE", "/v1/learners/priya", { headers: admin })).status).toBe(200);
    expect((await customers()).rows).toHaveLength(0);
    expect((await referrerReward(ws)).deliveredCode).toBe("[erased]");
    const events = await t.db.select().from(webhookEvents).where(eq(webhookEvents.workspaceId, ws.id));
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(JSON.stringify(event.payload)).not.toContain(code);
  });

  it("without a Stripe key is drawn from the provider's pool", async () => {
    const { ws, admin, priya } = await program({ type: "coupon", amount: 50_000, currency: "INR" }, false);
    const pool = await t.call("POST", "/v1/admin/friend-coupons/pool", {
      headers: admin,
      body: { csv: "code\nNEXTCOURSE-A1\nNEXTCOURSE-B2\n" },
    });
    expect(pool.status).toBe(200);
    await friendEnrols(ws, priya.code, "meera");
    const from = stripe.requests.length;
    expect(await deliver()).toEqual({ issued: 1, retrying: 0, failed: 0 });
    expect(since(from)).toEqual([]);
    expect(await referrerReward(ws)).toMatchObject({ status: "issued", deliveredCode: "NEXTCOURSE-A1" });
  });
});
