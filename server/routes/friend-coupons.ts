/**
 * Friend coupon codes, the provider's side (README "Friend offers"): the pool and Stripe state
 * (`GET /v1/admin/friend-coupons`), uploading pool codes, retrying codes Stripe refused, and the
 * workspace's Stripe API key (stored encrypted, never answered back). The rules are in
 * services/friend-coupons.ts and services/stripe-coupons.ts.
 */
import { z } from "@hono/zod-openapi";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { couponOverview, importCouponPool } from "../services/friend-coupons.ts";
import { deleteStripeApiKey, retryFailedPromotionCodes, setStripeApiKey } from "../services/stripe-coupons.ts";
import { workspaceContext } from "./context.ts";

export const FriendCouponOverview = z
  .object({
    source: z.enum(["generated", "pool"]),
    checkout: z.enum(["stripe", "teachable", "thinkific"]).nullable(),
    pool: z.object({ available: z.number(), claimed: z.number(), lowAt: z.number(), low: z.boolean() }),
    stripe: z.object({
      connected: z.boolean(),
      pending: z.number(),
      created: z.number(),
      failed: z.number(),
      failures: z.array(z.object({ code: z.string(), error: z.string(), attempts: z.number() })),
    }),
  })
  .openapi("FriendCouponOverview");
export type FriendCouponOverview = z.infer<typeof FriendCouponOverview>;

const PoolImport = z
  .object({
    added: z.number(),
    duplicates: z.number(),
    invalid: z.array(z.object({ line: z.number(), value: z.string() })),
  })
  .openapi("CouponPoolImport");

const StripeKey = z.object({ connected: z.boolean(), hint: z.string().nullable() }).openapi("StripeApiKey");

const overview = apiRoute({
  method: "get",
  path: "/v1/admin/friend-coupons",
  tags: ["Program"],
  summary: "Friend coupon codes: pool left (and whether it is low), Stripe creations pending or failed",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: {
    200: { description: "The state", content: { "application/json": { schema: FriendCouponOverview } } },
  },
});

const importPool = apiRoute({
  method: "post",
  path: "/v1/admin/friend-coupons/pool",
  tags: ["Program"],
  summary: "Add codes to the pool (CSV: one code per line, or the first column)",
  description:
    'For `friendCoupons.source: "pool"`: codes you created on your platform. Each referral draws one. ' +
    "Codes already in the workspace (whatever their case) are counted as duplicates; invalid lines are " +
    "listed (the first 20). An upload is limited by the body size (BODY_LIMIT_BYTES): send large pools in parts.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ csv: z.string().min(1).max(10_000_000) }).strict() } },
    },
  },
  responses: { 200: { description: "Imported", content: { "application/json": { schema: PoolImport } } } },
});

const retry = apiRoute({
  method: "post",
  path: "/v1/admin/friend-coupons/retry",
  tags: ["Program"],
  summary: "Try again to create the codes Stripe refused",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: {
    200: {
      description: "Queued again",
      content: { "application/json": { schema: z.object({ requeued: z.number() }) } },
    },
  },
});

const putKey = apiRoute({
  method: "put",
  path: "/v1/admin/stripe/api-key",
  tags: ["Integrations"],
  summary: "Set the Stripe API key Chorus creates promotion codes with",
  description:
    "A secret (`sk_…`) or restricted key (`rk_…`, with write access to Coupons and Promotion codes). Stored " +
    "encrypted with a key derived from CHORUS_SECRET; the answer shows only a hint.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ apiKey: z.string().min(1).max(300) }).strict() } },
    },
  },
  responses: { 200: { description: "Stored", content: { "application/json": { schema: StripeKey } } } },
});

const deleteKey = apiRoute({
  method: "delete",
  path: "/v1/admin/stripe/api-key",
  tags: ["Integrations"],
  summary: "Forget the Stripe API key",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: { 200: { description: "Forgotten", content: { "application/json": { schema: StripeKey } } } },
});

export const friendCouponRoutes = createRouter()
  .openapi(overview, async (c) => c.json(await couponOverview(workspaceContext(c)), 200))
  .openapi(importPool, async (c) => c.json(await importCouponPool(workspaceContext(c), c.req.valid("json")), 200))
  .openapi(retry, async (c) => c.json(await retryFailedPromotionCodes(workspaceContext(c)), 200))
  .openapi(putKey, async (c) => c.json(await setStripeApiKey(workspaceContext(c), c.req.valid("json")), 200))
  .openapi(deleteKey, async (c) => c.json(await deleteStripeApiKey(workspaceContext(c)), 200));
