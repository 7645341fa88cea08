/**
 * The hosted advocate page once signed in: what it shows (the elements with a learner token for
 * the session's learner, rewards with the reason each is held, milestones), its CSP, and when the
 * session ends (sign-out, idleness, absolute expiry, the learner's erasure). Also the `slug`
 * setting: unique across workspaces, validated, reserved words refused.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { conversions, learnerSessions, magicLinks, rewards } from "../../db/schema.ts";
import { verifyLearnerToken } from "../../server/services/learner-tokens.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { getPage, knownLearner, postForm, sessionCookieOf, signInLinkOf } from "../support/advocate-page.ts";
import { conversionRow, rewardRow } from "../support/analytics-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { drainMailTo, type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let sink: SmtpSink;
const day = 86_400_000;

beforeEach(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
  ws = await workspaceFactory(t.db, {
    settings: {
      slug: "acme",
      brand: { name: "Acme Academy", logoUrl: "https://cdn.acme.example/logo.png", color: "#facc15" },
      milestones: [
        { count: 3, bonus: { amount: 100_000, currency: "INR" } },
        { count: 1, bonus: { amount: 20_000, currency: "INR" } },
      ],
    },
  });
});
afterEach(async () => {
  await sink.close();
  t.cleanup();
});

/** Signs Priya in through a real mail and link; answers her learner row and the session cookie. */
async function signIn() {
  const learner = await knownLearner(t, {
    workspaceId: ws.id,
    externalId: "priya",
    email: "priya@learners.example",
    name: "Priya Sharma",
  });
  await postForm(t, "/p/acme/sign-in", { email: "priya@learners.example" });
  await drainMailTo(sink, t);
  const link = signInLinkOf(sink.received.at(-1)!.parsed);
  const used = await postForm(t, "/p/acme/link", { t: link.searchParams.get("t")! });
  expect(used.status).toBe(303);
  return { learner, cookie: sessionCookieOf(used), link };
}

const page = (cookie: string, path = "/p/acme") => getPage(t, path, { Cookie: cookie });
const signedIn = async (cookie: string) => (await (await page(cookie)).text()).includes("<chorus-referral-card");

describe("the signed-in page", () => {
  it("shows the elements with a short-lived token for the session's learner, themed, under a strict CSP", async () => {
    const { cookie } = await signIn();
    const answer = await page(cookie);
    const html = await answer.text();
    expect(html).toContain("<h1>Hello Priya</h1>");
    expect(html).toMatch(/<script type="module" src="\/embed.js" data-key="pk_[0-9a-f]{40}"><\/script>/);
    expect(html).toContain('<chorus-story-form course="general"');
    expect(html).toContain('src="https://cdn.acme.example/logo.png"');
    // A yellow brand gets black text on its buttons (contrast), as the mail does.
    expect(html).toContain("background: #facc15; color: #000000");
    const token = html.match(/learner-token="([^"]+)"/)?.[1] ?? "";
    const claims = await verifyLearnerToken({ clock: t.clock, workspace: ws }, { token });
    expect(claims).toMatchObject({ sub: "priya", name: "Priya Sharma" });
    const csp = answer.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("img-src 'self' https://cdn.acme.example");
    expect(csp).not.toContain("unsafe-inline");
    expect(answer.headers.get("Cache-Control")).toBe("no-store");

    // The elements' calls work with that key and token, from the page's own origin.
    const key = html.match(/data-key="([^"]+)"/)?.[1] ?? "";
    const me = await t.call("POST", "/v1/referrals/me", {
      headers: { "Chorus-Key": key, Authorization: `Bearer ${token}`, Origin: "https://chorus.test" },
      body: {},
    });
    expect(me.status).toBe(200);
    // The key is stored only as its hash, and the same key is made again on the next view.
    expect((await (await page(cookie)).text()).match(/data-key="([^"]+)"/)?.[1]).toBe(key);
  });

  it("lists rewards with the reason each is where it is, and the progress to the next milestone", async () => {
    const { learner, cookie } = await signIn();
    const flaggedSale = conversionRow(ws.id, {
      type: "enrollment",
      referrerId: learner.id,
      decision: [
        { rule: "self-referral", result: "fail", detail: "same email hash abc123" },
        { rule: "fraud", result: "fail", detail: "flagged for review" },
      ],
    });
    const heldSale = conversionRow(ws.id, { type: "enrollment", referrerId: learner.id });
    const refunded = conversionRow(ws.id, { type: "enrollment", referrerId: learner.id });
    await t.db.insert(conversions).values([flaggedSale, heldSale, refunded]);
    await t.db.insert(rewards).values([
      rewardRow(ws.id, { conversionId: flaggedSale.id, learnerId: learner.id, flagged: true, amount: 50_000 }),
      rewardRow(ws.id, {
        conversionId: heldSale.id,
        learnerId: learner.id,
        amount: 50_000,
        holdUntil: Date.UTC(2026, 10, 15),
        createdAt: Date.UTC(2026, 9, 2),
      }),
      rewardRow(ws.id, {
        conversionId: refunded.id,
        learnerId: learner.id,
        status: "void",
        reason: "refunded by order-9",
        amount: 50_000,
      }),
      rewardRow(ws.id, {
        conversionId: heldSale.id,
        learnerId: learner.id,
        kind: "milestone",
        reason: "milestone:1",
        status: "approved",
        amount: 20_000,
      }),
    ]);
    const html = await (await page(cookie)).text();
    expect(html).toContain("On hold until a person at the program checks it: it looks as if the friend might be you.");
    expect(html).not.toContain("abc123");
    expect(html).toContain("On hold until 2026-11-15, in case the purchase is refunded; then approved.");
    expect(html).toContain("Cancelled: your friend&#39;s purchase was refunded.");
    expect(html).toContain("Milestone bonus (1 referrals): 200.00 INR milestone");
    expect(html).toContain("2 of 3 rewarded referrals: reach 3 for a bonus of 1000.00 INR.");
    expect(html).toContain('<progress max="3" value="2"');

    const hindi = await (await page(cookie, "/p/acme?lang=hi")).text();
    expect(hindi).toContain("ऐसा लगता है कि मित्र शायद आप ही हैं");
  });
});

describe("the session", () => {
  it("ends on sign-out, for a copy of the cookie too", async () => {
    const { cookie } = await signIn();
    const out = await postForm(t, "/p/acme/sign-out", {}, { Cookie: cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get("Set-Cookie")).toMatch(/chorus_advocate=;.*Max-Age=0/);
    expect(await signedIn(cookie)).toBe(false);
    expect(await t.db.select().from(learnerSessions)).toEqual([]);
  });

  it("ends after 7 days without a visit, and after 30 days in any case", async () => {
    const first = await signIn();
    t.clock.advance(7 * day - 60_000);
    expect(await signedIn(first.cookie)).toBe(true);
    t.clock.advance(7 * day - 60_000);
    expect(await signedIn(first.cookie)).toBe(true);
    t.clock.advance(7 * day + 1);
    expect(await signedIn(first.cookie)).toBe(false);

    t.clock.advance(60 * 60_000);
    await postForm(t, "/p/acme/sign-in", { email: "priya@learners.example" });
    await drainMailTo(sink, t);
    const link = signInLinkOf(sink.received.at(-1)!.parsed);
    const cookie = sessionCookieOf(await postForm(t, "/p/acme/link", { t: link.searchParams.get("t")! }));
    // Visited every 7 days less a minute: alive for 28 days, then the 30-day limit ends it.
    for (let i = 0; i < 4; i++) {
      t.clock.advance(7 * day - 60_000);
      expect(await signedIn(cookie)).toBe(true);
    }
    t.clock.advance(2 * day + 5 * 60_000);
    expect(await signedIn(cookie)).toBe(false);
  });

  it("ends when the learner is erased, and their unused links stop working", async () => {
    const { cookie } = await signIn();
    t.clock.advance(6 * 60_000);
    await postForm(t, "/p/acme/sign-in", { email: "priya@learners.example" });
    await drainMailTo(sink, t);
    const unused = signInLinkOf(sink.received.at(-1)!.parsed);
    const erased = await t.call("DELETE", "/v1/learners/priya", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(erased.status).toBe(200);
    expect(await signedIn(cookie)).toBe(false);
    expect(await t.db.select().from(learnerSessions)).toEqual([]);
    expect(await t.db.select().from(magicLinks).where(eq(magicLinks.workspaceId, ws.id))).toEqual([]);
    expect((await postForm(t, "/p/acme/link", { t: unused.searchParams.get("t")! })).status).toBe(410);
  });
});

describe("the slug setting", () => {
  const patch = (secretKey: string, body: unknown) =>
    t.call("PATCH", "/v1/admin/program", { headers: { Authorization: `Bearer ${secretKey}` }, body });

  it("is unique across workspaces (409), lower-case, and refuses reserved words", async () => {
    const other = await workspaceFactory(t.db);
    await expectError(await patch(other.secretKey, { slug: "acme" }), 409, "conflict");
    for (const slug of ["Acme", "admin", "dashboard", "ac", "-acme", "acme--x", "acme_x", "a".repeat(41)])
      await expectError(await patch(other.secretKey, { slug }), 400, "invalid_request");
    expect((await patch(other.secretKey, { slug: "beta-academy" })).status).toBe(200);
    expect((await getPage(t, "/p/beta-academy")).status).toBe(200);
    // Giving it up frees it; keeping one's own slug is no conflict.
    expect((await patch(ws.secretKey, { slug: "acme" })).status).toBe(200);
    expect((await patch(ws.secretKey, { slug: null })).status).toBe(200);
    expect((await getPage(t, "/p/acme")).status).toBe(404);
    expect((await patch(other.secretKey, { slug: "acme" })).status).toBe(200);
  });

  it("validates the sign-in policy's domains", async () => {
    await expectError(
      await patch(ws.secretKey, { advocateSignIn: { policy: "domains", domains: ["not a domain"] } }),
      400,
      "invalid_request",
    );
    await expectError(await patch(ws.secretKey, { advocateSignIn: { policy: "everyone" } }), 400, "invalid_request");
  });
});
