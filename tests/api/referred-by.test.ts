/**
 * "Who referred you?" (issue 18): a friend who never clicked a link names their referrer by email
 * or by name and course, confirms, and a later conversion carrying the click id they were given
 * is attributed to that referrer ("named by the friend"). No enumeration: a match and no match
 * answer with the same status and fields and run the same SQL; ambiguous names match nobody;
 * rate limited; the token is one-time and bound to the browser; erasure forgets the answers.
 * Real app, real database file, requests from known addresses (X-Forwarded-For).
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { referredByAnswers } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { chromeUserAgent, visitor } from "../support/referrals.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const course = "data-analytics";

let t: TestApp;
let ws: CreatedWorkspace;
let post: ReturnType<typeof poster>;
/** Each test asks from addresses of its own, so the per-visitor limit of one never touches another. */
let nextAddress = 10;
const freshAddress = () => `198.51.100.${nextAddress++}`;

beforeAll(async () => {
  t = await createTestApp({ trustProxy: true });
  ws = await workspaceFactory(t.db, {
    now: t.clock.now(),
    settings: {
      defaultTargetUrl: "https://academy.example/welcome",
      fraud: { selfReferral: true, disposableEmail: true, botClicks: true, velocityPerDay: 50 },
    },
  });
  post = poster(t, ws.secretKey);
  const admin = { Authorization: `Bearer ${ws.secretKey}` };
  expect(
    (await t.call("PUT", `/v1/admin/courses/${course}`, { headers: admin, body: { title: "Data Analytics" } })).status,
  ).toBe(200);
  await cardFrom("192.0.2.1", { sub: "priya", name: "Priya Sharma", email: "priya.sharma@gmail.com" });
  // Two learners of one name in one course: neither can be named by name.
  await cardFrom("192.0.2.2", { sub: "rahul-1", name: "Rahul Verma" });
  await cardFrom("192.0.2.3", { sub: "rahul-2", name: "Rahul Verma" });
}, 30_000);
afterAll(() => t?.cleanup());

/** A referrer's card loads (as when they sign in) from `ip`, for the course: their code. */
async function cardFrom(ip: string, claims: { sub: string; name: string; email?: string }, lang?: string) {
  const response = await t.call("POST", "/v1/referrals/me", {
    headers: {
      ...visitor(ip),
      "Chorus-Key": ws.publishableKey,
      Origin: testOrigin,
      Authorization: `Bearer ${await learnerToken(ws, claims)}`,
    },
    body: { course, ...(lang ? { lang } : {}) },
  });
  expect(response.status).toBe(200);
  return response.json() as Promise<{ code: string; coupon: { code: string } | null; shareText: string }>;
}

const asFriend = (ip: string, userAgent = chromeUserAgent) => ({
  ...visitor(ip, userAgent),
  "Chorus-Key": ws.publishableKey,
  Origin: testOrigin,
});

async function ask(ip: string, question: Record<string, unknown>, userAgent = chromeUserAgent) {
  const response = await t.call("POST", "/v1/referred-by", { headers: asFriend(ip, userAgent), body: question });
  return { status: response.status, text: await response.text() };
}

async function confirm(ip: string, token: string, userAgent = chromeUserAgent) {
  const response = await t.call("POST", "/v1/referred-by/confirm", {
    headers: asFriend(ip, userAgent),
    body: { token },
  });
  await t.flushClicks();
  return response;
}

/** Asks, confirms and enrols as a friend from a fresh address: the conversion's attribution. */
async function nameAndEnrol(question: Record<string, unknown>, customer: Record<string, unknown> = {}) {
  const ip = freshAddress();
  const asked = await ask(ip, question);
  expect(asked.status).toBe(200);
  const confirmed = await confirm(ip, JSON.parse(asked.text).token);
  expect(confirmed.status).toBe(200);
  const { clickId } = (await confirmed.json()) as { clickId: string };
  t.clock.advance(60_000);
  const { json } = await post(enrollment({ clickId, customer: { id: `friend-${ip}`, ...customer } }));
  return { clickId, attribution: json.attribution };
}

const steps = (attribution: { decision: { rule: string; detail: string }[] }) =>
  attribution.decision.map((step) => `${step.rule}: ${step.detail}`);

describe("naming the referrer", () => {
  it("by email (another spelling of the same mailbox): the confirmed click attributes the enrolment, named by the friend", async () => {
    const { clickId, attribution } = await nameAndEnrol({ email: "Priya.Sharma+courses@googlemail.com", course });
    expect(attribution).toMatchObject({ status: "attributed", clickId, referrer: { id: "priya" } });
    expect(steps(attribution)).toContain(
      `click: matched click ${clickId} from 1 minute ago named by the friend, inside the 30-day window`,
    );
    expect(steps(attribution)).toContain(
      `decided-by: named by the friend: the click id sent with the conversion (${clickId}) is the friend naming their referrer before checkout`,
    );
  });

  it("by an email no learner has: the click id leads nowhere, the enrolment is unattributed", async () => {
    const { clickId, attribution } = await nameAndEnrol({ email: "nobody@example.com", course });
    expect(attribution).toMatchObject({ status: "unattributed", referrer: null });
    expect(steps(attribution)).toContain(`click: no click ${clickId} in this workspace`);
  });

  it("by name and course, one learner: confirmed with only an initial and the course's title", async () => {
    const ip = freshAddress();
    const asked = await ask(ip, { name: "  priya   SHARMA ", course });
    expect(JSON.parse(asked.text).confirm).toEqual({ initial: "P", course: "Data Analytics" });
    const { attribution } = await nameAndEnrol({ name: "Priya Sharma", course });
    expect(attribution).toMatchObject({ status: "attributed", referrer: { id: "priya" } });
  });

  it("by a name two learners of the course share: nobody is guessed", async () => {
    const { attribution } = await nameAndEnrol({ name: "Rahul Verma", course });
    expect(attribution).toMatchObject({ status: "unattributed", referrer: null });
  });

  it("by name in a course the learner has no code for: no match", async () => {
    const { attribution } = await nameAndEnrol({ name: "Priya Sharma", course: "web-design" });
    expect(attribution.status).toBe("unattributed");
  });

  it("still applies the self-referral rule: the referrer naming themselves from their own browser is flagged", async () => {
    // Priya's card loaded from 192.0.2.1 with this browser; she names herself from there.
    const asked = await ask("192.0.2.1", { email: "priya.sharma@gmail.com" });
    const confirmed = await confirm("192.0.2.1", JSON.parse(asked.text).token);
    const { clickId } = (await confirmed.json()) as { clickId: string };
    const { json } = await post(enrollment({ clickId, customer: { id: "someone-else" } }));
    expect(json.attribution).toMatchObject({ status: "attributed", referrer: { id: "priya" } });
    expect(steps(json.attribution).join("\n")).toMatch(
      new RegExp(`self-referral: self-referral: click ${clickId} came from the referrer's own`),
    );
  });
});

describe("no enumeration", () => {
  it("answers a match and no match with the same status, fields and length, after the same SQL", async () => {
    const statements: string[][] = [[], []];
    const execute = vi.spyOn(t.client, "execute");
    const answers = [];
    for (const [index, question] of [
      { name: "Priya Sharma", course },
      { name: "Priyanka Rao", course },
    ].entries()) {
      execute.mockClear();
      answers.push(await ask(freshAddress(), question));
      for (const [call] of execute.mock.calls)
        statements[index]?.push(typeof call === "string" ? call : (call as { sql: string }).sql);
    }
    execute.mockRestore();
    const [hit, miss] = answers as [{ status: number; text: string }, { status: number; text: string }];
    expect(hit.status).toBe(200);
    expect(miss.status).toBe(hit.status);
    // Only the random token differs: same initial (typed), same course title, same length.
    const [hitBody, missBody] = [JSON.parse(hit.text), JSON.parse(miss.text)];
    expect({ ...hitBody, token: "" }).toEqual({ ...missBody, token: "" });
    expect(hit.text.length).toBe(miss.text.length);
    // The same statements in the same order (only their arguments differ): one code path.
    expect(statements[0]?.length).toBeGreaterThan(0);
    expect(statements[1]).toEqual(statements[0]);
  });

  it("confirms a match and no match alike: 200 and a click id of the same shape", async () => {
    const ids: string[] = [];
    for (const email of ["priya.sharma@gmail.com", "stranger@example.com"]) {
      const ip = freshAddress();
      const { token } = JSON.parse((await ask(ip, { email })).text);
      const response = await confirm(ip, token);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { clickId: string };
      expect(Object.keys(body)).toEqual(["clickId"]);
      ids.push(body.clickId);
    }
    expect(ids[0]).toMatch(/^clk_[0-9a-z]{9}[0-9A-Za-z]{12}$/);
    expect(ids[1]).toMatch(/^clk_[0-9a-z]{9}[0-9A-Za-z]{12}$/);
  });
});

describe("the token", () => {
  it("works once, from the browser that asked, within the hour", async () => {
    const ip = freshAddress();
    const token = () => ask(ip, { email: "priya.sharma@gmail.com" }).then((answer) => JSON.parse(answer.text).token);
    const first = await token();
    await expectError(await confirm(ip, first, firefox), 404, "not_found");
    expect((await confirm(ip, first)).status).toBe(200);
    await expectError(await confirm(ip, first), 404, "not_found");
    const late = await token();
    t.clock.advance(60 * 60 * 1000 + 1);
    await expectError(await confirm(ip, late), 404, "not_found");
  });

  it("refuses bad questions with the error envelope", async () => {
    const ip = freshAddress();
    for (const body of [{}, { email: "not-an-email" }, { name: "Priya" }, { name: "Priya", email: "a@b.example" }]) {
      const response = await t.call("POST", "/v1/referred-by", { headers: asFriend(ip), body });
      await expectError(response, 400, "invalid_request");
    }
  });
});

describe("rate limits", () => {
  it("allow 10 questions per visitor per 15 minutes by default, then 429 with Retry-After", async () => {
    const ip = freshAddress();
    for (let i = 0; i < 10; i++) expect((await ask(ip, { email: `friend${i}@example.com` })).status).toBe(200);
    const response = await t.call("POST", "/v1/referred-by", {
      headers: asFriend(ip),
      body: { email: "one-more@example.com" },
    });
    await expectError(response, 429, "rate_limited");
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
    // Another visitor is not held back.
    expect((await ask(freshAddress(), { email: "friend@example.com" })).status).toBe(200);
  });

  it("are configurable per workspace (rateLimits.referredBy)", async () => {
    const other = await workspaceFactory(t.db, {
      now: t.clock.now(),
      settings: { rateLimits: { referredBy: { perVisitor: null, perWorkspace: { limit: 2, windowSeconds: 60 } } } },
    } as Parameters<typeof workspaceFactory>[1]);
    const call = (ip: string) =>
      t.call("POST", "/v1/referred-by", {
        headers: { ...visitor(ip), "Chorus-Key": other.publishableKey, Origin: testOrigin },
        body: { email: "someone@example.com" },
      });
    expect((await call(freshAddress())).status).toBe(200);
    expect((await call(freshAddress())).status).toBe(200);
    await expectError(await call(freshAddress()), 429, "rate_limited");
  });
});

describe("erasure", () => {
  it("forgets the answers that named an erased learner: a later confirmation credits nobody", async () => {
    await cardFrom("192.0.2.9", { sub: "meera", name: "Meera Iyer", email: "meera@example.com" });
    const ip = freshAddress();
    const { token } = JSON.parse((await ask(ip, { email: "meera@example.com" })).text);
    const named = await t.db.select().from(referredByAnswers).where(eq(referredByAnswers.workspaceId, ws.id));
    const before = named.filter((row) => row.codeId !== null).length;
    const erased = await t.call("DELETE", "/v1/learners/meera", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(erased.status).toBe(200);
    const after = (await t.db.select().from(referredByAnswers).where(eq(referredByAnswers.workspaceId, ws.id))).filter(
      (row) => row.codeId !== null,
    ).length;
    expect(after).toBe(before - 1);
    await expectError(await confirm(ip, token), 404, "not_found");
  });
});

describe("the card's share text", () => {
  it("names the friend coupon code in English and Hindi when the program has one", async () => {
    const coupons = await workspaceFactory(t.db, {
      now: t.clock.now(),
      settings: { friendOffer: { type: "percent", percent: 10 } },
    });
    const load = async (lang: string) => {
      const response = await t.call("POST", "/v1/referrals/me", {
        headers: {
          ...visitor("192.0.2.50"),
          "Chorus-Key": coupons.publishableKey,
          Origin: testOrigin,
          Authorization: `Bearer ${await learnerToken(coupons, { sub: "priya", name: "Priya Sharma" })}`,
        },
        body: { course, lang },
      });
      return (await response.json()) as { coupon: { code: string }; shareText: string };
    };
    const english = await load("en");
    expect(english.coupon.code).toMatch(/^PRIYA-10-/);
    expect(english.shareText).toBe(
      `I'm learning with Test Academy. Use my code ${english.coupon.code} at checkout, or join with my link:`,
    );
    expect((await load("hi")).shareText).toContain(english.coupon.code);
  });
});
