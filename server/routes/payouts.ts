/**
 * Cash payouts for the provider's finance people (README "Rewards that arrive"): what is due by
 * payout method and currency, paying a group as one batch file (PayPal Payouts, Wise, generic
 * CSV; idempotent by batch id), the batches made and each batch's file, byte for byte as made.
 * The work is in services/payout-batches.ts.
 */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { payoutFormats } from "../services/payout-files.ts";
import { payoutMethodKinds } from "../services/payout-methods.ts";
import { workspaceContext } from "./context.ts";

export const DuePayouts = z
  .object({
    groups: z.array(
      z.object({
        method: z.enum(payoutMethodKinds).nullable().openapi({ description: "null: no payout method added yet" }),
        currency: z.string(),
        minimum: z.number(),
        total: z.number().openapi({ description: "Minor units due to payees at or above the minimum" }),
        formats: z.array(z.enum(payoutFormats)),
        payees: z.array(
          z.object({
            learnerId: z.string(),
            name: z.string().nullable(),
            masked: z.string().nullable(),
            amount: z.number(),
            rewards: z.number(),
            belowMinimum: z.boolean(),
          }),
        ),
      }),
    ),
  })
  .openapi("DuePayouts");
export type DuePayouts = z.infer<typeof DuePayouts>;

export const PayoutBatch = z
  .object({
    id: z.string(),
    method: z.enum(payoutMethodKinds),
    format: z.enum(payoutFormats),
    currency: z.string(),
    total: z.number(),
    payees: z.number(),
    createdAt: z.string(),
  })
  .openapi("PayoutBatch");
export type PayoutBatch = z.infer<typeof PayoutBatch>;

const due = apiRoute({
  method: "get",
  path: "/v1/admin/payouts",
  tags: ["Rewards"],
  summary: "Cash payouts due (approved cash rewards), by payout method and currency",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: { 200: { description: "Due payouts", content: { "application/json": { schema: DuePayouts } } } },
});

const pay = apiRoute({
  method: "post",
  path: "/v1/admin/payouts/batches",
  tags: ["Rewards"],
  summary: "Pay a method and currency's due payouts as one batch file; marks the rewards issued",
  description:
    "Send your own `batchId` (`pob_` and 8–40 letters or digits) to make the call idempotent: the same id " +
    "answers the batch already made (200) and pays nothing again. 409 when nothing is due.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({
              method: z.enum(payoutMethodKinds),
              currency: z.string().regex(/^[A-Z]{3}$/),
              format: z.enum(payoutFormats),
              batchId: z
                .string()
                .regex(/^pob_[A-Za-z0-9]{8,40}$/)
                .optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    200: {
      description: "The batch, made before with this id",
      content: { "application/json": { schema: PayoutBatch } },
    },
    201: { description: "The batch, made now", content: { "application/json": { schema: PayoutBatch } } },
    ...errorResponses(400, 409),
  },
});

const batches = apiRoute({
  method: "get",
  path: "/v1/admin/payouts/batches",
  tags: ["Rewards"],
  summary: "The payout batches made, newest first (the latest 100)",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: {
    200: {
      description: "Batches",
      content: { "application/json": { schema: z.object({ items: z.array(PayoutBatch) }) } },
    },
  },
});

const file = apiRoute({
  method: "get",
  path: "/v1/admin/payouts/batches/{id}/file",
  tags: ["Rewards"],
  summary: "A batch's file, the same bytes every time",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: {
    200: { description: "RFC 4180 CSV", content: { "text/csv": { schema: z.string() } } },
    ...errorResponses(404),
  },
});

/** Loaded by the first payout request, not at start-up (worker.build.ts: a cold start does not parse it). */
const lazyBatches = () => import("../services/payout-batches.ts");

export const payoutRoutes = createRouter()
  .openapi(due, async (c) => c.json(await (await lazyBatches()).duePayouts(workspaceContext(c)), 200))
  .openapi(pay, async (c) => {
    const { createPayoutBatch } = await lazyBatches();
    const { batch, created } = await createPayoutBatch(workspaceContext(c), c.req.valid("json"));
    return created ? c.json(batch, 201) : c.json(batch, 200);
  })
  .openapi(batches, async (c) => c.json(await (await lazyBatches()).listPayoutBatches(workspaceContext(c)), 200))
  .openapi(file, async (c) => {
    const { payoutBatchFile } = await lazyBatches();
    const { filename, text } = await payoutBatchFile(workspaceContext(c), { batchId: c.req.valid("param").id });
    return c.body(text, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "private, no-store",
    }) as never;
  });
