import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { and, count, eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { conversions, rewards } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { clickFactory, type Referrer, referrerFactory } from "../support/click-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

const secret = "whsec_test0123456789abcdef";
let t: TestApp;
let ws: CreatedWorkspace;
let priya: Referrer;

beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db, { settings: { stripe: { webhookSecret: secret, conversionType: "enrollment" } } });
  priya = await referrerFactory(t.db, ws.id, { sub: "priya" }, { now: t.clock.now() });
});
afterEach(() => t.cleanup());

/** Signs as Stripe does: HMAC-SHA256 of `${t}.${body}` with the endpoint secret. */
function sign(body: string, at = t.clock.now(), key = secret) {
  const timestamp = Math.floor(at.getTime() / 1000);
  return `t=${timestamp},v1=${createHmac("sha256", key).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Stripe's own example objects (stripe/openapi), the shapes its events carry. */
const fixtures = JSON.parse(readFileSync("/work/shared/fixtures/stripe/fixtures3.json", "utf8")).resources as Record<
  string,
  Record<string, unknown>
>;
const stripe = new Stripe("sk_test_unused");

/** An event around one of Stripe's fixture objects, with the given fields changed. */
function stripeEvent(type: string, resource: string, changes: Record<string, unknown>, id: string) {
  const object = { ...structuredClone(fixtures[resource]!), ...changes };
  return { id, object: "event", type, created: created(), data: { object } };
}

/** Posts an event signed by the official `stripe` package. */
function sendSigned(event: unknown) {
  const body = JSON.stringify(event);
  const signature = stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    timestamp: Math.floor(t.clock.now().getTime() / 1000),
  });
  return t.call("POST", `/v1/integrations/stripe?workspace=${ws.id}`, {
    body,
    headers: { "Stripe-Signature": signature, "Content-Type": "application/json" },
  });
}

const paidSession = (changes: Record<string, unknown> = {}, id = "evt_session_paid") =>
  stripeEvent(
    "checkout.session.completed",
    "checkout.session",
    {
      client_reference_id: priya.code,
      customer: "cus_meera",
      amount_total: 1000,
      currency: "usd",
      payment_status: "paid",
      status: "complete",
      metadata: { chorus_course: "data-analytics" },
      ...changes,
    },
    id,
  );

const refundedCharge = (amountRefunded: number, id: string) =>
  stripeEvent(
    "charge.refunded",
    "charge",
    {
      payment_intent: fixtures["checkout.session"]!.payment_intent,
      amount: 1000,
      amount_captured: 1000,
      currency: "usd",
      amount_refunded: amountRefunded,
      refunded: amountRefunded === 1000,
    },
    id,
  );

async function rewardStatuses() {
  const rewards = await (
    await t.call("GET", "/v1/admin/rewards", { headers: { Authorization: `Bearer ${ws.secretKey}` } })
  ).json();
  return rewards.items.map((reward: { status: string }) => reward.status);
}

function send(event: unknown, options: { signature?: string; workspace?: string } = {}) {
  const body = JSON.stringify(event, null, 1); // not our own formatting: the raw bytes must be used
  return t.call("POST", `/v1/integrations/stripe?workspace=${options.workspace ?? ws.id}`, {
    body,
    headers: { "Stripe-Signature": options.signature ?? sign(body), "Content-Type": "application/json" },
  });
}

const created = () => Math.floor(t.clock.now().getTime() / 1000) - 60;

function checkout(reference: string | null, id = "evt_checkout_1") {
  return {
    id,
    type: "checkout.session.completed",
    created: created(),
    data: {
      object: {
        id: "cs_test_1",
        client_reference_id: reference,
        customer: "cus_meera",
        customer_details: { email: "meera@example.org", name: "Meera" },
        amount_total: 499_900,
        currency: "inr",
        payment_intent: "pi_123",
        metadata: { chorus_course: "data-analytics" },
      },
    },
  };
}

const refund = {
  id: "evt_refund_1",
  type: "charge.refunded",
  created: 0,
  data: { object: { id: "ch_1", payment_intent: "pi_123", amount_refunded: 499_900, currency: "inr" } },
};

async function stored() {
  return t.db.select().from(conversions).where(eq(conversions.workspaceId, ws.id));
}

describe("Stripe webhooks", () => {
  it("turn a paid checkout with a click id into an attributed enrolment, once", async () => {
    const click = await clickFactory(t.db, priya, { at: new Date(t.clock.now().getTime() - 3_600_000) });
    const response = await send(checkout(click.id));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      received: true,
      conversion: { externalId: "stripe:pi_123", status: "attributed", replay: false },
    });
    const again = await send(checkout(click.id));
    expect(await again.json()).toMatchObject({ conversion: { replay: true } });
    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: "enrollment",
      amount: 499_900,
      currency: "INR",
      course: "data-analytics",
      customerId: "cus_meera",
      clickId: click.id,
    });
  });

  it("accept a referral code as client_reference_id, and a checkout without one (unattributed)", async () => {
    expect(await (await send(checkout(priya.code.toUpperCase()))).json()).toMatchObject({
      conversion: { status: "attributed" },
    });
    t.cleanup();
    t = await createTestApp();
    ws = await workspaceFactory(t.db, {
      settings: { stripe: { webhookSecret: secret, conversionType: "enrollment" } },
    });
    expect(await (await send(checkout(null))).json()).toMatchObject({ conversion: { status: "unattributed" } });
  });

  it("turn charge.refunded into a refund that voids the rewards", async () => {
    await send(checkout(priya.code));
    const response = await send({ ...refund, created: created() });
    expect(await response.json()).toMatchObject({ conversion: { externalId: "stripe:ch_1:refunded:499900" } });
    const refundRow = (await stored()).find((row) => row.type === "refund");
    expect(refundRow).toMatchObject({ refundOf: "stripe:pi_123" });
    const rewards = await (
      await t.call("GET", "/v1/admin/rewards", { headers: { Authorization: `Bearer ${ws.secretKey}` } })
    ).json();
    expect(rewards.items.map((reward: { status: string }) => reward.status)).toEqual(["void", "void"]);
  });

  it("acknowledge refunds of payments Chorus never saw, and other event types, without storing", async () => {
    expect(await (await send({ ...refund, created: created() })).json()).toEqual({
      received: true,
      ignored: "no Chorus conversion for this payment",
    });
    expect(
      await (await send({ id: "evt_x", type: "customer.created", created: created(), data: { object: {} } })).json(),
    ).toMatchObject({ ignored: expect.stringContaining("customer.created") });
    expect(await stored()).toEqual([]);
  });

  it("refuse a signed event whose `created` is beyond any date with 400, not 500 (found by fuzzing)", async () => {
    for (const created of [8.64e12 + 1, 2 ** 53 - 1]) {
      const response = await send({ ...checkout(priya.code), created });
      const error = await expectError(response, 400, "invalid_request");
      expect(error.message).toContain("not a Stripe event");
    }
    expect(await stored()).toHaveLength(0);
  });

  it("refuse wrong, stale, missing or re-signed signatures and store nothing", async () => {
    const event = checkout(priya.code);
    const body = JSON.stringify(event, null, 1);
    await expectError(
      await send(event, { signature: sign(body, t.clock.now(), "whsec_other0123456789") }),
      401,
      "unauthorized",
    );
    await expectError(
      await send(event, { signature: sign(body, new Date(t.clock.now().getTime() - 301_000)) }),
      401,
      "unauthorized",
    );
    await expectError(await send(event, { signature: "garbage" }), 401, "unauthorized");
    // A signature over our own re-serialisation of the JSON is not Stripe's signature.
    await expectError(await send(event, { signature: sign(JSON.stringify(event)) }), 401, "unauthorized");
    const [row] = await t.db
      .select({ n: count() })
      .from(conversions)
      .where(and(eq(conversions.workspaceId, ws.id)));
    expect(row?.n).toBe(0);
  });

  it("answer 404 for a workspace without Stripe configured or unknown", async () => {
    const other = await workspaceFactory(t.db, { name: "No Stripe" });
    await expectError(await send(checkout(null), { workspace: other.id }), 404, "not_found");
    await expectError(await send(checkout(null), { workspace: "ws_nope" }), 404, "not_found");
  });
});

describe("Stripe's own objects, signed by the stripe package", () => {
  it("count partial refunds once each: the running amount_refunded becomes the new part only", async () => {
    expect(await (await sendSigned(paidSession())).json()).toMatchObject({ conversion: { status: "attributed" } });
    const first = await (await sendSigned(refundedCharge(300, "evt_refund_300"))).json();
    expect(first).toMatchObject({ conversion: { replay: false } });
    const second = await (await sendSigned(refundedCharge(800, "evt_refund_800"))).json();
    expect(second).toMatchObject({ conversion: { replay: false } });
    // Stripe redelivers the second event: nothing new is refunded, nothing stored.
    expect(await (await sendSigned(refundedCharge(800, "evt_refund_800"))).json()).toMatchObject({
      ignored: expect.stringContaining("nothing refunded"),
    });
    const refunds = (await stored()).filter((row) => row.type === "refund");
    expect(refunds.map((row) => row.amount)).toEqual([300, 500]);
    // Net revenue as Stripe has it: 1000 paid, 800 refunded.
    expect(refunds.reduce((total, row) => total + (row.amount ?? 0), 0)).toBe(800);
    // A partial refund keeps the rewards (the friend keeps the course), and says so.
    expect(await rewardStatuses()).not.toContain("void");
    expect(refunds[1]?.decision).toContainEqual(
      expect.objectContaining({ detail: expect.stringContaining("partial") }),
    );
    // The rest refunded: the refund is full, the rewards are voided.
    await sendSigned(refundedCharge(1000, "evt_refund_full"));
    expect((await stored()).filter((row) => row.type === "refund").map((row) => row.amount)).toEqual([300, 500, 200]);
    expect(await rewardStatuses()).toEqual(["void", "void"]);
  });

  it("record a delayed payment only when the money arrives, and nothing when it fails", async () => {
    // Stripe's example session is `payment_status: "unpaid"` (a delayed method).
    const unpaid = stripeEvent(
      "checkout.session.completed",
      "checkout.session",
      { client_reference_id: priya.code, amount_total: 1000, currency: "usd", status: "complete" },
      "evt_unpaid",
    );
    expect(await (await sendSigned(unpaid)).json()).toMatchObject({ ignored: expect.stringContaining("pending") });
    const failed = { ...unpaid, id: "evt_failed", type: "checkout.session.async_payment_failed" };
    expect(await (await sendSigned(failed)).json()).toMatchObject({ ignored: expect.stringContaining("failed") });
    expect(await stored()).toEqual([]);
    expect(await rewardStatuses()).toEqual([]);
    const succeeded = paidSession({ customer: null }, "evt_async_ok");
    succeeded.type = "checkout.session.async_payment_succeeded";
    expect(await (await sendSigned(succeeded)).json()).toMatchObject({ conversion: { status: "attributed" } });
    expect(await stored()).toHaveLength(1);
    expect(await rewardStatuses()).toHaveLength(2);
  });

  it("never make a guest's email the customer id unless the program stores emails", async () => {
    // Stripe's example session: `customer: null`, `customer_details.email: "example@example.com"`.
    const response = await sendSigned(paidSession({ customer: null }));
    const text = await response.text();
    expect(text).not.toContain("example@example.com");
    const [row] = await stored();
    expect(row?.customerId).toMatch(/^email:[0-9a-f]{16,}$/);
    expect(JSON.stringify(row)).not.toContain("example@example.com");
    const day = t.clock.now().toISOString().slice(0, 10);
    const exported = await t.call("GET", `/v1/analytics/export.csv?dataset=conversions&from=${day}&to=${day}`, {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(exported.status).toBe(200);
    const csv = await exported.text();
    expect(csv).toContain(row!.customerId);
    // A program that stores emails by choice keeps the guest's email as the customer id.
    await t.call("PATCH", "/v1/admin/program", {
      body: { storeEmails: true },
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    await sendSigned(paidSession({ customer: null, payment_intent: "pi_stored" }, "evt_stored"));
    expect((await stored()).find((r) => r.externalId === "stripe:pi_stored")?.customerId).toBe("example@example.com");
    expect(csv).not.toContain("example@example.com");
  });

  it("map a Payment Link (or price, product) to a course when the session has no metadata", async () => {
    const patch = (stripeSettings: unknown) =>
      t.call("PATCH", "/v1/admin/program", {
        body: { stripe: stripeSettings },
        headers: { Authorization: `Bearer ${ws.secretKey}` },
      });
    await expectError(
      await patch({ webhookSecret: secret, courses: { cs_nope: "python-basics" } }),
      400,
      "invalid_request",
    );
    expect((await patch({ webhookSecret: secret, courses: { plink_1AbC: "python-basics" } })).status).toBe(200);
    await sendSigned(paidSession({ metadata: {}, payment_link: "plink_1AbC" }));
    expect((await stored())[0]).toMatchObject({ course: "python-basics" });
  });

  it("count a subscription's later payments as the program says, and find refunds of them", async () => {
    const subscriptionSession = paidSession({
      mode: "subscription",
      payment_intent: null,
      invoice: "in_first",
      subscription: "sub_meera",
    });
    expect(await (await sendSigned(subscriptionSession)).json()).toMatchObject({
      conversion: { externalId: "stripe:in_first", status: "attributed" },
    });
    const renewal = (n: number) =>
      stripeEvent(
        "invoice.paid",
        "invoice",
        {
          id: `in_renewal_${n}`,
          customer: "cus_meera",
          billing_reason: "subscription_cycle",
          status: "paid",
          amount_paid: 1000,
          amount_remaining: 0,
          // Older API versions name the payment intent on the invoice.
          payment_intent: `pi_renewal_${n}`,
          parent: { type: "subscription_details", subscription_details: { subscription: "sub_meera" } },
        },
        `evt_renewal_${n}`,
      );
    // Default: only the first payment counts.
    expect(await (await sendSigned(renewal(2))).json()).toMatchObject({ ignored: expect.stringContaining("counts 1") });
    await t.call("PATCH", "/v1/admin/program", {
      body: {
        stripe: { webhookSecret: secret, invoicePayments: { upTo: 3 } },
        // A reward rule for each payment up to 3 (issue 18): each counted renewal earns its share.
        rewardRules: {
          rules: [{ course: null, reward: { type: "percent", percent: 10, cap: null }, payments: { upTo: 3 } }],
        },
      },
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    for (const n of [2, 3]) {
      expect(await (await sendSigned(renewal(n))).json()).toMatchObject({
        conversion: { externalId: `stripe:in_renewal_${n}`, status: "attributed" },
      });
    }
    expect(await (await sendSigned(renewal(4))).json()).toMatchObject({ ignored: expect.stringContaining("counts 3") });
    const rows = await stored();
    expect(rows.filter((row) => row.type === "enrollment")).toHaveLength(3);
    expect(rows.find((row) => row.externalId === "stripe:in_renewal_3")).toMatchObject({
      course: "data-analytics",
      referrerId: expect.any(String),
    });
    // A refund of an instalment is found through its payment intent.
    const refund = stripeEvent(
      "charge.refunded",
      "charge",
      { payment_intent: "pi_renewal_3", amount: 1000, currency: "usd", amount_refunded: 1000, refunded: true },
      "evt_refund_renewal",
    );
    expect(await (await sendSigned(refund)).json()).toMatchObject({ conversion: { replay: false } });
    expect((await stored()).find((row) => row.type === "refund")).toMatchObject({ refundOf: "stripe:in_renewal_3" });
    // Each counted renewal earned 10% of its 10.00 USD; the refunded one's reward is void.
    const instalmentRewards = await t.db
      .select({ amount: rewards.amount, currency: rewards.currency, status: rewards.status })
      .from(rewards)
      .where(and(eq(rewards.workspaceId, ws.id), eq(rewards.side, "referrer"), eq(rewards.currency, "USD")))
      .orderBy(rewards.status);
    expect(instalmentRewards).toEqual([
      { amount: 100, currency: "USD", status: "pending" },
      { amount: 100, currency: "USD", status: "void" },
    ]);
  });

  it("find the refund of a subscription's first payment, which Stripe names only through its invoice", async () => {
    await sendSigned(
      paidSession({ mode: "subscription", payment_intent: null, invoice: "in_first", subscription: "sub_meera" }),
    );
    const refund = stripeEvent(
      "charge.refunded",
      "charge",
      { payment_intent: "pi_first", amount: 1000, currency: "usd", amount_refunded: 1000, refunded: true },
      "evt_refund_first",
    );
    // Before Stripe says which invoice pi_first paid, the refund is not Chorus's.
    expect(await (await sendSigned(refund)).json()).toMatchObject({ ignored: "no Chorus conversion for this payment" });
    // Newer API versions: the invoice payment names the payment intent (Stripe's example, completed).
    const payment = stripeEvent(
      "invoice_payment.paid",
      "invoice_payment",
      { invoice: "in_first", payment: { type: "payment_intent", payment_intent: "pi_first" }, status: "paid" },
      "evt_invoice_payment",
    );
    expect(await (await sendSigned(payment)).json()).toMatchObject({ ignored: expect.stringContaining("linked") });
    const refunded = await (await sendSigned({ ...refund, id: "evt_refund_first_again" })).json();
    expect(refunded).toMatchObject({ conversion: { replay: false } });
    expect((await stored()).find((row) => row.type === "refund")).toMatchObject({
      refundOf: "stripe:in_first",
      amount: 1000,
    });
    expect(await rewardStatuses()).toEqual(["void", "void"]);
  });
});
