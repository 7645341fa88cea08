/**
 * Stripe as a conversion source. Stripe signs each webhook with the endpoint's secret:
 * `Stripe-Signature: t=UNIX,v1=HEX(HMAC-SHA256(secret, t + "." + rawBody))`. A paid checkout
 * (`checkout.session.completed` with the money there, or `checkout.session.async_payment_succeeded`
 * for delayed methods; `client_reference_id` carries a Chorus click id or code) becomes a
 * conversion; renewals and instalments (`invoice.paid`) count as the program says; `charge.refunded`
 * becomes a refund of what was newly refunded. Conversion ids derive from Stripe's ids, so a
 * redelivered event replays instead of counting twice.
 */

import { and, eq, inArray, like, sql, sum } from "drizzle-orm";
import { z } from "zod";
import { conversions, stripePayments } from "../../db/schema.ts";
import { hmacSha256Hex, timingSafeEqual } from "../lib/crypto.ts";
import { courseSlug } from "../lib/fields.ts";
import { fixedClock } from "./clock.ts";
import type { ConversionInput } from "./conversion-input.ts";
import { type RecordedConversion, recordConversion } from "./conversions.ts";
import { DomainError } from "./errors.ts";
import { couponByPromotionCode } from "./friend-coupons.ts";
import { emailHash } from "./learners.ts";
import { rememberStripeCustomer } from "./stripe-customers.ts";
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
  mode: z.string().nullish(),
  payment_status: z.string().nullish(),
  invoice: z.string().nullish(),
  subscription: z.string().nullish(),
  payment_link: z.string().nullish(),
  line_items: z
    .object({ data: z.array(z.object({ price: z.object({ id: z.string(), product: z.unknown() }).nullish() })) })
    .nullish(),
  client_reference_id: z.string().max(200).nullish(),
  customer: z.string().nullish(),
  customer_email: z.string().nullish(),
  customer_details: z.object({ email: z.string().nullish(), name: z.string().nullish() }).nullish(),
  amount_total: z.number().int().nullish(),
  currency: z.string().nullish(),
  payment_intent: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  /** The promotion codes applied, as ids (`promo_…`) or expanded objects with their `code`. */
  discounts: z.array(z.object({ promotion_code: z.unknown().nullish() })).nullish(),
  total_details: z
    .object({
      breakdown: z
        .object({
          discounts: z.array(z.object({ discount: z.object({ promotion_code: z.unknown().nullish() }).nullish() })),
        })
        .nullish(),
    })
    .nullish(),
});

const Charge = z.object({
  id: z.string(),
  payment_intent: z.string().nullish(),
  /** Older API versions name the invoice a charge paid. */
  invoice: z.string().nullish(),
  amount_refunded: z.number().int().nullish(),
  currency: z.string().nullish(),
});

const Invoice = z.object({
  id: z.string(),
  customer: z.string().nullish(),
  customer_email: z.string().nullish(),
  customer_name: z.string().nullish(),
  amount_paid: z.number().int().nonnegative(),
  currency: z.string(),
  billing_reason: z.string().nullish(),
  /** Older API versions; newer ones put it under `parent.subscription_details`. */
  subscription: z.string().nullish(),
  payment_intent: z.string().nullish(),
  /** Newer API versions: the invoice's payments, when included. */
  payments: z
    .object({ data: z.array(z.object({ payment: z.object({ payment_intent: z.unknown() }).nullish() })) })
    .nullish(),
  parent: z.object({ subscription_details: z.object({ subscription: z.string().nullish() }).nullish() }).nullish(),
  lines: z
    .object({
      data: z.array(
        z.object({
          pricing: z
            .object({ price_details: z.object({ price: z.unknown(), product: z.unknown() }).nullish() })
            .nullish(),
        }),
      ),
    })
    .nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

const InvoicePayment = z.object({
  invoice: z.string(),
  payment: z.object({ payment_intent: z.unknown() }),
});

/** Stripe ids of a price or product, as a string or an expanded object. */
const stripeId = (value: unknown) =>
  typeof value === "string" ? value : typeof value === "object" && value && "id" in value ? String(value.id) : null;

/** The course: `metadata.chorus_course`, else the settings' mapping of a payment link, price or product. */
function courseOf(
  settings: NonNullable<WorkspaceContext["workspace"]["settings"]["stripe"]>,
  metadata: Record<string, string> | null | undefined,
  stripeIds: (string | null | undefined)[],
): string | undefined {
  const named = metadata?.chorus_course ?? metadata?.course;
  if (named && courseSlug.safeParse(named).success) return named;
  for (const id of stripeIds) if (id && settings.courses?.[id]) return settings.courses[id];
  return undefined;
}

/**
 * Who paid, as Chorus's customer id: Stripe's customer id, else (guest checkouts) the email,
 * which is stored only as a salted hash unless the program stores emails.
 */
function customerIdOf(ctx: WorkspaceContext & SecretContext, customer: string | null | undefined, email?: string) {
  if (customer) return customer;
  if (!email) return undefined;
  return ctx.workspace.settings.storeEmails ? email : `email:${emailHash(ctx.secret, email)}`;
}

export type StripeOutcome =
  | {
      kind: "conversion";
      input: ConversionInput;
      /** Who paid, remembered once the conversion is recorded (a refused event stores nothing). */
      payer?: { customerId: string | null | undefined; email: string | undefined };
    }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; reason: string };

/** What a verified Stripe event means for Chorus. */
export async function stripeEventToConversion(
  ctx: WorkspaceContext & SecretContext,
  input: { payload: unknown },
): Promise<StripeOutcome> {
  const { db, workspace } = ctx;
  const payload = input.payload;
  const event = StripeEvent.safeParse(payload);
  if (!event.success) return { kind: "invalid", reason: "not a Stripe event" };
  const { type, created } = event.data;
  const occurredAt = new Date(created * 1000).toISOString();

  const settings = workspace.settings.stripe!;

  if (type === "checkout.session.async_payment_failed")
    return { kind: "ignored", reason: "the delayed payment failed: no enrolment" };

  if (type === "checkout.session.completed" || type === "checkout.session.async_payment_succeeded") {
    const parsed = CheckoutSession.safeParse(event.data.data.object);
    if (!parsed.success) return { kind: "invalid", reason: "not a checkout session" };
    const session = parsed.data;
    // Delayed methods (bank debits, vouchers) complete the session before the money arrives.
    if (session.payment_status === "unpaid")
      return {
        kind: "ignored",
        reason: "payment pending: recorded when checkout.session.async_payment_succeeded arrives",
      };
    const email = session.customer_details?.email ?? session.customer_email ?? undefined;
    const validEmail = email && z.email().safeParse(email).success ? email : undefined;
    const reference = session.client_reference_id ?? undefined;
    const prices = session.line_items?.data.flatMap((item) => [item.price?.id, stripeId(item.price?.product)]) ?? [];
    const course = courseOf(settings, session.metadata, [session.payment_link, ...prices]);
    const paid = session.amount_total != null && session.currency;
    const coupon = reference && !reference.startsWith("clk_") ? undefined : await promotionCouponOf(ctx, session);
    return {
      kind: "conversion",
      // Who paid, so a credit reward can reach their Stripe balance if they refer a friend later.
      payer: { customerId: session.customer, email: validEmail },
      input: {
        // A subscription's first payment is its first invoice: `invoice.paid` for it replays this.
        id: `stripe:${session.payment_intent ?? session.invoice ?? session.id}`,
        type: settings.conversionType,
        customer: {
          id: customerIdOf(ctx, session.customer, validEmail) ?? session.id,
          ...(validEmail ? { email: validEmail } : {}),
          ...(session.customer_details?.name ? { name: session.customer_details.name.slice(0, 200) } : {}),
        },
        ...(course ? { course } : {}),
        ...(paid ? { amount: session.amount_total!, currency: session.currency!.toUpperCase() } : {}),
        ...(reference?.startsWith("clk_") ? { clickId: reference } : reference ? { code: reference } : {}),
        // The friend coupon is the evidence when no click id came (or the click id matches nothing).
        ...(coupon ? { code: coupon } : {}),
        occurredAt,
        metadata: {
          stripeCheckoutSession: session.id,
          ...(coupon ? { stripePromotionCode: coupon } : {}),
          ...(session.subscription ? { stripeSubscription: session.subscription } : {}),
        },
      },
    };
  }

  if (type === "invoice.paid") {
    const parsed = Invoice.safeParse(event.data.data.object);
    if (!parsed.success) return { kind: "invalid", reason: "not an invoice" };
    const invoice = parsed.data;
    const subscription = invoice.parent?.subscription_details?.subscription ?? invoice.subscription;
    if (!subscription) return { kind: "ignored", reason: "invoice outside a subscription" };
    const paymentIntents = [
      invoice.payment_intent,
      ...(invoice.payments?.data.map((item) => stripeId(item.payment?.payment_intent)) ?? []),
    ].filter((id): id is string => Boolean(id));
    await linkPayments(ctx, paymentIntents, `stripe:${invoice.id}`);
    if (invoice.billing_reason === "subscription_create")
      return { kind: "ignored", reason: "a subscription's first payment is recorded from its checkout session" };
    const first = await firstPaymentOf(ctx, subscription);
    if (!first) return { kind: "ignored", reason: "no Chorus conversion for this subscription" };
    const invoicePayments = settings.invoicePayments ?? "first";
    const limit = invoicePayments === "first" ? 1 : invoicePayments.upTo;
    const counted = await paymentsOf(ctx, subscription);
    if (counted >= limit)
      return { kind: "ignored", reason: `payment ${counted + 1} of the subscription: the program counts ${limit}` };
    const email = invoice.customer_email && z.email().safeParse(invoice.customer_email).success;
    const prices =
      invoice.lines?.data.flatMap((line) => [
        stripeId(line.pricing?.price_details?.price),
        stripeId(line.pricing?.price_details?.product),
      ]) ?? [];
    const course = courseOf(settings, invoice.metadata, prices) ?? (first.course || undefined);
    return {
      kind: "conversion",
      input: {
        id: `stripe:${invoice.id}`,
        type: settings.conversionType,
        // The first payment's customer: its attribution decides this one (the customer's earlier attribution).
        customer: { id: first.customerId, ...(email ? { email: invoice.customer_email! } : {}) },
        ...(course ? { course } : {}),
        amount: invoice.amount_paid,
        currency: invoice.currency.toUpperCase(),
        occurredAt,
        metadata: {
          stripeInvoice: invoice.id,
          stripeSubscription: subscription,
        },
      },
    };
  }

  // Newer API versions name an invoice's payment intent only here.
  if (type === "invoice_payment.paid") {
    const parsed = InvoicePayment.safeParse(event.data.data.object);
    if (!parsed.success) return { kind: "invalid", reason: "not an invoice payment" };
    const paymentIntent = stripeId(parsed.data.payment.payment_intent);
    if (!paymentIntent) return { kind: "ignored", reason: "invoice payment without a payment intent" };
    await linkPayments(ctx, [paymentIntent], `stripe:${parsed.data.invoice}`);
    return { kind: "ignored", reason: "payment linked to its invoice for refunds" };
  }

  if (type === "charge.refunded") {
    const parsed = Charge.safeParse(event.data.data.object);
    if (!parsed.success) return { kind: "invalid", reason: "not a charge" };
    const charge = parsed.data;
    const paidBy = [charge.payment_intent, charge.invoice].filter((id): id is string => Boolean(id));
    if (paidBy.length === 0) return { kind: "ignored", reason: "charge without a payment intent or invoice" };
    const linked = charge.payment_intent
      ? await db
          .select({ externalId: stripePayments.conversionExternalId })
          .from(stripePayments)
          .where(
            and(eq(stripePayments.workspaceId, workspace.id), eq(stripePayments.paymentIntent, charge.payment_intent)),
          )
      : [];
    const candidates = [...paidBy.map((id) => `stripe:${id}`), ...linked.map((row) => row.externalId)];
    const [original] = await db
      .select({ externalId: conversions.externalId, customerId: conversions.customerId })
      .from(conversions)
      .where(and(eq(conversions.workspaceId, workspace.id), inArray(conversions.externalId, candidates)))
      .limit(1);
    // Most refunds in a Stripe account are not referral purchases: acknowledge, change nothing.
    if (!original) return { kind: "ignored", reason: "no Chorus conversion for this payment" };
    const currency = charge.currency?.toUpperCase();
    // `amount_refunded` is the running total: the refund recorded is what is new since the last one.
    let amount: number | undefined;
    if (charge.amount_refunded != null && currency) {
      const already = await refundedOf(ctx, original.externalId, currency);
      amount = charge.amount_refunded - already;
      if (amount <= 0) return { kind: "ignored", reason: "nothing refunded beyond what Chorus recorded" };
    }
    return {
      kind: "conversion",
      input: {
        // Keyed by the running total, so a redelivery of the same refund replays.
        id: `stripe:${charge.id}:refunded:${charge.amount_refunded ?? "all"}`,
        type: "refund",
        refundOf: original.externalId,
        customer: { id: original.customerId },
        ...(amount !== undefined && currency ? { amount, currency } : {}),
        occurredAt,
        metadata: { stripeCharge: charge.id },
      },
    };
  }
  return { kind: "ignored", reason: `event type ${type} is not used by Chorus` };
}

/**
 * The friend coupon code of the first promotion code the session was paid with: one Chorus created
 * (found by its `promo_…` id), else the code itself when Stripe sent the object expanded (a pool
 * code the provider created in Stripe). Attribution then matches it like any coupon code.
 */
async function promotionCouponOf(
  ctx: WorkspaceContext,
  session: z.infer<typeof CheckoutSession>,
): Promise<string | undefined> {
  const applied = [
    ...(session.discounts ?? []).map((discount) => discount.promotion_code),
    ...(session.total_details?.breakdown?.discounts ?? []).map((item) => item.discount?.promotion_code),
  ];
  for (const promotion of applied) {
    const id = stripeId(promotion);
    const known = id?.startsWith("promo_") ? await couponByPromotionCode(ctx, id) : null;
    if (known) return known;
    const code = typeof promotion === "object" && promotion && "code" in promotion ? promotion.code : null;
    if (typeof code === "string" && /^[A-Za-z0-9_-]{3,64}$/.test(code)) return code;
  }
  return undefined;
}

/** Remembers which conversion (by invoice) each payment intent paid, so its refunds find it. */
async function linkPayments({ db, workspace }: WorkspaceContext, paymentIntents: string[], externalId: string) {
  if (paymentIntents.length === 0) return;
  await db
    .insert(stripePayments)
    .values(
      paymentIntents.map((paymentIntent) => ({
        workspaceId: workspace.id,
        paymentIntent,
        conversionExternalId: externalId,
      })),
    )
    .onConflictDoNothing();
}

/** The conversion of a subscription's first payment (from its checkout session). */
async function firstPaymentOf({ db, workspace }: WorkspaceContext, subscription: string) {
  const [row] = await db
    .select({ customerId: conversions.customerId, course: conversions.course })
    .from(conversions)
    .where(
      and(
        eq(conversions.workspaceId, workspace.id),
        sql`json_extract(${conversions.response}, '$.conversion.metadata.stripeSubscription') = ${subscription}`,
        sql`json_extract(${conversions.response}, '$.conversion.metadata.stripeCheckoutSession') is not null`,
      ),
    )
    .limit(1);
  return row;
}

/** How many of a subscription's payments Chorus has recorded (its first included). */
async function paymentsOf({ db, workspace }: WorkspaceContext, subscription: string): Promise<number> {
  const rows = await db
    .select({ id: conversions.id })
    .from(conversions)
    .where(
      and(
        eq(conversions.workspaceId, workspace.id),
        like(conversions.externalId, "stripe:%"),
        sql`json_extract(${conversions.response}, '$.conversion.metadata.stripeSubscription') = ${subscription}`,
      ),
    );
  return rows.length;
}

/** What Chorus has recorded as refunded of a conversion, in its currency. */
async function refundedOf({ db, workspace }: WorkspaceContext, externalId: string, currency: string) {
  const [row] = await db
    .select({ total: sum(conversions.amount) })
    .from(conversions)
    .where(
      and(
        eq(conversions.workspaceId, workspace.id),
        eq(conversions.refundOf, externalId),
        eq(conversions.type, "refund"),
        eq(conversions.currency, currency),
      ),
    );
  return Number(row?.total ?? 0);
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
  const recorded = await recordConversion(inWorkspace, checked.value);
  if (outcome.payer) await rememberStripeCustomer(inWorkspace, outcome.payer);
  return { recorded };
}
