import { describe, expect, it } from "vitest";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { eachStoryTest, type Json, type StoryTest, storyBody, storyClient } from "../support/stories.ts";
import { expectError } from "../support/test-app.ts";

// Each test's app, workspace and story client, set before it runs.
let { t, ws, api } = {} as StoryTest;
eachStoryTest((test) => {
  ({ t, ws, api } = test);
});

type Story = Json & { id: string; editToken: string; status: string };
type Page = { items: (Json & { id: string })[]; nextCursor: string | null };

const post = async (body: Json = storyBody(), headers: Record<string, string> = {}) => {
  const response = await api.post(body, headers);
  expect(response.status).toBe(201);
  return (await response.json()) as Story;
};
const ids = async (response: Response) => ((await response.json()) as Page).items.map((item) => item.id);
const eventTypes = async () =>
  (await t.client.execute("select type from webhook_events order by created_at, rowid")).rows.map((r) => r.type);

describe("moderation", () => {
  it("shows pending stories to the provider, none to the public, until approved", async () => {
    const story = await post();
    expect(await ids(await api.list())).toEqual([]);
    expect(await ids(await api.adminList("?status=pending"))).toEqual([story.id]);
    expect(await ids(await api.adminList("?status=approved"))).toEqual([]);

    t.clock.advance(60_000);
    const approved = await api.moderate(story.id, {
      status: "approved",
      featured: true,
      tags: ["career", "career", " sql "],
    });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({
      status: "approved",
      featured: true,
      tags: ["career", "sql"],
      approvedAt: "2026-11-01T10:01:00.000Z",
    });
    expect(await ids(await api.list())).toEqual([story.id]);
    expect(await eventTypes()).toEqual(["story.submitted", "story.approved"]);

    // Approving again announces nothing new; tagging an approved story keeps it approved.
    await api.moderate(story.id, { status: "approved" });
    await api.moderate(story.id, { tags: ["data"] });
    expect(await eventTypes()).toEqual(["story.submitted", "story.approved"]);

    expect((await api.moderate(story.id, { status: "rejected" })).status).toBe(200);
    expect(await ids(await api.list())).toEqual([]);
    expect(await ids(await api.adminList("?status=rejected"))).toEqual([story.id]);
  });

  it("writes story.approved deliveries for subscribed webhook endpoints in the same step", async () => {
    await t.client.execute({
      sql: "insert into webhook_endpoints (id, workspace_id, url, secret, events) values ('whk_1', ?, 'https://hooks.example', 's', '[\"story.approved\"]')",
      args: [ws.id],
    });
    const story = await post();
    await api.moderate(story.id, { status: "approved" });
    const deliveries = await t.client.execute(
      "select e.type from webhook_deliveries d join webhook_events e on e.id = d.event_id",
    );
    expect(deliveries.rows.map((r) => r.type)).toEqual(["story.approved"]);
  });

  it("validates moderation changes", async () => {
    const story = await post();
    await expectError(await api.moderate(story.id, {}), 400, "invalid_request");
    await expectError(await api.moderate(story.id, { status: "withdrawn" }), 400, "invalid_request");
    await expectError(await api.moderate(story.id, { tags: ["x".repeat(41)] }), 400, "invalid_request");
    await expectError(await api.moderate("sty_nope", { status: "approved" }), 404, "not_found");
    await expectError(
      await t.call("GET", "/v1/admin/stories", { headers: { Authorization: `Bearer ${ws.publishableKey}` } }),
      401,
      "unauthorized",
    );
  });

  it("pages through the moderation queue", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      made.push((await post()).id);
      t.clock.advance(1000);
    }
    const first = (await (await api.adminList("?limit=2")).json()) as Page;
    const second = (await (await api.adminList(`?limit=2&cursor=${first.nextCursor}`)).json()) as Page;
    const third = (await (await api.adminList(`?limit=2&cursor=${second.nextCursor}`)).json()) as Page;
    expect([...first.items, ...second.items, ...third.items].map((s) => s.id)).toEqual(made.reverse());
    expect(third.nextCursor).toBeNull();
  });
});

describe("the author", () => {
  it("edits with the edit token; changed content goes back to moderation", async () => {
    const story = await post();
    await api.moderate(story.id, { status: "approved" });
    const edited = await api.patch(
      story.id,
      { headline: "Now a senior analyst" },
      { "Chorus-Edit-Token": story.editToken },
    );
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({
      status: "pending",
      headline: "Now a senior analyst",
      approvedAt: null,
    });
    expect(await ids(await api.list())).toEqual([]);
    expect(await eventTypes()).toEqual(["story.submitted", "story.approved", "story.submitted"]);
  });

  it("changes consents without a new moderation", async () => {
    const story = await post();
    await api.moderate(story.id, { status: "approved" });
    const response = await api.patch(
      story.id,
      { consent: { publish: true, name: false, photo: false, salary: false } },
      { "Chorus-Edit-Token": story.editToken },
    );
    expect(await response.json()).toMatchObject({ status: "approved" });
    const [shown] = ((await (await api.list()).json()) as Page).items;
    expect(shown).toMatchObject({ name: null, photoUrl: null, outcome: { salaryIncreasePct: null } });
  });

  it("edits and withdraws with the learner token instead", async () => {
    const token = await learnerToken(ws, { sub: "priya-1" });
    const story = await post(storyBody(), { Authorization: `Bearer ${token}` });
    const edited = await api.patch(story.id, { rating: 4 }, { Authorization: `Bearer ${token}` });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ rating: 4, shareLink: expect.stringContaining(`?s=${story.id}`) });
    const other = await learnerToken(ws, { sub: "arjun" });
    await expectError(await api.patch(story.id, { rating: 1 }, { Authorization: `Bearer ${other}` }), 403, "forbidden");
    expect((await api.remove(story.id, { Authorization: `Bearer ${token}` })).status).toBe(204);
  });

  it("cannot act without proof, or with another story's token", async () => {
    const mine = await post();
    const theirs = await post();
    await expectError(await api.patch(mine.id, { rating: 1 }), 401, "unauthorized");
    await expectError(
      await api.patch(mine.id, { rating: 1 }, { "Chorus-Edit-Token": theirs.editToken }),
      403,
      "forbidden",
    );
    await expectError(await api.remove(mine.id, { "Chorus-Edit-Token": "edit_guess" }), 403, "forbidden");
    await expectError(
      await api.patch(mine.id, { rating: 9 }, { "Chorus-Edit-Token": mine.editToken }),
      400,
      "invalid_request",
    );
    await expectError(
      await api.patch(mine.id, { course: "other" }, { "Chorus-Edit-Token": mine.editToken }),
      400,
      "invalid_request",
    );
  });

  it("withdraws: gone from every list and statistic at once, text erased, no further moderation", async () => {
    const story = await post();
    await api.moderate(story.id, { status: "approved" });
    expect(((await (await api.outcomes()).json()) as { n: number }).n).toBe(1);
    expect((await api.remove(story.id, { "Chorus-Edit-Token": story.editToken })).status).toBe(204);
    expect(await ids(await api.list())).toEqual([]);
    expect(((await (await api.outcomes()).json()) as { n: number }).n).toBe(0);
    await expectError(await api.verification(story.id), 404, "not_found");
    const row = (await t.client.execute("select status, name, headline, body, photo_url from stories")).rows[0];
    expect(row).toMatchObject({ status: "withdrawn", name: "", headline: "", body: "", photo_url: null });
    await expectError(await api.moderate(story.id, { status: "approved" }), 409, "conflict");
    await expectError(
      await api.patch(story.id, { rating: 2 }, { "Chorus-Edit-Token": story.editToken }),
      409,
      "conflict",
    );
    expect((await api.remove(story.id, { "Chorus-Edit-Token": story.editToken })).status).toBe(204);
  });
});

describe("tenant isolation", () => {
  it("keeps one workspace's stories out of another's reach", async () => {
    const a = await post();
    await api.moderate(a.id, { status: "approved" });
    const other = storyClient(t, await workspaceFactory(t.db, { name: "Other Academy" }));
    expect(await ids(await other.list())).toEqual([]);
    expect(await ids(await other.adminList())).toEqual([]);
    expect(((await (await other.outcomes()).json()) as { n: number }).n).toBe(0);
    await expectError(await other.moderate(a.id, { status: "rejected" }), 404, "not_found");
    await expectError(await other.verification(a.id), 404, "not_found");
    // Even the right edit token does not work through another workspace's key.
    await expectError(await other.patch(a.id, { rating: 1 }, { "Chorus-Edit-Token": a.editToken }), 404, "not_found");
    await expectError(await other.remove(a.id, { "Chorus-Edit-Token": a.editToken }), 404, "not_found");
    expect(await ids(await api.list())).toEqual([a.id]);
  });
});

describe("GET /v1/stories", () => {
  it("filters by course, outcome and verification, featured first, with a cursor", async () => {
    const make = async (overrides: Json, moderation: Json = { status: "approved" }) => {
      const story = await post(storyBody(overrides));
      t.clock.advance(1000);
      await api.moderate(story.id, moderation);
      return story.id;
    };
    const a = await make({});
    const b = await make({ outcome: { type: "promotion" } });
    const c = await make({ course: "web-dev" });
    const d = await make({}, { status: "approved", featured: true });
    const e = await make({});
    await t.client.execute({
      sql: "update stories set verification_level = 'provider_attested' where id = ?",
      args: [e],
    });

    expect(await ids(await api.list())).toEqual([d, e, c, b, a]);
    expect(await ids(await api.list("?course=data-analytics"))).toEqual([d, e, b, a]);
    expect(await ids(await api.list("?outcome=promotion"))).toEqual([b]);
    expect(await ids(await api.list("?verified=true"))).toEqual([e]);
    expect(await ids(await api.list("?verified=credential_verified"))).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await api.list(`?limit=2${cursor ? `&cursor=${cursor}` : ""}`)).json()) as Page;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([d, e, c, b, a]);
  });

  it("rejects bad queries", async () => {
    await expectError(await api.list("?limit=500"), 400, "invalid_request");
    await expectError(await api.list("?outcome=lottery"), 400, "invalid_request");
    await expectError(await api.list("?cursor=bm9wZQ"), 400, "invalid_request");
    await expectError(await api.list("?cursor=%5B%5D"), 400, "invalid_request");
    const wrongTypes = Buffer.from(JSON.stringify(["1", 2, 3])).toString("base64url");
    await expectError(await api.list(`?cursor=${wrongTypes}`), 400, "invalid_request");
    await expectError(await api.adminList(`?cursor=${wrongTypes}`), 400, "invalid_request");
  });
});

describe("the API reference", () => {
  it("documents the story, moderation and outcome endpoints with the edit-token header", async () => {
    const spec = (await (await t.call("GET", "/openapi.json")).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    };
    for (const path of [
      "/v1/stories",
      "/v1/stories/{id}",
      "/v1/stories/{id}/verification",
      "/v1/outcomes",
      "/v1/admin/stories",
      "/v1/admin/stories/{id}",
    ]) {
      expect(spec.paths[path], path).toBeDefined();
    }
    expect(spec.paths["/v1/stories/{id}"]?.patch?.parameters?.map((p) => p.name)).toContain("chorus-edit-token");
  });
});
