/**
 * Friend coupons as Stripe promotion codes (issues 17 and 18), against a local server that answers
 * with Stripe's fixture shapes and records what the official `stripe` package sent: the key
 * encrypted at rest, each request field by field, rate limits retried, invalid requests shown as
 * failed, and a checkout session paid with a referrer's promotion code attributed to them.
 */
import { readFileSync } from "node:fs";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProgramSettingsInput } from "../../db/program-settings.ts";
import { open } from "../../server/lib/secret-box.ts";
import { runBackgroundTick } from "../../server/services/background.ts";
import { syncStripePromotionCodes } from "../../server/services/stripe-coupons.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { dumpDatabase } from "../support/database-dump.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { type FakeStripe, startFakeStripe } from "../support/stripe-api.ts";
import { createTestApp, expectError, type TestApp, testConfig } from "../support/test-app.ts";

const webhookSecret = "whsec_test0123456789abcdef";
const apiKey = "sk_test_51ChorusTestKey0000000000004242";
let t: TestApp;
let stripe: FakeStripe;
let ws: CreatedWorkspace;

async function setup(settings: ProgramSettingsInput = {}) {
  ws = await workspaceFactory(t.db, {
    settings: { holdDays: 0, stripe: { webhookSecret, conversionType: "enrollment" }, ...settings },
  });
  const stored = await t.call("PUT", "/v1/admin/stripe/api-key", { headers: admin(), body: { apiKey } });
  expect(stored.status).toBe(200);
}

beforeEach(async () => {
  stripe = await startFakeStripe();
  t = await createTestApp({}, { stripeApi: stripe.api });
});
afterEach(async () => {
  t.cleanup();
  await stripe.close();
});

const admin = () => ({ Authorization: `Bearer ${ws.secretKey}` });

async function me(sub = "priya", name = "Priya Sharma", body: Record<string, unknown> = {}) {
  const response = await t.call("POST", "/v1/referrals/me", {
    headers: {
      "Chorus-Key": ws.publishableKey,
      Origin: testOrigin,
      Authorization: `Bearer ${await learnerToken(ws, { sub, name })}`,
    },
    body,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { code: string; coupon: { code: string; expiresAt: string | null } | null };
}

async function couponRows() {
  const rows = await t.client.execute(
    "select code, stripe_status, stripe_promotion_code_id, stripe_attempts, stripe_error from friend_coupons order by rowid",
  );
  return rows.rows.map((row) => ({ ...row }));
}

const tick = () =>
  runBackgroundTick({ db: t.db, clock: t.clock }, {}, undefined, { secret: testConfig.secret, api: stripe.api });

describe("the Stripe API key", () => {
  it("is stored encrypted, answered only as a hint, and refused when malformed", async () => {
    await setup();
    const answer = await t.call("PUT", "/v1/admin/stripe/api-key", { headers: admin(), body: { apiKey } });
    expect(await answer.json()).toEqual({ connected: true, hint: "sk_test_…4242" });
    const dump = await dumpDatabase(t.client);
    for (const [table, text] of dump) expect(text.includes(apiKey), table).toBe(false);
    expect(
      String((await t.client.execute("select api_key_ciphertext from stripe_accounts")).rows[0]?.api_key_ciphertext),
    ).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    await expectError(
      await t.call("PUT", "/v1/admin/stripe/api-key", { headers: admin(), body: { apiKey: "pk_test_nope" } }),
      400,
      "invalid_request",
    );
    expect(await (await t.call("DELETE", "/v1/admin/stripe/api-key", { headers: admin() })).json()).toEqual({
      connected: false,
      hint: null,
    });
    // Without a key, codes are made but nothing is sent to Stripe.
    expect((await me()).coupon?.code).toMatch(/^PRIYA-10-/);
    expect(stripe.requests).toEqual([]);
  });

  it("cannot be opened with another server secret, or as another workspace's", async () => {
    await setup();
    const sealed = String(
      (await t.client.execute("select api_key_ciphertext from stripe_accounts")).rows[0]?.api_key_ciphertext,
    );
    const purpose = "stripe-api-key";
    expect(await open({ secret: testConfig.secret, purpose, owner: ws.id, sealed })).toBe(apiKey);
    expect(
      await open({ secret: "another-secret-of-at-least-32-characters!!", purpose, owner: ws.id, sealed }),
    ).toBeNull();
    expect(await open({ secret: testConfig.secret, purpose, owner: "ws_other", sealed })).toBeNull();
    expect(
      await open({ secret: testConfig.secret, purpose, owner: ws.id, sealed: `${sealed.slice(0, -2)}AA` }),
    ).toBeNull();
  });
});

describe("creating promotion codes", () => {
  it("creates the offer's coupon and a first-time-customer promotion code, field by field", async () => {
    await setup();
    const { coupon } = await me();
    expect(stripe.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /v1/coupons",
      "POST /v1/promotion_codes",
    ]);
    const [couponRequest, promotionRequest] = stripe.requests;
    const couponId = `chorus-${ws.id}-p10-all`;
    expect(couponRequest?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(couponRequest?.headers["idempotency-key"]).toBe(`chorus-coupon-${couponId}`);
    expect(couponRequest?.form).toEqual({
      id: couponId,
      name: "Friend offer: 10% off",
      duration: "once",
      percent_off: "10",
      "metadata[chorus_workspace]": ws.id,
      "metadata[chorus_offer]": "p10",
    });
    const [row] = (await t.client.execute("select id from friend_coupons")).rows;
    expect(promotionRequest?.headers["idempotency-key"]).toBe(`chorus-promotion-${row?.id}`);
    expect(promotionRequest?.form).toEqual({
      "promotion[type]": "coupon",
      "promotion[coupon]": couponId,
      code: coupon?.code,
      "restrictions[first_time_transaction]": "true",
      "metadata[chorus_workspace]": ws.id,
      "metadata[chorus_coupon]": String(row?.id),
    });
    expect(await couponRows()).toEqual([
      {
        code: coupon?.code,
        stripe_status: "created",
        stripe_promotion_code_id: "promo_chorus0001",
        stripe_attempts: 1,
        stripe_error: null,
      },
    ]);
  });

  it("sends an amount offer in minor units, the course's products and the expiry", async () => {
    await setup({
      friendOffer: { type: "amount", amount: 50_000, currency: "INR" },
      friendCoupons: { source: "generated", checkout: null, expiresInDays: 30, poolLowAt: 20 },
      stripe: {
        webhookSecret,
        conversionType: "enrollment",
        courses: { prod_DataAnalytics: "data-analytics", price_X: "data-analytics" },
      },
    });
    const { coupon } = await me("priya", "Priya Sharma", { course: "data-analytics" });
    expect(coupon?.code).toMatch(/^PRIYA-500-/);
    const expires = Math.floor(t.clock.now().getTime() / 1000) + 30 * 86_400;
    expect(coupon?.expiresAt).toBe(new Date(expires * 1000).toISOString());
    const [couponRequest, promotionRequest] = stripe.requests;
    expect(couponRequest?.form).toEqual({
      id: `chorus-${ws.id}-a50000INR-data-analytics-30d`,
      name: "Friend offer",
      duration: "once",
      amount_off: "50000",
      currency: "inr",
      "applies_to[products][0]": "prod_DataAnalytics",
      "metadata[chorus_workspace]": ws.id,
      "metadata[chorus_offer]": "a50000INR",
    });
    expect(promotionRequest?.form.expires_at).toBe(String(expires));
  });

  it("reuses the offer's coupon when Stripe says it exists", async () => {
    await setup();
    await me();
    stripe.fail("/v1/coupons", 400, {
      type: "invalid_request_error",
      code: "resource_already_exists",
      message: "Coupon already exists.",
    });
    const arjun = await me("arjun", "Arjun Rao");
    expect(stripe.requests.map((request) => request.path)).toEqual([
      "/v1/coupons",
      "/v1/promotion_codes",
      "/v1/coupons",
      "/v1/promotion_codes",
    ]);
    expect((await couponRows())[1]).toMatchObject({ code: arjun.coupon?.code, stripe_status: "created" });
  });

  it("retries a rate-limited creation on a background run once its back-off has passed", async () => {
    await setup();
    stripe.fail("/v1/promotion_codes", 429, {
      type: "rate_limit_error",
      code: "rate_limit",
      message: "Too many requests",
    });
    const { coupon } = await me();
    // Shown meanwhile: it is created in Stripe within a background run or two.
    expect(coupon?.code).toMatch(/^PRIYA-10-/);
    expect(await couponRows()).toEqual([
      {
        code: coupon?.code,
        stripe_status: "pending",
        stripe_promotion_code_id: null,
        stripe_attempts: 1,
        stripe_error: "rate limited (429) rate_limit",
      },
    ]);
    // Not on the very next run (a rate-limited Stripe is not asked again each second) …
    await tick();
    expect(stripe.requests.filter((request) => request.path === "/v1/promotion_codes")).toHaveLength(1);
    // … but once the back-off (about 30 s after a first failure) has passed.
    t.clock.advance(60_000);
    await tick();
    expect(await couponRows()).toEqual([
      {
        code: coupon?.code,
        stripe_status: "created",
        stripe_promotion_code_id: "promo_chorus0001",
        stripe_attempts: 2,
        stripe_error: null,
      },
    ]);
    // The retry is the same request with the same idempotency key: Stripe makes one code.
    const promotions = stripe.requests.filter((request) => request.path === "/v1/promotion_codes");
    expect(promotions).toHaveLength(2);
    expect(promotions[1]?.form).toEqual(promotions[0]?.form);
    expect(promotions[1]?.headers["idempotency-key"]).toBe(promotions[0]?.headers["idempotency-key"]);
  });

  it("does not let codes of a workspace whose key was removed fill the batch of another's", async () => {
    await setup();
    stripe.fail("/v1/promotion_codes", 429, { type: "rate_limit_error", code: "rate_limit", message: "Slow down" });
    await me("waiting", "Wanda Waits");
    expect(await (await t.call("DELETE", "/v1/admin/stripe/api-key", { headers: admin() })).json()).toMatchObject({
      connected: false,
    });
    await setup();
    stripe.fail("/v1/promotion_codes", 429, { type: "rate_limit_error", code: "rate_limit", message: "Slow down" });
    const { coupon } = await me("priya", "Priya Sharma");
    t.clock.advance(3_600_000);
    // A batch of one: the older, keyless workspace's code must not take the place.
    const report = await syncStripePromotionCodes(
      { db: t.db, clock: t.clock, secret: testConfig.secret, stripeApi: stripe.api },
      { limit: 1 },
    );
    expect(report).toEqual({ created: 1, retrying: 0, failed: 0 });
    expect((await couponRows()).map((row) => [row.code === coupon?.code, row.stripe_status])).toEqual([
      [false, "pending"],
      [true, "created"],
    ]);
  });

  it("marks an invalid request failed, shows it, hides the code, and retries it on request", async () => {
    await setup();
    stripe.fail("/v1/promotion_codes", 400, {
      type: "invalid_request_error",
      code: "parameter_invalid_string",
      message: "Invalid string",
    });
    expect((await me()).coupon).toBeNull();
    const overview = await (await t.call("GET", "/v1/admin/friend-coupons", { headers: admin() })).json();
    expect(overview.stripe).toEqual({
      connected: true,
      pending: 0,
      created: 0,
      failed: 1,
      failures: [
        {
          code: expect.stringMatching(/^PRIYA-10-/),
          error: "invalid request (400) parameter_invalid_string",
          attempts: 1,
        },
      ],
    });
    await tick(); // a failed code is not retried by itself
    expect(stripe.requests.filter((request) => request.path === "/v1/promotion_codes")).toHaveLength(1);
    expect(await (await t.call("POST", "/v1/admin/friend-coupons/retry", { headers: admin() })).json()).toEqual({
      requeued: 1,
    });
    await tick();
    expect((await couponRows())[0]).toMatchObject({
      stripe_status: "created",
      stripe_promotion_code_id: "promo_chorus0001",
    });
    expect((await me()).coupon?.code).toMatch(/^PRIYA-10-/);
  });
});

describe("a checkout session paid with a referrer's promotion code", () => {
  const fixtures = JSON.parse(readFileSync("/work/shared/fixtures/stripe/fixtures3.json", "utf8")).resources as Record<
    string,
    Record<string, unknown>
  >;
  const signer = new Stripe("sk_test_unused");

  function send(changes: Record<string, unknown>, id: string) {
    const event = {
      id,
      object: "event",
      type: "checkout.session.completed",
      created: Math.floor(t.clock.now().getTime() / 1000) - 60,
      data: {
        object: {
          ...structuredClone(fixtures["checkout.session"]!),
          client_reference_id: null,
          customer: "cus_meera",
          amount_total: 449_910,
          currency: "inr",
          payment_status: "paid",
          status: "complete",
          metadata: { chorus_course: "data-analytics" },
          ...changes,
        },
      },
    };
    const body = JSON.stringify(event);
    const signature = signer.webhooks.generateTestHeaderString({
      payload: body,
      secret: webhookSecret,
      timestamp: Math.floor(t.clock.now().getTime() / 1000),
    });
    return t.call("POST", `/v1/integrations/stripe?workspace=${ws.id}`, {
      body,
      headers: { "Stripe-Signature": signature, "Content-Type": "application/json" },
    });
  }

  async function conversion(externalId: string) {
    const response = await t.call("GET", `/v1/conversions/${externalId}`, { headers: admin() });
    return (await response.json()) as {
      conversion: { amount: number; currency: string; metadata: Record<string, unknown> };
      attribution: {
        status: string;
        flagged: boolean;
        referrer: { id: string } | null;
        decision: { rule: string; detail: string }[];
      };
      rewards: { side: string; amount: number | null; currency: string | null; percent: number | null }[];
    };
  }

  it("attributes it to the referrer by coupon code, from the session's discounts", async () => {
    await setup();
    const { coupon } = await me();
    const response = await send(
      { payment_intent: "pi_promo_1", discounts: [{ coupon: null, promotion_code: "promo_chorus0001" }] },
      "evt_promo_1",
    );
    expect(response.status).toBe(200);
    const answer = await conversion("stripe:pi_promo_1");
    expect(answer.conversion).toMatchObject({ amount: 449_910, currency: "INR" });
    expect(answer.conversion.metadata.stripePromotionCode).toBe(coupon?.code);
    expect(answer.attribution).toMatchObject({ status: "attributed", flagged: false, referrer: { id: "priya" } });
    expect(answer.attribution.decision.find((step) => step.rule === "decided-by")?.detail).toBe(
      `by coupon code: the friend coupon code sent with the conversion (${coupon?.code}), as no usable click id was sent`,
    );
    expect(answer.rewards.map(({ side, amount, currency, percent }) => ({ side, amount, currency, percent }))).toEqual([
      { side: "referrer", amount: 50_000, currency: "INR", percent: null },
      { side: "friend", amount: null, currency: null, percent: 10 },
    ]);
  });

  it("reads an expanded promotion code from the total's breakdown (a code the provider made in Stripe)", async () => {
    await setup({ friendCoupons: { source: "pool", checkout: null, expiresInDays: null, poolLowAt: 0 } });
    await t.call("POST", "/v1/admin/friend-coupons/pool", { headers: admin(), body: { csv: "FRIENDS-AAA1\n" } });
    expect((await me()).coupon?.code).toBe("FRIENDS-AAA1");
    // A pool code was made by the provider, not by Chorus: nothing went to Stripe.
    expect(stripe.requests).toEqual([]);
    const discount = {
      ...structuredClone(fixtures.discount!),
      promotion_code: { ...structuredClone(fixtures.promotion_code!), id: "promo_provider1", code: "friends-aaa1" },
    };
    await send(
      {
        payment_intent: "pi_promo_2",
        total_details: {
          amount_discount: 49_990,
          amount_shipping: 0,
          amount_tax: 0,
          breakdown: { discounts: [{ amount: 49_990, discount }], taxes: [] },
        },
      },
      "evt_promo_2",
    );
    expect((await conversion("stripe:pi_promo_2")).attribution).toMatchObject({
      status: "attributed",
      referrer: { id: "priya" },
    });
  });

  it("refuses the referrer paying with their own promotion code (self-referral)", async () => {
    await setup();
    await me("priya", "Priya Sharma");
    await send(
      {
        customer: "priya",
        payment_intent: "pi_promo_3",
        discounts: [{ coupon: null, promotion_code: "promo_chorus0001" }],
      },
      "evt_promo_3",
    );
    const answer = await conversion("stripe:pi_promo_3");
    expect(answer.attribution.flagged).toBe(true);
    expect(answer.attribution.decision.find((step) => step.rule === "self-referral")?.detail).toBe(
      "self-referral: customer id priya is the referrer's own learner id",
    );
  });

  it("leaves a session with another account's promotion code unattributed", async () => {
    await setup();
    await me();
    await send(
      { payment_intent: "pi_promo_4", discounts: [{ coupon: null, promotion_code: "promo_unknown" }] },
      "evt_promo_4",
    );
    expect((await conversion("stripe:pi_promo_4")).attribution.status).toBe("unattributed");
  });
});
