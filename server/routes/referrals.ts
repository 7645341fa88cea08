/** The learner's own referral, for `<chorus-referral-card>`. */
import { z } from "@hono/zod-openapi";
import { FriendOffer } from "../../db/program-settings.ts";
import { errorResponses } from "../errors.ts";
import { courseSlug, visitorId } from "../lib/fields.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { publicBase } from "../lib/urls.ts";
import { requireLearnerToken, requirePublishableKey } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { myReferral } from "../services/referral-card.ts";
import { workspaceContext } from "./context.ts";

export const Referral = z
  .object({
    code: z.string(),
    link: z.url(),
    shareLinks: z.record(z.string(), z.string()),
    /** The text shared before the link, in the card's language; it names the friend coupon code when there is one. */
    shareText: z.string(),
    stats: z.object({ clicks: z.number(), signups: z.number(), enrollments: z.number(), completions: z.number() }),
    rewards: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        amount: z.number().nullable(),
        currency: z.string().nullable(),
        status: z.string(),
        createdAt: z.string(),
      }),
    ),
    offer: z.union([FriendOffer, z.null()]),
    /** The friend coupon code the friend types at checkout (README "Friend offers"); null without one. */
    coupon: z.union([z.object({ code: z.string(), expiresAt: z.string().nullable() }), z.null()]),
    /** What the referrer earns per qualifying friend, and when. */
    reward: z.union([
      z.object({ type: z.string(), amount: z.number(), currency: z.string(), trigger: z.string() }),
      z.null(),
    ]),
  })
  .openapi("Referral");
export type Referral = z.infer<typeof Referral>;

const me = apiRoute({
  method: "post",
  path: "/v1/referrals/me",
  tags: ["Referrals"],
  summary: "The learner's referral code, share links, stats and rewards",
  description:
    "Creates the learner's code on the first call. With `course`, the code links to that course. " +
    "Rate limited per visitor and per workspace (`rateLimits.referrals`; 429 with Retry-After).",
  security: [{ publishableKey: [], learnerToken: [] }],
  middleware: [requirePublishableKey, rateLimit("referrals"), requireLearnerToken] as const,
  request: {
    body: {
      required: false,
      content: {
        "application/json": {
          schema: z
            .object({
              course: courseSlug.optional(),
              /** The loader's first-party visitor id: a friend's click from this browser is a self-referral. */
              visitorId: visitorId.optional(),
              /** The card's language: the share texts friends receive are written in it. */
              lang: z.enum(["en", "hi"]).optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    200: { description: "The referral", content: { "application/json": { schema: Referral } } },
    ...errorResponses(409),
  },
});

export const referralRoutes = createRouter().openapi(me, async (c) => {
  const body = c.req.valid("json");
  const referral = await myReferral(
    { ...workspaceContext(c), stripeApi: c.var.deps.stripeApi },
    {
      ...body,
      claims: c.var.learner,
      visitor: c.var.visitor,
      publicBase: publicBase(c),
    },
  );
  return c.json(referral, 200);
});
