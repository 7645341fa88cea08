/**
 * `POST /v1/events`: what the referral card reports (a learner shared on a channel). DESIGN.md's
 * body is `{ type: "share", channel }`; the card also names the code it shared (a course's code).
 */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireLearnerToken, requirePublishableKey } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { clickChannels } from "../services/clicks.ts";
import { recordShareEvent } from "../services/referral-card.ts";
import { workspaceContext } from "./context.ts";

const ShareEvent = z
  .object({
    type: z.literal("share"),
    channel: z.enum(
      clickChannels.filter((channel) => channel !== "direct" && channel !== "other") as [string, ...string[]],
    ),
    code: z
      .string()
      .min(3)
      .max(32)
      .optional()
      .openapi({ description: "The code that was shared; without it, the learner's own code for all courses" }),
  })
  .strict()
  .openapi("ShareEvent");

const post = apiRoute({
  method: "post",
  path: "/v1/events",
  tags: ["Referrals"],
  summary: "Record that the learner shared their link on a channel",
  security: [{ publishableKey: [], learnerToken: [] }],
  // The card's own calls share its limits: a token that shares in a loop meets them (issue 15).
  middleware: [requirePublishableKey, rateLimit("referrals"), requireLearnerToken] as const,
  request: { body: { required: true, content: { "application/json": { schema: ShareEvent } } } },
  responses: {
    202: { description: "Recorded", content: { "application/json": { schema: z.object({ ok: z.literal(true) }) } } },
    ...errorResponses(404),
  },
});

export const eventRoutes = createRouter().openapi(post, async (c) => {
  const { channel, code } = c.req.valid("json");
  await recordShareEvent(workspaceContext(c), { claims: c.var.learner, channel, code });
  return c.json({ ok: true as const }, 202);
});
