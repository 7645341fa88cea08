/**
 * The story request: "tell your story" N days after a completion, when the program asks for it.
 * Enqueued at completion and not sent before it is due (the test clock moves, nothing sleeps);
 * dropped at send time, with the reason shown, if a story came meanwhile or the learner was
 * erased. Its link carries a one-time token: it pre-fills the form (name, course) and lets exactly
 * one story for that learner and course in, without a learner token; used, expired, another
 * workspace's or an erased learner's token is refused.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mailMessages, stories, storyRequestTokens } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { conversionId, poster } from "../support/conversions.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { drainMailTo, type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

const day = 86_400_000;
let t: TestApp;
let ws: CreatedWorkspace;
let sink: SmtpSink;

beforeEach(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
});
afterEach(async () => {
  await sink.close();
  t.cleanup();
});

async function program(storyRequest: Record<string, unknown> | null = { enabled: true, days: 7 }) {
  ws = await workspaceFactory(t.db, {
    settings: {
      storeEmails: true,
      defaultTargetUrl: "https://acme.example/stories?from=mail",
      brand: { name: "Acme Academy", logoUrl: null, color: "#1d4ed8" },
      ...(storyRequest ? { storyRequest: storyRequest as { enabled: boolean; days: number } } : {}),
    },
  });
}
const complete = (course = "data-analytics") =>
  poster(
    t,
    ws.secretKey,
  )({
    id: conversionId("done"),
    type: "completion",
    customer: { id: "asha", email: "asha@learners.example", name: "Asha Verma" },
    course,
  });
const drain = () => drainMailTo(sink, t);
const requests = () => sink.received.filter((mail) => mail.parsed.subject?.startsWith("How did your course"));
const rows = () => t.db.select().from(mailMessages).where(eq(mailMessages.workspaceId, ws.id));
const widget = (workspace: CreatedWorkspace, token: string) => ({
  "Chorus-Key": workspace.publishableKey,
  Origin: testOrigin,
  "Chorus-Story-Token": token,
  "User-Agent": `test-${Math.random()}`,
  "X-Forwarded-For": `203.0.113.${Math.floor(Math.random() * 250) + 1}`,
});
const prefill = (token: string, workspace = ws) =>
  t.call("GET", "/v1/stories/prefill", { headers: widget(workspace, token) });
const postWithToken = (token: string, body = storyBody({ name: "Asha Verma" })) =>
  t.call("POST", "/v1/stories", { body, headers: widget(ws, token) });

/** Completes the course, moves the clock past the due time and answers the link's token. */
async function mailedToken(): Promise<string> {
  expect((await complete()).status).toBe(201);
  t.clock.advance(7 * day);
  await drain();
  const [mail] = requests();
  const link = new URL(mail!.parsed.text!.match(/Tell your story: (\S+)/)![1]!);
  return link.searchParams.get("chorus_story")!;
}

describe("the story request's due time", () => {
  it("is enqueued at completion and sent only once it is due, with the one-time link to the story page", async () => {
    await program();
    expect((await complete()).status).toBe(201);
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(sink.received.map((mail) => mail.parsed.subject)).toEqual([
      "Congratulations on completing your course with Acme Academy",
    ]);
    const queued = (await rows()).find((row) => row.template === "story-request");
    expect(queued).toMatchObject({
      status: "queued",
      category: "stories",
      nextAttemptAt: t.clock.now().getTime() + 7 * day,
    });

    t.clock.advance(7 * day - 1);
    expect(await drain()).toMatchObject({ claimed: 0 });
    t.clock.advance(1);
    expect(await drain()).toMatchObject({ claimed: 1, sent: 1 });

    const { parsed } = requests()[0]!;
    expect(parsed.to).toMatchObject({ value: [{ name: "Asha Verma", address: "asha@learners.example" }] });
    expect(parsed.subject).toBe("How did your course with Acme Academy help you?");
    expect(parsed.text).toContain("A few weeks ago you completed data-analytics.");
    const link = new URL(parsed.text!.match(/Tell your story: (\S+)/)![1]!);
    expect(link.origin + link.pathname).toBe("https://acme.example/stories");
    expect(link.searchParams.get("from")).toBe("mail");
    expect(link.searchParams.get("ch")).toBe("email");
    const token = link.searchParams.get("chorus_story")!;
    expect(token).toMatch(/^srq_\w+\.[0-9a-f]{64}$/);
    expect(parsed.headerLines.find((h) => h.key === "list-unsubscribe")?.line).toMatch(/\.stories\./);
    // Only the token's hash is stored: neither the token table nor the outbox holds it.
    const dump = JSON.stringify([await t.db.select().from(storyRequestTokens), await rows()]);
    expect(dump).not.toContain(token.split(".")[1]);
  });

  it("links to the hosted advocate page when the program has one, which opens the story form with no sign-in", async () => {
    await program();
    await t.call("PATCH", "/v1/admin/program", {
      body: { slug: "acme-academy" },
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    const token = await mailedToken();
    const link = new URL(requests()[0]!.parsed.text!.match(/Tell your story: (\S+)/)![1]!);
    expect(link.pathname).toBe("/p/acme-academy");
    expect(link.searchParams.get("ch")).toBe("email");
    const page = await t.call("GET", `/p/acme-academy?chorus_story=${encodeURIComponent(token)}&ch=email`);
    expect(page.status).toBe(200);
    const text = await page.text();
    // The form alone (it reads the token from the address), with a key the page made for it.
    expect(text).toContain("<h1>Tell your story</h1>");
    expect(text).toMatch(/<chorus-story-form lang="en"><\/chorus-story-form>/);
    expect(text).toMatch(/<script type="module" src="\/embed.js" data-key="pk_\w+"><\/script>/);
    expect(text).not.toContain("learner-token=");
    expect((await prefill(token)).status).toBe(200);
    // Without the token, the same address is the sign-in form.
    expect(await (await t.call("GET", "/p/acme-academy")).text()).toContain('name="email"');
  });

  it("is not written when the program does not ask for stories (the default)", async () => {
    await program(null);
    await complete();
    expect((await rows()).map((row) => row.template)).toEqual(["completion"]);
  });

  it("is not sent when the learner told a story of that course meanwhile, and the outbox says why", async () => {
    await program();
    await complete();
    const token = await learnerToken(ws, { sub: "asha", name: "Asha Verma" }, { now: t.clock.now() });
    const told = await storyClient(t, ws).post(storyBody({ name: "Asha Verma" }), { Authorization: `Bearer ${token}` });
    expect(told.status).toBe(201);
    t.clock.advance(8 * day);
    expect(await drain()).toMatchObject({ suppressed: 1 });
    expect(requests()).toHaveLength(0);
    const overview = await t.call("GET", "/v1/admin/mail", { headers: { Authorization: `Bearer ${ws.secretKey}` } });
    const items = ((await overview.json()) as { items: { template: string; status: string; reason: string }[] }).items;
    expect(items.find((item) => item.template === "story-request")).toMatchObject({
      status: "suppressed",
      reason: "story already told",
    });
  });

  it("is not sent to a learner erased meanwhile, and their link's token is gone", async () => {
    await program();
    await complete();
    const erased = await t.call("DELETE", "/v1/learners/asha", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(erased.status).toBe(200);
    expect(await t.db.select().from(storyRequestTokens)).toEqual([]);
    t.clock.advance(8 * day);
    await drain();
    expect(requests()).toHaveLength(0);
    expect((await rows()).find((row) => row.template === "story-request")).toMatchObject({
      status: "suppressed",
      reason: "learner erased",
    });
  });
});

describe("the story link's one-time token", () => {
  it("pre-fills the form and lets exactly one story in, linked to the learner and attested by the completion", async () => {
    await program();
    const token = await mailedToken();
    const filled = await prefill(token);
    expect(filled.status).toBe(200);
    expect(await filled.json()).toEqual({ name: "Asha Verma", course: "data-analytics" });

    const posted = await postWithToken(token);
    expect(posted.status).toBe(201);
    expect(await posted.json()).toMatchObject({ learnerLinked: true, verificationLevel: "provider_attested" });

    await expectError(await postWithToken(token), 409, "conflict");
    const again = await prefill(token);
    await expectError(again.clone(), 409, "conflict");
    expect(((await again.json()) as { error: { details: unknown } }).error.details).toEqual([
      { path: "storyToken", message: "used" },
    ]);
    expect(await t.db.select().from(stories)).toHaveLength(1);
  });

  it("makes one story of many simultaneous submissions", async () => {
    await program();
    const token = await mailedToken();
    const answers = await Promise.all(Array.from({ length: 8 }, () => postWithToken(token)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(await t.db.select().from(stories)).toHaveLength(1);
  });

  it("expires 30 days after the mail was due", async () => {
    await program();
    const token = await mailedToken();
    t.clock.advance(30 * day - 1);
    expect((await prefill(token)).status).toBe(200);
    t.clock.advance(1);
    const expired = await prefill(token);
    await expectError(expired.clone(), 409, "conflict");
    expect(((await expired.json()) as { error: { details: unknown } }).error.details).toEqual([
      { path: "storyToken", message: "expired" },
    ]);
    await expectError(await postWithToken(token), 409, "conflict");
    expect(await t.db.select().from(stories)).toHaveLength(0);
  });

  it("is unknown to another workspace, and refused for another course, a forged token or with a learner token", async () => {
    await program();
    const token = await mailedToken();
    const other = await workspaceFactory(t.db);
    await expectError(await prefill(token, other), 404, "not_found");
    const elsewhere = await t.call("POST", "/v1/stories", { body: storyBody(), headers: widget(other, token) });
    await expectError(elsewhere, 404, "not_found");
    // One character changed (to another one: a token ending in "0" already would not be forged).
    const forged = `${token.slice(0, -1)}${token.endsWith("0") ? "1" : "0"}`;
    await expectError(await prefill(forged), 404, "not_found");
    await expectError(await prefill(""), 404, "not_found");
    await expectError(await postWithToken(token, storyBody({ course: "web-design" })), 400, "invalid_request");
    const both = await t.call("POST", "/v1/stories", {
      body: storyBody(),
      headers: { ...widget(ws, token), Authorization: `Bearer ${await learnerToken(ws, { sub: "asha" })}` },
    });
    await expectError(both, 400, "invalid_request");
    // None of this used the token up.
    expect((await postWithToken(token)).status).toBe(201);
  });

  it("is refused once its learner is erased", async () => {
    await program();
    const token = await mailedToken();
    expect(
      (await t.call("DELETE", "/v1/learners/asha", { headers: { Authorization: `Bearer ${ws.secretKey}` } })).status,
    ).toBe(200);
    await expectError(await prefill(token), 404, "not_found");
    await expectError(await postWithToken(token), 404, "not_found");
  });
});
