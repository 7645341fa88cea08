/** Conversions reported by the provider's server, with their attribution and rewards. */
import { z } from "@hono/zod-openapi";
import { ErrorEnvelope, errorBody, errorResponses, errorStatus } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { validationDetails } from "../lib/validation.ts";
import { requireSecretKey } from "../middleware/auth.ts";
import { maxBatchConversions, recordConversionBatch } from "../services/conversion-batch.ts";
import type { ConversionInput as ConversionValue } from "../services/conversion-input.ts";
import { getConversion, recordConversion } from "../services/conversions.ts";
import { DomainError } from "../services/errors.ts";
import { workspaceContext } from "./context.ts";
import { ConversionInput } from "./conversion-schemas.ts";
import { Conversion } from "./schemas.ts";

const json = { "application/json": { schema: Conversion } };

const postConversion = apiRoute({
  method: "post",
  path: "/v1/conversions",
  tags: ["Conversions"],
  summary: "Report a signup, enrolment, completion or refund",
  description:
    "Idempotent by your `id`: the same id and body again answers 200 with the original answer, the same id with another body answers 409. The answer explains the attribution step by step (`attribution.decision`).",
  security: [{ secretKey: [] }],
  middleware: [requireSecretKey] as const,
  request: { body: { required: true, content: { "application/json": { schema: ConversionInput } } } },
  responses: {
    201: { description: "Recorded now", content: json },
    200: { description: "Recorded before: the original answer", content: json },
    ...errorResponses(409),
  },
});

const BatchResult = z
  .object({
    index: z.number().int().openapi({ description: "The item's position in `conversions`, from 0." }),
    id: z.string().nullable().openapi({ description: "The item's `id`, when it had one." }),
    status: z.number().int().openapi({
      description: "What `POST /v1/conversions` would have answered for this item alone: 201, 200, 400 or 409.",
    }),
    body: z
      .union([Conversion, ErrorEnvelope])
      .openapi({ description: "The conversion (201, 200), or the error envelope (400, 409)." }),
  })
  .openapi("ConversionBatchResult");

const BatchResponse = z
  .object({
    results: z.array(BatchResult).openapi({ description: "One per item, in the order sent." }),
    recorded: z.number().int(),
    replayed: z.number().int(),
    refused: z.number().int(),
  })
  .openapi("ConversionBatch");

const postBatch = apiRoute({
  method: "post",
  path: "/v1/conversions/batch",
  tags: ["Conversions"],
  summary: `Report up to ${maxBatchConversions} conversions at once (imports, backfills)`,
  description:
    "Each item is handled exactly as `POST /v1/conversions` would handle it alone, in the order sent (a refund may follow its original in the same batch): idempotent by its `id`, all or nothing per item. One item refused (invalid, a conflicting replay, an unknown refund) never refuses the others: the answer is 200 with a result per item carrying the status and body the single endpoint would have answered. Resending a batch after a timeout replays what was recorded. The body may be up to 4 MB.",
  security: [{ secretKey: [] }],
  middleware: [requireSecretKey] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({
              // Items are checked one by one in the handler, so one bad item refuses only itself.
              conversions: z
                .array(z.unknown())
                .min(1)
                .max(maxBatchConversions)
                .openapi({ type: "array", items: { $ref: "#/components/schemas/ConversionInput" } }),
            })
            .strict(),
        },
      },
    },
  },
  responses: { 200: { description: "A result per item", content: { "application/json": { schema: BatchResponse } } } },
});

/** An item as the single endpoint's validator sees it: the input, or the refusal it would answer. */
function checkedItem(item: unknown): ConversionValue | DomainError {
  const parsed = ConversionInput.safeParse(item);
  return parsed.success
    ? parsed.data
    : new DomainError("invalid_request", "The request body is invalid", validationDetails(parsed.error));
}

function itemId(item: unknown): string | null {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : null;
}

const readConversion = apiRoute({
  method: "get",
  path: "/v1/conversions/{id}",
  tags: ["Conversions"],
  summary: "A conversion with its decision log and current rewards",
  security: [{ secretKey: [] }],
  middleware: [requireSecretKey] as const,
  request: {
    params: z.object({ id: z.string().min(1).max(200).openapi({ description: "Your id or Chorus's cnv_ id" }) }),
  },
  responses: { 200: { description: "The conversion", content: json }, ...errorResponses(404) },
});

export const conversionRoutes = createRouter()
  .openapi(postConversion, async (c) => {
    const result = await recordConversion(workspaceContext(c), c.req.valid("json"));
    return c.json(result.body, result.created ? 201 : 200);
  })
  .openapi(postBatch, async (c) => {
    const items = c.req.valid("json").conversions;
    const outcomes = await recordConversionBatch(workspaceContext(c), items.map(checkedItem));
    const counts = { recorded: 0, replayed: 0, refused: 0 };
    const results = outcomes.map((item) => {
      counts[item.outcome]++;
      const base = { index: item.index, id: itemId(items[item.index]) };
      if (item.outcome !== "refused")
        return { ...base, status: item.outcome === "recorded" ? 201 : 200, body: item.body };
      const { code, message, details } = item.error;
      return { ...base, status: errorStatus[code], body: errorBody(code, message, c.var.requestId, details) };
    });
    return c.json({ results, ...counts }, 200);
  })
  .openapi(readConversion, async (c) => {
    return c.json(await getConversion(workspaceContext(c), c.req.valid("param")), 200);
  });
