/**
 * Through the API, a story's credential cannot make the server fetch much (issue 15): one
 * anonymous request with the publishable key used to set off hundreds of downloads, and
 * `PATCH /v1/stories/:id` re-ran the check on every call, without a rate limit.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Fetch } from "../../server/services/credentials/fetch.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { badge, didKeyIssuer, localServer, statusEntry, statusListCredential } from "../support/credentials.ts";
import { workspaceFactory } from "../support/factories.ts";
import { type Json, storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

const host = "https://lists.example";
let server: Awaited<ReturnType<typeof localServer>>;
let trusted: Awaited<ReturnType<typeof didKeyIssuer>>;
let stranger: Awaited<ReturnType<typeof didKeyIssuer>>;
beforeAll(async () => {
  server = await localServer();
  trusted = await didKeyIssuer("Acme Academy");
  stranger = await didKeyIssuer("Diploma Mill");
  server.publish(
    "/list",
    JSON.stringify(await trusted.sign(await statusListCredential(trusted.id, `${host}/list`, []))),
  );
});
afterAll(() => server.close());

const testFetch: Fetch = (url, init) => fetch(url.replace(host, server.base), init);

let t: TestApp;
let ws: CreatedWorkspace;
let api: ReturnType<typeof storyClient>;
beforeEach(async () => {
  server.requests.length = 0;
  t = await createTestApp({}, { fetch: testFetch });
  ws = await workspaceFactory(t.db, {
    settings: {
      credentialIssuers: [{ id: trusted.id, name: "Acme Academy" }],
      rateLimits: { stories: { perVisitor: { limit: 3, windowSeconds: 3600 }, perWorkspace: null } },
    } as Json,
  });
  api = storyClient(t, ws);
});
afterEach(() => t.cleanup());

/** Status entries, one list each (all under the test's https host). */
const entries = (count: number) => Array.from({ length: count }, (_, i) => statusEntry(`${host}/list-${i}`, i));
const oneVisitor = { "X-Forwarded-For": "198.51.100.7", "User-Agent": "one-visitor" };

type Story = { id: string; editToken: string; status: string; verification: { checkedAt: string } };
async function post(body: Json, headers: Record<string, string> = {}): Promise<Story> {
  const response = await api.post(body, headers);
  expect(response.status).toBe(201);
  return (await response.json()) as Story;
}

describe("a story's credential", () => {
  it("from an issuer the workspace does not trust, with 150 status entries, makes no request", async () => {
    const credential = await stranger.sign(badge({ issuer: stranger, status: entries(150) }));
    const story = await post(storyBody({ credential: { json: credential } }));
    expect(server.requests).toEqual([]);
    expect(story).toMatchObject({ verificationLevel: "self_reported" });
  });

  it("of a trusted issuer has its status list fetched once for many stories (the app's cache)", async () => {
    for (const index of [1, 2, 3]) {
      const credential = await trusted.sign(badge({ issuer: trusted, status: statusEntry(`${host}/list`, index) }));
      const story = await post(storyBody({ credential: { json: credential } }));
      // Posted without a learner token: genuine, not shown to be the author's (issue 15).
      expect(story).toMatchObject({ verificationLevel: "credential_genuine" });
    }
    expect(server.requests).toEqual(["/list"]);
  });
});

describe("editing a story", () => {
  it("does not check the same credential again, and keeps an approved story approved", async () => {
    const credential = await trusted.sign(badge({ issuer: trusted }));
    const story = await api.approved(storyBody({ credential: { json: credential } }));
    const before = (await (await api.verification(story.id)).json()) as { checkedAt: string; level: string };
    t.clock.advance(60_000);
    const response = await api.patch(
      story.id,
      { credential: { json: credential } },
      { "Chorus-Edit-Token": story.editToken },
    );
    expect(response.status).toBe(200);
    const after = (await response.json()) as Story & { verificationLevel: string };
    expect(after).toMatchObject({ status: "approved", verificationLevel: "credential_genuine" });
    expect(after.verification.checkedAt).toBe(before.checkedAt);

    // Another credential is checked, and the story goes back to moderation.
    const other = await trusted.sign(badge({ issuer: trusted, achievement: "SQL Basics" }));
    const changed = await api.patch(
      story.id,
      { credential: { json: other } },
      { "Chorus-Edit-Token": story.editToken },
    );
    const edited = (await changed.json()) as Story;
    expect(edited.status).toBe("pending");
    expect(edited.verification.checkedAt).not.toBe(before.checkedAt);
  });

  it("is rate limited with story submissions: over the limit, 429 with the error envelope and nothing changes", async () => {
    const story = await post(storyBody(), oneVisitor);
    const headers = { ...oneVisitor, "Chorus-Edit-Token": story.editToken };
    for (const headline of ["Second try", "Third try"]) {
      expect((await api.patch(story.id, { headline }, headers)).status).toBe(200);
    }
    const refused = await api.patch(story.id, { headline: "Fourth try" }, headers);
    expect(refused.headers.get("Retry-After")).toMatch(/^\d+$/);
    await expectError(refused, 429, "rate_limited");
    const stored = await t.client.execute({ sql: "select headline from stories where id = ?", args: [story.id] });
    expect(stored.rows[0]?.headline).toBe("Third try");
    // Another visitor still edits.
    expect(
      (await api.patch(story.id, { headline: "From elsewhere" }, { "Chorus-Edit-Token": story.editToken })).status,
    ).toBe(200);
  });
});
