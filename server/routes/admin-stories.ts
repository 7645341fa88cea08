/** Story moderation for the provider (secret key): the queue, approve, reject, feature, tag. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { publicBase } from "../lib/urls.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { credentialFetch } from "../services/credentials/fetch.ts";
import { findStory, listStoriesForAdmin, moderateStory, moderationStory } from "../services/stories.ts";
import { eraseStory } from "../services/story-erasure.ts";
import { type PhotoContext, photoPreview } from "../services/story-photos.ts";
import { videoForModeration } from "../services/story-videos.ts";
import type { AppEnv } from "../types.ts";
import { mediaContext, workspaceContext } from "./context.ts";
import { cursorParam } from "./schemas.ts";
import { photoHeaders } from "./story-photos.ts";
import { courseSlug, limits, ModerationStory, storyIdParam } from "./story-schemas.ts";
import { servedMedia } from "./story-videos.ts";

/** Moderation fetches story photos over the app's guarded outbound HTTP. */
function photoContext(c: Context<AppEnv>): PhotoContext {
  return {
    ...workspaceContext(c),
    ...mediaContext(c),
    fetch: c.var.deps.fetch ?? credentialFetch(c.var.deps.outbound),
  };
}

export const AdminStoryPage = z
  .object({ items: z.array(ModerationStory), nextCursor: z.string().nullable() })
  .openapi("AdminStoryPage");
export type AdminStoryPage = z.infer<typeof AdminStoryPage>;

const listAdminStories = apiRoute({
  method: "get",
  path: "/v1/admin/stories",
  tags: ["Moderation"],
  summary: "Stories of every status, newest first",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    query: z.object({
      status: z.enum(["pending", "approved", "rejected", "withdrawn"]).optional(),
      course: courseSlug.optional(),
      cursor: cursorParam,
      limit: z.coerce.number().int().min(1).max(100).default(50),
    }),
  },
  responses: {
    200: {
      description: "A page of stories",
      content: {
        "application/json": {
          schema: AdminStoryPage,
        },
      },
    },
  },
});

const ModerationChange = z
  .object({
    status: z.enum(["approved", "rejected"]).optional(),
    featured: z.boolean().optional(),
    tags: z.array(z.string().min(1).max(limits.tag)).max(limits.tags).optional(),
    transcript: z.string().max(limits.transcript).optional().openapi({
      description: "The moderator's correction of a video story's transcript (its captions and wall text)",
    }),
  })
  .strict()
  .refine((change) => Object.keys(change).length > 0, "give status, featured, tags or transcript")
  .openapi("StoryModeration");

const patchAdminStory = apiRoute({
  method: "patch",
  path: "/v1/admin/stories/{id}",
  tags: ["Moderation"],
  summary: "Approve, reject, feature or tag a story; correct a video story's transcript",
  description:
    "Approving emits `story.approved`. A withdrawn story cannot be moderated (409), nor a video story without a " +
    "transcript approved (409: give `transcript` with the approval or before). Approving fetches the photo " +
    "once and checks it (JPEG, PNG, WebP or GIF; at most 2 MiB and 4096 pixels a side, at least 32): a photo that " +
    "fails is not published, the story is, and `photoRefusal` says why.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    params: storyIdParam,
    body: { required: true, content: { "application/json": { schema: ModerationChange } } },
  },
  responses: {
    200: {
      description: "The story after moderation",
      content: { "application/json": { schema: ModerationStory } },
    },
    ...errorResponses(404, 409),
  },
});

const image = { schema: z.string().openapi({ format: "binary" }) };

const getPhotoPreview = apiRoute({
  method: "get",
  path: "/v1/admin/stories/{id}/photo",
  tags: ["Moderation"],
  summary: "The story's photo as approval would publish it",
  description:
    "For the moderator's <img> (the dashboard session cookie is enough): Chorus's checked copy of the author's photo, " +
    "fetched on first view and kept, so approval publishes exactly these bytes; the dashboard never loads the author's URL. " +
    "404 with the reason when the photo was refused.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: { params: storyIdParam },
  responses: {
    200: {
      description: "The checked photo",
      content: { "image/jpeg": image, "image/png": image, "image/webp": image, "image/gif": image },
    },
    ...errorResponses(404),
  },
});

const eraseAdminStory = apiRoute({
  method: "delete",
  path: "/v1/admin/stories/{id}",
  tags: ["Moderation"],
  summary: "Erase a story's author: withdraw the story and empty it",
  description:
    "For a story no learner erasure reaches (an imported testimonial, a story sent without a learner token): the " +
    "story is withdrawn and its name, text, photo and figures are erased, in its webhook payloads too; the row stays " +
    "(clicks name it). An imported story is not imported again from the same file. A story tied to a learner is " +
    "erased with the learner (`DELETE /v1/learners/{id}`), which this also does for the one story. Answers 204.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: { params: storyIdParam },
  responses: { 204: { description: "Erased" }, ...errorResponses(404) },
});

const videoPreview = (part: "video" | "poster") =>
  apiRoute({
    method: "get",
    path: `/v1/admin/stories/{id}/${part}`,
    tags: ["Moderation"],
    summary:
      part === "video" ? "The story's video, for the moderator to watch" : "The poster frame of the story's video",
    description:
      "For the moderator's <video> (the dashboard session cookie is enough), at any status: the bytes approval would " +
      "publish. Byte ranges as for the public video.",
    security: secretKeyOrSession,
    middleware: [requireSecretKeyOrSession] as const,
    request: { params: storyIdParam },
    responses: {
      200: {
        description: part === "video" ? "The video" : "The poster",
        content:
          part === "video" ? { "video/webm": image, "video/mp4": image } : { "image/jpeg": image, "image/webp": image },
      },
      ...(part === "video" ? { 206: { description: "The byte range asked for" } } : {}),
      ...errorResponses(404),
    },
  });

/** The moderator's preview of a story's video or poster. */
async function previewMedia(c: Context<AppEnv>, part: "video" | "poster", id: string) {
  const ctx = { ...workspaceContext(c), ...mediaContext(c) };
  const media = await videoForModeration(ctx, { story: await findStory(ctx, { id }), part });
  return servedMedia(c, media, "private, no-store");
}

export const adminStoryRoutes = createRouter()
  .openapi(listAdminStories, async (c) => {
    const page = await listStoriesForAdmin(workspaceContext(c), c.req.valid("query"));
    const base = publicBase(c);
    return c.json({ items: page.items.map((row) => moderationStory(row, base)), nextCursor: page.nextCursor }, 200);
  })
  .openapi(patchAdminStory, async (c) => {
    const story = await moderateStory(photoContext(c), { ...c.req.valid("json"), id: c.req.valid("param").id });
    return c.json(moderationStory(story, publicBase(c)), 200);
  })
  .openapi(eraseAdminStory, async (c) => {
    await eraseStory(workspaceContext(c), { id: c.req.valid("param").id });
    return c.body(null, 204);
  })
  .openapi(getPhotoPreview, async (c) => {
    const ctx = photoContext(c);
    const photo = await photoPreview(ctx, { story: await findStory(ctx, { id: c.req.valid("param").id }) });
    return c.body(photo.bytes, 200, photoHeaders(photo.contentType, "private, no-store"));
  })
  .openapi(videoPreview("video"), (c) => previewMedia(c, "video", c.req.valid("param").id) as never)
  .openapi(videoPreview("poster"), (c) => previewMedia(c, "poster", c.req.valid("param").id) as never);
