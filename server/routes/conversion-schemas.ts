/**
 * The body of `POST /v1/conversions`, validated at the edge (`ConversionInput` in
 * `server/routes/conversion-schemas.ts` checks that it parses to exactly this type). Shared by the
 * HTTP route and the Stripe integration, which builds the same body from Stripe's events.
 */
import { z } from "@hono/zod-openapi";
import { Money } from "../../db/program-settings.ts";
import { courseSlug } from "../lib/fields.ts";
import { type ConversionInput as ConversionValue, conversionTypes } from "../services/conversion-input.ts";

const maxMetadataBytes = 2048;

const Metadata = z
  .record(z.string().min(1).max(40), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .refine((value) => Object.keys(value).length <= 20, "at most 20 keys")
  .refine(
    (value) => new TextEncoder().encode(JSON.stringify(value)).length <= maxMetadataBytes,
    `at most ${maxMetadataBytes} bytes of JSON`,
  )
  .openapi({ description: "Your own keys and values (at most 20 keys, 2 KB), returned with the conversion." });

export const ConversionInput = z
  .object({
    id: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
      .openapi({ description: "Your id for this conversion: the idempotency key.", example: "order-1042" }),
    type: z.enum(conversionTypes),
    customer: z
      .object({
        id: z.string().min(1).max(200).openapi({ description: "Your id for the customer (the friend)." }),
        email: z.email().max(320).optional().openapi({ description: "Used for fraud checks; stored only as a hash." }),
        name: z.string().max(200).optional(),
      })
      .strict(),
    course: courseSlug.optional(),
    amount: z.number().int("an integer in minor units").nonnegative().max(100_000_000_000).optional(),
    currency: Money.shape.currency.optional(),
    clickId: z.string().min(1).max(64).optional().openapi({ description: "The `chorus_cid` the landing carried." }),
    code: z.string().min(1).max(64).optional().openapi({
      description:
        "The referral code, or a friend coupon code the customer used at checkout (any case), when no click id is known.",
    }),
    refundOf: z.string().min(1).max(200).optional().openapi({ description: "For a refund: your id of the original." }),
    occurredAt: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "When it happened (ISO 8601); defaults to now, may be in the past." }),
    metadata: Metadata.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.amount !== undefined && value.currency === undefined)
      ctx.addIssue({ code: "custom", path: ["currency"], message: "required with an amount" });
    if (value.currency !== undefined && value.amount === undefined)
      ctx.addIssue({ code: "custom", path: ["amount"], message: "required with a currency" });
    if (value.type === "refund" && value.refundOf === undefined)
      ctx.addIssue({ code: "custom", path: ["refundOf"], message: "required for a refund" });
    if (value.type !== "refund" && value.refundOf !== undefined)
      ctx.addIssue({ code: "custom", path: ["refundOf"], message: "only for a refund" });
  })
  .openapi("ConversionInput") satisfies z.ZodType<ConversionValue>;
