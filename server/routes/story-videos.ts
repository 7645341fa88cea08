/**
 * Video stories over HTTP (the checks are in services/story-videos.ts):
 * - `PUT /v1/stories/{id}/video` and `/poster`: the author uploads the raw bytes (edit token or
 *   learner token, as for any edit); the body is read as a stream and refused the moment it passes
 *   the limit, so these paths skip the app's JSON body handling (middleware/json-body.ts).
 * - `GET /v1/story-videos/{id}/{hash}` and `/v1/story-posters/{id}/{hash}`: a published story's
 *   media, public (a `<video>` sends no key), cached for good (the hash is the content's), with
 *   byte ranges and CORS for any origin (the wall's `<video crossorigin>` reads its captions).
 * - `GET /v1/stories/{id}/captions.vtt`: WebVTT from the transcript as it stands (short cache:
 *   the moderator may correct it).
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { Hono } from "hono";
import { ApiError, errorResponses } from "../errors.ts";
import { rangedBody } from "../lib/byte-range.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requirePublishableKey } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { fullStory } from "../services/stories.ts";
import { authorsStory } from "../services/story-authors.ts";
import {
  publishedCaptions,
  publishedPoster,
  publishedVideo,
  type ServedMedia,
  uploadStoryPoster,
  uploadStoryVideo,
  videoLimits,
} from "../services/story-videos.ts";
import type { AppEnv } from "../types.ts";
import { mediaContext, serviceContext, workspaceContext } from "./context.ts";
import { FullStory, storyIdParam } from "./story-schemas.ts";

const security: Record<string, string[]>[] = [{ publishableKey: [] }, { publishableKey: [], learnerToken: [] }];
const binary = { schema: z.string().openapi({ format: "binary" }) };
const authorHeaders = z.object({
  "chorus-edit-token": z.string().max(200).optional().openapi({ description: "The edit token from POST /v1/stories" }),
});

function proof(c: Context<AppEnv>) {
  const bearer = c.req.header("Authorization");
  return {
    editToken: c.req.header("Chorus-Edit-Token"),
    learnerToken: bearer === undefined ? undefined : (bearer.match(/^Bearer\s+(\S+)$/i)?.[1] ?? null),
  };
}

/** A body whose declared length is over the limit is refused before a byte of it is read. */
function refuseDeclaredLength(c: Context<AppEnv>, maxBytes: number, what: string): void {
  const length = Number(c.req.header("Content-Length") ?? "");
  if (Number.isFinite(length) && length > maxBytes)
    throw new ApiError("payload_too_large", `The ${what} is larger than ${maxBytes} bytes`);
}

const putVideo = apiRoute({
  method: "put",
  path: "/v1/stories/{id}/video",
  tags: ["Stories"],
  summary: "Upload the story's video (its author)",
  description:
    "The raw bytes of a WebM or MP4 video (the type is read from the bytes; QuickTime, Matroska and others a browser " +
    "cannot play everywhere answer 415), at most 50 MiB (413, refused as soon as the body passes it) and 90 s where the " +
    "container states a duration (`durationMs` is the recorder's own measure, for WebM from MediaRecorder, which states none). " +
    "The story goes back to moderation; a new video replaces the old one and its poster. Rate limited with story edits.",
  security,
  middleware: [requirePublishableKey, rateLimit("stories")] as const,
  request: {
    params: storyIdParam,
    headers: authorHeaders,
    query: z.object({ durationMs: z.coerce.number().int().min(0).max(3_600_000).optional() }),
    body: { required: true, content: { "video/webm": binary, "video/mp4": binary } },
  },
  responses: {
    200: { description: "The story with its video", content: { "application/json": { schema: FullStory } } },
    ...errorResponses(404, 409, 413, 415),
  },
});

const putPoster = apiRoute({
  method: "put",
  path: "/v1/stories/{id}/poster",
  tags: ["Stories"],
  summary: "Upload the poster frame of the story's video (its author)",
  description: "A JPEG, PNG or WebP image of at most 1 MiB and 4096 pixels a side, after the video (409 before).",
  security,
  middleware: [requirePublishableKey, rateLimit("stories")] as const,
  request: {
    params: storyIdParam,
    headers: authorHeaders,
    body: { required: true, content: { "image/jpeg": binary, "image/png": binary, "image/webp": binary } },
  },
  responses: {
    200: { description: "The story with its poster", content: { "application/json": { schema: FullStory } } },
    ...errorResponses(404, 409, 413, 415),
  },
});

export const storyVideoUploadRoutes = createRouter()
  .openapi(putVideo, async (c) => {
    refuseDeclaredLength(c, videoLimits.maxBytes, "video");
    const ctx = { ...workspaceContext(c), ...mediaContext(c) };
    const story = await authorsStory(ctx, { id: c.req.valid("param").id, proof: proof(c) });
    const updated = await uploadStoryVideo(ctx, {
      story,
      body: c.req.raw.body,
      declaredDurationMs: c.req.valid("query").durationMs,
    });
    return c.json(fullStory(updated), 200);
  })
  .openapi(putPoster, async (c) => {
    refuseDeclaredLength(c, videoLimits.posterMaxBytes, "poster");
    const ctx = { ...workspaceContext(c), ...mediaContext(c) };
    const story = await authorsStory(ctx, { id: c.req.valid("param").id, proof: proof(c) });
    return c.json(fullStory(await uploadStoryPoster(ctx, { story, body: c.req.raw.body })), 200);
  });

/** Headers for media Chorus serves: its checked type, never sniffed as anything else, readable by any page's `<video>`. */
export function mediaHeaders(contentType: string, cacheControl: string): Record<string, string> {
  return {
    "Content-Type": contentType,
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "inline",
    "Cache-Control": cacheControl,
    "Access-Control-Allow-Origin": "*",
  };
}

/** The media as a `<video>` reads it: whole, or the byte range it asked for. */
export function servedMedia(c: Context<AppEnv>, media: ServedMedia, cacheControl: string) {
  const answer = rangedBody(media.bytes, c.req.header("Range"));
  const headers: Record<string, string> = { ...mediaHeaders(media.contentType, cacheControl), ...answer.headers };
  if (answer.body === null) return c.body(null, answer.status, headers);
  return c.body(answer.body as Uint8Array<ArrayBuffer>, answer.status, headers);
}

const forGood = "public, max-age=31536000, immutable";

export const storyVideoRoutes = new Hono<AppEnv>()
  .get("/v1/story-videos/:id/:hash", async (c) => {
    const ctx = { ...serviceContext(c), ...mediaContext(c) };
    const video = await publishedVideo(ctx, { storyId: c.req.param("id"), hash: c.req.param("hash") });
    return servedMedia(c, video, forGood);
  })
  .get("/v1/story-posters/:id/:hash", async (c) => {
    const ctx = { ...serviceContext(c), ...mediaContext(c) };
    const poster = await publishedPoster(ctx, { storyId: c.req.param("id"), hash: c.req.param("hash") });
    return c.body(poster.bytes as Uint8Array<ArrayBuffer>, 200, mediaHeaders(poster.contentType, forGood));
  })
  .get("/v1/stories/:id/captions.vtt", async (c) => {
    const captions = await publishedCaptions(serviceContext(c), { storyId: c.req.param("id") });
    return c.body(captions, 200, mediaHeaders("text/vtt; charset=utf-8", "public, max-age=300"));
  });
