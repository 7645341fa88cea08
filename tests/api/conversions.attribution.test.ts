import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProgramSettingsInput } from "../../db/program-settings.ts";
import { conversions } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { clickFactory, type Referrer, referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const day = 86_400_000;
let t: TestApp;
let ws: CreatedWorkspace;
let priya: Referrer;
let arjun: Referrer;
let post: ReturnType<typeof poster>;

async function setup(settings: ProgramSettingsInput = {}) {
  ws = await workspaceFactory(t.db, { settings: { holdDays: 14, ...settings } });
  priya = await referrerFactory(t.db, ws.id, { sub: "priya", name: "Priya" }, { now: t.clock.now() });
  arjun = await referrerFactory(t.db, ws.id, { sub: "arjun", name: "Arjun" }, { now: t.clock.now() });
  post = poster(t, ws.secretKey);
}

beforeEach(async () => {
  t = await createTestApp();
  await setup();
});
afterEach(() => t.cleanup());

const ago = (ms: number) => new Date(t.clock.now().getTime() - ms);

describe("attribution by click", () => {
  it("explains a matched click in readable words", async () => {
    const click = await clickFactory(t.db, priya, { at: ago(3 * day), channel: "whatsapp" });
    const { status, json } = await post(enrollment({ clickId: click.id }));
    expect(status).toBe(201);
    expect(json.attribution).toMatchObject({
      status: "attributed",
      code: priya.code,
      referrer: { id: "priya", name: "Priya" },
      clickId: click.id,
      channel: "whatsapp",
    });
    const details = json.attribution.decision.map((step) => step.detail);
    expect(details).toContain(`matched click ${click.id} from 3 days ago via whatsapp, inside the 30-day window`);
    expect(details).toContain("not self-referral (checked customer id)");
    expect(
      details.some((detail) => /^reward 500\.00 INR credit for Priya pending until 2026-11-15$/.test(detail)),
    ).toBe(true);
  });

  it("counts a click just inside the window and not one just outside", async () => {
    const window = 30 * day;
    const inside = await clickFactory(t.db, priya, { at: ago(window) });
    const outside = await clickFactory(t.db, priya, { at: ago(window + 1) });
    const a = await post(enrollment({ clickId: inside.id }));
    const b = await post(enrollment({ clickId: outside.id }));
    expect(a.json.attribution.status).toBe("attributed");
    expect(b.json.attribution.status).toBe("unattributed");
    expect(b.json.attribution.decision.map((step) => step.detail)).toContain(
      `click ${outside.id} from 30 days ago via whatsapp is outside the 30-day window`,
    );
    expect(b.json.rewards).toEqual([]);
  });

  it("follows the workspace's window setting", async () => {
    await setup({ attribution: { windowDays: 7, model: "last-click" } });
    const click = await clickFactory(t.db, priya, { at: ago(8 * day) });
    expect((await post(enrollment({ clickId: click.id }))).json.attribution.status).toBe("unattributed");
  });

  // Issue 15: "same visitor" is a daily hash of address and user agent, which a whole campus or
  // mobile network shares, so a stranger's later click took the credit from the click id sent.
  it("credits the click id the provider sent, not a later or earlier click of the same visitor, under either model", async () => {
    const sent = await clickFactory(t.db, priya, { at: ago(10 * day), visitorHash: "vh-campus", channel: "linkedin" });
    await clickFactory(t.db, arjun, { at: ago(2 * day), visitorHash: "vh-campus", visitorId: "v-1", channel: "x" });
    const lastClick = await post(enrollment({ clickId: sent.id }));
    expect(lastClick.json.attribution).toMatchObject({
      referrer: { id: "priya" },
      clickId: sent.id,
      channel: "linkedin",
    });
    expect(lastClick.json.attribution.decision.find((step) => step.rule === "decided-by")?.detail).toBe(
      `click id: the click id sent with the conversion (${sent.id}); no other click is inferred`,
    );

    await setup({ attribution: { windowDays: 30, model: "first-click" } });
    await clickFactory(t.db, priya, { at: ago(10 * day), visitorHash: "vh-campus-2" });
    const later = await clickFactory(t.db, arjun, { at: ago(2 * day), visitorHash: "vh-campus-2" });
    const firstClick = await post(enrollment({ clickId: later.id }));
    expect(firstClick.json.attribution).toMatchObject({ referrer: { id: "arjun" }, clickId: later.id });
    expect(firstClick.json.attribution.decision.some((step) => step.rule === "model")).toBe(false);
  });

  it("says in the decision log which rule decided: click id, code, customer history or nothing", async () => {
    const decided = (json: { attribution: { decision: { rule: string; detail: string }[] } }) =>
      json.attribution.decision.filter((step) => step.rule === "decided-by").map((step) => step.detail);
    const byCode = await post(enrollment({ customer: { id: "ravi" }, code: priya.code }));
    expect(decided(byCode.json)).toEqual([
      `code: the referral code sent with the conversion (${priya.code}), as no usable click id was sent`,
    ]);
    // Neither sent: only now is anything inferred, from the customer's own history.
    const byHistory = await post({ id: "c-ravi", type: "completion", customer: { id: "ravi" } });
    expect(byHistory.json.attribution).toMatchObject({ status: "attributed", referrer: { id: "priya" } });
    expect(decided(byHistory.json)).toEqual([
      "customer history: no click id or code was sent, so the customer's earlier attribution decided",
    ]);
    const none = await post(enrollment({ customer: { id: "nobody" } }));
    expect(decided(none.json)).toEqual([
      "nothing: no click id or code was sent and the customer has no earlier attribution",
    ]);
  });

  it("ignores clicks of other workspaces and unknown click ids", async () => {
    const other = await workspaceFactory(t.db, { name: "Other" });
    const foreign = await referrerFactory(t.db, other.id, { sub: "x" }, { now: t.clock.now() });
    const click = await clickFactory(t.db, foreign, { at: ago(day) });
    const result = await post(enrollment({ clickId: click.id }));
    expect(result.json.attribution.status).toBe("unattributed");
    expect(result.json.attribution.decision[0]?.detail).toBe(`no click ${click.id} in this workspace`);
  });
});

describe("attribution by code and by the customer's history", () => {
  it("attributes by code (any case) when no click id is known", async () => {
    const result = await post(enrollment({ code: priya.code.toUpperCase() }));
    expect(result.json.attribution).toMatchObject({
      status: "attributed",
      code: priya.code,
      referrer: { id: "priya" },
    });
  });

  it("keeps a customer with the referrer of their first attributed conversion", async () => {
    const click = await clickFactory(t.db, priya, { at: ago(day) });
    await post({ id: "s-1", type: "signup", customer: { id: "meera" }, clickId: click.id });
    t.clock.advance(40 * day);
    // A later click from another advocate does not steal the customer.
    const arjunClick = await clickFactory(t.db, arjun, { at: ago(day) });
    const enrolled = await post(enrollment({ customer: { id: "meera" }, clickId: arjunClick.id }));
    expect(enrolled.json.attribution).toMatchObject({ status: "attributed", referrer: { id: "priya" } });
    expect(enrolled.json.attribution.decision.find((step) => step.rule === "sticky")?.detail).toMatch(
      /customer stays with Priya, who referred them first \(conversion s-1 on 2026-11-01\)/,
    );
    expect(enrolled.json.rewards.find((reward) => reward.side === "referrer")?.learnerId).toBe("priya");
    // And a completion with no referral data at all still credits Priya.
    const completed = await post({ id: "c-1", type: "completion", customer: { id: "meera" } });
    expect(completed.json.attribution).toMatchObject({ status: "attributed", referrer: { id: "priya" } });
  });

  it("does not pass a later referrer back to an earlier conversion imported afterwards", async () => {
    const arjunClick = await clickFactory(t.db, arjun, { at: ago(day) });
    await post(enrollment({ id: "e-now", customer: { id: "kavya" }, clickId: arjunClick.id }));
    // The provider then imports Kavya's signup from ten days earlier, which came through Priya.
    const priyaClick = await clickFactory(t.db, priya, { at: ago(12 * day) });
    const signup = await post({
      id: "s-past",
      type: "signup",
      customer: { id: "kavya" },
      clickId: priyaClick.id,
      occurredAt: ago(10 * day).toISOString(),
    });
    expect(signup.json.attribution).toMatchObject({ status: "attributed", referrer: { id: "priya" } });
    expect(signup.json.attribution.decision.some((step) => step.rule === "sticky")).toBe(false);
  });

  it("stores an unattributed conversion too, for the funnel", async () => {
    const result = await post(enrollment({ id: "plain-1" }));
    expect(result.status).toBe(201);
    expect(result.json.attribution).toMatchObject({ status: "unattributed", referrer: null, code: null });
    expect(result.json.rewards).toEqual([]);
    const [row] = await t.db
      .select()
      .from(conversions)
      .where(and(eq(conversions.workspaceId, ws.id), eq(conversions.externalId, "plain-1")));
    expect(row).toMatchObject({ status: "unattributed", amount: 499_900, currency: "INR", course: "data-analytics" });
  });

  it("returns the decision log again on GET, by the provider's id", async () => {
    const created = await post(enrollment({ id: "order-77", code: priya.code }));
    const response = await t.call("GET", "/v1/conversions/order-77", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.attribution.decision).toEqual(created.json.attribution.decision);
  });
});
