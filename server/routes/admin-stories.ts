/** Story moderation for the provider (secret key): the queue, approve, reject, feature, tag. */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { fullStory, listStoriesForAdmin, moderateStory } from "../services/stories.ts";
import { workspaceContext } from "./context.ts";
import { cursorParam } from "./schemas.ts";
import { courseSlug, FullStory, limits, storyIdParam } from "./story-schemas.ts";

export const AdminStoryPage = z
  .object({ items: z.array(FullStory), nextCursor: z.string().nullable() })
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
  })
  .strict()
  .refine((change) => Object.keys(change).length > 0, "give status, featured or tags")
  .openapi("StoryModeration");

const patchAdminStory = apiRoute({
  method: "patch",
  path: "/v1/admin/stories/{id}",
  tags: ["Moderation"],
  summary: "Approve, reject, feature or tag a story",
  description: "Approving emits `story.approved`. A withdrawn story cannot be moderated (409).",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    params: storyIdParam,
    body: { required: true, content: { "application/json": { schema: ModerationChange } } },
  },
  responses: {
    200: { description: "The story after moderation", content: { "application/json": { schema: FullStory } } },
    ...errorResponses(404, 409),
  },
});

export const adminStoryRoutes = createRouter()
  .openapi(listAdminStories, async (c) => {
    const page = await listStoriesForAdmin(workspaceContext(c), c.req.valid("query"));
    return c.json({ items: page.items.map(fullStory), nextCursor: page.nextCursor }, 200);
  })
  .openapi(patchAdminStory, async (c) => {
    const story = await moderateStory(workspaceContext(c), { ...c.req.valid("json"), id: c.req.valid("param").id });
    return c.json(fullStory(story), 200);
  });
