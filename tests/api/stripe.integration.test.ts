import { createHmac } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { conversions } from "../../db/schema.ts";
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
    expect(await response.json()).toMatchObject({ conversion: { externalId: "stripe:evt_refund_1" } });
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
      await (await send({ id: "evt_x", type: "invoice.paid", created: created(), data: { object: {} } })).json(),
    ).toMatchObject({ ignored: expect.stringContaining("invoice.paid") });
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
