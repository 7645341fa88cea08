/**
 * Stripe webhooks: `POST /v1/integrations/stripe?workspace=WORKSPACE_ID`. The path names no
 * workspace (it is fixed), so the query does; the workspace's `settings.stripe.webhookSecret`
 * (the endpoint's `whsec_…`) proves the request came from Stripe for that workspace.
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
  summary: "Stripe webhook endpoint (checkout sessions, invoice.paid, charge.refunded)",
  description:
    "Set `stripe.webhookSecret` in the program settings, then add this URL with `?workspace=YOUR_WORKSPACE_ID` in Stripe for `checkout.session.completed`, `checkout.session.async_payment_succeeded`, `checkout.session.async_payment_failed`, `invoice.paid`, `invoice_payment.paid` and `charge.refunded`. `client_reference_id` of the checkout session carries the Chorus click id (`clk_…`) or referral code; without a referral code there, a promotion code in the session's `discounts` that is a referrer's friend coupon attributes the session to them; `metadata.chorus_course` names the course (else `stripe.courses` maps a payment link `plink_…`, price `price_…` or product `prod_…` to a course slug). An unpaid session waits for `async_payment_succeeded`; each `charge.refunded` records the newly refunded part of `amount_refunded`, and rewards are voided when the refunds cover the payment; `stripe.invoicePayments` (`\"first\"` or `{ upTo: N }`) decides which later subscription payments count.",
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

/** A conversion built from a Stripe event must pass the same schema as one posted to us. */
const checkConversion: ConversionCheck = (body) => {
  const parsed = ConversionInput.safeParse(body);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, details: validationDetails(parsed.error) };
};

export const stripeRoutes = createRouter().openapi(stripeWebhook, async (c) => {
  // Loaded by the first Stripe event, not at start-up (worker.build.ts: a cold start does not parse it).
  const { receiveStripeEvent } = await import("../services/stripe.ts");
  const receipt = await receiveStripeEvent(
    { ...serviceContext(c), checkConversion },
    {
      workspaceId: c.req.valid("query").workspace,
      signature: c.req.header("Stripe-Signature"),
      // The signature covers the exact bytes Stripe sent (the JSON body middleware kept them).
      rawBody: await c.req.text(),
      payload: c.req.valid("json"),
    },
  );
  if ("ignored" in receipt) return c.json({ received: true as const, ignored: receipt.ignored }, 200);
  const { created, body } = receipt.recorded;
  return c.json(
    {
      received: true as const,
      conversion: {
        id: body.conversion.id,
        externalId: body.conversion.externalId,
        status: body.attribution.status,
        replay: !created,
      },
    },
    200,
  );
});
