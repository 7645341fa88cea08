/**
 * Story photos: the author gives a URL, Chorus fetches it once (through the guarded outbound
 * fetch), checks what the bytes are, and keeps its own copy. The wall and the dashboard only ever
 * show that copy, from a Chorus URL that carries its content hash, so no visitor's or marketer's
 * browser is sent to a stranger's server and the image cannot change after a moderator saw it.
 */
import { and, eq } from "drizzle-orm";
import { imageSize } from "image-size";
import type { Db } from "../../db/index.ts";
import { stories, storyPhotos } from "../../db/schema.ts";
import type { Tx } from "../lib/write-transaction.ts";
import type { Fetch } from "./credentials/fetch.ts";
import { DomainError } from "./errors.ts";
import type { ServiceContext, WorkspaceContext } from "./types.ts";

type StoryRow = typeof stories.$inferSelect;

/** Fetching a photo goes out over the app's guarded outbound HTTP. */
export type PhotoContext = WorkspaceContext & { fetch: Fetch };

/** Raster types only: SVG can carry script and links, and is refused like any other type. */
const contentTypes: Record<string, string> = {
  jpg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
};

/** A portrait shown at 44 px (88 px on dense screens) needs no more; the bounds stop decompression bombs. */
export const photoLimits = { maxBytes: 2 * 1024 * 1024, minSide: 32, maxSide: 4096, timeoutMs: 5000 };

export type PhotoCheck =
  | { ok: true; contentType: string; width: number; height: number }
  | { ok: false; reason: string };

/** What the bytes are, read from the bytes themselves (never from the server's Content-Type). */
export function checkPhoto(bytes: Uint8Array): PhotoCheck {
  if (bytes.byteLength > photoLimits.maxBytes)
    return { ok: false, reason: `The photo is larger than ${photoLimits.maxBytes} bytes` };
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch {
    return { ok: false, reason: "The photo is not an image Chorus can read" };
  }
  const contentType = size.type ? contentTypes[size.type] : undefined;
  if (!contentType)
    return {
      ok: false,
      reason: `The photo is ${size.type ?? "an unknown type"}; only JPEG, PNG, WebP and GIF are shown`,
    };
  const { width, height } = size;
  if (width > photoLimits.maxSide || height > photoLimits.maxSide)
    return { ok: false, reason: `The photo is ${width}×${height}; at most ${photoLimits.maxSide} pixels a side` };
  if (width < photoLimits.minSide || height < photoLimits.minSide)
    return { ok: false, reason: `The photo is ${width}×${height}; at least ${photoLimits.minSide} pixels a side` };
  return { ok: true, contentType, width, height };
}

/** The body of a 2xx answer, at most `maxBytes` + 1 read (enough to know it is too large). */
async function download(fetcher: Fetch, url: string): Promise<Uint8Array<ArrayBuffer> | string> {
  let response: Response;
  try {
    response = await fetcher(url, {
      headers: { Accept: "image/jpeg, image/png, image/webp, image/gif" },
      signal: AbortSignal.timeout(photoLimits.timeoutMs),
    });
  } catch {
    // The guard's or the network's words stay out of the reason: they may describe private hosts.
    return "The photo could not be fetched";
  }
  if (!response.ok) {
    await response.body?.cancel();
    return `The photo's address answered HTTP ${response.status}`;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  try {
    for (;;) {
      if (!reader) break;
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > photoLimits.maxBytes) {
        await reader.cancel();
        return `The photo is larger than ${photoLimits.maxBytes} bytes`;
      }
      chunks.push(value);
    }
  } catch {
    return "The photo could not be fetched";
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Does the story show a photo once approved: the author consented and gave one. */
export const wantsPhoto = (story: StoryRow) => story.consentPhoto && story.photoUrl !== null;

/**
 * Fetches and checks the story's photo unless that was done for its current URL: the copy (or
 * the reason it was refused) is kept, so the photo is fetched once whoever asks first, the
 * moderator's preview or the approval. Returns the story with `photoHash` or `photoRefusal` set.
 */
export async function prepareStoryPhoto(ctx: PhotoContext, story: StoryRow): Promise<StoryRow> {
  const url = story.photoUrl;
  if (!wantsPhoto(story) || url === null || story.photoHash !== null || story.photoRefusal !== null) return story;
  const { db, clock, workspace } = ctx;
  const downloaded = await download(ctx.fetch, url);
  const check: PhotoCheck = typeof downloaded === "string" ? { ok: false, reason: downloaded } : checkPhoto(downloaded);
  const set: Pick<StoryRow, "photoHash" | "photoRefusal"> = check.ok
    ? { photoHash: await sha256Hex(downloaded as Uint8Array<ArrayBuffer>), photoRefusal: null }
    : { photoHash: null, photoRefusal: check.reason };
  const thisStory = and(eq(stories.workspaceId, workspace.id), eq(stories.id, story.id), eq(stories.photoUrl, url));
  await db.transaction(async (tx) => {
    // Only for the URL that was fetched: an author who changed it meanwhile gets a fresh check.
    const [still] = await tx.update(stories).set(set).where(thisStory).returning({ id: stories.id });
    if (!still || !check.ok || !set.photoHash) return;
    const copy = {
      sourceUrl: url,
      hash: set.photoHash,
      contentType: check.contentType,
      width: check.width,
      height: check.height,
      bytes: downloaded as Uint8Array<ArrayBuffer>,
      createdAt: clock.now().getTime(),
    };
    await tx
      .insert(storyPhotos)
      .values({ workspaceId: workspace.id, storyId: story.id, ...copy })
      .onConflictDoUpdate({ target: [storyPhotos.workspaceId, storyPhotos.storyId], set: copy });
  });
  return { ...story, ...set };
}

/** Chorus's copy of the story's photo; not_found when there is none. */
async function storedPhoto(ctx: ServiceContext, story: StoryRow) {
  const [photo] = await ctx.db
    .select()
    .from(storyPhotos)
    .where(and(eq(storyPhotos.workspaceId, story.workspaceId), eq(storyPhotos.storyId, story.id)));
  if (!photo || photo.hash !== story.photoHash) throw new DomainError("not_found", "This story has no photo");
  return { contentType: photo.contentType, bytes: photo.bytes };
}

/**
 * The published photo, by story and content hash: only while the story is approved, with photo
 * consent, and the hash is that of its current photo (an old URL stops working at once).
 */
export async function publishedPhoto(ctx: ServiceContext, input: { storyId: string; hash: string }) {
  const [story] = await ctx.db.select().from(stories).where(eq(stories.id, input.storyId));
  if (story?.status !== "approved" || !story.consentPhoto || story.photoHash !== input.hash)
    throw new DomainError("not_found", "No such photo");
  return storedPhoto(ctx, story);
}

/** The moderator's preview: the copy that approval would publish, fetched now if it was not yet. */
export async function photoPreview(ctx: PhotoContext, input: { story: StoryRow }) {
  if (!wantsPhoto(input.story)) throw new DomainError("not_found", "This story shows no photo");
  const story = await prepareStoryPhoto(ctx, input.story);
  if (story.photoRefusal !== null) throw new DomainError("not_found", story.photoRefusal);
  return storedPhoto(ctx, story);
}

/** Forgets the story's photo copy (a new URL, withdrawal, erasure). */
export function deleteStoryPhoto(ctx: { db: Db | Tx }, story: Pick<StoryRow, "workspaceId" | "id">) {
  return ctx.db
    .delete(storyPhotos)
    .where(and(eq(storyPhotos.workspaceId, story.workspaceId), eq(storyPhotos.storyId, story.id)));
}

/** Where the published photo is served from: a Chorus path carrying the content hash (cached for good). */
export const photoPath = (story: Pick<StoryRow, "id" | "photoHash">) =>
  `/v1/story-photos/${story.id}/${story.photoHash}`;
