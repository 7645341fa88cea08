/**
 * Issue 18: a conversion carrying a referrer's friend coupon code (`PRIYA-10-K7M4Q9X`, as typed at
 * checkout) attributes to that referrer "by coupon code" through each door it can arrive by: the
 * API's `code`, and the Teachable, Thinkific and Kajabi connectors' coupon fields, fed their
 * documented payloads. (The Stripe promotion code of a checkout session is in stripe.coupons.test.ts,
 * against the recorded Stripe server.) One app for the file; each door its own order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { deliver, fixture, makeConnector, thinkificSignature } from "../support/integrations.ts";
import { visitor } from "../support/referrals.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const thinkificSecret = "thinkific-client-secret-0123";
let t: TestApp;
let ws: CreatedWorkspace;
let coupon: string;

beforeAll(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db, {
    now: t.clock.now(),
    settings: { friendOffer: { type: "percent", percent: 10 } },
  });
  const card = await t.call("POST", "/v1/referrals/me", {
    headers: {
      ...visitor(),
      "Chorus-Key": ws.publishableKey,
      Origin: testOrigin,
      Authorization: `Bearer ${await learnerToken(ws, { sub: "priya", name: "Priya Sharma" })}`,
    },
    body: {},
  });
  coupon = ((await card.json()) as { coupon: { code: string } }).coupon.code;
  expect(coupon).toMatch(/^PRIYA-10-[2-9A-HJKMNP-Z]{7}$/);
});
afterAll(() => t?.cleanup());

/** The stored conversion's attribution, as the provider reads it back. */
async function attributionOf(externalId: string) {
  const response = await t.call("GET", `/v1/conversions/${encodeURIComponent(externalId)}`, {
    headers: { Authorization: `Bearer ${ws.secretKey}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { attribution: Attribution }).attribution;
}

type Attribution = { status: string; referrer: { id: string } | null; decision: { rule: string; detail: string }[] };

function expectByCouponCode(attribution: Attribution) {
  expect(attribution).toMatchObject({ status: "attributed", referrer: { id: "priya" } });
  expect(attribution.decision.find((step) => step.rule === "decided-by")?.detail).toBe(
    `by coupon code: the friend coupon code sent with the conversion (${coupon}), as no usable click id was sent`,
  );
}

describe("a friend coupon code attributes by coupon code", () => {
  it("from the API's code field, typed in lower case without hyphens", async () => {
    const body = enrollment({ code: coupon.toLowerCase().replaceAll("-", "") });
    await poster(t, ws.secretKey)(body);
    expectByCouponCode(await attributionOf(body.id));
  });

  it("from a Thinkific order's coupon", async () => {
    const thinkific = await makeConnector(t, ws.secretKey, {
      platform: "thinkific",
      signingSecret: thinkificSecret,
      courses: { "1": "intro-webhooks" },
      currency: "USD",
    });
    const order = fixture("thinkific", "order.created");
    (order.payload as Record<string, unknown>).coupon = { code: coupon };
    const sign = (body: string) => ({ "X-Thinkific-Hmac-Sha256": thinkificSignature(body, thinkificSecret) });
    expect(await (await deliver(t, thinkific, order, { sign })).json()).toMatchObject({ outcome: "recorded" });
    expectByCouponCode(await attributionOf("thinkific:order:19796"));
  });

  it("from a Teachable sale's coupon", async () => {
    const teachable = await makeConnector(t, ws.secretKey, {
      platform: "teachable",
      courses: { "2001": "data-analytics" },
    });
    const sale = fixture("teachable", "Sale.created");
    (sale.object as Record<string, unknown>).coupon = { code: coupon.toLowerCase() };
    expect(await (await deliver(t, teachable, sale)).json()).toMatchObject({ outcome: "recorded" });
    expectByCouponCode(await attributionOf("teachable:sale:8801"));
  });

  it("from a Kajabi purchase's coupon_code", async () => {
    const kajabi = await makeConnector(t, ws.secretKey, { platform: "kajabi", courses: { "0": "kajabi-course" } });
    const purchase = fixture("kajabi", "purchase");
    ((purchase[0] as Record<string, Record<string, unknown>>).attributes as Record<string, unknown>).coupon_code =
      coupon;
    expect(await (await deliver(t, kajabi, purchase)).json()).toMatchObject({ outcome: "recorded" });
    expectByCouponCode(await attributionOf("kajabi:purchase:0"));
  });
});
