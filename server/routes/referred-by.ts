/**
 * "Who referred you?" (`<chorus-referred-by>`, and the banner's "Were you referred by someone?"):
 * a friend names their referrer by email or by name and course, then confirms. Both answers are
 * the same for a match and for none, so they cannot be used to list learners; see
 * server/services/referred-by.ts.
 */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { visitorId } from "../lib/fields.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requirePublishableKey } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { askReferredBy, confirmReferredBy } from "../services/referred-by.ts";
import { workspaceContext } from "./context.ts";
import { linkContext } from "./redirect.ts";

const courseSlug = z.string().trim().min(1).max(100);

const ReferredByQuestion = z
  .union([
    z.object({ email: z.email().max(320), course: courseSlug.optional() }).strict(),
    z.object({ name: z.string().trim().min(2).max(100), course: courseSlug }).strict(),
  ])
  .openapi("ReferredByQuestion", {
    description: "The referrer's email, or their full name and the course (slug) they take.",
  });

export const ReferredByAnswer = z
  .object({
    token: z.string().openapi({ description: "One-time, for this browser, for an hour: send it to confirm." }),
    confirm: z.object({
      initial: z.string().nullable().openapi({ description: "The typed name's initial (null for an email)." }),
      course: z.string().nullable().openapi({ description: "The course's title, as the friend named it." }),
    }),
  })
  .openapi("ReferredByAnswer");
export type ReferredByAnswer = z.infer<typeof ReferredByAnswer>;

const ask = apiRoute({
  method: "post",
  path: "/v1/referred-by",
  tags: ["Referrals"],
  summary: "Who referred you? A friend names their referrer, to confirm next",
  description:
    "Answers the same for a match and for none (the confirmation shows only what was typed), so it cannot list learners. " +
    "Rate limited per visitor and per workspace (`rateLimits.referredBy`, shared with the confirmation; 429 with Retry-After).",
  security: [{ publishableKey: [] }],
  middleware: [requirePublishableKey, rateLimit("referredBy")] as const,
  request: { body: { required: true, content: { "application/json": { schema: ReferredByQuestion } } } },
  responses: {
    200: { description: "The question to confirm", content: { "application/json": { schema: ReferredByAnswer } } },
    ...errorResponses(),
  },
});

export const ReferredByConfirmation = z
  .object({ clickId: z.string().openapi({ description: "Pass it to your checkout like a link's click id." }) })
  .openapi("ReferredByConfirmation");
export type ReferredByConfirmation = z.infer<typeof ReferredByConfirmation>;

const confirm = apiRoute({
  method: "post",
  path: "/v1/referred-by/confirm",
  tags: ["Referrals"],
  summary: "The friend confirms: a match becomes a referral (a click) for this browser",
  description:
    "Answers a click id for a match and for none alike; a conversion that sends it is attributed when the friend named a referrer. " +
    "The token works once, from the browser that asked, for an hour (else 404).",
  security: [{ publishableKey: [] }],
  middleware: [requirePublishableKey, rateLimit("referredBy")] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({ token: z.string().min(1).max(100), visitorId: visitorId.optional() }).strict(),
        },
      },
    },
  },
  responses: {
    200: { description: "Confirmed", content: { "application/json": { schema: ReferredByConfirmation } } },
    ...errorResponses(404),
  },
});

export const referredByRoutes = createRouter()
  .openapi(ask, async (c) => {
    const answer = await askReferredBy(workspaceContext(c), { question: c.req.valid("json"), visitor: c.var.visitor });
    return c.json(answer, 200);
  })
  .openapi(confirm, async (c) => {
    const { token, visitorId: id } = c.req.valid("json");
    const ctx = { ...workspaceContext(c), ...linkContext(c) };
    return c.json(await confirmReferredBy(ctx, { token, visitor: c.var.visitor, visitorId: id }), 200);
  });
