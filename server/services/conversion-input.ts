/**
 * A conversion as the provider reports it (`POST /v1/conversions`, or built from a Stripe event):
 * plain values, already validated at the edge by the route's schema.
 */
export const conversionTypes = ["signup", "enrollment", "completion", "refund"] as const;

export type ConversionType = (typeof conversionTypes)[number];

export type ConversionInput = {
  /** The provider's id for this conversion: the idempotency key. */
  id: string;
  type: ConversionType;
  customer: { id: string; email?: string; name?: string };
  course?: string;
  /** Minor units, with `currency`. */
  amount?: number;
  currency?: string;
  clickId?: string;
  code?: string;
  /** For a refund: the provider's id of the conversion refunded. */
  refundOf?: string;
  /** ISO 8601; defaults to now. */
  occurredAt?: string;
  metadata?: Record<string, string | number | boolean | null>;
};
