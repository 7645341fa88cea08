import { describe, expect, it } from "vitest";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { eachStoryTest, type Json, type StoryTest, storyBody, storyClient } from "../support/stories.ts";
import { expectError } from "../support/test-app.ts";

// Each test's app, workspace and story client, set before it runs.
let { t, ws, api } = {} as StoryTest;
eachStoryTest(
  (test) => {
    ({ t, ws, api } = test);
  },
  { trustProxy: true },
);

const count = async (sql: string) => Number((await t.client.execute(sql)).rows[0]?.n);

describe("POST /v1/stories", () => {
  it("stores a pending story, returns an edit token kept only as a hash, and announces it", async () => {
    const response = await api.post(storyBody());
    expect(response.status).toBe(201);
    const story = (await response.json()) as Json & { id: string; editToken: string };
    expect(story).toMatchObject({
      status: "pending",
      course: "data-analytics",
      verificationLevel: "self_reported",
      learnerLinked: false,
      shareLink: null,
      consent: { publish: true, name: true, photo: true, salary: true },
    });
    expect(story.editToken).toMatch(/^edit_[0-9A-Za-z]{32}$/);
    const row = (await t.client.execute("select * from stories")).rows[0]!;
    expect(row.edit_token_hash).not.toContain(story.editToken);
    expect(JSON.stringify(row)).not.toContain(story.editToken);
    expect(row.visitor_hash).toMatch(/^[0-9a-f]{64}$/);
    const events = (await t.client.execute("select type, payload from webhook_events")).rows;
    expect(events.map((e) => e.type)).toEqual(["story.submitted"]);
    expect(String(events[0]?.payload)).not.toContain("edit_");
  });

  it("links the story to the learner with a token, and returns the author's share link", async () => {
    const token = await learnerToken(ws, { sub: "priya-1", email: "priya@example.com" });
    const response = await api.post(storyBody(), { Authorization: `Bearer ${token}` });
    const story = (await response.json()) as { id: string; learnerLinked: boolean; shareLink: string };
    expect(story.learnerLinked).toBe(true);
    expect(story.shareLink).toMatch(new RegExp(`^https://chorus\\.test/r/[a-z0-9]{7}\\?s=${story.id}$`));
    const code = story.shareLink.match(/\/r\/([a-z0-9]+)/)?.[1];
    const row = (
      await t.client.execute({ sql: "select course, learner_id from referral_codes where code = ?", args: [code!] })
    ).rows[0];
    const learner = (await t.client.execute("select id, external_id from learners")).rows[0];
    expect(row).toMatchObject({ course: "data-analytics", learner_id: learner?.id });
    expect(learner?.external_id).toBe("priya-1");
  });

  it("refuses a learner token that is sent but invalid", async () => {
    const foreign = await workspaceFactory(t.db, { name: "Other" });
    const token = await learnerToken(foreign);
    await expectError(await api.post(storyBody(), { Authorization: `Bearer ${token}` }), 401, "unauthorized");
    expect(await count("select count(*) as n from stories")).toBe(0);
  });

  it("requires consent to publish", async () => {
    const consent = { publish: false, name: true, photo: true, salary: true };
    const error = await expectError(await api.post(storyBody({ consent })), 400, "invalid_request");
    expect(JSON.stringify(error.details)).toContain("consent.publish");
    await expectError(await api.post(storyBody({ consent: { name: true } })), 400, "invalid_request");
    expect(await count("select count(*) as n from stories")).toBe(0);
  });

  it("accepts only https photo URLs", async () => {
    for (const photoUrl of [
      "http://images.example/a.jpg",
      "javascript:alert(1)",
      "data:image/png;base64,AAAA",
      "//images.example/a.jpg",
      "not a url",
    ]) {
      await expectError(await api.post(storyBody({ photoUrl })), 400, "invalid_request");
    }
    expect(await count("select count(*) as n from stories")).toBe(0);
  });

  it("rejects out-of-range and unknown fields", async () => {
    const bad: Json[] = [
      { rating: 0 },
      { rating: 6 },
      { rating: 4.5 },
      { outcome: { type: "lottery" } },
      { outcome: { type: "new_job", salaryIncreasePct: -5 } },
      { outcome: { type: "new_job", monthsToOutcome: 500 } },
      { course: "<script>" },
      { name: "" },
      { headline: "x".repeat(141) },
      { body: "x".repeat(5001) },
      { admin: true },
      { credential: { jwt: "not a jwt" } },
      { credential: { url: "http://issuer.example/badge" } },
      { credential: { url: "https://a.example", jwt: "a.b.c" } },
    ];
    for (const overrides of bad) {
      const response = await api.post(storyBody(overrides));
      expect(response.status, JSON.stringify(overrides)).toBe(400);
    }
    expect(await count("select count(*) as n from stories")).toBe(0);
  });

  it("answers 413 to a 100 KB body", async () => {
    await expectError(await api.post(storyBody({ body: "a".repeat(100 * 1024) })), 413, "payload_too_large");
  });

  it("keeps HTML as inert text and strips bidi overrides and control characters", async () => {
    const hostile = `<script>alert(1)</script></script><img src=x onerror=alert(2)> \u202Egnp.exe\u202C\u0007`;
    const response = await api.post(storyBody({ headline: "It <b>works</b>", body: hostile, name: "Eve\u202E\u2066" }));
    expect(response.status).toBe(201);
    const story = (await response.json()) as { body: string; name: string; headline: string };
    expect(story.body).toBe("<script>alert(1)</script></script><img src=x onerror=alert(2)> gnp.exe");
    expect(story.name).toBe("Eve");
    expect(story.headline).toBe("It <b>works</b>");
    expect(response.headers.get("Content-Type")).toContain("application/json");
  });

  it("refuses text that is empty once invisible characters are removed", async () => {
    await expectError(await api.post(storyBody({ name: "\u202E\u202C " })), 400, "invalid_request");
  });

  it("stores nothing, not even a new learner, when the text is empty once cleaned (found by fuzzing)", async () => {
    const learners = await count("select count(*) as n from learners");
    const token = await learnerToken(ws, { sub: "never-seen-before" });
    const response = await api.post(storyBody({ name: "\u202e \u0007" }), { Authorization: `Bearer ${token}` });
    const error = await expectError(response, 400, "invalid_request");
    expect(error.details).toEqual([expect.objectContaining({ path: "name" })]);
    expect(await count("select count(*) as n from learners")).toBe(learners);
    expect(await count("select count(*) as n from stories")).toBe(0);
  });

  it("answers a filled honeypot like a success but stores nothing", async () => {
    const response = await api.post(storyBody({ website: "https://spam.example" }));
    expect(response.status).toBe(201);
    const fake = (await response.json()) as { id: string; status: string; editToken: string };
    expect(fake.status).toBe("pending");
    expect(fake.editToken).toMatch(/^edit_/);
    expect(await count("select count(*) as n from stories")).toBe(0);
    expect(await count("select count(*) as n from webhook_events")).toBe(0);
    await expectError(
      await api.patch(fake.id, { rating: 1 }, { "Chorus-Edit-Token": fake.editToken }),
      404,
      "not_found",
    );
  });

  it("rate limits one visitor, not others, and lets them in again after the window", async () => {
    const visitor = { "X-Forwarded-For": "198.51.100.7", "User-Agent": "Spambot/1.0" };
    for (let i = 0; i < 5; i++) expect((await api.post(storyBody(), visitor)).status).toBe(201);
    const limited = await api.post(storyBody(), visitor);
    await expectError(limited.clone(), 429, "rate_limited");
    const retryAfter = Number(limited.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // Honeypot submissions count too, so a bot cannot probe for free.
    expect((await api.post(storyBody({ website: "x" }), visitor)).status).toBe(429);
    expect((await api.post(storyBody(), { ...visitor, "X-Forwarded-For": "198.51.100.8" })).status).toBe(201);
    expect(await count("select count(*) as n from stories")).toBe(6);
    t.clock.advance(retryAfter * 1000);
    expect((await api.post(storyBody(), visitor)).status).toBe(201);
  });

  it("keeps the limit per workspace", async () => {
    const visitor = { "X-Forwarded-For": "198.51.100.9", "User-Agent": "Same/1.0" };
    for (let i = 0; i < 5; i++) await api.post(storyBody(), visitor);
    expect((await api.post(storyBody(), visitor)).status).toBe(429);
    const other = storyClient(t, await workspaceFactory(t.db, { name: "Other" }));
    expect((await other.post(storyBody(), visitor)).status).toBe(201);
  });

  it("needs the publishable key from an allowed origin", async () => {
    await expectError(await t.call("POST", "/v1/stories", { body: storyBody() }), 401, "unauthorized");
    await expectError(
      await t.call("POST", "/v1/stories", {
        body: storyBody(),
        headers: { "Chorus-Key": ws.publishableKey, Origin: "https://evil.example" },
      }),
      403,
      "forbidden",
    );
  });
});
