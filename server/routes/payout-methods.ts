/**
 * The referrer's side of rewards that arrive (issue 18), for `<chorus-referral-card>` (its lazy
 * earnings panel) with the publishable key and learner token: their earnings with the reason each
 * waits, and their payout method (stored sealed, answered masked). The hosted page has its own forms.
 */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireLearnerToken, requirePublishableKey } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { upsertLearner } from "../services/learners.ts";
import { learnerEarnings } from "../services/payout-earnings.ts";
import { deletePayoutMethod, payoutMethodKinds, setOwnPayoutMethod } from "../services/payout-methods.ts";
import { workspaceContext } from "./context.ts";

export const PayoutMethod = z
  .object({ kind: z.enum(payoutMethodKinds), masked: z.string(), updatedAt: z.string() })
  .openapi("PayoutMethod");

export const Earnings = z
  .object({
    totals: z.array(z.object({ currency: z.string(), pending: z.number(), approved: z.number(), paid: z.number() })),
    items: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        amount: z.number().nullable(),
        currency: z.string().nullable(),
        percent: z.number().nullable(),
        status: z.enum(["pending", "approved", "paid", "void"]),
        reason: z
          .object({
            code: z.string(),
            until: z.string().optional(),
            rules: z.array(z.string()).optional(),
            minimum: z.number().optional(),
          })
          .openapi({ description: "Why it is where it is; the card puts the code into words." }),
        code: z.string().nullable().openapi({ description: "A coupon reward's code for the next course." }),
        createdAt: z.string(),
      }),
    ),
    payoutMethod: PayoutMethod.nullable(),
    paysCash: z.boolean(),
  })
  .openapi("Earnings");
export type Earnings = z.infer<typeof Earnings>;

const security = [{ publishableKey: [], learnerToken: [] }];

const earnings = apiRoute({
  method: "get",
  path: "/v1/referrals/me/earnings",
  tags: ["Referrals"],
  summary: "The learner's earnings: pending, approved and paid, with the reason each waits",
  security,
  middleware: [requirePublishableKey, rateLimit("referrals"), requireLearnerToken] as const,
  responses: { 200: { description: "The earnings", content: { "application/json": { schema: Earnings } } } },
});

const putMethod = apiRoute({
  method: "put",
  path: "/v1/referrals/me/payout-method",
  tags: ["Referrals"],
  summary: "Add or replace where cash rewards are paid (PayPal email, UPI ID, bank reference)",
  description: "Stored encrypted; answered masked. Invalid details: 400 naming `details`.",
  security,
  middleware: [requirePublishableKey, rateLimit("referrals"), requireLearnerToken] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({ kind: z.enum(payoutMethodKinds), details: z.string().max(300) }).strict(),
        },
      },
    },
  },
  responses: {
    200: { description: "The method, masked", content: { "application/json": { schema: PayoutMethod } } },
    ...errorResponses(400),
  },
});

const deleteMethod = apiRoute({
  method: "delete",
  path: "/v1/referrals/me/payout-method",
  tags: ["Referrals"],
  summary: "Remove the payout method",
  security,
  middleware: [requirePublishableKey, rateLimit("referrals"), requireLearnerToken] as const,
  responses: { 204: { description: "Removed" } },
});

export const payoutMethodRoutes = createRouter()
  .openapi(earnings, async (c) => {
    const ctx = workspaceContext(c);
    const learner = await upsertLearner(ctx, c.var.learner);
    return c.json(await learnerEarnings(ctx, { learnerId: learner.id }), 200);
  })
  .openapi(putMethod, async (c) => {
    const input = { claims: c.var.learner, ...c.req.valid("json") };
    return c.json(await setOwnPayoutMethod(workspaceContext(c), input), 200);
  })
  .openapi(deleteMethod, async (c) => {
    const ctx = workspaceContext(c);
    const learner = await upsertLearner(ctx, c.var.learner);
    await deletePayoutMethod(ctx, { learnerId: learner.id });
    return c.body(null, 204);
  });
