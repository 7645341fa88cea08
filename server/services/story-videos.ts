/**
 * Video stories: the author's browser records (or the author picks) a video and takes a poster
 * frame from it; Chorus checks what the bytes are as they stream in (WebM or MP4 from their first
 * bytes, never the uploader's word; at most `videoLimits.maxBytes`, refused the moment a body
 * passes it; at most 90 s where the container states a duration) and keeps them in the media
 * store under a key carrying their SHA-256. The transcript the author types is required before a
 * moderator can approve, is editable by the moderator, and becomes the captions (server/lib/webvtt.ts).
 */
import { and, eq } from "drizzle-orm";
import type { imageSize } from "image-size";
import { stories } from "../../db/schema.ts";
import { sha256HexOfBytes } from "../lib/crypto.ts";
import { containerDurationMs, sniffBytes, sniffVideo, type VideoType } from "../lib/video-container.ts";
import { captionsFromTranscript } from "../lib/webvtt.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { DomainError } from "./errors.ts";
import { type MediaContext, mediaKey } from "./media-store.ts";
import type { ServiceContext, WorkspaceContext } from "./types.ts";

/**
 * 50 MB holds 90 s of a phone's 720p recording; 90 s is what a story needs (the form's recorder
 * stops there, with a second of slack for the recorder's own rounding). The poster is one frame.
 */
export const videoLimits = {
  maxBytes: 50 * 1024 * 1024,
  maxDurationMs: 90_000,
  slackMs: 1000,
  posterMaxBytes: 1024 * 1024,
  posterMaxSide: 4096,
  transcript: 5000,
};

/** Poster frames the canvas can make: raster types only (SVG can carry script). */
const posterTypes: Record<string, string> = { jpg: "image/jpeg", png: "image/png", webp: "image/webp" };

/** When the container states no duration and the author's browser did not say: reading pace, 15 characters a second. */
const readingPaceMs = (transcript: string) => Math.max(2000, Math.round((transcript.length / 15) * 1000));

export type VideoUpload = {
  story: StoryRow;
  body: ReadableStream<Uint8Array> | null;
  /** The length the author's browser measured (MediaRecorder's WebM states none); checked against the limit. */
  declaredDurationMs?: number;
};

type VideoContext = WorkspaceContext & MediaContext;
type StoryRow = typeof stories.$inferSelect;

/**
 * Reads a body whole, refusing it as soon as it passes `maxBytes` (the rest is never read) and
 * handing its first bytes to `checkHead` before more is read.
 */
async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  what: string,
  checkHead: (head: Uint8Array) => void,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!body) throw new DomainError("invalid_request", `Send the ${what} as the request body`);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let headChecked = false;
  const join = () => {
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    return bytes;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw new DomainError("payload_too_large", `The ${what} is larger than ${maxBytes} bytes`);
      chunks.push(value);
      if (!headChecked && size >= sniffBytes) {
        checkHead(join());
        headChecked = true;
      }
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  const bytes = join();
  if (size === 0) throw new DomainError("invalid_request", `The ${what} is empty`);
  if (!headChecked) checkHead(bytes);
  return bytes;
}

const mayChange = (story: StoryRow) => {
  if (story.status === "withdrawn") throw new DomainError("conflict", "This story was withdrawn");
};

const videoKey = (story: Pick<StoryRow, "workspaceId" | "id">, hash: string) =>
  mediaKey(story.workspaceId, "story-videos", story.id, hash);
const posterKey = (story: Pick<StoryRow, "workspaceId" | "id">, hash: string) =>
  mediaKey(story.workspaceId, "story-posters", story.id, hash);

/**
 * The author's video for their story: checked, stored, and the story back to moderation (what
 * the wall would show changed). A new video replaces the old one and its poster.
 */
export async function uploadStoryVideo(ctx: VideoContext, input: VideoUpload): Promise<StoryRow> {
  const { story } = input;
  mayChange(story);
  let type: VideoType = "video/webm";
  const bytes = await readLimited(input.body, videoLimits.maxBytes, "video", (head) => {
    const sniffed = sniffVideo(head);
    if (!sniffed.ok) throw new DomainError("unsupported_media_type", sniffed.reason);
    type = sniffed.type;
  });
  const limit = videoLimits.maxDurationMs + videoLimits.slackMs;
  const stated = containerDurationMs(bytes, type);
  if (stated !== null && stated > limit)
    throw new DomainError("invalid_request", `The video is ${Math.round(stated / 1000)} s long; at most 90 s`);
  const declared = input.declaredDurationMs;
  if (stated === null && declared !== undefined && declared > limit)
    throw new DomainError("invalid_request", "The video is longer than 90 s");
  const hash = await sha256HexOfBytes(bytes);
  await ctx.media.put(videoKey(story, hash), bytes, type);
  const set: Partial<StoryRow> = {
    videoHash: hash,
    videoType: type,
    videoBytes: bytes.byteLength,
    videoDurationMs: stated ?? declared ?? null,
    posterHash: null,
    posterType: null,
    status: "pending",
    approvedAt: null,
    updatedAt: ctx.clock.now().getTime(),
  };
  const updated = await replaceMedia(ctx, story, set);
  await forgetReplaced(ctx, story, updated);
  return updated;
}

/** The poster frame for the story's video: a raster image of sane size, stored like the video. */
export async function uploadStoryPoster(
  ctx: VideoContext,
  input: { story: StoryRow; body: ReadableStream<Uint8Array> | null },
): Promise<StoryRow> {
  const { story } = input;
  mayChange(story);
  if (!story.videoHash) throw new DomainError("conflict", "Upload the video before its poster");
  const bytes = await readLimited(input.body, videoLimits.posterMaxBytes, "poster", () => {});
  // The header reader is loaded by the first upload, not at start-up (worker.build.ts).
  const { imageSize } = await import("image-size");
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch {
    throw new DomainError("unsupported_media_type", "The poster is not an image Chorus can read");
  }
  const contentType = size.type ? posterTypes[size.type] : undefined;
  if (!contentType) throw new DomainError("unsupported_media_type", "The poster must be JPEG, PNG or WebP");
  if (size.width > videoLimits.posterMaxSide || size.height > videoLimits.posterMaxSide)
    throw new DomainError("invalid_request", `The poster is ${size.width}×${size.height}; at most 4096 pixels a side`);
  const hash = await sha256HexOfBytes(bytes);
  await ctx.media.put(posterKey(story, hash), bytes, contentType);
  const updated = await replaceMedia(ctx, story, {
    posterHash: hash,
    posterType: contentType,
    updatedAt: ctx.clock.now().getTime(),
  });
  await forgetReplaced(ctx, story, updated);
  return updated;
}

/** Writes the new media columns unless the story was withdrawn meanwhile (then the new bytes go). */
async function replaceMedia(ctx: VideoContext, story: StoryRow, set: Partial<StoryRow>): Promise<StoryRow> {
  const updated = await writeTransaction(ctx.db, async (tx) => {
    const [current] = await tx
      .select()
      .from(stories)
      .where(and(eq(stories.workspaceId, story.workspaceId), eq(stories.id, story.id)));
    if (!current || current.status === "withdrawn") return null;
    await tx
      .update(stories)
      .set(set)
      .where(and(eq(stories.workspaceId, story.workspaceId), eq(stories.id, story.id)));
    return { ...current, ...set };
  });
  if (!updated) {
    await deleteStoryVideo(ctx, { ...story, ...set });
    throw new DomainError("conflict", "This story was withdrawn");
  }
  return updated;
}

/** The objects the story no longer names (an older video or poster) leave the store. */
async function forgetReplaced(ctx: MediaContext, before: StoryRow, after: StoryRow) {
  if (before.videoHash && before.videoHash !== after.videoHash)
    await ctx.media.delete(videoKey(before, before.videoHash));
  if (before.posterHash && before.posterHash !== after.posterHash)
    await ctx.media.delete(posterKey(before, before.posterHash));
}

/** Deletes the story's video and poster from the store (withdrawal, erasure); the columns are the caller's. */
export async function deleteStoryVideo(
  ctx: MediaContext,
  story: Pick<StoryRow, "workspaceId" | "id" | "videoHash" | "posterHash">,
): Promise<void> {
  if (story.videoHash) await ctx.media.delete(videoKey(story, story.videoHash));
  if (story.posterHash) await ctx.media.delete(posterKey(story, story.posterHash));
}

/** What the moderator must see before approving a video story: its transcript. */
export function assertPublishable(story: StoryRow): void {
  if (story.videoHash && !story.transcript?.trim())
    throw new DomainError("conflict", "A video story needs its transcript before it can be approved", [
      { path: "transcript", message: "required for a video story" },
    ]);
}

export type ServedMedia = { bytes: Uint8Array; contentType: string };

async function stored(ctx: MediaContext, key: string, what: string): Promise<ServedMedia> {
  const found = await ctx.media.get(key);
  if (!found) throw new DomainError("not_found", `This story has no ${what}`);
  return found;
}

/** An approved story by id alone (its public URLs carry no key), with a video. */
async function publishedVideoStory(ctx: ServiceContext, storyId: string): Promise<StoryRow> {
  const [story] = await ctx.db.select().from(stories).where(eq(stories.id, storyId));
  if (story?.status !== "approved" || !story.videoHash) throw new DomainError("not_found", "No such video");
  return story;
}

/** The published video by story and content hash: only while the story is approved and it is the current video. */
export async function publishedVideo(ctx: ServiceContext & MediaContext, input: { storyId: string; hash: string }) {
  const story = await publishedVideoStory(ctx, input.storyId);
  if (story.videoHash !== input.hash) throw new DomainError("not_found", "No such video");
  return stored(ctx, videoKey(story, input.hash), "video");
}

/** The published poster by story and content hash. */
export async function publishedPoster(ctx: ServiceContext & MediaContext, input: { storyId: string; hash: string }) {
  const story = await publishedVideoStory(ctx, input.storyId);
  if (story.posterHash !== input.hash) throw new DomainError("not_found", "No such poster");
  return stored(ctx, posterKey(story, input.hash), "poster");
}

/** The captions of a story's video as WebVTT, from the transcript as it stands (the moderator may edit it). */
export function storyCaptions(story: StoryRow): string {
  const transcript = story.transcript ?? "";
  return captionsFromTranscript(transcript, story.videoDurationMs ?? readingPaceMs(transcript));
}

/** The public captions: an approved video story's only. */
export async function publishedCaptions(ctx: ServiceContext, input: { storyId: string }): Promise<string> {
  return storyCaptions(await publishedVideoStory(ctx, input.storyId));
}

/** The moderator's view of the video or poster at any status (the dashboard watches before approving). */
export async function videoForModeration(ctx: MediaContext, input: { story: StoryRow; part: "video" | "poster" }) {
  const { story, part } = input;
  const hash = part === "video" ? story.videoHash : story.posterHash;
  if (!hash) throw new DomainError("not_found", `This story has no ${part}`);
  return stored(ctx, part === "video" ? videoKey(story, hash) : posterKey(story, hash), part);
}

/** Where the published video, poster and captions are served from (the hashes make the media cacheable for good). */
export function videoPaths(story: Pick<StoryRow, "id" | "videoHash" | "posterHash">) {
  if (!story.videoHash) return null;
  return {
    video: `/v1/story-videos/${story.id}/${story.videoHash}`,
    poster: story.posterHash ? `/v1/story-posters/${story.id}/${story.posterHash}` : null,
    captions: `/v1/stories/${story.id}/captions.vtt`,
  };
}
