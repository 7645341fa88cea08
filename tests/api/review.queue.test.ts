/**
 * The fraud review queue: held cases with the rules that fired in plain words, approve / void /
 * ban (one case or many, all or none), notes, and blocks of an email, a domain or a network
 * signal that flag later conversions with a `block-list` step in their decision log. Every
 * decision lands in the audit trail with the request's id.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reviewNotes } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { clickFactory, type Referrer, referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

const day = 86_400_000;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.cleanup());

type Case = {
  conversionId: string;
  rules: { rule: string; evidence: string }[];
  rewards: { id: string; status: string }[];
  notes: { body: string }[];
};

/** A fresh workspace with every fraud rule on, its referrer Priya, and calls as its admin. */
async function workspace() {
  const ws: CreatedWorkspace = await workspaceFactory(t.db, {
    settings: { fraud: { selfReferral: true, disposableEmail: true, botClicks: true, velocityPerDay: 20 } },
  });
  const priya: Referrer = await referrerFactory(
    t.db,
    ws.id,
    { sub: "priya", email: "priya@example.com" },
    { now: t.clock.now() },
  );
  const auth = { Authorization: `Bearer ${ws.secretKey}` };
  const post = poster(t, ws.secretKey);
  const call = (method: string, path: string, body?: unknown) => t.call(method, path, { headers: auth, body });
  const queue = async () => (await (await call("GET", "/v1/admin/review")).json()).items as Case[];
  const audit = async (action: string) =>
    (await (await call("GET", `/v1/admin/audit?action=${action}`)).json()).items as {
      targetId: string;
      requestId: string;
      before: unknown;
      after: unknown;
    }[];
  const held = async (email: string) =>
    (await post(enrollment({ customer: { id: `c-${email}`, email }, code: priya.code }))).json;
  return { ws, priya, post, call, queue, audit, held };
}

describe("the review queue", () => {
  it("lists held cases with the rules that fired in plain words", async () => {
    const w = await workspace();
    const disposable = await w.held("friend@mailinator.com");
    const self = await w.held("PRIYA@example.com");
    await w.post(enrollment({ customer: { id: "fine", email: "fine@example.org" }, code: w.priya.code }));
    const cases = await w.queue();
    expect(cases.map((c) => c.conversionId).sort()).toEqual([disposable.conversion.id, self.conversion.id].sort());
    const byId = new Map(cases.map((c) => [c.conversionId, c]));
    expect(byId.get(disposable.conversion.id)?.rules).toEqual([
      expect.objectContaining({ rule: "disposable-email", evidence: "Disposable (throwaway) email address" }),
    ]);
    expect(byId.get(self.conversion.id)?.rules[0]?.evidence).toBe(
      "Self-referral: the customer's email is the referrer's own (normalised)",
    );
    expect(byId.get(self.conversion.id)?.rewards.every((r) => r.status === "pending")).toBe(true);
  });

  it("approves one case, voids two at once, keeps notes, and audits each with the request id", async () => {
    const w = await workspace();
    const [a, b, c] = [
      await w.held("a@mailinator.com"),
      await w.held("b@mailinator.com"),
      await w.held("c@mailinator.com"),
    ];
    const note = await w.call("POST", `/v1/admin/review/${a.conversion.id}/notes`, {
      body: "Called them: real friend, mail a@x.example",
    });
    expect(note.status).toBe(201);
    expect((await w.queue()).find((x) => x.conversionId === a.conversion.id)?.notes).toEqual([
      expect.objectContaining({ body: "Called them: real friend, mail a@x.example" }),
    ]);
    const approve = await w.call("POST", "/v1/admin/review/decisions", {
      conversionIds: [a.conversion.id],
      action: "approve",
    });
    expect(await approve.json()).toEqual({ decided: 1, rewardsChanged: a.rewards.length });
    const bulk = await w.call("POST", "/v1/admin/review/decisions", {
      conversionIds: [b.conversion.id, c.conversion.id],
      action: "void",
      reason: "throwaway addresses",
    });
    expect((await bulk.json()).decided).toBe(2);
    expect(await w.queue()).toEqual([]);
    const rewards = (await (await w.call("GET", "/v1/admin/rewards")).json()).items as {
      conversionId: string;
      status: string;
    }[];
    expect(rewards.filter((r) => r.conversionId === a.conversion.id).every((r) => r.status === "approved")).toBe(true);
    expect(rewards.filter((r) => r.conversionId !== a.conversion.id).every((r) => r.status === "void")).toBe(true);

    const [approved] = await w.audit("review.approve");
    expect(approved).toMatchObject({ targetId: a.conversion.id, requestId: approve.headers.get("X-Request-Id") });
    expect(approved?.after).toMatchObject({
      rewards: a.rewards.map(() => expect.objectContaining({ status: "approved" })),
    });
    expect((await w.audit("review.void")).map((row) => row.requestId)).toEqual([
      bulk.headers.get("X-Request-Id"),
      bulk.headers.get("X-Request-Id"),
    ]);
    // The note's address is masked in the trail.
    expect(JSON.stringify(await w.audit("review.note"))).not.toContain("a@x.example");
  });

  it("a bulk decision naming an unknown case changes nothing", async () => {
    const w = await workspace();
    const a = await w.held("a@mailinator.com");
    await expectError(
      await w.call("POST", "/v1/admin/review/decisions", {
        conversionIds: [a.conversion.id, "cnv_nope"],
        action: "approve",
      }),
      404,
      "not_found",
    );
    expect((await w.queue()).map((c) => c.conversionId)).toEqual([a.conversion.id]);
  });

  it("bans the referrer: pending rewards void, later conversions credit nothing and say why", async () => {
    const w = await workspace();
    const clean = await w.post(enrollment({ customer: { id: "honest" }, code: w.priya.code }));
    const flagged = await w.held("x@mailinator.com");
    await expectError(
      await w.call("POST", "/v1/admin/review/decisions", { conversionIds: [flagged.conversion.id], action: "ban" }),
      400,
      "invalid_request",
    );
    const ban = await w.call("POST", "/v1/admin/review/decisions", {
      conversionIds: [flagged.conversion.id],
      action: "ban",
      reason: "ring of fake accounts",
    });
    expect(ban.status).toBe(200);
    const rewards = (await (await w.call("GET", "/v1/admin/rewards")).json()).items as {
      id: string;
      conversionId: string;
      status: string;
    }[];
    const referrerSide = (r: { side: string }) => r.side === "referrer";
    const cleanIds = clean.json.rewards.filter(referrerSide).map((r) => r.id);
    expect(cleanIds.length).toBeGreaterThan(0);
    expect(rewards.filter((r) => cleanIds.includes(r.id)).map((r) => r.status)).toEqual(cleanIds.map(() => "void"));
    const later = (await w.post(enrollment({ customer: { id: "next" }, code: w.priya.code }))).json;
    expect(later.attribution.decision.find((s) => s.rule === "block-list" && s.result === "fail")?.detail).toBe(
      "block list: the referrer is banned: ring of fake accounts",
    );
    expect(later.rewards.filter((r) => r.side === "referrer").map((r) => r.status)).toEqual(["void"]);
    expect(await w.audit("review.ban")).toHaveLength(1);
  });

  it("blocks an email, a domain and a network signal for later conversions", async () => {
    const w = await workspace();
    const click = await clickFactory(t.db, w.priya, {
      at: new Date(t.clock.now().getTime() - day),
      ipHash: "iph-farm",
    });
    const fromFarm = await w.post(
      enrollment({ clickId: click.id, customer: { id: "farm-1", email: "one@mailinator.com" } }),
    );
    const blocks = [
      { kind: "email", value: "Cheater@Example.org", reason: "chargebacks" },
      { kind: "domain", value: "spam.example", reason: "bulk sign-ups" },
      { kind: "network", conversionId: fromFarm.json.conversion.id, reason: "click farm" },
    ];
    for (const body of blocks) expect((await w.call("POST", "/v1/admin/blocks", body)).status).toBe(201);
    const list = (await (await w.call("GET", "/v1/admin/blocks")).json()).items as { kind: string; value: string }[];
    expect(list.map((b) => b.kind).sort()).toEqual(["domain", "email", "ip"]);
    expect(JSON.stringify(list)).not.toMatch(/cheater/i); // the address is kept as a hash only

    const step = async (body: Record<string, unknown>) =>
      (await w.post(enrollment(body))).json.attribution.decision.find((s) => s.rule === "block-list");
    expect(await step({ customer: { id: "e", email: "cheater@example.org" }, code: w.priya.code })).toEqual({
      rule: "block-list",
      result: "fail",
      detail: "block list: the customer's email address is blocked: chargebacks",
    });
    expect((await step({ customer: { id: "d", email: "x@mail.spam.example" }, code: w.priya.code }))?.detail).toBe(
      "block list: the customer's email domain is blocked (spam.example): bulk sign-ups",
    );
    const again = await clickFactory(t.db, w.priya, {
      at: new Date(t.clock.now().getTime() - day),
      ipHash: "iph-farm",
    });
    expect((await step({ clickId: again.id, customer: { id: "n" } }))?.detail).toBe(
      "block list: the click came from a blocked IP address: click farm",
    );
    expect(await step({ customer: { id: "ok", email: "fine@example.org" }, code: w.priya.code })).toMatchObject({
      result: "pass",
    });
    expect(await w.audit("block.add")).toHaveLength(3);
    await expectError(
      await w.call("POST", "/v1/admin/blocks", { kind: "domain", value: "not a domain", reason: "x" }),
      400,
      "invalid_request",
    );
  });

  it("erasing a learner removes their ban, blocks of their email and notes on their cases", async () => {
    const w = await workspace();
    const flagged = await w.held("x@mailinator.com");
    await w.call("POST", `/v1/admin/review/${flagged.conversion.id}/notes`, { body: "Priya again" });
    await w.call("POST", "/v1/admin/blocks", { kind: "email", value: "priya@example.com", reason: "own address" });
    await w.call("POST", "/v1/admin/review/decisions", {
      conversionIds: [flagged.conversion.id],
      action: "ban",
      reason: "ring",
    });
    expect(((await (await w.call("GET", "/v1/admin/blocks")).json()).items as unknown[]).length).toBe(2);
    expect((await w.call("DELETE", "/v1/learners/priya")).status).toBe(200);
    expect((await (await w.call("GET", "/v1/admin/blocks")).json()).items).toEqual([]);
    const notes = await t.db.select().from(reviewNotes).where(eq(reviewNotes.workspaceId, w.ws.id));
    expect(notes).toEqual([]);
  });
});
