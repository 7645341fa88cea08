/** Outcome statistics for `<chorus-outcome-stats>` (DESIGN.md section 6). */
import { z } from "@hono/zod-openapi";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requirePublishableKey } from "../middleware/auth.ts";
import { outcomeTypes } from "../services/stories.ts";
import { workspaceContext } from "./context.ts";
import { courseSlug } from "./story-schemas.ts";

/**
 * The outcome statistics service, loaded on first use: few requests ask for it, and left out of the worker's cold start
 * (worker.build.ts) it keeps that small.
 */
const outcomes = () => import("../services/outcomes.ts");

const Figure = z.object({ median: z.number().nullable(), n: z.number(), suppressed: z.boolean() });

export const Outcomes = z
  .object({
    course: z.string().nullable(),
    n: z.number().openapi({ description: "Approved stories counted" }),
    minSampleSize: z.number(),
    suppressed: z.boolean().openapi({ description: "true when n is below minSampleSize: counts and shares are null" }),
    outcomes: z.array(
      z.object({
        type: z.enum(outcomeTypes),
        count: z.number().nullable(),
        n: z.number(),
        share: z.number().nullable().openapi({ description: "count / n, rounded to 3 decimals" }),
        suppressed: z.boolean(),
      }),
    ),
    salaryIncreasePct: Figure.openapi({ description: "Median over figures learners consented to share" }),
    monthsToOutcome: Figure,
    verified: z.object({
      count: z.number().nullable(),
      credentialVerified: z.number().nullable(),
      n: z.number(),
      share: z.number().nullable(),
      suppressed: z.boolean(),
    }),
    period: z.object({ from: z.string(), to: z.string() }).nullable(),
    methodology: z.string(),
  })
  .openapi("Outcomes");
export type Outcomes = z.infer<typeof Outcomes>;

const getOutcomes = apiRoute({
  method: "get",
  path: "/v1/outcomes",
  tags: ["Stories"],
  summary: "Outcome statistics from approved stories",
  security: [{ publishableKey: [] }],
  middleware: [requirePublishableKey] as const,
  request: { query: z.object({ course: courseSlug.optional() }) },
  responses: {
    200: { description: "The statistics", content: { "application/json": { schema: Outcomes } } },
  },
});

export const outcomeRoutes = createRouter().openapi(getOutcomes, async (c) => {
  return c.json(await (await outcomes()).outcomeStatistics(workspaceContext(c), c.req.valid("query")), 200);
});
