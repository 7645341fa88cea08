/**
 * The story form's pre-fill from a "tell your story" email's one-time token
 * (`GET /v1/stories/prefill`, token in `Chorus-Story-Token`, never in a URL the server logs).
 * The story itself is posted to `POST /v1/stories` with the same header, which uses the token up.
 */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requirePublishableKey } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { storyPrefill } from "../services/story-requests.ts";
import { workspaceContext } from "./context.ts";

/** The header a story link's token travels in. */
export const storyTokenHeaders = z.object({
  "chorus-story-token": z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "The one-time token of a story request email's link (`?chorus_story=`)" }),
});

const StoryPrefill = z
  .object({
    name: z.string().nullable().openapi({ description: "The learner's name, when the provider gave one" }),
    course: z.string().openapi({ description: "The course the story is about (the only course the token allows)" }),
  })
  .openapi("StoryPrefill");

const prefill = apiRoute({
  method: "get",
  path: "/v1/stories/prefill",
  tags: ["Stories"],
  summary: "What a story request's link pre-fills the story form with",
  description:
    "Send the token of the link in `Chorus-Story-Token`. Unknown (another workspace's, forged, its learner erased): 404. " +
    "Used or expired: 409, with `details[0].message` `used` or `expired`. Reading does not use the token up.",
  security: [{ publishableKey: [] }],
  middleware: [requirePublishableKey, rateLimit("referrals")] as const,
  request: { headers: storyTokenHeaders },
  responses: {
    200: { description: "The pre-fill", content: { "application/json": { schema: StoryPrefill } } },
    ...errorResponses(404, 409),
  },
});

export const storyRequestRoutes = createRouter().openapi(prefill, async (c) => {
  const token = c.req.valid("header")["chorus-story-token"] ?? "";
  return c.json(await storyPrefill(workspaceContext(c), { token }), 200);
});
