/**
 * Story photos: the author uploads one from the form (the browser resizes it first), or gives a
 * URL that Chorus fetches once (through the guarded outbound fetch). Either way the bytes are
 * checked (photo-bytes.ts) and Chorus keeps its own copy in the media store (media-store.ts),
 * with its hash, type and size in `story_photos`. The wall and the dashboard only ever show that
 * copy, from a Chorus URL that carries its content hash, so no visitor's or marketer's browser is
 * sent to a stranger's server and the image cannot change after a moderator saw it.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { stories, storyPhotos } from "../../db/schema.ts";
import type { Tx } from "../lib/write-transaction.ts";
import type { Fetch } from "./credentials/fetch.ts";
import { DomainError } from "./errors.ts";
import { type MediaContext, mediaKey } from "./media-store.ts";
import { checkPhoto, type PhotoCheck, photoLimits } from "./photo-bytes.ts";
import type { ServiceContext, WorkspaceContext } from "./types.ts";

export { checkPhoto, photoLimits };

type StoryRow = typeof stories.$inferSelect;
type StoryRef = Pick<StoryRow, "workspaceId" | "id">;

/** Photos are kept in the media store; a URL photo is fetched over the app's guarded outbound HTTP. */
export type PhotoContext = WorkspaceContext & MediaContext & { fetch: Fetch };

/** A checked photo, ready to keep. */
export type CheckedPhoto = Extract<PhotoCheck, { ok: true }> & { hash: string };

/** Where the copy of a story's photo is kept: per workspace, story and content. */
export const photoKey = (story: StoryRef, hash: string) => mediaKey(story.workspaceId, "story-photos", story.id, hash);

/** The body of a 2xx answer, at most `maxBytes` + 1 read (enough to know it is too large). */
async function download(fetcher: Fetch, url: string): Promise<Uint8Array<ArrayBuffer> | string> {
  let response: Response;
  try {
    response = await fetcher(url, {
      headers: { Accept: "image/jpeg, image/png, image/webp" },
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

/** Checks the bytes: the copy to keep with its hash, or the reason it is refused. */
export async function checkedPhoto(bytes: Uint8Array): Promise<CheckedPhoto | { ok: false; reason: string }> {
  const check = await checkPhoto(bytes);
  return check.ok ? { ...check, hash: await sha256Hex(check.bytes) } : check;
}

/** Does the story show a photo once approved: the author consented and gave one (a URL or an upload). */
export const wantsPhoto = (story: StoryRow) =>
  story.consentPhoto && (story.photoUrl !== null || story.photoHash !== null);

/** The row that describes a kept copy (its bytes are in the media store under `photoKey`). */
export function photoRow(ctx: ServiceContext, story: StoryRef, photo: CheckedPhoto, sourceUrl: string | null) {
  return {
    workspaceId: story.workspaceId,
    storyId: story.id,
    sourceUrl,
    hash: photo.hash,
    contentType: photo.contentType,
    width: photo.width,
    height: photo.height,
    createdAt: ctx.clock.now().getTime(),
  };
}

/**
 * Fetches and checks the story's photo unless that was done for its current URL: the copy (or
 * the reason it was refused) is kept, so the photo is fetched once whoever asks first, the
 * moderator's preview or the approval. Returns the story with `photoHash` or `photoRefusal` set.
 */
export async function prepareStoryPhoto(ctx: PhotoContext, story: StoryRow): Promise<StoryRow> {
  const url = story.photoUrl;
  if (!wantsPhoto(story) || url === null || story.photoHash !== null || story.photoRefusal !== null) return story;
  const { db, workspace, media } = ctx;
  const downloaded = await download(ctx.fetch, url);
  const check =
    typeof downloaded === "string" ? { ok: false as const, reason: downloaded } : await checkedPhoto(downloaded);
  // The bytes go to the store before the row that names them: a reader never finds a row without its copy.
  if (check.ok) await media.put(photoKey(story, check.hash), check.bytes, check.contentType);
  const set: Pick<StoryRow, "photoHash" | "photoRefusal"> = check.ok
    ? { photoHash: check.hash, photoRefusal: null }
    : { photoHash: null, photoRefusal: check.reason };
  const thisStory = and(eq(stories.workspaceId, workspace.id), eq(stories.id, story.id), eq(stories.photoUrl, url));
  const kept = await db.transaction(async (tx) => {
    // Only for the URL that was fetched: an author who changed it meanwhile gets a fresh check.
    const [still] = await tx.update(stories).set(set).where(thisStory).returning({ id: stories.id });
    if (!still || !check.ok) return false;
    const copy = photoRow(ctx, story, check, url);
    await tx
      .insert(storyPhotos)
      .values(copy)
      .onConflictDoUpdate({ target: [storyPhotos.workspaceId, storyPhotos.storyId], set: copy });
    return true;
  });
  if (check.ok && !kept) await media.delete(photoKey(story, check.hash));
  return { ...story, ...set };
}

/**
 * Chorus's copy of the story's photo; not_found when there is none. A copy kept in the database
 * by an earlier version (`story_photos.bytes`) moves to the media store the first time it is read.
 */
async function storedPhoto(ctx: ServiceContext & MediaContext, story: StoryRow) {
  const [photo] = await ctx.db
    .select()
    .from(storyPhotos)
    .where(and(eq(storyPhotos.workspaceId, story.workspaceId), eq(storyPhotos.storyId, story.id)));
  if (!photo || photo.hash !== story.photoHash) throw new DomainError("not_found", "This story has no photo");
  const key = photoKey(story, photo.hash);
  if (photo.bytes) {
    await ctx.media.put(key, photo.bytes, photo.contentType);
    await ctx.db
      .update(storyPhotos)
      .set({ bytes: null })
      .where(and(eq(storyPhotos.workspaceId, story.workspaceId), eq(storyPhotos.storyId, story.id)));
    return { contentType: photo.contentType, bytes: photo.bytes };
  }
  const stored = await ctx.media.get(key);
  if (!stored) throw new DomainError("not_found", "This story's photo is missing from storage");
  // The type checked on the way in, whatever a store's metadata says.
  return { contentType: photo.contentType, bytes: stored.bytes };
}

/**
 * The published photo, by story and content hash: only while the story is approved, with photo
 * consent, and the hash is that of its current photo (an old URL stops working at once).
 */
export async function publishedPhoto(ctx: ServiceContext & MediaContext, input: { storyId: string; hash: string }) {
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

/**
 * Forgets the story's photo row (a new photo, withdrawal, erasure) inside the caller's write, and
 * returns the media keys whose objects go once that write commits (`forgetPhotoCopies`).
 */
export async function deleteStoryPhoto(ctx: { db: Db | Tx }, story: StoryRef): Promise<string[]> {
  const gone = await ctx.db
    .delete(storyPhotos)
    .where(and(eq(storyPhotos.workspaceId, story.workspaceId), eq(storyPhotos.storyId, story.id)))
    .returning({ hash: storyPhotos.hash });
  return gone.map((row) => photoKey(story, row.hash));
}

/** Deletes the stored copies `deleteStoryPhoto` named, once the write that forgot them committed. */
export async function forgetPhotoCopies(ctx: MediaContext, keys: string[]): Promise<void> {
  for (const key of new Set(keys)) await ctx.media.delete(key);
}

/** Where the published photo is served from: a Chorus path carrying the content hash (cached for good). */
export const photoPath = (story: Pick<StoryRow, "id" | "photoHash">) =>
  `/v1/story-photos/${story.id}/${story.photoHash}`;
