import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProgramSettings } from "../../db/program-settings.ts";
import { approveDueRewards } from "../../server/services/rewards.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { clickFactory, learnerSignalFactory, type Referrer, referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const day = 86_400_000;
const allOn = { selfReferral: true, disposableEmail: true, botClicks: true, velocityPerDay: 20 };
let t: TestApp;
let ws: CreatedWorkspace;
let priya: Referrer;
let post: ReturnType<typeof poster>;

async function setup(fraud: Partial<ProgramSettings["fraud"]> = {}) {
  ws = await workspaceFactory(t.db, { settings: { fraud: { ...allOn, ...fraud } } });
  priya = await referrerFactory(
    t.db,
    ws.id,
    { sub: "priya", name: "Priya", email: "Priya@Example.com" },
    { now: t.clock.now() },
  );
  post = poster(t, ws.secretKey);
}

beforeEach(async () => {
  t = await createTestApp();
  await setup();
});
afterEach(() => t.cleanup());

const recent = () => new Date(t.clock.now().getTime() - day);

function stepOf(json: { attribution: { decision: { rule: string; result: string; detail: string }[] } }, rule: string) {
  return json.attribution.decision.find((step) => step.rule === rule);
}

/** Each case: the conversion that trips the rule, and the setting that switches the rule off. */
const cases: {
  rule: string;
  off: Partial<ProgramSettings["fraud"]>;
  detail: RegExp;
  make: () => Promise<Record<string, unknown>>;
}[] = [
  {
    rule: "self-referral",
    off: { selfReferral: false },
    detail: /customer id priya is the referrer's own learner id/,
    make: async () => enrollment({ customer: { id: "priya" }, code: priya.code }),
  },
  {
    rule: "self-referral",
    off: { selfReferral: false },
    detail: /the customer's email is the referrer's email/,
    make: async () => enrollment({ customer: { id: "alt-account", email: "PRIYA@example.com" }, code: priya.code }),
  },
  {
    rule: "self-referral",
    off: { selfReferral: false },
    detail: /came from the referrer's own browser \(visitor id\)/,
    make: async () => {
      await learnerSignalFactory(t.db, priya, "visitor_id", "vid-priya");
      const click = await clickFactory(t.db, priya, { at: recent(), visitorId: "vid-priya" });
      return enrollment({ clickId: click.id });
    },
  },
  {
    rule: "self-referral",
    off: { selfReferral: false },
    detail: /came from the referrer's own IP address/,
    make: async () => {
      await learnerSignalFactory(t.db, priya, "ip_hash", "iph-priya");
      const click = await clickFactory(t.db, priya, { at: recent(), ipHash: "iph-priya" });
      return enrollment({ clickId: click.id });
    },
  },
  {
    rule: "disposable-email",
    off: { disposableEmail: false },
    detail: /email domain mailinator\.com is a disposable-email service/,
    make: async () => enrollment({ customer: { id: "f-1", email: "friend@mailinator.com" }, code: priya.code }),
  },
  {
    rule: "bot-click",
    off: { botClicks: false },
    detail: /was made by a bot/,
    make: async () => {
      const click = await clickFactory(t.db, priya, { at: recent(), isBot: true });
      return enrollment({ clickId: click.id });
    },
  },
];

describe("fraud rules flag the conversion and hold its rewards", () => {
  it.each(cases.map((c, i) => [`${c.rule} #${i}`, c] as const))("%s", async (_name, c) => {
    const { json, status } = await post(await c.make());
    expect(status).toBe(201);
    expect(json.attribution).toMatchObject({ status: "attributed", flagged: true });
    expect(stepOf(json, c.rule)).toMatchObject({ result: "fail", detail: expect.stringMatching(c.detail) });
    expect(json.rewards.length).toBeGreaterThan(0);
    expect(json.rewards.every((reward) => reward.flagged && reward.status === "pending")).toBe(true);
    // Held: the hold ending does not approve a flagged reward.
    t.clock.advance(60 * day);
    await approveDueRewards({ db: t.db, clock: t.clock });
    const list = await (
      await t.call("GET", "/v1/admin/rewards", { headers: { Authorization: `Bearer ${ws.secretKey}` } })
    ).json();
    expect(list.items.every((reward: { status: string }) => reward.status === "pending")).toBe(true);
  });

  it.each(cases.map((c, i) => [`${c.rule} #${i}`, c] as const))("%s switched off does not flag", async (_name, c) => {
    await setup(c.off);
    const { json } = await post(await c.make());
    expect(json.attribution).toMatchObject({ status: "attributed", flagged: false });
    expect(stepOf(json, c.rule)).toMatchObject({ result: "skip", detail: expect.stringContaining("rule is off") });
  });

  it("flags a referrer's conversions beyond the daily velocity cap", async () => {
    await setup({ velocityPerDay: 3 });
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await post(enrollment({ code: priya.code }))).json);
    expect(results.map((json) => json.attribution.flagged)).toEqual([false, false, false, true]);
    expect(stepOf(results[3]!, "velocity")?.detail).toBe(
      "velocity: 4 referred customers for this referrer in 24 hours (limit 3)",
    );
    // A day later the count starts again.
    t.clock.advance(day + 1);
    expect((await post(enrollment({ code: priya.code }))).json.attribution.flagged).toBe(false);
  });

  it("does not count one customer's several conversions as velocity", async () => {
    await setup({ velocityPerDay: 1 });
    await post({ id: "s", type: "signup", customer: { id: "meera" }, code: priya.code });
    const again = await post(enrollment({ customer: { id: "meera" } }));
    expect(again.json.attribution.flagged).toBe(false);
  });

  it("lets an admin approve a flagged reward after review", async () => {
    const { json } = await post(enrollment({ customer: { id: "priya" }, code: priya.code }));
    const reward = json.rewards[0]!;
    const response = await t.call("POST", `/v1/admin/rewards/${reward.id}/approve`, {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "approved", flagged: true });
  });
});
