/**
 * Friend coupon codes (issue 18): one readable, unguessable code per referral, shown to the friend
 * and in the share text, drawn from a pool when the provider uploads one, added to checkout links,
 * and matched when a conversion carries it (attribution without a click).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProgramSettingsInput } from "../../db/program-settings.ts";
import { couponKey, newFriendCouponCode } from "../../server/services/friend-coupons.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { visitor } from "../support/referrals.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;

async function setup(settings: ProgramSettingsInput = {}) {
  ws = await workspaceFactory(t.db, { settings: { holdDays: 0, ...settings } });
}

beforeEach(async () => {
  t = await createTestApp();
  await setup();
});
afterEach(() => t.cleanup());

const generated = /^PRIYA-10-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{7}$/;

type Referral = {
  code: string;
  coupon: { code: string; expiresAt: string | null } | null;
  shareLinks: Record<string, string>;
};

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
  return (await response.json()) as Referral;
}

const admin = () => ({ Authorization: `Bearer ${ws.secretKey}` });

function convert(body: Record<string, unknown>) {
  return t.call("POST", "/v1/conversions", { headers: admin(), body });
}

type Step = { rule: string; result: string; detail: string };
type Answer = {
  attribution: {
    status: string;
    flagged: boolean;
    code: string | null;
    referrer: { id: string } | null;
    decision: Step[];
  };
  rewards: { side: string; kind: string; amount: number | null; currency: string | null; percent: number | null }[];
};

describe("making friend coupon codes", () => {
  it("gives each referral one readable code from the referrer's first name and the offer", async () => {
    const first = await me();
    expect(first.coupon).toEqual({ code: expect.stringMatching(generated), expiresAt: null });
    expect((await me()).coupon?.code).toBe(first.coupon?.code);
    // Another referrer, another code; a course's code has its own.
    const arjun = await me("arjun", "Arjun Rao");
    expect(arjun.coupon?.code).toMatch(/^ARJUN-10-/);
    const course = await me("priya", "Priya Sharma", { course: "data-analytics" });
    expect(new Set([first.coupon?.code, arjun.coupon?.code, course.coupon?.code]).size).toBe(3);
  });

  it("puts the code in the share text, in English and Hindi", async () => {
    const english = await me();
    const code = english.coupon?.code ?? "";
    expect(decodeURIComponent(english.shareLinks.whatsapp ?? "")).toContain(
      `I'm learning with Test Academy. Use my code ${code} at checkout, or join with my link:`,
    );
    const hindi = await me("priya", "Priya Sharma", { lang: "hi" });
    expect(decodeURIComponent(hindi.shareLinks.whatsapp ?? "")).toContain(`चेकआउट पर मेरा कोड ${code} लगाएँ`);
  });

  it("falls back safely when the name cannot make a code, and says amounts in major units", () => {
    const offer = { type: "percent", percent: 15 } as const;
    expect(newFriendCouponCode("प्रिया", offer)).toMatch(/^FRIEND-15-/);
    expect(newFriendCouponCode(null, offer)).toMatch(/^FRIEND-15-/);
    expect(newFriendCouponCode("  Zoë  Ångström", offer)).toMatch(/^ZOE-15-/);
    expect(newFriendCouponCode("Bartholomew-Jones", offer)).toMatch(/^BARTHOLOME-15-/);
    expect(newFriendCouponCode("Priya", { type: "amount", amount: 50_000, currency: "INR" })).toMatch(/^PRIYA-500-/);
    expect(newFriendCouponCode("Priya", { type: "amount", amount: 500, currency: "JPY" })).toMatch(/^PRIYA-500-/);
    // Not a whole amount: no number rather than a misleading one.
    expect(newFriendCouponCode("Priya", { type: "amount", amount: 1_050, currency: "USD" })).toMatch(
      /^PRIYA-[2-9A-Z]{7}$/,
    );
  });

  it("matches typed codes whatever the case, hyphens or look-alikes", () => {
    expect(couponKey("PRIYA-10-K7M4Q9X")).toBe(couponKey("priya10k7m4q9x"));
    expect(couponKey("PRIYA-10-K7M4Q9X")).toBe(couponKey("PRlYA-IO-K7M4Q9X"));
  });

  it("makes one code per referral even when the first calls race", async () => {
    const token = await learnerToken(ws, { sub: "racer", name: "Racer" });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.call("POST", "/v1/referrals/me", {
          headers: { "Chorus-Key": ws.publishableKey, Origin: testOrigin, Authorization: `Bearer ${token}` },
        }),
      ),
    );
    const codes = new Set(await Promise.all(answers.map(async (a) => ((await a.json()) as Referral).coupon?.code)));
    expect(codes.size).toBe(1);
    expect((await t.client.execute("select count(*) as n from friend_coupons")).rows[0]?.n).toBe(1);
  });

  it("makes none when the program has no friend offer", async () => {
    await setup({ friendOffer: null });
    const answer = await me();
    expect(answer.coupon).toBeNull();
    expect(decodeURIComponent(answer.shareLinks.whatsapp ?? "")).toContain("Join with my link:");
  });

  it("shows the code to the friend who lands (the banner's data)", async () => {
    const { code, coupon } = await me();
    const info = await (
      await t.call("GET", `/v1/referrals/${code}`, {
        headers: { ...visitor(), "Chorus-Key": ws.publishableKey, Origin: testOrigin },
      })
    ).json();
    expect(info.coupon).toBe(coupon?.code);
  });
});

describe("attribution by coupon code", () => {
  it("attributes a conversion whose code is a friend coupon to its referrer, with exact rewards", async () => {
    const { coupon } = await me();
    const typed = (coupon?.code ?? "").toLowerCase().replace(/-/g, "");
    const response = await convert({
      id: "order-1",
      type: "enrollment",
      customer: { id: "meera" },
      course: "data-analytics",
      amount: 499_900,
      currency: "INR",
      code: typed,
    });
    expect(response.status).toBe(201);
    const answer = (await response.json()) as Answer;
    expect(answer.attribution).toMatchObject({ status: "attributed", flagged: false, referrer: { id: "priya" } });
    const steps = answer.attribution.decision;
    expect(steps.find((step) => step.rule === "code")).toMatchObject({
      result: "pass",
      detail: expect.stringContaining(`matched by coupon code: friend coupon ${coupon?.code}`),
    });
    expect(steps.find((step) => step.rule === "decided-by")?.detail).toBe(
      `by coupon code: the friend coupon code sent with the conversion (${coupon?.code}), as no usable click id was sent`,
    );
    expect(
      answer.rewards.map(({ side, kind, amount, currency, percent }) => ({ side, kind, amount, currency, percent })),
    ).toEqual([
      { side: "referrer", kind: "credit", amount: 50_000, currency: "INR", percent: null },
      { side: "friend", kind: "discount", amount: null, currency: null, percent: 10 },
    ]);
  });

  it("refuses the referrer's own coupon by the self-referral rule", async () => {
    const { coupon } = await me();
    const answer = (await (
      await convert({ id: "own-1", type: "enrollment", customer: { id: "priya" }, code: coupon?.code })
    ).json()) as Answer;
    expect(answer.attribution.flagged).toBe(true);
    expect(answer.attribution.decision.find((step) => step.rule === "self-referral")).toMatchObject({
      result: "fail",
      detail: "self-referral: customer id priya is the referrer's own learner id",
    });
  });

  it("counts one code used twice by one customer once", async () => {
    const { coupon } = await me();
    const first = (await (
      await convert({
        id: "twice-1",
        type: "enrollment",
        customer: { id: "meera" },
        amount: 1000,
        currency: "USD",
        code: coupon?.code,
      })
    ).json()) as Answer;
    const second = (await (
      await convert({
        id: "twice-2",
        type: "enrollment",
        customer: { id: "meera" },
        amount: 1000,
        currency: "USD",
        code: coupon?.code,
      })
    ).json()) as Answer;
    expect(first.rewards.map((r) => r.side)).toEqual(["referrer", "friend"]);
    expect(second.attribution.status).toBe("attributed");
    expect(second.rewards).toEqual([]);
    const rows = await t.client.execute("select side, amount, currency from rewards order by side");
    expect(rows.rows.map((row) => ({ ...row }))).toEqual([
      { side: "friend", amount: null, currency: null },
      { side: "referrer", amount: 50_000, currency: "INR" },
    ]);
  });

  it("matches nothing for an unknown code or another workspace's coupon", async () => {
    const { coupon } = await me();
    const other = await workspaceFactory(t.db, { name: "Other" });
    const response = await t.call("POST", "/v1/conversions", {
      headers: { Authorization: `Bearer ${other.secretKey}` },
      body: { id: "x-1", type: "signup", customer: { id: "meera" }, code: coupon?.code },
    });
    const answer = (await response.json()) as Answer;
    expect(answer.attribution.status).toBe("unattributed");
    expect(answer.attribution.decision[0]).toEqual({
      rule: "code",
      result: "fail",
      detail: `no referral code or friend coupon code ${coupon?.code} in this workspace`,
    });
  });
});

describe("a pool of uploaded codes", () => {
  beforeEach(() => setup({ friendCoupons: { source: "pool", checkout: null, expiresInDays: null, poolLowAt: 1 } }));

  const upload = (csv: string) => t.call("POST", "/v1/admin/friend-coupons/pool", { headers: admin(), body: { csv } });
  const overview = async () => (await t.call("GET", "/v1/admin/friend-coupons", { headers: admin() })).json();

  it("imports a CSV, draws one code per referral, reports running low and runs out without a code", async () => {
    const imported = await upload('code,note\nTEACH-AAA1,first\n"TEACH-BBB2"\nteach-aaa1\nbad code!\n\nTEACH-CCC3\n');
    expect(await imported.json()).toEqual({ added: 3, duplicates: 1, invalid: [{ line: 5, value: "bad code!" }] });
    expect((await overview()).pool).toEqual({ available: 3, claimed: 0, lowAt: 1, low: false });

    expect((await me("priya")).coupon?.code).toBe("TEACH-AAA1");
    expect((await me("priya")).coupon?.code).toBe("TEACH-AAA1");
    expect((await me("arjun", "Arjun")).coupon?.code).toBe("TEACH-BBB2");
    expect((await overview()).pool).toEqual({ available: 1, claimed: 2, lowAt: 1, low: true });
    expect((await me("kavya", "Kavya")).coupon?.code).toBe("TEACH-CCC3");
    // Exhausted: the referral still works, without a code.
    const dry = await me("rohan", "Rohan");
    expect(dry.coupon).toBeNull();
    expect((await overview()).pool).toEqual({ available: 0, claimed: 3, lowAt: 1, low: true });

    // A pool code typed at the platform's checkout attributes to the referrer who drew it.
    const answer = (await (
      await convert({ id: "pool-1", type: "signup", customer: { id: "meera" }, code: "teach-bbb2" })
    ).json()) as Answer;
    expect(answer.attribution.referrer).toEqual({ id: "arjun", name: "Arjun" });
  });

  it("never draws one code twice when referrals race", async () => {
    await upload(Array.from({ length: 12 }, (_, i) => `POOL-${String(i).padStart(3, "0")}X`).join("\n"));
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => me(`racer-${i}`, `Racer ${i}`)));
    const codes = answers.map((answer) => answer.coupon?.code);
    expect(codes.every(Boolean)).toBe(true);
    expect(new Set(codes).size).toBe(10);
    expect((await overview()).pool.available).toBe(2);
  });

  it("refuses an upload that is not text, in the envelope", async () => {
    await expectError(
      await t.call("POST", "/v1/admin/friend-coupons/pool", { headers: admin(), body: { csv: 42 } }),
      400,
      "invalid_request",
    );
    await expectError(await t.call("GET", "/v1/admin/friend-coupons"), 401, "unauthorized");
  });
});

describe("auto-apply at checkout", () => {
  for (const [checkout, param] of [
    ["stripe", "prefilled_promo_code"],
    ["teachable", "coupon_code"],
    ["thinkific", "coupon"],
  ] as const) {
    it(`adds the code to the link as ${checkout} reads it (${param})`, async () => {
      await setup({
        defaultTargetUrl: "https://academy.example/checkout?plan=pro",
        friendCoupons: { source: "generated", checkout, expiresInDays: null, poolLowAt: 20 },
      });
      const { code, coupon } = await me();
      const location = new URL(
        (await t.call("GET", `/r/${code}`, { headers: visitor() })).headers.get("Location") ?? "",
      );
      expect(location.searchParams.get(param)).toBe(coupon?.code);
      expect(location.searchParams.get("via")).toBe(code);
      expect(location.searchParams.get("plan")).toBe("pro");
      expect(location.searchParams.get("chorus_cid")).toMatch(/^clk_/);
    });
  }

  it("adds nothing when no checkout is set", async () => {
    await setup({ defaultTargetUrl: "https://academy.example/checkout" });
    const { code } = await me();
    const location = (await t.call("GET", `/r/${code}`, { headers: visitor() })).headers.get("Location") ?? "";
    expect([...new URL(location).searchParams.keys()]).toEqual(["via", "chorus_cid"]);
  });
});
