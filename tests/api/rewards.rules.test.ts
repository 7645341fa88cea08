import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProgramSettingsInput } from "../../db/program-settings.ts";
import { webhookEvents } from "../../db/schema.ts";
import { runBackgroundTick } from "../../server/services/background.ts";
import { clickFactory } from "../support/click-factories.ts";
import { enrollment, type RewardsProgram, rewardsProgram } from "../support/conversions.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

const day = 86_400_000;
let t: TestApp;
// Each test's program, set before it runs.
let { ws, priya, post, auth } = {} as RewardsProgram;

async function setup(settings: ProgramSettingsInput = {}) {
  ({ ws, priya, post, auth } = await rewardsProgram(t, settings));
}

beforeEach(async () => {
  t = await createTestApp();
  await setup();
});
afterEach(() => t.cleanup());

async function listRewards(query = "") {
  const response = await t.call("GET", `/v1/admin/rewards${query}`, { headers: auth });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    items: { id: string; status: string; kind: string; side: string }[];
    nextCursor: string | null;
  };
}

describe("the reward trigger", () => {
  it("rewards both sides on enrolment by default, not on signup", async () => {
    const signup = await post({ id: "s-1", type: "signup", customer: { id: "meera" }, code: priya.code });
    expect(signup.json.rewards).toEqual([]);
    expect(signup.json.attribution.decision.find((step) => step.rule === "trigger")?.detail).toBe(
      "rewards are earned on enrollment; this is a signup: no reward",
    );
    const enrolled = await post(enrollment({ customer: { id: "meera" } }));
    expect(enrolled.json.rewards.map((reward) => [reward.side, reward.kind, reward.amount, reward.percent])).toEqual([
      ["referrer", "credit", 50_000, null],
      ["friend", "discount", null, 10],
    ]);
    const completed = await post({ id: "c-1", type: "completion", customer: { id: "meera" } });
    expect(completed.json.rewards).toEqual([]);
    const events = await t.db.select().from(webhookEvents).where(eq(webhookEvents.workspaceId, ws.id));
    const created = events.filter((event) => event.type === "reward.created").map((event) => event.payload);
    expect(created).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ side: "referrer", learnerId: "priya", amount: 50_000 }),
      }),
      expect.objectContaining({ data: expect.objectContaining({ side: "friend", customerId: "meera", percent: 10 }) }),
    ]);
  });

  it("rewards only on completion when the program says so", async () => {
    await setup({ trigger: "completion", friendOffer: { type: "amount", amount: 20_000, currency: "INR" } });
    const enrolled = await post(enrollment({ customer: { id: "meera" }, code: priya.code }));
    expect(enrolled.json.rewards).toEqual([]);
    const completed = await post({ id: "c-1", type: "completion", customer: { id: "meera" } });
    expect(completed.json.rewards.map((reward) => [reward.side, reward.amount, reward.currency])).toEqual([
      ["referrer", 50_000, "INR"],
      ["friend", 20_000, "INR"],
    ]);
  });

  it("rewards one referred customer once, even across courses", async () => {
    await post(enrollment({ customer: { id: "meera" }, code: priya.code }));
    const second = await post(enrollment({ customer: { id: "meera" }, course: "python-basics" }));
    expect(second.json.rewards).toEqual([]);
  });
});

describe("rewards follow the program rules only", () => {
  it("are the same whether or not the click came through a success story", async () => {
    const plain = await clickFactory(t.db, priya, { at: t.clock.now() });
    const viaStory = await clickFactory(t.db, priya, { at: t.clock.now(), storyId: "sty_glowing_review" });
    const a = await post(enrollment({ clickId: plain.id }));
    const b = await post(enrollment({ clickId: viaStory.id }));
    expect(b.json.attribution.storyId).toBe("sty_glowing_review");
    const shape = (rewards: typeof a.json.rewards) =>
      rewards.map((r) => [r.side, r.kind, r.amount, r.percent, r.status]);
    expect(shape(b.json.rewards)).toEqual(shape(a.json.rewards));
  });
});

describe("holds and approval", () => {
  it("approves after the hold, on read and from the background tick, and announces it", async () => {
    const { json } = await post(enrollment({ code: priya.code }));
    expect(json.rewards.map((reward) => [reward.status, reward.holdUntil])).toEqual([
      ["pending", "2026-11-15T10:00:00.000Z"],
      ["pending", "2026-11-15T10:00:00.000Z"],
    ]);
    t.clock.set("2026-11-15T09:59:59Z");
    expect((await listRewards("?status=pending")).items).toHaveLength(2);
    t.clock.set("2026-11-15T10:00:00Z");
    const tick = await runBackgroundTick({ db: t.db, clock: t.clock });
    expect(tick.approved).toBe(2);
    expect((await listRewards("?status=approved")).items).toHaveLength(2);
    const events = await t.db.select().from(webhookEvents).where(eq(webhookEvents.workspaceId, ws.id));
    expect(events.filter((event) => event.type === "reward.approved")).toHaveLength(2);
  });

  it("approves on read without waiting for a tick", async () => {
    await post(enrollment({ id: "order-read", code: priya.code }));
    t.clock.advance(15 * day);
    const conversion = await (await t.call("GET", "/v1/conversions/order-read", { headers: auth })).json();
    expect(conversion.rewards.map((reward: { status: string }) => reward.status)).toEqual(["approved", "approved"]);
    expect((await listRewards("?status=approved")).items).toHaveLength(2);
  });

  it("a refused read (bad cursor, unknown conversion) approves nothing and stores no event (found by fuzzing)", async () => {
    await post(enrollment({ code: priya.code }));
    t.clock.advance(15 * day);
    const events = async () =>
      (await t.db.select().from(webhookEvents).where(eq(webhookEvents.workspaceId, ws.id))).length;
    const before = await events();
    await expectError(
      await t.call("GET", "/v1/admin/rewards?cursor=not-a-cursor", { headers: auth }),
      400,
      "invalid_request",
    );
    await expectError(await t.call("GET", "/v1/conversions/order-unknown", { headers: auth }), 404, "not_found");
    expect(await events()).toBe(before);
    expect((await listRewards("?status=approved")).items).toHaveLength(2);
    expect(await events()).toBe(before + 2);
  });

  it("approves at once with no hold", async () => {
    await setup({ holdDays: 0 });
    const { json } = await post(enrollment({ code: priya.code }));
    expect(json.rewards.map((reward) => reward.status)).toEqual(["approved", "approved"]);
  });
});

describe("caps and milestones", () => {
  it("stops referrer rewards at the monthly cap and starts again next month", async () => {
    await setup({ monthlyCap: 2 });
    const referrerRewards = async () =>
      (await post(enrollment({ code: priya.code }))).json.rewards.filter((reward) => reward.side === "referrer");
    expect(await referrerRewards()).toHaveLength(1);
    expect(await referrerRewards()).toHaveLength(1);
    const capped = await post(enrollment({ code: priya.code }));
    expect(capped.json.rewards.map((reward) => reward.side)).toEqual(["friend"]);
    expect(capped.json.attribution.decision.find((step) => step.rule === "monthly-cap")).toEqual({
      rule: "monthly-cap",
      result: "fail",
      detail: "monthly cap reached: Priya already has 2 of 2 referrer rewards in 2026-11",
    });
    t.clock.set("2026-12-01T00:00:00Z");
    expect(await referrerRewards()).toHaveLength(1);
  });

  it("pays each milestone bonus once, when the count is reached", async () => {
    await setup({
      friendOffer: null,
      milestones: [
        { count: 2, bonus: { amount: 100_000, currency: "INR" } },
        { count: 3, bonus: { amount: 250_000, currency: "INR" } },
      ],
    });
    const kinds = [];
    for (let i = 0; i < 4; i++) {
      kinds.push((await post(enrollment({ code: priya.code }))).json.rewards.map((r) => `${r.kind}:${r.amount}`));
    }
    expect(kinds).toEqual([
      ["credit:50000"],
      ["credit:50000", "milestone:100000"],
      ["credit:50000", "milestone:250000"],
      ["credit:50000"],
    ]);
  });
});

describe("admin actions on rewards", () => {
  it("walks pending → approved → issued and refuses the wrong order", async () => {
    const { json } = await post(enrollment({ code: priya.code }));
    const id = json.rewards[0]!.id;
    await expectError(await t.call("POST", `/v1/admin/rewards/${id}/issue`, { headers: auth }), 409, "conflict");
    expect(await (await t.call("POST", `/v1/admin/rewards/${id}/approve`, { headers: auth })).json()).toMatchObject({
      status: "approved",
    });
    expect(await (await t.call("POST", `/v1/admin/rewards/${id}/issue`, { headers: auth })).json()).toMatchObject({
      status: "issued",
    });
    await expectError(await t.call("POST", `/v1/admin/rewards/${id}/void`, { headers: auth }), 409, "conflict");
    await expectError(await t.call("POST", "/v1/admin/rewards/rwd_nope/approve", { headers: auth }), 404, "not_found");
  });

  it("voids, keeps the rule's reason and announces it", async () => {
    const { json } = await post(enrollment({ code: priya.code }));
    const id = json.rewards[0]!.id;
    const response = await t.call("POST", `/v1/admin/rewards/${id}/void`, { headers: auth });
    expect(await response.json()).toMatchObject({ status: "void", reason: "referral" });
    const events = await t.db.select().from(webhookEvents).where(eq(webhookEvents.workspaceId, ws.id));
    expect(events.filter((event) => event.type === "reward.voided")).toHaveLength(1);
  });

  it("lists with filters and a cursor", async () => {
    for (let i = 0; i < 3; i++) {
      await post(enrollment({ code: priya.code }));
      t.clock.advance(1000);
    }
    const referrer = await listRewards("?side=referrer&learner=priya&limit=2");
    expect(referrer.items).toHaveLength(2);
    expect(referrer.items.every((reward) => reward.side === "referrer")).toBe(true);
    const next = await listRewards(`?side=referrer&limit=2&cursor=${referrer.nextCursor}`);
    expect(next.items).toHaveLength(1);
    expect(next.nextCursor).toBeNull();
    const ids = new Set([...referrer.items, ...next.items].map((reward) => reward.id));
    expect(ids.size).toBe(3);
    expect((await listRewards("?learner=someone-else")).items).toEqual([]);
    await expectError(await t.call("GET", "/v1/admin/rewards?cursor=%%%", { headers: auth }), 400, "invalid_request");
  });
});
