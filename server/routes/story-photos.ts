/**
 * `GET /v1/story-photos/:id/:hash`: a published story's photo, Chorus's checked copy (see
 * services/story-photos.ts). Public, for `<img>` on provider pages: no key, no CORS. The hash in
 * the path is the content's, so the answer is cached for good; a new photo gets a new path.
 */
import { Hono } from "hono";
import { publishedPhoto } from "../services/story-photos.ts";
import type { AppEnv } from "../types.ts";
import { mediaContext, serviceContext } from "./context.ts";

/** Headers for a photo Chorus serves: its checked type, never sniffed as anything else, never a document. */
export function photoHeaders(contentType: string, cacheControl: string): Record<string, string> {
  return {
    "Content-Type": contentType,
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "inline",
    "Cache-Control": cacheControl,
  };
}

export const storyPhotoRoutes = new Hono<AppEnv>().get("/v1/story-photos/:id/:hash", async (c) => {
  const photo = await publishedPhoto(
    { ...serviceContext(c), ...mediaContext(c) },
    { storyId: c.req.param("id"), hash: c.req.param("hash") },
  );
  return c.body(photo.bytes, 200, photoHeaders(photo.contentType, "public, max-age=31536000, immutable"));
});
