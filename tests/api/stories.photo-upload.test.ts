/**
 * Photos uploaded by their author (issue 20): the form sends the image itself to
 * `PUT /v1/stories/{id}/photo`; Chorus checks it again (never trusting the browser), keeps the
 * cleaned copy in the media store (here the Node back end, files under a real temporary folder)
 * and shows it once a moderator approves. Bad uploads get the error envelope, never a 500.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaKey } from "../../server/services/media-store.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { comment, concat, exifGps, gif, jpeg, png, pngChunk, text, webpWithExif, zipTail } from "../support/images.ts";
import { type Json, storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, expectError, type MediaFolder, type TestApp } from "../support/test-app.ts";

type Story = Json & { id: string; editToken: string; status: string; photoUrl: string | null };

let t: TestApp & MediaFolder;
let ws: CreatedWorkspace;
let api: ReturnType<typeof storyClient>;

beforeAll(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  api = storyClient(t, ws);
});
afterAll(() => t.cleanup());

const noPhotoUrl = { consent: { publish: true, name: true, photo: true, salary: false }, photoUrl: undefined };
async function post(headers: Record<string, string> = {}): Promise<Story> {
  const response = await api.post(storyBody(noPhotoUrl), headers);
  expect(response.status).toBe(201);
  return (await response.json()) as Story;
}

let visitor = 0;
function upload(story: Story, bytes: Uint8Array, type = "image/jpeg", headers: Record<string, string> = {}) {
  visitor++;
  return t.app.request(`https://chorus.test/v1/stories/${story.id}/photo`, {
    method: "PUT",
    headers: {
      "Chorus-Key": ws.publishableKey,
      Origin: testOrigin,
      "X-Forwarded-For": `198.51.100.${visitor % 250}, 10.0.0.1`,
      "User-Agent": `upload-test-${visitor}`,
      "Content-Type": type,
      "Chorus-Edit-Token": story.editToken,
      ...headers,
    },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
}
const approve = async (id: string) => expect((await api.moderate(id, { status: "approved" })).status).toBe(200);
const shownPhoto = async (id: string) => {
  const items = ((await (await api.list()).json()) as { items: Story[] }).items;
  return items.find((item) => item.id === id)?.photoUrl ?? null;
};
const contains = (bytes: Uint8Array, needle: string) => Buffer.from(bytes).includes(needle);

describe("an uploaded photo", () => {
  it("is kept without its EXIF, shown once approved, served as its checked type with nosniff and long caching", async () => {
    const story = await post();
    const sent = jpeg(640, 480, exifGps, comment("<script>alert(1)</script>"));
    const response = await upload(story, sent);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Story;
    expect(answer.status).toBe("pending");
    expect(await shownPhoto(story.id)).toBeNull();
    // The moderator sees it before approving, through the preview (the public path waits for approval).
    const queue = (await (await api.adminList()).json()) as {
      items: { id: string; published: { photoUrl: string } }[];
    };
    const preview = queue.items.find((item) => item.id === story.id)?.published.photoUrl as string;
    expect(preview).toBe(`https://chorus.test/v1/admin/stories/${story.id}/photo`);
    const previewed = await t.call("GET", new URL(preview).pathname, {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(previewed.headers.get("Content-Type")).toBe("image/jpeg");
    expect(new Uint8Array(await previewed.arrayBuffer())).toEqual(jpeg(640, 480));

    await approve(story.id);
    const url = await shownPhoto(story.id);
    expect(url).toMatch(new RegExp(`^https://chorus\\.test/v1/story-photos/${story.id}/[0-9a-f]{64}$`));
    const served = await t.call("GET", new URL(url as string).pathname);
    expect(served.status).toBe(200);
    expect(served.headers.get("Content-Type")).toBe("image/jpeg");
    expect(served.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(served.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    const bytes = new Uint8Array(await served.arrayBuffer());
    expect(contains(bytes, "Exif")).toBe(false);
    expect(contains(bytes, "GPS")).toBe(false);
    expect(contains(bytes, "<script>")).toBe(false);
    // The image itself is untouched: the same file without the two segments.
    expect(bytes).toEqual(jpeg(640, 480));

    // The copy is a file under the data folder's media/, by workspace and story.
    const hash = (url as string).split("/").pop() as string;
    expect(readdirSync(join(t.mediaDir, ws.id, "story-photos", story.id))).toEqual([hash]);
    expect(await t.media.get(mediaKey(ws.id, "story-photos", story.id, hash))).toEqual({
      bytes,
      contentType: "image/jpeg",
    });
  });

  it("replaces the earlier photo (whose copy goes), sends an approved story back to moderation, and can be removed", async () => {
    const story = await post();
    expect((await upload(story, png(100, 100, 10), "image/png")).status).toBe(200);
    await approve(story.id);
    const first = await shownPhoto(story.id);
    const firstHash = (first as string).split("/").pop() as string;

    const replaced = await upload(story, webpWithExif(200, 100), "image/webp");
    expect(replaced.status).toBe(200);
    expect(((await replaced.json()) as Story).status).toBe("pending");
    await expectError(await t.call("GET", new URL(first as string).pathname), 404, "not_found");
    expect(await t.media.get(mediaKey(ws.id, "story-photos", story.id, firstHash))).toBeNull();

    await approve(story.id);
    const webp = await t.call("GET", new URL((await shownPhoto(story.id)) as string).pathname);
    expect(webp.headers.get("Content-Type")).toBe("image/webp");
    const kept = new Uint8Array(await webp.arrayBuffer());
    expect(contains(kept, "EXIF")).toBe(false);
    expect(kept[20] ?? 0xff & 0x08).toBe(0); // the VP8X flags no longer announce EXIF
    expect(new DataView(kept.buffer).getUint32(4, true)).toBe(kept.byteLength - 8);

    const removed = await t.app.request(`https://chorus.test/v1/stories/${story.id}/photo`, {
      method: "DELETE",
      headers: { "Chorus-Key": ws.publishableKey, Origin: testOrigin, "Chorus-Edit-Token": story.editToken },
    });
    expect(removed.status).toBe(200);
    expect(((await removed.json()) as Story).status).toBe("approved");
    expect(await shownPhoto(story.id)).toBeNull();
    expect(readdirSync(join(t.mediaDir, ws.id, "story-photos", story.id))).toEqual([]);
  });

  it("goes when the author's learner is erased: the stored file too", async () => {
    const token = await learnerToken(ws, { sub: "upload-erased" });
    const story = await post({ Authorization: `Bearer ${token}` });
    expect((await upload(story, jpeg(64, 64))).status).toBe(200);
    const folder = join(t.mediaDir, ws.id, "story-photos", story.id);
    expect(readdirSync(folder)).toHaveLength(1);
    const erased = await t.call("DELETE", "/v1/learners/upload-erased", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(erased.status).toBe(200);
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
    const rows = await t.client.execute({
      sql: "select count(*) as n from story_photos where story_id = ?",
      args: [story.id],
    });
    expect(rows.rows[0]?.n).toBe(0);
  });
});

describe("a copy an earlier version kept in the database", () => {
  it("is served, and moved to the media store the first time it is read", async () => {
    const story = await post();
    expect((await upload(story, png(100, 100, 4), "image/png")).status).toBe(200);
    await approve(story.id);
    const url = (await shownPhoto(story.id)) as string;
    const hash = url.split("/").pop() as string;
    const key = mediaKey(ws.id, "story-photos", story.id, hash);
    // As the row looked before the media store: its bytes in the database, no stored object.
    const bytes = (await t.media.get(key))?.bytes as Uint8Array;
    await t.media.delete(key);
    await t.client.execute({ sql: "update story_photos set bytes = ? where story_id = ?", args: [bytes, story.id] });

    const served = await t.call("GET", new URL(url).pathname);
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(bytes);
    expect((await t.media.get(key))?.bytes).toEqual(bytes);
    const row = await t.client.execute({ sql: "select bytes from story_photos where story_id = ?", args: [story.id] });
    expect(row.rows[0]?.bytes).toBeNull();
  });
});

describe("a refused upload", () => {
  const svg = text('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script></svg>');
  const cases: [string, Uint8Array, string, RegExp][] = [
    ["not an image", text("<html><script>alert(1)</script></html>"), "image/jpeg", /not an image/],
    ["SVG sent as PNG", svg, "image/png", /svg.*only JPEG, PNG and WebP/],
    ["a GIF", gif(100, 100), "image/jpeg", /gif.*only JPEG, PNG and WebP/],
    ["a GIFAR (GIF with a JAR after it)", concat(gif(100, 100), zipTail), "image/jpeg", /gif/],
    ["50 megapixels claimed by a PNG header", png(8000, 6250), "image/png", /8000×6250; at most 4096/],
    [
      "a JPEG with an HTML page after its end",
      concat(jpeg(100, 100), text("<html><script>alert(1)</script>")),
      "image/jpeg",
      /after the image's end/,
    ],
    ["a JPEG with a ZIP after its end", concat(jpeg(100, 100), zipTail), "image/jpeg", /after the image's end/],
    ["a PNG with a ZIP after IEND", concat(png(100, 100), zipTail), "image/png", /after the image's end/],
    [
      "a PNG chunk with a wrong CRC",
      (() => {
        const bytes = png(100, 100, 4);
        bytes[40] = 0x77;
        return bytes;
      })(),
      "image/png",
      /damaged/,
    ],
    ["a JPEG cut short", jpeg(100, 100).subarray(0, jpeg(100, 100).length - 4), "image/jpeg", /damaged/],
    [
      "a WebP with bytes after its RIFF",
      concat(webpWithExif(100, 100), zipTail),
      "image/webp",
      /after the image's end/,
    ],
    ["too small", png(8, 8), "image/png", /8×8; at least 32/],
  ];
  for (const [name, bytes, type, reason] of cases) {
    it(`${name}: 400 in the envelope, nothing kept`, async () => {
      const story = await post();
      const error = await expectError(await upload(story, bytes, type), 400, "invalid_request");
      expect(error.message).toMatch(reason);
      expect(existsSync(join(t.mediaDir, ws.id, "story-photos", story.id))).toBe(false);
    });
  }

  it("text chunks of a PNG are dropped, not refused", async () => {
    const story = await post();
    const withText = png(100, 100, 4, [pngChunk("tEXt", text("Comment\0<script>alert(1)</script>"))]);
    expect((await upload(story, withText, "image/png")).status).toBe(200);
    await approve(story.id);
    const served = await t.call("GET", new URL((await shownPhoto(story.id)) as string).pathname);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png(100, 100, 4));
  });

  it("over 2 MiB: 413; a declared type that is no image: 415; an empty body: 400", async () => {
    const story = await post();
    await expectError(await upload(story, png(100, 100, 2 * 1024 * 1024)), 413, "payload_too_large");
    await expectError(await upload(story, svg, "image/svg+xml"), 415, "unsupported_media_type");
    await expectError(await upload(story, text("{}"), "application/json"), 415, "unsupported_media_type");
    await expectError(await upload(story, new Uint8Array(0)), 400, "invalid_request");
  });

  it("without the author's token: 401; with another story's: 403; on a withdrawn story: 409", async () => {
    const story = await post();
    const other = await post();
    await expectError(await upload({ ...story, editToken: "" }, jpeg(64, 64)), 401, "unauthorized");
    await expectError(await upload({ ...story, editToken: other.editToken }, jpeg(64, 64)), 403, "forbidden");
    expect((await api.remove(story.id, { "Chorus-Edit-Token": story.editToken })).status).toBe(204);
    await expectError(await upload(story, jpeg(64, 64)), 409, "conflict");
    expect(existsSync(join(t.mediaDir, ws.id, "story-photos", story.id))).toBe(false);
  });
});
