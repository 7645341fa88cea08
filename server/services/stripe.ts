/**
 * Stripe as a conversion source. Stripe signs each webhook with the endpoint's secret:
 * `Stripe-Signature: t=UNIX,v1=HEX(HMAC-SHA256(secret, t + "." + rawBody))`. A paid checkout
 * (`checkout.session.completed`, whose `client_reference_id` carries a Chorus click id or code)
 * becomes a conversion; `charge.refunded` becomes a refund of it. Conversion ids derive from
 * Stripe's ids, so a redelivered event replays instead of counting twice.
 */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { conversions } from "../../db/schema.ts";
import { hmacSha256Hex, timingSafeEqual } from "../lib/crypto.ts";
import { courseSlug } from "../lib/fields.ts";
import { fixedClock } from "./clock.ts";
import type { ConversionInput } from "./conversion-input.ts";
import { type RecordedConversion, recordConversion } from "./conversions.ts";
import { DomainError } from "./errors.ts";
import type { SecretContext, ServiceContext, WorkspaceContext } from "./types.ts";
import { getWorkspace } from "./workspaces.ts";

/** Stripe's own default tolerance: older signatures may be replays. */
export const stripeToleranceSeconds = 300;

async function verifyStripeSignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  now: Date,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!header) return { ok: false, reason: "missing Stripe-Signature header" };
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === "v1" && value) signatures.push(value);
  }
  if (timestamp === null || signatures.length === 0) return { ok: false, reason: "malformed Stripe-Signature header" };
  if (Math.abs(now.getTime() / 1000 - timestamp) > stripeToleranceSeconds)
    return { ok: false, reason: "signature timestamp outside the 5-minute tolerance" };
  const expected = await hmacSha256Hex(secret, `${timestamp}.${rawBody}`);
  if (!signatures.some((signature) => timingSafeEqual(signature, expected)))
    return { ok: false, reason: "no signature matches the endpoint secret" };
  return { ok: true };
}

const StripeEvent = z.object({
  id: z.string().min(1).max(255),
  type: z.string().max(255),
  // Unix seconds up to 9999-12-31T23:59:59Z: later ones are not dates (toISOString would throw).
  created: z.number().int().positive().max(253_402_300_799),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const CheckoutSession = z.object({
  id: z.string(),
  client_reference_id: z.string().max(200).nullish(),
  customer: z.string().nullish(),
  customer_email: z.string().nullish(),
  customer_details: z.object({ email: z.string().nullish(), name: z.string().nullish() }).nullish(),
  amount_total: z.number().int().nullish(),
  currency: z.string().nullish(),
  payment_intent: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

const Charge = z.object({
  id: z.string(),
  payment_intent: z.string().nullish(),
  amount_refunded: z.number().int().nullish(),
  currency: z.string().nullish(),
});

export type StripeOutcome =
  | { kind: "conversion"; input: ConversionInput }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; reason: string };

/** What a verified Stripe event means for Chorus. */
export async function stripeEventToConversion(
  ctx: WorkspaceContext,
  input: { payload: unknown },
): Promise<StripeOutcome> {
  const { db, workspace } = ctx;
  const payload = input.payload;
  const event = StripeEvent.safeParse(payload);
  if (!event.success) return { kind: "invalid", reason: "not a Stripe event" };
  const { id: eventId, type, created } = event.data;
  const occurredAt = new Date(created * 1000).toISOString();

  if (type === "checkout.session.completed") {
    const parsed = CheckoutSession.safeParse(event.data.data.object);
    if (!parsed.success) return { kind: "invalid", reason: "not a checkout session" };
    const session = parsed.data;
    const email = session.customer_details?.email ?? session.customer_email ?? undefined;
    const reference = session.client_reference_id ?? undefined;
    const course = session.metadata?.chorus_course ?? session.metadata?.course;
    const paid = session.amount_total != null && session.currency;
    return {
      kind: "conversion",
      input: {
        id: `stripe:${session.payment_intent ?? session.id}`,
        type: workspace.settings.stripe?.conversionType ?? "enrollment",
        customer: {
          id: session.customer ?? email ?? session.id,
          ...(email && z.email().safeParse(email).success ? { email } : {}),
          ...(session.customer_details?.name ? { name: session.customer_details.name.slice(0, 200) } : {}),
        },
        ...(course && courseSlug.safeParse(course).success ? { course } : {}),
        ...(paid ? { amount: session.amount_total!, currency: session.currency!.toUpperCase() } : {}),
        ...(reference?.startsWith("clk_") ? { clickId: reference } : reference ? { code: reference } : {}),
        occurredAt,
        metadata: { stripeEventId: eventId, stripeCheckoutSession: session.id },
      },
    };
  }

  if (type === "charge.refunded") {
    const parsed = Charge.safeParse(event.data.data.object);
    if (!parsed.success) return { kind: "invalid", reason: "not a charge" };
    const charge = parsed.data;
    if (!charge.payment_intent) return { kind: "ignored", reason: "charge without a payment intent" };
    const [original] = await db
      .select({ externalId: conversions.externalId, customerId: conversions.customerId })
      .from(conversions)
      .where(
        and(eq(conversions.workspaceId, workspace.id), eq(conversions.externalId, `stripe:${charge.payment_intent}`)),
      );
    // Most refunds in a Stripe account are not referral purchases: acknowledge, change nothing.
    if (!original) return { kind: "ignored", reason: "no Chorus conversion for this payment" };
    return {
      kind: "conversion",
      input: {
        id: `stripe:${eventId}`,
        type: "refund",
        refundOf: original.externalId,
        customer: { id: original.customerId },
        ...(charge.amount_refunded != null && charge.currency
          ? { amount: charge.amount_refunded, currency: charge.currency.toUpperCase() }
          : {}),
        occurredAt,
        metadata: { stripeEventId: eventId, stripeCharge: charge.id },
      },
    };
  }
  return { kind: "ignored", reason: `event type ${type} is not used by Chorus` };
}

/**
 * Checks a conversion built from a Stripe event against the edge's schema of `POST
 * /v1/conversions` (the routes hold it): its value, or the problems as `{ path, message }`.
 */
export type ConversionCheck = (
  body: ConversionInput,
) => { ok: true; value: ConversionInput } | { ok: false; details: unknown };

/** The Stripe webhook's dependencies: the conversion schema comes from the edge. */
export type StripeContext = ServiceContext & SecretContext & { checkConversion: ConversionCheck };

export type StripeDelivery = {
  /** The workspace named by the endpoint URL's query. */
  workspaceId: string;
  /** The `Stripe-Signature` header, if sent. */
  signature: string | undefined;
  /** The exact bytes Stripe sent: the signature covers them. */
  rawBody: string;
  /** The same body, parsed. */
  payload: unknown;
};

export type StripeReceipt = { ignored: string } | { recorded: RecordedConversion };

/**
 * One Stripe webhook delivery: the workspace must have a Stripe integration and the signature
 * must match its endpoint secret; then the event is recorded as a conversion or refund (a
 * redelivery replays), or deliberately ignored.
 */
export async function receiveStripeEvent(ctx: StripeContext, input: StripeDelivery): Promise<StripeReceipt> {
  const { db, clock, secret, checkConversion } = ctx;
  const now = clock.now();
  const workspace = await getWorkspace({ db }, { id: input.workspaceId });
  if (!workspace?.settings.stripe) throw new DomainError("not_found", "No workspace with a Stripe integration here");
  const verified = await verifyStripeSignature(
    input.signature,
    input.rawBody,
    workspace.settings.stripe.webhookSecret,
    now,
  );
  if (!verified.ok) throw new DomainError("unauthorized", `Stripe signature rejected: ${verified.reason}`);

  // The whole delivery is judged at the instant it arrived.
  const inWorkspace = { db, workspace, secret, clock: fixedClock(now) };
  const outcome = await stripeEventToConversion(inWorkspace, { payload: input.payload });
  if (outcome.kind === "invalid") throw new DomainError("invalid_request", `Unusable Stripe event: ${outcome.reason}`);
  if (outcome.kind === "ignored") return { ignored: outcome.reason };
  const checked = checkConversion(outcome.input);
  if (!checked.ok)
    throw new DomainError("invalid_request", "The Stripe event does not make a valid conversion", checked.details);
  return { recorded: await recordConversion(inWorkspace, checked.value) };
}
