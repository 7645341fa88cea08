/** Response schemas shared by the conversion, reward and Stripe routes (OpenAPI names). */
import { z } from "@hono/zod-openapi";

export const DecisionStep = z
  .object({
    rule: z.string().openapi({ example: "click" }),
    result: z.enum(["pass", "fail", "skip", "info"]),
    detail: z.string().openapi({ example: "matched click clk_x from 3 days ago via whatsapp" }),
  })
  .openapi("DecisionStep");

export const Reward = z
  .object({
    id: z.string(),
    conversionId: z.string(),
    side: z.enum(["referrer", "friend"]),
    learnerId: z.string().nullable().openapi({ description: "Your id of the referrer (referrer side)." }),
    customerId: z.string().nullable(),
    kind: z.enum(["credit", "coupon", "cash", "discount", "milestone"]),
    payoutBatchId: z.string().nullable().openapi({ description: "The cash payout batch that paid it (pob_…)." }),
    deliveredCode: z
      .string()
      .nullable()
      .openapi({ description: "A coupon reward's code for the referrer's next course." }),
    deliveryRef: z
      .string()
      .nullable()
      .openapi({ description: "A credit reward's Stripe customer balance transaction." }),
    deliveryError: z
      .string()
      .nullable()
      .openapi({ description: 'Why an approved reward is not delivered yet ("no Stripe customer", a Stripe error).' }),
    amount: z.number().int().nullable().openapi({ description: "Minor units; negative for a claw-back." }),
    currency: z.string().nullable(),
    percent: z.number().int().nullable(),
    status: z.enum(["pending", "approved", "issued", "void"]),
    flagged: z.boolean(),
    holdUntil: z.string().nullable(),
    reason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string().nullable(),
  })
  .openapi("Reward");
export type Reward = z.infer<typeof Reward>;

export const Conversion = z
  .object({
    conversion: z.object({
      id: z.string().openapi({ description: "Chorus's id (cnv_…)." }),
      externalId: z.string().openapi({ description: "Your id, as sent." }),
      type: z.enum(["signup", "enrollment", "completion", "refund"]),
      customerId: z.string(),
      course: z.string().nullable(),
      amount: z.number().int().nullable(),
      currency: z.string().nullable(),
      refundOf: z.string().nullable(),
      metadata: z.record(z.string(), z.unknown()).nullable(),
      occurredAt: z.string(),
      createdAt: z.string(),
    }),
    attribution: z.object({
      status: z.enum(["attributed", "unattributed"]),
      flagged: z.boolean(),
      code: z.string().nullable(),
      referrer: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
      clickId: z.string().nullable(),
      channel: z.string().nullable(),
      storyId: z.string().nullable(),
      decision: z.array(DecisionStep),
    }),
    rewards: z.array(Reward),
  })
  .openapi("Conversion");

/** Every list's `cursor`: the `nextCursor` of the page before, passed back untouched. */
export const cursorParam = z
  .string()
  .max(200)
  .optional()
  .openapi({ description: "The `nextCursor` of the previous page (opaque)" });

export const cursorQuery = {
  cursor: cursorParam,
  limit: z.coerce.number().int().min(1).max(100).default(50),
};
