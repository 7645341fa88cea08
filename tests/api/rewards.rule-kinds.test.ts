/**
 * Issue 18, reward rules: each kind with exact amounts in minor units (paise, yen without decimals,
 * fils with three), caps, first payment vs each payment up to N, the sign-up reward, tiers across
 * their boundary, the most specific rule winning (and the log saying so), refunds and the fraud
 * hold still applying to what a rule gave, and the older settings read as the equivalent rule.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProgramSettingsInput } from "../../db/program-settings.ts";
import type { RewardRule, RewardRules } from "../../db/reward-rule-settings.ts";
import { workspaces } from "../../db/schema.ts";
import { percentOf } from "../../server/services/reward-rule-amounts.ts";
import { enrollment, type RewardsProgram, rewardsProgram } from "../support/conversions.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let { ws, priya, post, auth } = {} as RewardsProgram;

async function setup(rewardRules: Partial<RewardRules>, settings: ProgramSettingsInput = {}) {
  ({ ws, priya, post, auth } = await rewardsProgram(t, {
    friendOffer: null,
    rewardRules: { rules: [], monthlyCap: null, milestones: [], ...rewardRules },
    ...settings,
  }));
}

/** A rule with the defaults a form would send. */
const rule = (fields: Partial<RewardRule> & Pick<RewardRule, "reward">): RewardRule => ({
  course: null,
  kind: "credit",
  tiers: [],
  payments: "first",
  signupReward: null,
  ...fields,
});

beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

type Body = Awaited<ReturnType<RewardsProgram["post"]>>["json"];
const referrerRewards = (json: Body) =>
  json.rewards.filter((reward) => reward.side === "referrer").map((r) => [r.kind, r.amount, r.currency]);
const step = (json: Body, name: string) => json.attribution.decision.find((s) => s.rule === name)?.detail;

describe("percentages, rounded half up to the minor unit", () => {
  it("computes in integer basis points", () => {
    expect(percentOf(12_345, 7.5)).toBe(926); // 925.875 yen
    expect(percentOf(12_345, 10)).toBe(1_235); // 1234.5 fils
    expect(percentOf(499_900, 12.5)).toBe(62_488); // 62487.5 paise
    expect(percentOf(499_900, 0.01)).toBe(50); // 49.99 paise
    expect(percentOf(1, 49.99)).toBe(0);
    expect(percentOf(1, 50)).toBe(1);
    expect(percentOf(100_000_000_000, 33.33)).toBe(33_330_000_000);
  });

  it.each([
    ["INR", 499_900, 12.5, 62_488, "12.5% of 4999.00 INR = 624.88 INR (rounded half up)"],
    ["JPY", 12_345, 7.5, 926, "7.5% of 12345 JPY = 926 JPY (rounded half up)"],
    ["KWD", 12_345, 10, 1_235, "10% of 12.345 KWD = 1.235 KWD (rounded half up)"],
  ])("gives exact minor units in %s", async (currency, amount, percent, reward, how) => {
    await setup({ rules: [rule({ reward: { type: "percent", percent, cap: null } })] });
    const { json } = await post(enrollment({ code: priya.code, amount, currency }));
    expect(referrerRewards(json)).toEqual([["credit", reward, currency]]);
    expect(step(json, "reward-amount")).toBe(how);
  });

  it("caps the percentage, and refuses to bound a payment in another currency than the cap's", async () => {
    await setup({
      rules: [
        rule({ kind: "cash", reward: { type: "percent", percent: 10, cap: { amount: 20_000, currency: "INR" } } }),
      ],
    });
    const capped = await post(enrollment({ code: priya.code }));
    expect(referrerRewards(capped.json)).toEqual([["cash", 20_000, "INR"]]);
    expect(step(capped.json, "reward-amount")).toBe(
      "10% of 4999.00 INR = 499.90 INR (rounded half up), capped at 200.00 INR",
    );
    const under = await post(enrollment({ code: priya.code, amount: 150_000 }));
    expect(referrerRewards(under.json)).toEqual([["cash", 15_000, "INR"]]);
    const dollars = await post(enrollment({ code: priya.code, amount: 5_000, currency: "USD" }));
    expect(referrerRewards(dollars.json)).toEqual([]);
    expect(step(dollars.json, "reward-amount")).toBe(
      "10% capped at 200.00 INR: the payment is in USD, which the cap cannot bound (no conversion between currencies), so no reward",
    );
    const unpaid = await post(enrollment({ code: priya.code, amount: undefined, currency: undefined }));
    expect(referrerRewards(unpaid.json)).toEqual([]);
    expect(step(unpaid.json, "reward-amount")).toBe(
      "10% of the amount paid: the conversion carries no amount, so no reward",
    );
  });
});

describe("fixed amounts", () => {
  it("stay in their own currency when the payment is in another, and the log says so", async () => {
    await setup({ rules: [rule({ kind: "coupon", reward: { type: "fixed", amount: 1_500, currency: "JPY" } })] });
    const { json } = await post(enrollment({ code: priya.code }));
    expect(referrerRewards(json)).toEqual([["coupon", 1_500, "JPY"]]);
    expect(step(json, "reward-amount")).toBe(
      "fixed 1500 JPY; the payment is in INR: the reward stays in JPY, not converted",
    );
    expect(step(json, "referrer-reward")).toMatch(/^reward 1500 JPY coupon for Priya pending until 2026-11-15$/);
  });
});

describe("overlapping rules", () => {
  it("the course's own rule beats the all-courses rule, and the log says which it beat", async () => {
    await setup({
      rules: [
        rule({ reward: { type: "fixed", amount: 50_000, currency: "INR" } }),
        rule({ course: "data-analytics", kind: "cash", reward: { type: "fixed", amount: 125_050, currency: "INR" } }),
      ],
    });
    const own = await post(enrollment({ code: priya.code, course: "data-analytics" }));
    expect(referrerRewards(own.json)).toEqual([["cash", 125_050, "INR"]]);
    expect(step(own.json, "reward-rule")).toBe(
      "the rule for data-analytics applies; it beat the rule for all courses (the most specific rule wins)",
    );
    const other = await post(enrollment({ code: priya.code, course: "python-basics" }));
    expect(referrerRewards(other.json)).toEqual([["credit", 50_000, "INR"]]);
    expect(step(other.json, "reward-rule")).toBe("the rule for all courses applies");
  });

  it("a course without a rule, and no all-courses rule, earns no referrer reward but the friend's offer", async () => {
    await setup(
      { rules: [rule({ course: "data-analytics", reward: { type: "fixed", amount: 50_000, currency: "INR" } })] },
      { friendOffer: { type: "percent", percent: 10 } },
    );
    const { json } = await post(enrollment({ code: priya.code, course: "python-basics" }));
    expect(json.rewards.map((reward) => reward.side)).toEqual(["friend"]);
    expect(step(json, "reward-rule")).toBe("no rule for python-basics and no rule for all courses: no referrer reward");
  });
});

describe("instalments and renewals", () => {
  const payments = async (n: number) => {
    const out = [];
    for (let i = 0; i < n; i++)
      out.push((await post(enrollment({ customer: { id: "meera" }, code: priya.code, amount: 100_000 }))).json);
    return out;
  };

  it("reward the first payment only by default", async () => {
    await setup({ rules: [rule({ reward: { type: "percent", percent: 20, cap: null } })] });
    const [first, second] = await payments(2);
    expect(referrerRewards(first!)).toEqual([["credit", 20_000, "INR"]]);
    expect(referrerRewards(second!)).toEqual([]);
    expect(step(second!, "trigger")).toMatch(
      /^customer already earned rewards \(conversion cnv_\w+\): one set per referred customer$/,
    );
  });

  it("reward each payment up to N, the friend's offer once, and no more after N", async () => {
    await setup(
      { rules: [rule({ reward: { type: "percent", percent: 20, cap: null }, payments: { upTo: 3 } })] },
      { friendOffer: { type: "percent", percent: 10 } },
    );
    const all = await payments(4);
    expect(all.map(referrerRewards)).toEqual([
      [["credit", 20_000, "INR"]],
      [["credit", 20_000, "INR"]],
      [["credit", 20_000, "INR"]],
      [],
    ]);
    expect(all.map((json) => json.rewards.filter((reward) => reward.side === "friend").length)).toEqual([1, 0, 0, 0]);
    expect(step(all[1]!, "trigger")).toBe(
      "payment 2 of data-analytics: the rule for all courses rewards each payment up to 3",
    );
    expect(step(all[3]!, "trigger")).toBe(
      "payment 4 of data-analytics: the rule for all courses rewards payments up to 3 only",
    );
    expect(all[1]!.rewards.find((reward) => reward.side === "referrer")?.reason).toBe("referral:payment:2");
  });
});

describe("the friend's sign-up", () => {
  it("earns the referrer a small reward once, and the enrolment still earns the rule's reward", async () => {
    await setup({
      rules: [
        rule({
          reward: { type: "fixed", amount: 50_000, currency: "INR" },
          signupReward: { amount: 5_000, currency: "INR" },
        }),
      ],
      milestones: [{ count: 2, bonus: { amount: 100_000, currency: "INR" } }],
    });
    const signup = await post({ id: "s-1", type: "signup", customer: { id: "meera" }, code: priya.code });
    expect(signup.json.rewards.map((r) => [r.side, r.kind, r.amount, r.reason])).toEqual([
      ["referrer", "credit", 5_000, "signup"],
    ]);
    expect(step(signup.json, "signup-reward")).toMatch(
      /^sign-up reward 50\.00 INR credit for Priya \(the rule for all courses\) pending until 2026-11-15$/,
    );
    const again = await post({ id: "s-2", type: "signup", customer: { id: "meera" } });
    expect(again.json.rewards).toEqual([]);
    expect(step(again.json, "signup-reward")).toMatch(
      /^the friend's sign-up was already rewarded \(rwd_\w+\): once per friend$/,
    );
    const enrolled = await post(enrollment({ customer: { id: "meera" } }));
    expect(referrerRewards(enrolled.json)).toEqual([["credit", 50_000, "INR"]]);
    // The sign-up reward is not a referral: one successful referral so far, no milestone of 2 yet.
    const second = await post(enrollment({ code: priya.code }));
    expect(referrerRewards(second.json)).toEqual([
      ["credit", 50_000, "INR"],
      ["milestone", 100_000, "INR"],
    ]);
  });

  it("earns nothing when the rule has no sign-up reward (as before rules)", async () => {
    await setup({ rules: [rule({ reward: { type: "fixed", amount: 50_000, currency: "INR" } })] });
    const signup = await post({ id: "s-1", type: "signup", customer: { id: "meera" }, code: priya.code });
    expect(signup.json.rewards).toEqual([]);
    expect(step(signup.json, "trigger")).toBe("rewards are earned on enrollment; this is a signup: no reward");
  });
});

describe("tiers by the referrer's successful referrals", () => {
  it("1–4: 500.00 INR, 5 and on: 1,000.00 INR, across the boundary", async () => {
    await setup({
      rules: [
        rule({
          reward: { type: "fixed", amount: 50_000, currency: "INR" },
          tiers: [{ from: 5, reward: { type: "fixed", amount: 100_000, currency: "INR" } }],
        }),
      ],
    });
    const amounts = [];
    let fifth: Body | null = null;
    for (let i = 1; i <= 6; i++) {
      const { json } = await post(enrollment({ code: priya.code }));
      amounts.push(referrerRewards(json)[0]?.[1]);
      if (i === 5) fifth = json;
    }
    expect(amounts).toEqual([50_000, 50_000, 50_000, 50_000, 100_000, 100_000]);
    expect(step(fifth!, "reward-amount")).toBe(
      "fixed 1000.00 INR (the tier from 5 referrals, as Priya's 5th successful referral)",
    );
  });

  it("a refunded referral no longer counts toward the tier", async () => {
    await setup({
      rules: [
        rule({
          reward: { type: "fixed", amount: 50_000, currency: "INR" },
          tiers: [{ from: 2, reward: { type: "percent", percent: 10, cap: null } }],
        }),
      ],
    });
    await post(enrollment({ id: "order-1", code: priya.code }));
    await post({ id: "refund-1", type: "refund", refundOf: "order-1", customer: { id: "x" } });
    const { json } = await post(enrollment({ code: priya.code }));
    expect(referrerRewards(json)).toEqual([["credit", 50_000, "INR"]]);
    const next = await post(enrollment({ code: priya.code }));
    expect(referrerRewards(next.json)).toEqual([["credit", 49_990, "INR"]]);
  });
});

describe("what a rule gave, refunds and fraud still apply to", () => {
  it("a refund voids a percentage reward, and claws back an issued later-payment reward", async () => {
    await setup({ rules: [rule({ reward: { type: "percent", percent: 15, cap: null }, payments: { upTo: 2 } })] });
    const first = await post(enrollment({ id: "pay-1", customer: { id: "meera" }, code: priya.code }));
    const second = await post(enrollment({ id: "pay-2", customer: { id: "meera" } }));
    expect(referrerRewards(second.json)).toEqual([["credit", 74_985, "INR"]]);
    const secondReward = second.json.rewards[0]!.id;
    for (const action of ["approve", "issue"])
      await t.call("POST", `/v1/admin/rewards/${secondReward}/${action}`, { headers: auth });
    const refundFirst = await post({ id: "r-1", type: "refund", refundOf: "pay-1", customer: { id: "meera" } });
    expect(refundFirst.json.rewards.map((r) => [r.id, r.status])).toEqual([[first.json.rewards[0]!.id, "void"]]);
    const refundSecond = await post({ id: "r-2", type: "refund", refundOf: "pay-2", customer: { id: "meera" } });
    expect(refundSecond.json.rewards.map((r) => [r.amount, r.reason])).toEqual([[-74_985, `clawback:${secondReward}`]]);
  });

  it("a flagged conversion's reward is computed by the rule and held for review", async () => {
    await setup({ rules: [rule({ reward: { type: "percent", percent: 10, cap: null } })] });
    const { json } = await post(enrollment({ customer: { id: "priya" }, code: priya.code }));
    expect(json.attribution.flagged).toBe(true);
    expect(json.rewards.map((r) => [r.amount, r.status, r.flagged])).toEqual([[49_990, "pending", true]]);
    expect(step(json, "referrer-reward")).toBe("reward 499.90 INR credit for Priya held for review (flagged)");
  });
});

describe("the settings", () => {
  it("read a program stored before rules as the equivalent rule, with its behaviour", async () => {
    await setup({});
    const { rewardRules: _, ...rest } = (await t.db.query.workspaces.findFirst({
      where: (w, { eq }) => eq(w.id, ws.id),
    }))!.settings as Record<string, unknown>;
    const before = {
      ...rest,
      referrerReward: { type: "cash", amount: 30_000, currency: "INR" },
      monthlyCap: 1,
      milestones: [{ count: 1, bonus: { amount: 10_000, currency: "INR" } }],
    };
    await t.db
      .update(workspaces)
      .set({ settings: before as never })
      .where(eq(workspaces.id, ws.id));
    const read = await (await t.call("GET", "/v1/admin/program", { headers: auth })).json();
    expect(read.rewardRules).toEqual({
      rules: [rule({ kind: "cash", reward: { type: "fixed", amount: 30_000, currency: "INR" } })],
      monthlyCap: 1,
      milestones: [{ count: 1, bonus: { amount: 10_000, currency: "INR" } }],
    });
    expect(read).not.toHaveProperty("referrerReward");
    const { json } = await post(enrollment({ code: priya.code }));
    expect(referrerRewards(json)).toEqual([
      ["cash", 30_000, "INR"],
      ["milestone", 10_000, "INR"],
    ]);
    expect(referrerRewards((await post(enrollment({ code: priya.code }))).json)).toEqual([]);
  });

  it.each([
    [
      { rules: [rule({ reward: { type: "percent", percent: 7.555, cap: null } })] },
      "rewardRules.rules.0.reward.percent",
      "at most two decimals",
    ],
    [
      { rules: [rule({ reward: { type: "fixed", amount: 10.5, currency: "INR" } })] },
      "rewardRules.rules.0.reward.amount",
      "a whole number of minor units (paise, cents; yen have none)",
    ],
    [
      { rules: [rule({ reward: { type: "fixed", amount: 100, currency: "XYZ" } })] },
      "rewardRules.rules.0.reward.currency",
      "an ISO 4217 currency code",
    ],
    [
      {
        rules: [
          rule({ reward: { type: "fixed", amount: 1, currency: "INR" } }),
          rule({ reward: { type: "fixed", amount: 2, currency: "INR" } }),
        ],
      },
      "rewardRules.rules.1.course",
      "a second rule for all courses: one only",
    ],
    [
      {
        rules: [
          rule({
            reward: { type: "fixed", amount: 1, currency: "INR" },
            tiers: [
              { from: 5, reward: { type: "fixed", amount: 2, currency: "INR" } },
              { from: 3, reward: { type: "fixed", amount: 3, currency: "INR" } },
            ],
          }),
        ],
      },
      "rewardRules.rules.0.tiers",
      "tiers in rising order of count, each count once",
    ],
    [
      { rules: [rule({ reward: { type: "fixed", amount: 1, currency: "INR" }, payments: { upTo: 0 } })] },
      "rewardRules.rules.0.payments",
      undefined,
    ],
  ])("refuse %j with the message beside its field", async (rewardRules, path, message) => {
    await setup({});
    const error = await expectError(
      await t.call("PATCH", "/v1/admin/program", { body: { rewardRules: { ...rewardRules } }, headers: auth }),
      400,
      "invalid_request",
    );
    const detail = (error.details as { path: string; message: string }[]).find((d) => d.path.startsWith(path));
    expect(detail).toBeDefined();
    if (message) expect(detail?.message).toBe(message);
  });
});
