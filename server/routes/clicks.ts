/**
 * The loader's side of a landing: `POST /v1/clicks` records a visit that arrived with `?via=CODE`
 * but no click id (the link was rewritten, or the redirect was skipped), and
 * `GET /v1/referrals/{code}` tells a landing page who invited the visitor and what the offer is.
 */
import { z } from "@hono/zod-openapi";
import { FriendOffer } from "../../db/program-settings.ts";
import { errorResponses } from "../errors.ts";
import { visitorId } from "../lib/fields.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requirePublishableKey } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { clickChannels } from "../services/clicks.ts";
import { referralInfo as describeReferral, recordLanding } from "../services/links.ts";
import { workspaceContext } from "./context.ts";
import { linkContext } from "./redirect.ts";

const Offer = z.union([FriendOffer, z.null()]);
const Referrer = z.object({ name: z.string().nullable() });
const Attribution = z.object({ windowDays: z.number(), model: z.enum(["last-click", "first-click"]) });
const codeParam = z.string().min(1).max(64);
/** The referrer's friend coupon code, to type at checkout (README "Friend offers"); null without one. */
const Coupon = z.string().nullable();

export const ReferralInfo = z
  .object({ code: z.string(), referrer: Referrer, offer: Offer, coupon: Coupon, attribution: Attribution })
  .openapi("ReferralInfo");
export type ReferralInfo = z.infer<typeof ReferralInfo>;

const ClickBody = z
  .object({
    code: codeParam,
    channel: z.enum(clickChannels).optional(),
    storyId: z
      .string()
      .regex(/^sty_[A-Za-z0-9]{16}$/)
      .optional(),
    visitorId: visitorId.optional(),
  })
  .strict()
  .openapi("ClickInput");

export const ClickAnswer = z
  .object({
    clickId: z.string().nullable(),
    referrer: Referrer,
    offer: Offer,
    coupon: Coupon,
    attribution: Attribution,
  })
  .openapi("Click");
export type ClickAnswer = z.infer<typeof ClickAnswer>;

const recordClick = apiRoute({
  method: "post",
  path: "/v1/clicks",
  tags: ["Referrals"],
  summary: "Record a landing that arrived with ?via=CODE but without a click id",
  description:
    "Repeats by the same visitor within an hour return the first click id. Bots get `clickId: null`. " +
    "Rate limited per visitor and per workspace (`rateLimits.clicks`, shared with `GET /r/{code}`; 429 with Retry-After).",
  security: [{ publishableKey: [] }],
  middleware: [requirePublishableKey, rateLimit("clicks")] as const,
  request: { body: { required: true, content: { "application/json": { schema: ClickBody } } } },
  responses: {
    200: {
      description: "A repeat visit, or a bot (not counted)",
      content: { "application/json": { schema: ClickAnswer } },
    },
    201: { description: "A new click", content: { "application/json": { schema: ClickAnswer } } },
    ...errorResponses(404),
  },
});

const referralInfo = apiRoute({
  method: "get",
  path: "/v1/referrals/{code}",
  tags: ["Referrals"],
  summary: "Who invited the visitor, and the friend's offer",
  description: "Rate limited per visitor and per workspace (`rateLimits.referrals`; 429 with Retry-After).",
  security: [{ publishableKey: [] }],
  middleware: [requirePublishableKey, rateLimit("referrals")] as const,
  request: { params: z.object({ code: codeParam }) },
  responses: {
    200: { description: "The referral", content: { "application/json": { schema: ReferralInfo } } },
    ...errorResponses(404),
  },
});

export const clickRoutes = createRouter()
  .openapi(recordClick, async (c) => {
    const ctx = { ...workspaceContext(c), ...linkContext(c) };
    const { answer, created } = await recordLanding(ctx, { ...c.req.valid("json"), visitor: c.var.visitor });
    return c.json(answer, created ? 201 : 200);
  })
  .openapi(referralInfo, async (c) => {
    const ctx = { ...workspaceContext(c), ...linkContext(c) };
    return c.json(await describeReferral(ctx, { code: c.req.valid("param").code }), 200);
  });
