/**
 * Video stories (issue 20): the author uploads a video and its poster; Chorus reads what the bytes
 * are (WebM or MP4, never the uploader's word), refuses a body past 50 MiB as it streams in, and a
 * duration over 90 s where the container states one; the moderator cannot approve without a
 * transcript and may correct it; the published video is served with byte ranges and long cache
 * headers, its captions as WebVTT; withdrawal and erasure delete the media.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MediaStore, mediaKey } from "../../server/services/media-store.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { type Json, storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, expectError, type MediaFolder, type TestApp } from "../support/test-app.ts";
import { concat, mp4File, webmFile } from "../support/video-files.ts";

let t: TestApp & MediaFolder;
let ws: CreatedWorkspace;
let api: ReturnType<typeof storyClient>;
let media: MediaStore;

beforeAll(async () => {
  t = await createTestApp();
  media = t.media;
  ws = await workspaceFactory(t.db);
  api = storyClient(t, ws);
});
afterAll(() => t.cleanup());

type Story = Json & { id: string; editToken: string; status: string };
type PublicVideo = {
  url: string;
  posterUrl: string | null;
  captionsUrl: string;
  durationMs: number | null;
  transcript: string;
};

const widget = (extra: Record<string, string> = {}) => ({
  "Chorus-Key": ws.publishableKey,
  Origin: testOrigin,
  "X-Forwarded-For": `203.0.113.${Math.floor(Math.random() * 250) + 1}`,
  "User-Agent": `test-${Math.random()}`,
  ...extra,
});
const admin = () => ({ Authorization: `Bearer ${ws.secretKey}` });

const post = async (body: Json = storyBody({ photoUrl: null })) => {
  const response = await api.post(body);
  expect(response.status).toBe(201);
  return (await response.json()) as Story;
};

/** A PUT of raw bytes (or a stream) as the story form sends it. */
function upload(
  story: Story,
  part: "video" | "poster",
  body: BodyInit,
  headers: Record<string, string> = {},
  query = "",
) {
  return t.app.request(`https://chorus.test/v1/stories/${story.id}/${part}${query}`, {
    method: "PUT",
    body,
    headers: widget({ "Chorus-Edit-Token": story.editToken, "Content-Type": "application/octet-stream", ...headers }),
    // @ts-expect-error: Node's fetch needs half duplex for a streamed body; the DOM types do not know it.
    duplex: "half",
  });
}

const png = (() => {
  const bytes = new Uint8Array(64);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(bytes.buffer).setUint32(16, 320);
  new DataView(bytes.buffer).setUint32(20, 180);
  bytes.set([8, 6, 0, 0, 0], 24);
  return bytes;
})();

const wallVideo = async (id: string) => {
  const list = (await (await api.list()).json()) as { items: { id: string; video: PublicVideo | null }[] };
  return list.items.find((item) => item.id === id)?.video;
};

describe("a video story from upload to the wall", () => {
  const transcript = "I recorded this after my first week as an analyst. The course gave me SQL!";
  let story: Story;
  let video: Uint8Array;

  beforeAll(async () => {
    story = await post();
    video = webmFile({ durationMs: 6000, padding: 4096 });
    const uploaded = await upload(story, "video", video as BodyInit);
    expect(uploaded.status).toBe(200);
    const body = (await uploaded.json()) as Json;
    expect(body.video).toEqual({ type: "video/webm", bytes: video.byteLength, durationMs: 6000, poster: false });
    expect((await upload(story, "poster", png as BodyInit)).status).toBe(200);
  });

  it("cannot be approved without a transcript, and the moderator can give one with the approval", async () => {
    await expectError(await api.moderate(story.id, { status: "approved" }), 409, "conflict");
    const approved = await api.moderate(story.id, { status: "approved", transcript });
    expect(approved.status).toBe(200);
    expect(((await approved.json()) as Json).transcript).toBe(transcript);
  });

  it("is on the wall with Chorus URLs for the video, poster and captions, and its transcript", async () => {
    const published = await wallVideo(story.id);
    expect(published).toMatchObject({ durationMs: 6000, transcript });
    expect(published?.url).toMatch(new RegExp(`^https://chorus.test/v1/story-videos/${story.id}/[0-9a-f]{64}$`));
    expect(published?.posterUrl).toMatch(/\/v1\/story-posters\//);
    expect(published?.captionsUrl).toBe(`https://chorus.test/v1/stories/${story.id}/captions.vtt`);
  });

  it("serves the video whole and by byte range, cached for good and readable cross-origin", async () => {
    const url = (await wallVideo(story.id))?.url as string;
    const whole = await t.app.request(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("video/webm");
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    expect(whole.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(whole.headers.get("access-control-allow-origin")).toBe("*");
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(video);

    const part = await t.app.request(url, { headers: { Range: "bytes=4-11" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 4-11/${video.byteLength}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(video.subarray(4, 12));
    const open = await t.app.request(url, { headers: { Range: "bytes=100-" } });
    expect(open.status).toBe(206);
    expect((await open.arrayBuffer()).byteLength).toBe(video.byteLength - 100);
    const tail = await t.app.request(url, { headers: { Range: "bytes=-10" } });
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(video.subarray(video.byteLength - 10));
    const beyond = await t.app.request(url, { headers: { Range: `bytes=${video.byteLength}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe(`bytes */${video.byteLength}`);

    const poster = await t.app.request((await wallVideo(story.id))?.posterUrl as string);
    expect(poster.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await poster.arrayBuffer())).toEqual(png);
  });

  it("serves WebVTT captions whose cues carry the transcript over the container's duration", async () => {
    const captions = await t.app.request(`https://chorus.test/v1/stories/${story.id}/captions.vtt`);
    expect(captions.status).toBe(200);
    expect(captions.headers.get("content-type")).toBe("text/vtt; charset=utf-8");
    const vtt = await captions.text();
    expect(vtt.startsWith("WEBVTT\n")).toBe(true);
    // Two sentences, two cues: the first starts at 0, the last ends at the video's 6 s.
    expect(vtt).toContain("00:00:00.000 --> ");
    expect(vtt).toMatch(/--> 00:00:06\.000\nThe course gave me SQL!/);
    expect(vtt).toContain("I recorded this after my first week as an analyst.");
  });

  it("keeps markup in a transcript as text in the captions, after the moderator's correction", async () => {
    const corrected = "Use <b>SQL</b> --> every day & more.";
    expect((await api.moderate(story.id, { transcript: corrected })).status).toBe(200);
    const vtt = await (await t.app.request(`https://chorus.test/v1/stories/${story.id}/captions.vtt`)).text();
    expect(vtt).toContain("Use &lt;b&gt;SQL&lt;/b&gt; --&gt; every day &amp; more.");
    expect((await wallVideo(story.id))?.transcript).toBe(corrected);
  });

  it("lets the moderator watch the video of a pending story, which the public cannot", async () => {
    const pending = await post(storyBody({ photoUrl: null, transcript: "Hello from a pending story." }));
    expect((await upload(pending, "video", mp4File({ durationMs: 2000 }) as BodyInit)).status).toBe(200);
    const queue = (await (await api.adminList("?status=pending")).json()) as {
      items: { id: string; published: { video: PublicVideo | null } }[];
    };
    const shown = queue.items.find((item) => item.id === pending.id)?.published.video;
    expect(shown?.url).toBe(`https://chorus.test/v1/admin/stories/${pending.id}/video`);
    const watched = await t.app.request(shown?.url as string, { headers: { ...admin(), Range: "bytes=0-" } });
    expect(watched.status).toBe(206);
    expect(watched.headers.get("content-type")).toBe("video/mp4");
    expect(watched.headers.get("cache-control")).toBe("private, no-store");
    expect((await t.app.request(shown?.url as string)).status).toBe(401);
    const captions = await t.app.request(`https://chorus.test/v1/stories/${pending.id}/captions.vtt`);
    await expectError(captions, 404, "not_found");
  });
});

describe("what an upload must be", () => {
  it("refuses a container a browser cannot play everywhere, read from the bytes", async () => {
    const story = await post();
    const quicktime = await upload(story, "video", mp4File({ durationMs: 2000, brand: "qt  " }) as BodyInit, {
      "Content-Type": "video/mp4",
    });
    await expectError(quicktime, 415, "unsupported_media_type");
    await expectError(
      await upload(story, "video", webmFile({ docType: "matroska" }) as BodyInit),
      415,
      "unsupported_media_type",
    );
    await expectError(
      await upload(story, "video", png as BodyInit, { "Content-Type": "video/webm" }),
      415,
      "unsupported_media_type",
    );
    await expectError(await upload(story, "video", new Uint8Array(0) as BodyInit), 400, "invalid_request");
  });

  it("refuses a video over 90 s where the container says so, or where the recorder says so", async () => {
    const story = await post();
    await expectError(
      await upload(story, "video", mp4File({ durationMs: 120_000 }) as BodyInit),
      400,
      "invalid_request",
    );
    await expectError(
      await upload(story, "video", webmFile({ durationMs: 95_000 }) as BodyInit),
      400,
      "invalid_request",
    );
    const recorded = webmFile() as BodyInit;
    await expectError(await upload(story, "video", recorded, {}, "?durationMs=120000"), 400, "invalid_request");
    const ok = await upload(story, "video", webmFile() as BodyInit, {}, "?durationMs=1500");
    expect(((await ok.json()) as { video: { durationMs: number } }).video.durationMs).toBe(1500);
  });

  it("refuses a body past 50 MiB as it streams, without reading the rest, and a declared length over it at once", async () => {
    const story = await post();
    const chunk = 1024 * 1024;
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        // A real WebM header first, then 1 MiB chunks for ever: only the limit stops it.
        controller.enqueue(pulled === 0 ? concat(webmFile(), new Uint8Array(chunk)) : new Uint8Array(chunk));
        pulled += 1;
      },
    });
    await expectError(await upload(story, "video", endless), 413, "payload_too_large");
    expect(pulled).toBeLessThanOrEqual(52);
    const declared = await upload(story, "video", webmFile() as BodyInit, { "Content-Length": String(60 * chunk) });
    await expectError(declared, 413, "payload_too_large");
  });

  it("is the author's only, and a poster comes after its video and is a raster image", async () => {
    const story = await post();
    await expectError(
      await upload(story, "video", webmFile() as BodyInit, { "Chorus-Edit-Token": "" }),
      401,
      "unauthorized",
    );
    await expectError(
      await upload(story, "video", webmFile() as BodyInit, { "Chorus-Edit-Token": "edit_wrong" }),
      403,
      "forbidden",
    );
    await expectError(await upload(story, "poster", png as BodyInit), 409, "conflict");
    expect((await upload(story, "video", webmFile() as BodyInit)).status).toBe(200);
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"></svg>');
    await expectError(await upload(story, "poster", svg as BodyInit), 415, "unsupported_media_type");
  });

  it("sends a story back to moderation with a new video, and the old one leaves the store", async () => {
    const story = await post(storyBody({ photoUrl: null, transcript: "First take." }));
    const first = (await (await upload(story, "video", webmFile({ durationMs: 1000 }) as BodyInit)).json()) as Json;
    expect(first.status).toBe("pending");
    expect((await api.moderate(story.id, { status: "approved" })).status).toBe(200);
    const firstUrl = (await wallVideo(story.id))?.url as string;
    const second = (await (await upload(story, "video", webmFile({ durationMs: 2000 }) as BodyInit)).json()) as Json;
    expect(second.status).toBe("pending");
    expect(await wallVideo(story.id)).toBeUndefined();
    const oldHash = firstUrl.split("/").pop() as string;
    expect(await media.get(mediaKey(ws.id, "story-videos", story.id, oldHash))).toBeNull();
  });
});

describe("withdrawal and erasure", () => {
  it("withdrawal deletes the video, poster and transcript", async () => {
    const story = await post(storyBody({ photoUrl: null, transcript: "Mine to take back." }));
    await upload(story, "video", webmFile() as BodyInit);
    await upload(story, "poster", png as BodyInit);
    const [row] = await t.db.query.stories.findMany({ where: (s, { eq }) => eq(s.id, story.id) });
    expect(row?.videoHash).toBeTruthy();
    const removed = await t.call("DELETE", `/v1/stories/${story.id}`, {
      headers: widget({ "Chorus-Edit-Token": story.editToken }),
    });
    expect(removed.status).toBe(204);
    const [after] = await t.db.query.stories.findMany({ where: (s, { eq }) => eq(s.id, story.id) });
    expect(after).toMatchObject({ videoHash: null, posterHash: null, transcript: null, videoType: null });
    expect(await media.get(mediaKey(ws.id, "story-videos", story.id, row?.videoHash as string))).toBeNull();
    expect(await media.get(mediaKey(ws.id, "story-posters", story.id, row?.posterHash as string))).toBeNull();
  });

  it("erasing the learner deletes their story's video and poster from the store and its transcript", async () => {
    const token = await learnerToken(ws, { sub: "video-learner", email: "meera@example.com", name: "Meera" });
    const posted = await t.call("POST", "/v1/stories", {
      body: storyBody({ photoUrl: null, transcript: "My voice, my words." }),
      headers: widget({ Authorization: `Bearer ${token}` }),
    });
    const story = (await posted.json()) as Story;
    await upload(story, "video", webmFile({ durationMs: 3000 }) as BodyInit);
    await upload(story, "poster", png as BodyInit);
    expect((await api.moderate(story.id, { status: "approved" })).status).toBe(200);
    const [row] = await t.db.query.stories.findMany({ where: (s, { eq }) => eq(s.id, story.id) });
    const videoKey = mediaKey(ws.id, "story-videos", story.id, row?.videoHash as string);
    const posterKey = mediaKey(ws.id, "story-posters", story.id, row?.posterHash as string);
    expect(await media.get(videoKey)).not.toBeNull();

    const erased = await t.call("DELETE", "/v1/learners/video-learner", { headers: admin() });
    expect(erased.status).toBe(200);
    expect(await media.get(videoKey)).toBeNull();
    expect(await media.get(posterKey)).toBeNull();
    const [after] = await t.db.query.stories.findMany({ where: (s, { eq }) => eq(s.id, story.id) });
    expect(after).toMatchObject({ status: "withdrawn", videoHash: null, posterHash: null, transcript: null });
    await expectError(
      await t.app.request(`https://chorus.test/v1/story-videos/${story.id}/${row?.videoHash}`),
      404,
      "not_found",
    );
  });
});
