/**
 * Stripe webhooks: `POST /v1/integrations/stripe?workspace=WORKSPACE_ID`. The path names no
 * workspace (it is fixed), so the query does; the workspace's `settings.stripe.webhookSecret`
 * (the endpoint's `whsec_…`) proves the request came from Stripe for that workspace.
 */
import { z } from "@hono/zod-openapi";
import { ApiError, errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { validationDetails } from "../lib/validation.ts";
import { recordConversion } from "../services/conversions.ts";
import { stripeEventToConversion, verifyStripeSignature } from "../services/stripe.ts";
import { getWorkspace } from "../services/workspaces.ts";
import { ConversionInput } from "./conversion-schemas.ts";

const Received = z
  .object({
    received: z.literal(true),
    ignored: z.string().optional(),
    conversion: z
      .object({ id: z.string(), externalId: z.string(), status: z.string(), replay: z.boolean() })
      .optional(),
  })
  .openapi("StripeReceipt");

const stripeWebhook = apiRoute({
  method: "post",
  path: "/v1/integrations/stripe",
  tags: ["Integrations"],
  summary: "Stripe webhook endpoint (checkout.session.completed, charge.refunded)",
  description:
    "Set `stripe.webhookSecret` in the program settings, then add this URL with `?workspace=YOUR_WORKSPACE_ID` in Stripe. `client_reference_id` of the checkout session carries the Chorus click id (`clk_…`) or referral code.",
  request: {
    query: z.object({ workspace: z.string().min(1).max(64) }),
    headers: z.object({ "stripe-signature": z.string().max(2000).optional() }),
    body: { required: true, content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } },
  },
  responses: {
    200: {
      description: "Received (and recorded, or deliberately ignored)",
      content: { "application/json": { schema: Received } },
    },
    ...errorResponses(401, 404, 409),
  },
});

export const stripeRoutes = createRouter().openapi(stripeWebhook, async (c) => {
  const { db, clock, config } = c.var.deps;
  const now = clock.now();
  const workspace = await getWorkspace({ db }, { id: c.req.valid("query").workspace });
  if (!workspace?.settings.stripe) throw new ApiError("not_found", "No workspace with a Stripe integration here");
  // The signature covers the exact bytes Stripe sent (the JSON body middleware kept them).
  const raw = await c.req.text();
  const verified = await verifyStripeSignature(
    c.req.header("Stripe-Signature"),
    raw,
    workspace.settings.stripe.webhookSecret,
    now,
  );
  if (!verified.ok) throw new ApiError("unauthorized", `Stripe signature rejected: ${verified.reason}`);

  const outcome = await stripeEventToConversion(db, workspace, c.req.valid("json"));
  if (outcome.kind === "invalid") throw new ApiError("invalid_request", `Unusable Stripe event: ${outcome.reason}`);
  if (outcome.kind === "ignored") return c.json({ received: true as const, ignored: outcome.reason }, 200);
  const input = ConversionInput.safeParse(outcome.input);
  if (!input.success)
    throw new ApiError(
      "invalid_request",
      "The Stripe event does not make a valid conversion",
      validationDetails(input.error),
    );
  const result = await recordConversion(db, config.secret, workspace, input.data, now);
  const { conversion, attribution } = result.body;
  return c.json(
    {
      received: true as const,
      conversion: {
        id: conversion.id,
        externalId: conversion.externalId,
        status: attribution.status,
        replay: !result.created,
      },
    },
    200,
  );
});
