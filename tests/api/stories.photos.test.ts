/**
 * Story photos and consents under moderation (issue 15): the moderator sees what will be
 * published, a change to it goes back to moderation, and an approved photo is fetched once,
 * checked, and served by Chorus (the wall never hot-links the author's URL).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { png } from "../support/images.ts";
import { type Json, storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

const svg = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script></svg>',
);

const remote = "https://images.example/priya.jpg";

// The outside world for each test: what each URL answers, and every request made to it.
let served: Map<string, { body: Uint8Array; type: string }>;
let requested: string[];
let t: TestApp;
let ws: CreatedWorkspace;
let api: ReturnType<typeof storyClient>;

beforeEach(async () => {
  served = new Map([[remote, { body: png(400, 400, 1000), type: "image/png" }]]);
  requested = [];
  t = await createTestApp(
    {},
    {
      fetch: async (url) => {
        requested.push(url);
        const answer = served.get(url);
        if (!answer) return new Response("not here", { status: 404 });
        return new Response(answer.body.slice(), { headers: { "Content-Type": answer.type } });
      },
    },
  );
  ws = await workspaceFactory(t.db);
  api = storyClient(t, ws);
});
afterEach(() => t.cleanup());

type Story = Json & { id: string; editToken: string; status: string };
type Moderated = Json & {
  status: string;
  photoRefusal: string | null;
  published: Json & { name: string | null; photoUrl: string | null };
};
const post = async (body: Json = storyBody()) => {
  const response = await api.post(body);
  expect(response.status).toBe(201);
  return (await response.json()) as Story;
};
const approve = async (id: string) => {
  const response = await api.moderate(id, { status: "approved" });
  expect(response.status).toBe(200);
  return (await response.json()) as Moderated;
};
const wall = async () => {
  const response = await api.list();
  expect(response.status).toBe(200);
  return (await response.json()) as { items: (Json & { id: string; photoUrl: string | null })[] };
};
const edit = async (story: Story, patch: Json) => {
  const response = await api.patch(story.id, patch, { "Chorus-Edit-Token": story.editToken });
  expect(response.status).toBe(200);
  return (await response.json()) as Story;
};
const queue = async () => ((await (await api.adminList()).json()) as { items: (Moderated & { id: string })[] }).items;

describe("approved photos", () => {
  it("are fetched once on approval and served by Chorus: the wall never carries the remote URL", async () => {
    const story = await post();
    expect(requested).toEqual([]);
    const approved = await approve(story.id);
    expect(requested).toEqual([remote]);
    expect(approved.photoRefusal).toBeNull();

    const text = JSON.stringify(await wall());
    expect(text).not.toContain("images.example");
    const [shown] = (await wall()).items;
    expect(shown?.photoUrl).toMatch(new RegExp(`^https://chorus\\.test/v1/story-photos/${story.id}/[0-9a-f]{64}$`));
    expect(approved.published.photoUrl).toBe(shown?.photoUrl);

    const photo = await t.call("GET", new URL(shown?.photoUrl as string).pathname);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("Content-Type")).toBe("image/png");
    expect(photo.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(photo.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(photo.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(served.get(remote)?.body);

    // Approving, tagging and featuring again, and reading the wall, fetch nothing more.
    await approve(story.id);
    await api.moderate(story.id, { featured: true });
    await wall();
    expect(requested).toEqual([remote]);
  });

  it("are checked, and a refused photo leaves the story approved without it, the reason shown", async () => {
    const cases: [string, { body: Uint8Array; type: string }, RegExp][] = [
      ["svg", { body: svg, type: "image/svg+xml" }, /svg.*only JPEG, PNG and WebP/],
      ["svg-as-png", { body: svg, type: "image/png" }, /svg/],
      [
        "html",
        { body: new TextEncoder().encode("<html><script>x</script></html>"), type: "image/png" },
        /not an image/,
      ],
      ["huge", { body: png(400, 400, 2 * 1024 * 1024), type: "image/png" }, /larger than 2097152 bytes/],
      ["wide", { body: png(20000, 300), type: "image/png" }, /20000×300; at most 4096/],
      ["tiny", { body: png(1, 1), type: "image/png" }, /1×1; at least 32/],
    ];
    for (const [name, answer, reason] of cases) {
      const url = `https://images.example/${name}`;
      served.set(url, answer);
      const story = await post(storyBody({ photoUrl: url }));
      const approved = await approve(story.id);
      expect(approved.status, name).toBe("approved");
      expect(approved.photoRefusal, name).toMatch(reason);
      expect(approved.published.photoUrl, name).toBeNull();
    }
    const missing = await post(storyBody({ photoUrl: "https://images.example/gone" }));
    expect((await approve(missing.id)).photoRefusal).toBe("The photo's address answered HTTP 404");

    const items = (await wall()).items;
    expect(items).toHaveLength(cases.length + 1);
    expect(items.every((item) => item.photoUrl === null)).toBe(true);
    const photos = await t.client.execute("select count(*) as n from story_photos");
    expect(photos.rows[0]?.n).toBe(0);
  });

  it("are not served once the story is withdrawn, and their copy is deleted", async () => {
    const story = await post();
    await approve(story.id);
    const [shown] = (await wall()).items;
    const path = new URL(shown?.photoUrl as string).pathname;
    expect((await api.remove(story.id, { "Chorus-Edit-Token": story.editToken })).status).toBe(204);
    await expectError(await t.call("GET", path), 404, "not_found");
    expect((await t.client.execute("select count(*) as n from story_photos")).rows[0]?.n).toBe(0);
  });
  it("are deleted when their author's learner is erased", async () => {
    const token = await learnerToken(ws, { sub: "zelda" });
    const response = await api.post(storyBody(), { Authorization: `Bearer ${token}` });
    expect(response.status).toBe(201);
    const story = (await response.json()) as Story;
    await approve(story.id);
    const path = new URL((await wall()).items[0]?.photoUrl as string).pathname;
    expect((await t.client.execute("select count(*) as n from story_photos")).rows[0]?.n).toBe(1);
    const erased = await t.call("DELETE", "/v1/learners/zelda", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(erased.status).toBe(200);
    expect((await t.client.execute("select count(*) as n from story_photos")).rows[0]?.n).toBe(0);
    await expectError(await t.call("GET", path), 404, "not_found");
  });
});

describe("the moderator", () => {
  it("sees the story as published: the name given consent and a Chorus preview of the photo, never the remote URL", async () => {
    const story = await post(storyBody({ consent: { publish: true, name: false, photo: true, salary: false } }));
    const [pending] = await queue();
    expect(pending?.published).toMatchObject({
      name: null,
      headline: storyBody().headline,
      outcome: { salaryIncreasePct: null },
      verificationLevel: "self_reported",
      photoUrl: `https://chorus.test/v1/admin/stories/${story.id}/photo`,
    });
    expect(JSON.stringify(pending?.published)).not.toContain("images.example");

    // The preview is the checked copy, fetched once; approval publishes those same bytes.
    const admin = { Authorization: `Bearer ${ws.secretKey}` };
    const preview = await t.call("GET", `/v1/admin/stories/${story.id}/photo`, { headers: admin });
    expect(preview.status).toBe(200);
    expect(preview.headers.get("Content-Type")).toBe("image/png");
    expect(preview.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(preview.headers.get("Cache-Control")).toBe("private, no-store");
    served.set(remote, { body: png(64, 64), type: "image/png" }); // the remote changes after the moderator looked
    const approved = await approve(story.id);
    expect(requested).toEqual([remote]);
    const published = await t.call("GET", new URL(approved.published.photoUrl as string).pathname);
    expect(new Uint8Array(await published.arrayBuffer())).toEqual(new Uint8Array(await preview.arrayBuffer()));

    await expectError(
      await t.call("GET", `/v1/admin/stories/${story.id}/photo`, {
        headers: { Authorization: `Bearer ${ws.publishableKey}` },
      }),
      401,
      "unauthorized",
    );
  });

  it("sees why a refused photo's preview is missing", async () => {
    served.set(remote, { body: svg, type: "image/svg+xml" });
    const story = await post();
    const admin = { Authorization: `Bearer ${ws.secretKey}` };
    const error = await expectError(
      await t.call("GET", `/v1/admin/stories/${story.id}/photo`, { headers: admin }),
      404,
      "not_found",
    );
    expect(error.message).toMatch(/svg/);
    const [listed] = await queue();
    expect(listed?.photoRefusal).toMatch(/only JPEG, PNG and WebP/);
    expect(listed?.published.photoUrl).toBeNull();
  });
});

describe("an approved story goes back to moderation", () => {
  const hidden = { publish: true, name: false, photo: false, salary: false };
  const changes: [string, Json, Json][] = [
    ["photo consent turned on", storyBody({ consent: hidden }), { consent: { ...hidden, photo: true } }],
    ["name consent turned on", storyBody({ consent: hidden }), { consent: { ...hidden, name: true } }],
    ["salary consent turned on", storyBody({ consent: hidden }), { consent: { ...hidden, salary: true } }],
    ["photo changed", storyBody(), { photoUrl: "https://images.example/other.jpg" }],
  ];
  for (const [name, body, patch] of changes) {
    it(`when ${name}: off the wall until approved again`, async () => {
      const story = await post(body);
      await approve(story.id);
      expect((await wall()).items.map((item) => item.id)).toEqual([story.id]);
      const edited = await edit(story, patch);
      expect(edited.status).toBe("pending");
      expect((await wall()).items).toEqual([]);
      const [queued] = await queue();
      expect(queued?.status).toBe("pending");
    });
  }

  it("but a consent taken back applies at once and keeps it approved", async () => {
    const story = await post();
    await approve(story.id);
    const edited = await edit(story, { consent: { publish: true, name: false, photo: false, salary: false } });
    expect(edited.status).toBe("approved");
    const [shown] = (await wall()).items;
    expect(shown).toMatchObject({ id: story.id, name: null, photoUrl: null, outcome: { salaryIncreasePct: null } });
  });

  it("and a new photo is fetched again on approval; the old copy is no longer served", async () => {
    const story = await post();
    await approve(story.id);
    const old = new URL((await wall()).items[0]?.photoUrl as string).pathname;
    const other = "https://images.example/other.png";
    served.set(other, { body: png(100, 100), type: "image/png" });
    await edit(story, { photoUrl: other });
    await expectError(await t.call("GET", old), 404, "not_found");
    await approve(story.id);
    expect(requested).toEqual([remote, other]);
    const now = (await wall()).items[0]?.photoUrl as string;
    expect(new URL(now).pathname).not.toBe(old);
    expect(new Uint8Array(await (await t.call("GET", new URL(now).pathname)).arrayBuffer())).toEqual(png(100, 100));
  });
});
