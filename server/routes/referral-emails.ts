/**
 * `POST /v1/clicks/{id}/email`: the referral banner's "email me my offer" form sends the friend's
 * email, tied to the click they arrived by, so a platform checkout that keeps no referral (but
 * reports the buyer's email) is still attributed. See server/services/referral-emails.ts.
 */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requirePublishableKey } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { rememberFriendEmail } from "../services/referral-emails.ts";
import { workspaceContext } from "./context.ts";

const rememberEmail = apiRoute({
  method: "post",
  path: "/v1/clicks/{id}/email",
  tags: ["Referrals"],
  summary: "The referred friend's email, matched to their click when a platform reports their purchase",
  description:
    "Only from the click's own browser, once per click; stored as a salted hash. A conversion that sends no click id or code is attributed to this click when its customer email matches. Rate limited like clicks.",
  security: [{ publishableKey: [] }],
  middleware: [requirePublishableKey, rateLimit("clicks")] as const,
  request: {
    params: z.object({ id: z.string().min(1).max(64) }),
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ email: z.email().max(320) }).strict() } },
    },
  },
  responses: { 204: { description: "Remembered (or already given for this click)" }, ...errorResponses(404) },
});

export const referralEmailRoutes = createRouter().openapi(rememberEmail, async (c) => {
  await rememberFriendEmail(workspaceContext(c), {
    clickId: c.req.valid("param").id,
    email: c.req.valid("json").email,
    visitor: c.var.visitor,
  });
  return c.body(null, 204);
});
