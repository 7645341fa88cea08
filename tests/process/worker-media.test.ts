/**
 * The media store's Workers back end (server/r2-media-store.ts) in real workerd: `wrangler dev`
 * simulates the `MEDIA` R2 bucket of wrangler.toml locally. A story's author uploads a photo to
 * the worker, a moderator approves it, and the wall's photo URL answers the cleaned bytes from R2
 * (the database keeps only what they are).
 */
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../db/index.ts";
import { buildAssets } from "../support/assets.ts";
import { testOrigin, workspaceFactory } from "../support/factories.ts";
import { exifGps, jpeg, withSegments } from "../support/images.ts";
import { runCli } from "../support/processes.ts";
import { type RunningSqld, startSqld } from "../support/sqld.ts";
import { storyBody } from "../support/stories.ts";
import { type RunningWorker, startWranglerDev } from "../support/wrangler-dev.ts";

let sqld: RunningSqld;
let worker: RunningWorker;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  buildAssets({ onlyIfMissing: true });
  sqld = await startSqld();
  expect(runCli(["db", "migrate"], { DATABASE_URL: sqld.url }).status).toBe(0);
  client = createClient({ url: sqld.url });
  worker = await startWranglerDev({
    DATABASE_URL: sqld.url,
    CHORUS_SECRET: "worker-media-test-secret-0123456789abcdef",
  });
}, 120_000);
afterAll(async () => {
  client?.close();
  await worker?.stop();
  await sqld?.stop();
});

describe("media on workerd", () => {
  it("keeps an uploaded photo in the R2 bucket and serves it back from the wall's URL", async () => {
    const ws = await workspaceFactory(createDb(client));
    const widget = { "Chorus-Key": ws.publishableKey, Origin: testOrigin };
    const posted = await fetch(`${worker.baseUrl}/v1/stories`, {
      method: "POST",
      headers: { ...widget, "Content-Type": "application/json" },
      body: JSON.stringify(storyBody({ photoUrl: undefined })),
    });
    expect(posted.status).toBe(201);
    const story = (await posted.json()) as { id: string; editToken: string };

    const uploaded = await fetch(`${worker.baseUrl}/v1/stories/${story.id}/photo`, {
      method: "PUT",
      headers: { ...widget, "Content-Type": "image/jpeg", "Chorus-Edit-Token": story.editToken },
      body: withSegments(jpeg(320, 240), exifGps) as Uint8Array<ArrayBuffer>,
    });
    expect(uploaded.status, await uploaded.clone().text()).toBe(200);
    const approved = await fetch(`${worker.baseUrl}/v1/admin/stories/${story.id}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ status: "approved" }),
    });
    expect(approved.status).toBe(200);

    const wall = (await (await fetch(`${worker.baseUrl}/v1/stories`, { headers: widget })).json()) as {
      items: { id: string; photoUrl: string | null }[];
    };
    const photoUrl = wall.items.find((item) => item.id === story.id)?.photoUrl;
    expect(photoUrl).toMatch(/\/v1\/story-photos\/[^/]+\/[0-9a-f]{64}$/);
    const photo = await fetch(`${worker.baseUrl}${new URL(photoUrl as string).pathname}`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("Content-Type")).toBe("image/jpeg");
    expect(photo.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(jpeg(320, 240));
    // The bytes are in R2, not in the database.
    const row = await client.execute({ sql: "select bytes from story_photos where story_id = ?", args: [story.id] });
    expect(row.rows).toHaveLength(1);
    expect(row.rows[0]?.bytes).toBeNull();
  });
});
