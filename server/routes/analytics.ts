/** Attribution analytics for the provider (secret key or dashboard session): funnel, breakdowns, export. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Money as MoneyValue } from "../../db/program-settings.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import {
  analyticsRange,
  dimensions,
  exportDatasets,
  type RangeQuery as RangeQueryValue,
} from "../services/analytics-queries.ts";
import type { AppEnv } from "../types.ts";
import { workspaceContext } from "./context.ts";
import { cursorParam } from "./schemas.ts";
import { courseSlug } from "./story-schemas.ts";

const isoDate = z.iso.date({ error: "a date as YYYY-MM-DD" });

const RangeQuery = z.object({
  from: isoDate.optional().openapi({ description: "First day (UTC), included. Default: 29 days before `to`." }),
  to: isoDate.optional().openapi({ description: "Last day (UTC), included. Default: today." }),
  course: courseSlug.optional().openapi({ description: "Only this course (its slug)." }),
});

/**
 * The arguments of a figure's service: the caller's workspace (secret key or dashboard session
 * alike), and the validated query with the range it asks for (refused when the range is not one).
 */
function overRange<Q extends RangeQueryValue>(c: Context<AppEnv>, query: Q) {
  const ctx = workspaceContext(c);
  return [ctx, { ...query, range: analyticsRange(ctx, query) }] as const;
}

/** A total (refunds can make it negative), so not the settings' non-negative `Money` schema. */
const Money = z
  .object({ currency: z.string(), amount: z.number().int() })
  .openapi("Money") satisfies z.ZodType<MoneyValue>;
const CountFields = {
  clicks: z.number().int(),
  visitors: z.number().int().openapi({ description: "Distinct visitors per day, summed over the days" }),
  shares: z.number().int(),
  signups: z.number().int(),
  enrollments: z.number().int(),
  completions: z.number().int(),
  refunds: z.number().int(),
};
const rate = z.number().nullable();
export const Funnel = z
  .object({
    ...CountFields,
    revenue: z.array(Money).openapi({ description: "Attributed enrolments minus refunds, per currency" }),
    rates: z.object({
      clickToSignup: rate,
      signupToEnrollment: rate,
      clickToEnrollment: rate,
      visitorToEnrollment: rate,
      enrollmentToCompletion: rate,
      refundRate: rate,
    }),
  })
  .openapi("Funnel");
export type Funnel = z.infer<typeof Funnel>;

const common = {
  tags: ["Analytics"],
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession],
};
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { "application/json": { schema } } },
});

/** A figure over a range: a GET of the range query (plus its own fields) answering `schema` as JSON. */
function figureRoute<P extends string, Q extends typeof RangeQuery, T extends z.ZodType>(figure: {
  path: P;
  summary: string;
  description?: string;
  query: Q;
  schema: T;
  answers: string;
}) {
  const { path, summary, description, query, schema, answers } = figure;
  return apiRoute({
    ...common,
    method: "get",
    path,
    summary,
    ...(description === undefined ? {} : { description }),
    request: { query },
    responses: json(schema, answers),
  });
}

const funnelRoute = figureRoute({
  path: "/v1/analytics/funnel",
  summary: "Clicks → signups → enrolments → completions, revenue and step rates",
  query: RangeQuery,
  schema: Funnel,
  answers: "The funnel",
});

export const BreakdownRow = z
  .object({
    key: z.string().nullable(),
    label: z.string().nullable(),
    author: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: "Story rows only: the author's name, as the moderation queue shows it" }),
    ...CountFields,
    revenue: z.array(Money),
  })
  .openapi("BreakdownRow");
export type BreakdownRow = z.infer<typeof BreakdownRow>;

export const Breakdown = z.object({ dimension: z.enum(dimensions), items: z.array(BreakdownRow) }).openapi("Breakdown");
export type Breakdown = z.infer<typeof Breakdown>;

const breakdownRoute = figureRoute({
  path: "/v1/analytics/breakdown",
  summary: "The funnel counts per channel, course, advocate, story, country or day",
  query: RangeQuery.extend({
    dimension: z.enum(dimensions),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    sort: z
      .enum(["clicks", "enrollments"])
      .default("clicks")
      .openapi({ description: "Most clicks first (then enrolments), or most enrolments first (then clicks)" }),
  }),
  schema: Breakdown,
  answers: "One row per value",
});

export const KFactor = z
  .object({
    items: z.array(
      z.object({
        cohort: z.string().openapi({ description: "YYYY-MM: the month of the cohort's learners' first enrolment" }),
        learners: z.number().int().openapi({ description: "Learners who first enrolled that month" }),
        sharers: z.number().int().openapi({ description: "Of them, those whose link was shared, clicked or used" }),
        shares: z.number().int(),
        clicks: z.number().int(),
        signups: z.number().int(),
        enrollments: z.number().int().openapi({ description: "Enrolments referred by the cohort's learners" }),
        sharerShare: rate.openapi({ description: "sharers / learners" }),
        enrollmentsPerSharer: rate.openapi({ description: "enrollments / sharers (null without sharers)" }),
        kFactor: z.number().openapi({ description: "enrollments / learners = sharerShare × enrollmentsPerSharer" }),
      }),
    ),
  })
  .openapi("KFactor");
export type KFactor = z.infer<typeof KFactor>;

const kFactorRoute = figureRoute({
  path: "/v1/analytics/k-factor",
  summary: "The viral coefficient (K-factor) per monthly cohort of learners, with its parts",
  description:
    "A cohort is every learner whose first enrolment fell in that month, whether they shared or not. Over the cohort's life to date: `kFactor` = referred enrolments / learners (the viral coefficient), `sharerShare` = sharers / learners, `enrollmentsPerSharer` = referred enrolments / sharers, so `kFactor` = `sharerShare` × `enrollmentsPerSharer`. A sharer is a learner of the cohort whose link was shared, clicked or brought an enrolment. The range selects cohorts by month.",
  query: RangeQuery,
  schema: KFactor,
  answers: "Cohorts, oldest first",
});

export const TimeToConvert = z
  .object({
    enrollments: z.number().int(),
    medianSeconds: z.number().nullable(),
    p90Seconds: z.number().nullable(),
  })
  .openapi("TimeToConvert");
export type TimeToConvert = z.infer<typeof TimeToConvert>;

const timeToConvertRoute = figureRoute({
  path: "/v1/analytics/time-to-convert",
  summary: "Time from click to enrolment (median and p90, nearest rank)",
  query: RangeQuery,
  schema: TimeToConvert,
  answers: "Delays of attributed enrolments with a click, by enrolment day",
});

export const TopAdvocates = z
  .object({
    items: z.array(
      z.object({
        learnerId: z.string().nullable(),
        name: z.string().nullable(),
        ...CountFields,
        revenue: z.array(Money),
      }),
    ),
  })
  .openapi("TopAdvocates");
export type TopAdvocates = z.infer<typeof TopAdvocates>;

const advocatesRoute = figureRoute({
  path: "/v1/analytics/advocates",
  summary: "Top advocates by enrolments, then clicks",
  query: RangeQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(10) }),
  schema: TopAdvocates,
  answers: "The leaderboard",
});

export const Timeseries = z
  .object({ interval: z.string(), items: z.array(z.object({ period: z.string(), ...CountFields })) })
  .openapi("Timeseries");
export type Timeseries = z.infer<typeof Timeseries>;

const timeseriesRoute = figureRoute({
  path: "/v1/analytics/timeseries",
  summary: "Funnel counts per day, week (from Monday) or month",
  query: RangeQuery.extend({ interval: z.enum(["day", "week", "month"]).default("day") }),
  schema: Timeseries,
  answers: "One point per period, empty periods as zeros",
});

const exportRoute = apiRoute({
  ...common,
  method: "get",
  path: "/v1/analytics/export.csv",
  summary: "Export clicks, conversions, rewards or stories as CSV (streamed)",
  request: { query: RangeQuery.extend({ dataset: z.enum(exportDatasets) }) },
  responses: {
    200: { description: "RFC 4180 CSV with a header line", content: { "text/csv": { schema: z.string() } } },
  },
});

const Decision = z.object({ rule: z.string(), result: z.string(), detail: z.string() });
export const ConversionSearchPage = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        externalId: z.string(),
        type: z.string(),
        customerId: z.string(),
        course: z.string(),
        amount: z.number().nullable(),
        currency: z.string().nullable(),
        status: z.string(),
        flagged: z.boolean(),
        channel: z.string().nullable(),
        storyId: z.string().nullable(),
        clickId: z.string().nullable(),
        referrer: z.object({ learnerId: z.string(), name: z.string().nullable() }).nullable(),
        decision: z.array(Decision),
        occurredAt: z.string(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi("ConversionSearchPage");
export type ConversionSearchPage = z.infer<typeof ConversionSearchPage>;

const conversionsRoute = apiRoute({
  ...common,
  method: "get",
  path: "/v1/analytics/conversions",
  summary: "Search conversions, newest first, each with its decision log",
  request: {
    query: z.object({
      q: z
        .string()
        .min(1)
        .max(100)
        .optional()
        .openapi({ description: "The provider's conversion or customer id (or its start)" }),
      type: z.enum(["signup", "enrollment", "completion", "refund"]).optional(),
      status: z.enum(["attributed", "unattributed"]).optional(),
      flagged: z.enum(["true", "false"]).optional(),
      cursor: cursorParam,
      limit: z.coerce.number().int().min(1).max(100).default(25),
    }),
  },
  responses: json(ConversionSearchPage, "A page of conversions"),
});

/**
 * The figures and the exports, loaded on the first analytics request: few requests ask for them,
 * and left out of the worker's cold start (worker.build.ts) they save 2.4 KB gzip there.
 */
const figures = () => import("../services/analytics.ts");
const csvExports = () => import("../services/analytics-export.ts");

export const analyticsRoutes = createRouter()
  .openapi(funnelRoute, async (c) => {
    const { funnel } = await figures();
    return c.json(await funnel(...overRange(c, c.req.valid("query"))), 200);
  })
  .openapi(breakdownRoute, async (c) => {
    const query = c.req.valid("query");
    const { breakdown } = await figures();
    return c.json({ dimension: query.dimension, items: await breakdown(...overRange(c, query)) }, 200);
  })
  .openapi(kFactorRoute, async (c) => {
    const { kFactor } = await figures();
    return c.json({ items: await kFactor(...overRange(c, c.req.valid("query"))) }, 200);
  })
  .openapi(timeToConvertRoute, async (c) => {
    const { timeToConvert } = await figures();
    return c.json(await timeToConvert(...overRange(c, c.req.valid("query"))), 200);
  })
  .openapi(advocatesRoute, async (c) => {
    const { topAdvocates } = await figures();
    return c.json({ items: await topAdvocates(...overRange(c, c.req.valid("query"))) }, 200);
  })
  .openapi(timeseriesRoute, async (c) => {
    const query = c.req.valid("query");
    const { timeseries } = await figures();
    return c.json({ interval: query.interval, items: await timeseries(...overRange(c, query)) }, 200);
  })
  .openapi(conversionsRoute, async (c) => {
    const { flagged, ...query } = c.req.valid("query");
    const search = { ...query, flagged: flagged === undefined ? undefined : flagged === "true" };
    const { searchConversions } = await figures();
    return c.json(await searchConversions(workspaceContext(c), search), 200);
  })
  .openapi(exportRoute, async (c) => {
    const query = c.req.valid("query");
    const { exportCsv } = await csvExports();
    return c.body(exportCsv(...overRange(c, query)), 200, {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="chorus-${query.dataset}.csv"`,
      "Cache-Control": "private, no-store",
    }) as never;
  });
