import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { conversions, rewards, webhookEvents } from "../../db/schema.ts";
import { enrollment, type RewardsProgram, rewardsProgram } from "../support/conversions.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

const day = 86_400_000;
let t: TestApp;
// Each test's program, set before it runs.
let { ws, priya, post, auth } = {} as RewardsProgram;

beforeEach(async () => {
  t = await createTestApp();
  ({ ws, priya, post, auth } = await rewardsProgram(t, {
    friendOffer: { type: "amount", amount: 10_000, currency: "INR" },
  }));
});
afterEach(() => t.cleanup());

const refund = (of: string, id = `refund-${of}`) => ({ id, type: "refund", refundOf: of, customer: { id: "meera" } });

describe("refunds", () => {
  it("void the pending rewards the refunded conversion caused, and they never approve", async () => {
    await post(enrollment({ id: "order-1", customer: { id: "meera" }, code: priya.code }));
    t.clock.advance(day);
    const { status, json } = await post(refund("order-1"));
    expect(status).toBe(201);
    expect(json.rewards.map((reward) => reward.status)).toEqual(["void", "void"]);
    expect(json.attribution).toMatchObject({ status: "attributed", referrer: { id: "priya" } });
    expect(json.attribution.decision.map((step) => step.detail)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^refund of enrollment order-1 from 2026-11-01$/),
        expect.stringMatching(/^voided reward rwd_\w+ \(500\.00 INR credit, was pending\)$/),
      ]),
    );
    t.clock.advance(30 * day);
    const list = await (await t.call("GET", "/v1/admin/rewards", { headers: auth })).json();
    expect(list.items.map((reward: { status: string }) => reward.status)).toEqual(["void", "void"]);
    const events = await t.db.select().from(webhookEvents).where(eq(webhookEvents.workspaceId, ws.id));
    expect(events.filter((event) => event.type === "reward.voided")).toHaveLength(2);
  });

  it("claw back issued rewards with a negative entry, once", async () => {
    const { json } = await post(enrollment({ id: "order-2", customer: { id: "meera" }, code: priya.code }));
    const [referrerReward, friendReward] = json.rewards;
    for (const action of ["approve", "issue"]) {
      await t.call("POST", `/v1/admin/rewards/${referrerReward!.id}/${action}`, { headers: auth });
    }
    const refunded = await post(refund("order-2"));
    const byId = new Map(refunded.json.rewards.map((reward) => [reward.reason, reward]));
    expect(byId.get(`clawback:${referrerReward!.id}`)).toMatchObject({
      amount: -50_000,
      currency: "INR",
      side: "referrer",
      learnerId: "priya",
      status: "approved",
    });
    expect(refunded.json.rewards.find((reward) => reward.id === friendReward!.id)?.status).toBe("void");
    expect(refunded.json.attribution.decision.map((step) => step.detail)).toContain(
      `reward ${referrerReward!.id} was already issued: claw back -500.00 INR credit`,
    );
    // A second refund of the same order claws back nothing more.
    const again = await post(refund("order-2", "refund-2b"));
    expect(again.status).toBe(201);
    expect(again.json.rewards).toEqual([]);
    const clawbacks = await t.db
      .select()
      .from(rewards)
      .where(and(eq(rewards.workspaceId, ws.id), eq(rewards.reason, `clawback:${referrerReward!.id}`)));
    expect(clawbacks).toHaveLength(1);
  });

  it("of an unknown conversion answer 400 and store nothing", async () => {
    const response = await t.call("POST", "/v1/conversions", { body: refund("no-such-order"), headers: auth });
    const error = await expectError(response, 400, "invalid_request");
    expect(error.details).toEqual([expect.objectContaining({ path: "refundOf" })]);
    expect(await t.db.select().from(conversions).where(eq(conversions.workspaceId, ws.id))).toEqual([]);
  });

  it("cannot refund a refund", async () => {
    await post(enrollment({ id: "order-3", customer: { id: "meera" } }));
    await post(refund("order-3"));
    await expectError(
      await t.call("POST", "/v1/conversions", { body: refund("refund-order-3", "r-of-r"), headers: auth }),
      400,
      "invalid_request",
    );
  });
});
