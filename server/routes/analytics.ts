/** Attribution analytics for the provider (secret key or dashboard session): funnel, breakdowns, export. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Money as MoneyValue } from "../../db/program-settings.ts";
import { ApiError } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import {
  type AnalyticsRange,
  breakdown,
  dayMs,
  dimensions,
  funnel,
  kFactor,
  searchConversions,
  timeseries,
  timeToConvert,
  topAdvocates,
} from "../services/analytics.ts";
import { exportCsv, exportDatasets } from "../services/analytics-export.ts";
import type { AppEnv } from "../types.ts";
import { cursorParam } from "./schemas.ts";
import { courseSlug } from "./story-schemas.ts";

/** The longest range one query may cover: two years and a leap day. */
export const maxRangeDays = 731;

const isoDate = z.iso.date({ error: "a date as YYYY-MM-DD" });

const RangeQuery = z.object({
  from: isoDate.optional().openapi({ description: "First day (UTC), included. Default: 29 days before `to`." }),
  to: isoDate.optional().openapi({ description: "Last day (UTC), included. Default: today." }),
  course: courseSlug.optional().openapi({ description: "Only this course (its slug)." }),
});

function rangeOf(query: z.infer<typeof RangeQuery>, now: Date): AnalyticsRange {
  const day = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / dayMs);
  const toDay = query.to ? day(query.to) : Math.floor(now.getTime() / dayMs);
  const fromDay = query.from ? day(query.from) : toDay - 29;
  if (fromDay > toDay)
    throw new ApiError("invalid_request", "`from` is after `to`", [{ path: "from", message: "after to" }]);
  if (toDay - fromDay + 1 > maxRangeDays)
    throw new ApiError("invalid_request", `A range covers at most ${maxRangeDays} days`, [
      { path: "from", message: "range too long" },
    ]);
  return { fromDay, toDay, course: query.course ?? "*" };
}

const range = (c: Context<AppEnv>, query: z.infer<typeof RangeQuery>) => rangeOf(query, c.var.deps.clock.now());

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

const funnelRoute = apiRoute({
  ...common,
  method: "get",
  path: "/v1/analytics/funnel",
  summary: "Clicks → signups → enrolments → completions, revenue and step rates",
  request: { query: RangeQuery },
  responses: json(Funnel, "The funnel"),
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

const breakdownRoute = apiRoute({
  ...common,
  method: "get",
  path: "/v1/analytics/breakdown",
  summary: "The funnel counts per channel, course, advocate, story, country or day",
  request: {
    query: RangeQuery.extend({
      dimension: z.enum(dimensions),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      sort: z
        .enum(["clicks", "enrollments"])
        .default("clicks")
        .openapi({ description: "Most clicks first (then enrolments), or most enrolments first (then clicks)" }),
    }),
  },
  responses: json(Breakdown, "One row per value"),
});

export const KFactor = z
  .object({
    items: z.array(
      z.object({
        cohort: z.string(),
        advocates: z.number().int(),
        shares: z.number().int(),
        clicks: z.number().int(),
        signups: z.number().int(),
        enrollments: z.number().int(),
        sharesPerAdvocate: rate,
        enrollmentsPerShare: rate,
        kFactor: rate,
      }),
    ),
  })
  .openapi("KFactor");
export type KFactor = z.infer<typeof KFactor>;

const kFactorRoute = apiRoute({
  ...common,
  method: "get",
  path: "/v1/analytics/k-factor",
  summary: "K-factor per monthly cohort of referrers, with its parts",
  description:
    "A referrer joins the cohort of the month in which one of their links was first shared or clicked. Over the cohort's life to date: `sharesPerAdvocate` = shares / advocates, `enrollmentsPerShare` = enrolments / shares, `kFactor` = enrolments / advocates (the product of the two when shares > 0). The range selects cohorts by month.",
  request: { query: RangeQuery },
  responses: json(KFactor, "Cohorts, oldest first"),
});

export const TimeToConvert = z
  .object({
    enrollments: z.number().int(),
    medianSeconds: z.number().nullable(),
    p90Seconds: z.number().nullable(),
  })
  .openapi("TimeToConvert");
export type TimeToConvert = z.infer<typeof TimeToConvert>;

const timeToConvertRoute = apiRoute({
  ...common,
  method: "get",
  path: "/v1/analytics/time-to-convert",
  summary: "Time from click to enrolment (median and p90, nearest rank)",
  request: { query: RangeQuery },
  responses: json(TimeToConvert, "Delays of attributed enrolments with a click, by enrolment day"),
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

const advocatesRoute = apiRoute({
  ...common,
  method: "get",
  path: "/v1/analytics/advocates",
  summary: "Top advocates by enrolments, then clicks",
  request: { query: RangeQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(10) }) },
  responses: json(TopAdvocates, "The leaderboard"),
});

export const Timeseries = z
  .object({ interval: z.string(), items: z.array(z.object({ period: z.string(), ...CountFields })) })
  .openapi("Timeseries");
export type Timeseries = z.infer<typeof Timeseries>;

const timeseriesRoute = apiRoute({
  ...common,
  method: "get",
  path: "/v1/analytics/timeseries",
  summary: "Funnel counts per day, week (from Monday) or month",
  request: { query: RangeQuery.extend({ interval: z.enum(["day", "week", "month"]).default("day") }) },
  responses: json(Timeseries, "One point per period, empty periods as zeros"),
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

export const analyticsRoutes = createRouter()
  .openapi(funnelRoute, async (c) =>
    c.json(await funnel(c.var.deps.db, c.var.auth.workspace.id, range(c, c.req.valid("query"))), 200),
  )
  .openapi(breakdownRoute, async (c) => {
    const { dimension, limit, sort } = c.req.valid("query");
    const items = await breakdown(c.var.deps.db, c.var.auth.workspace.id, range(c, c.req.valid("query")), dimension, {
      limit,
      sort,
    });
    return c.json({ dimension, items }, 200);
  })
  .openapi(kFactorRoute, async (c) =>
    c.json({ items: await kFactor(c.var.deps.db, c.var.auth.workspace.id, range(c, c.req.valid("query"))) }, 200),
  )
  .openapi(timeToConvertRoute, async (c) =>
    c.json(await timeToConvert(c.var.deps.db, c.var.auth.workspace.id, range(c, c.req.valid("query"))), 200),
  )
  .openapi(advocatesRoute, async (c) => {
    const { limit } = c.req.valid("query");
    return c.json(
      { items: await topAdvocates(c.var.deps.db, c.var.auth.workspace.id, range(c, c.req.valid("query")), limit) },
      200,
    );
  })
  .openapi(timeseriesRoute, async (c) => {
    const { interval } = c.req.valid("query");
    return c.json(
      {
        interval,
        items: await timeseries(c.var.deps.db, c.var.auth.workspace.id, range(c, c.req.valid("query")), interval),
      },
      200,
    );
  })
  .openapi(conversionsRoute, async (c) => {
    const { q, type, status, flagged, cursor, limit } = c.req.valid("query");
    const page = await searchConversions(c.var.deps.db, c.var.auth.workspace.id, {
      q,
      type,
      status,
      flagged: flagged === undefined ? undefined : flagged === "true",
      cursor,
      limit,
    });
    return c.json(page, 200);
  })
  .openapi(exportRoute, async (c) => {
    const { dataset } = c.req.valid("query");
    const stream = exportCsv(c.var.deps.db, c.var.auth.workspace.id, dataset, range(c, c.req.valid("query")));
    return c.body(stream, 200, {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="chorus-${dataset}.csv"`,
      "Cache-Control": "private, no-store",
    }) as never;
  });
