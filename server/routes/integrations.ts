/**
 * Course platforms' webhooks: `POST /v1/integrations/{platform}/{id}?token=…` where `platform` is
 * `teachable`, `thinkific`, `kajabi` or `custom` and `id` the connector (made in the dashboard or
 * with `POST /v1/admin/integrations`). The token proves the sender knows the URL; Thinkific's
 * HMAC, and a custom sender's when configured, prove the body too. The work is in
 * server/services/integrations/receive.ts.
 */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { validationDetails } from "../lib/validation.ts";
import type { ConversionCheck } from "../services/stripe.ts";
import { serviceContext } from "./context.ts";
import { ConversionInput } from "./conversion-schemas.ts";

const Received = z
  .object({
    received: z.literal(true),
    outcome: z.enum(["recorded", "replay", "ignored", "pending"]).openapi({
      description: "`pending`: a refund or completion that came before its sale; it is recorded when the sale arrives",
    }),
    detail: z.string(),
    conversion: z.object({ id: z.string(), externalId: z.string(), status: z.string() }).optional(),
  })
  .openapi("IntegrationReceipt");

const receive = apiRoute({
  method: "post",
  path: "/v1/integrations/{platform}/{id}",
  tags: ["Integrations"],
  summary: "A course platform's webhook (Teachable, Thinkific, Kajabi) or a mapped custom webhook",
  description:
    "Teachable: `Sale.created`, `Enrollment.completed`, `Transaction.refunded`, `User.created`. Thinkific: `order.created`, `enrollment.completed`, `order_transaction.refunded`, `user.signup`, signed with `X-Thinkific-Hmac-Sha256`. Kajabi: the `purchase` webhook. Custom: any JSON, read through the connector's mapping. Other events are acknowledged (200) and ignored. A refund or completion that arrives before its sale waits and is recorded when the sale comes.",
  request: {
    params: z.object({
      platform: z.enum(["teachable", "thinkific", "kajabi", "custom"]),
      id: z.string().min(1).max(64),
    }),
    query: z.object({ token: z.string().max(200).optional() }),
    body: {
      required: true,
      content: {
        "application/json": { schema: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]) },
      },
    },
  },
  responses: {
    200: {
      description: "Received: recorded, a replay, ignored, or waiting for its sale",
      content: { "application/json": { schema: Received } },
    },
    ...errorResponses(401, 404, 409),
  },
});

/** A conversion a connector builds must pass the same schema as one posted to us. */
const checkConversion: ConversionCheck = (body) => {
  const parsed = ConversionInput.safeParse(body);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, details: validationDetails(parsed.error) };
};

export const integrationRoutes = createRouter().openapi(receive, async (c) => {
  const { platform, id } = c.req.valid("param");
  // Loaded by the first integration event, not at start-up (worker.build.ts: a cold start does not parse it).
  const { receiveIntegrationEvent } = await import("../services/integrations/receive.ts");
  const receipt = await receiveIntegrationEvent(
    { ...serviceContext(c), checkConversion },
    {
      platform,
      connectorId: id,
      token: c.req.valid("query").token,
      header: (name) => c.req.header(name),
      // Signatures cover the exact bytes sent (the JSON body middleware kept them).
      rawBody: await c.req.text(),
      payload: c.req.valid("json"),
    },
  );
  return c.json({ received: true as const, ...receipt }, 200);
});

export { checkConversion };
