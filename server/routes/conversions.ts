/** Conversions reported by the provider's server, with their attribution and rewards. */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKey } from "../middleware/auth.ts";
import { getConversion, recordConversion } from "../services/conversions.ts";
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
  .openapi(readConversion, async (c) => {
    return c.json(await getConversion(workspaceContext(c), c.req.valid("param")), 200);
  });
