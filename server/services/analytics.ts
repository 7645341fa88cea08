/**
 * Attribution analytics, read from the rollups kept in the transaction that writes each row
 * (shares and conversions by SQLite triggers, migration 0003; clicks by `insertClicks` in
 * click-writer.ts, since migration 0005 dropped the click triggers), so
 * every answer costs a few index range scans over at most one row per day and dimension value,
 * whatever the number of clicks. Only attributed conversions count: these are the figures of
 * word of mouth. Ranges are whole UTC days, both ends included.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Money } from "../../db/program-settings.ts";
import { decodeCursor } from "../lib/cursor.ts";
import { paginate } from "../lib/paginate.ts";
import { type AnalyticsRange, type Dimension, dayMs } from "./analytics-queries.ts";
import type { WorkspaceContext } from "./types.ts";

/** The input of every analytics figure: the range it covers. */
export type RangeInput = { range: AnalyticsRange };

export type Counts = {
  clicks: number;
  visitors: number;
  shares: number;
  signups: number;
  enrollments: number;
  completions: number;
  refunds: number;
};

type Grain = "d" | "w" | "m" | "q";
/** A run of buckets of one grain, by the day numbers of their first days. */
export type BucketRun = { grain: Grain; from: number; to: number };

const monthsOf = { m: 1, q: 3 } as const;

/** First day of the bucket of `grain` that contains `day`. */
export function bucketStart(grain: Grain, day: number): number {
  if (grain === "d") return day;
  if (grain === "w") return day - ((day + 3) % 7); // day 0 (1970-01-01) was a Thursday
  const date = new Date(day * dayMs);
  const month = date.getUTCMonth();
  return Date.UTC(date.getUTCFullYear(), month - (month % monthsOf[grain]), 1) / dayMs;
}

/** First day of the bucket after the one starting at `start`. */
function nextBucket(grain: Grain, start: number): number {
  if (grain === "d") return start + 1;
  if (grain === "w") return start + 7;
  const date = new Date(start * dayMs);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + monthsOf[grain], 1) / dayMs;
}

/**
 * The fewest rollup buckets that cover [from, to] exactly: whole quarters, then whole months and
 * whole weeks in what is left at either end, then single days.
 */
export function bucketRuns(from: number, to: number, grains: Grain[] = ["q", "m", "w", "d"]): BucketRun[] {
  if (from > to) return [];
  const [grain, ...finer] = grains as [Grain, ...Grain[]];
  if (grain === "d") return [{ grain, from, to }];
  const startOfFrom = bucketStart(grain, from);
  const first = startOfFrom === from ? from : nextBucket(grain, startOfFrom);
  let last = bucketStart(grain, to + 1); // the first day after the last whole bucket
  if (first >= last) return bucketRuns(from, to, finer);
  const runs: BucketRun[] = [];
  let lastStart = first;
  for (let start = first; start < last; start = nextBucket(grain, start)) lastStart = start;
  last = nextBucket(grain, lastStart);
  runs.push({ grain, from: first, to: lastStart });
  return [...bucketRuns(from, first - 1, finer), ...runs, ...bucketRuns(last, to, finer)];
}

/**
 * Rows of a rollup table covering the range exactly, as one UNION ALL of primary-key range scans
 * (an OR of ranges would make SQLite scan everything under the prefix). `daysOnly` for per-day answers.
 */
export function rollupRows(
  table: "analytics_daily" | "analytics_revenue",
  where: SQL,
  range: AnalyticsRange,
  daysOnly = false,
): SQL {
  const runs = bucketRuns(range.fromDay, range.toDay, daysOnly ? ["d"] : undefined);
  return sql`(${sql.join(
    runs.map(
      (run) =>
        sql`SELECT * FROM ${sql.raw(table)} WHERE ${where} AND grain = ${run.grain} AND day BETWEEN ${run.from} AND ${run.to}`,
    ),
    sql` UNION ALL `,
  )})`;
}

/**
 * The same rows as `rollupRows`, only those whose key is in `list` (values or a subquery): one arm
 * per bucket (a single day value), so `key IN (…)` is a seek per key in the primary key rather
 * than a filter over every key's rows.
 */
function rollupRowsOfKeys(table: "analytics_daily", where: SQL, range: AnalyticsRange, list: SQL): SQL {
  const arms: SQL[] = [];
  for (const run of bucketRuns(range.fromDay, range.toDay))
    for (let start = run.from; start <= run.to; start = nextBucket(run.grain, start))
      arms.push(
        sql`SELECT * FROM ${sql.raw(table)} WHERE ${where} AND grain = ${run.grain} AND day = ${start} AND key IN (${list})`,
      );
  return sql`(${sql.join(arms, sql` UNION ALL `)})`;
}

const countColumns = sql`coalesce(sum(clicks), 0) AS clicks, coalesce(sum(visitors), 0) AS visitors,
  coalesce(sum(shares), 0) AS shares, coalesce(sum(signups), 0) AS signups,
  coalesce(sum(enrollments), 0) AS enrollments, coalesce(sum(completions), 0) AS completions,
  coalesce(sum(refunds), 0) AS refunds`;

function toCounts(row: Record<string, unknown>): Counts {
  return {
    clicks: Number(row.clicks ?? 0),
    visitors: Number(row.visitors ?? 0),
    shares: Number(row.shares ?? 0),
    signups: Number(row.signups ?? 0),
    enrollments: Number(row.enrollments ?? 0),
    completions: Number(row.completions ?? 0),
    refunds: Number(row.refunds ?? 0),
  };
}

const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

/** Step conversion rates of the funnel; null where the earlier step is zero. */
export function funnelRates(counts: Counts) {
  return {
    clickToSignup: ratio(counts.signups, counts.clicks),
    signupToEnrollment: ratio(counts.enrollments, counts.signups),
    clickToEnrollment: ratio(counts.enrollments, counts.clicks),
    visitorToEnrollment: ratio(counts.enrollments, counts.visitors),
    enrollmentToCompletion: ratio(counts.completions, counts.enrollments),
    refundRate: ratio(counts.refunds, counts.enrollments),
  };
}

async function revenue({ db, workspace }: WorkspaceContext, range: AnalyticsRange, dim: string, byKey: boolean) {
  const workspaceId = workspace.id;
  const rows = await db.all<{ key: string; currency: string; amount: number }>(sql`
    SELECT ${byKey ? sql`key` : sql`''`} AS key, currency, sum(enrolled) - sum(refunded) AS amount
    FROM ${rollupRows("analytics_revenue", sql`workspace_id = ${workspaceId} AND dim = ${dim} AND course = ${range.course}`, range)}
    GROUP BY 1, 2 ORDER BY 1, 2`);
  const byRow = new Map<string, Money[]>();
  for (const row of rows) {
    const list = byRow.get(row.key) ?? [];
    list.push({ currency: row.currency, amount: Number(row.amount) });
    byRow.set(row.key, list);
  }
  return byRow;
}

/** The funnel's counts in the range, its revenue and step rates. */
export async function funnel(ctx: WorkspaceContext, { range }: RangeInput) {
  const { db, workspace } = ctx;
  const workspaceId = workspace.id;
  const [row] = await db.all<Record<string, unknown>>(sql`
    SELECT ${countColumns}
    FROM ${rollupRows("analytics_daily", sql`workspace_id = ${workspaceId} AND dim = 'total' AND course = ${range.course}`, range)}`);
  const counts = toCounts(row ?? {});
  const money = await revenue(ctx, range, "total", false);
  return { ...counts, revenue: money.get("") ?? [], rates: funnelRates(counts) };
}

export type BreakdownRow = Counts & {
  key: string | null;
  label: string | null;
  revenue: Money[];
  /** Story rows only: the author's name, as the moderation queue shows it. */
  author?: string | null;
};

/** Names for the keys of a breakdown: course titles, advocate names, story headlines (and authors). */
async function labels({ db, workspace }: WorkspaceContext, dimension: Dimension, keys: string[]) {
  const workspaceId = workspace.id;
  const names = new Map<string, { label: string | null; author?: string | null }>();
  if (keys.length === 0) return names;
  const list = sql.join(
    keys.map((key) => sql`${key}`),
    sql`, `,
  );
  let rows: { key: string; label: string | null; author?: string | null }[] = [];
  if (dimension === "course")
    rows = await db.all(
      sql`SELECT slug AS key, title AS label FROM courses WHERE workspace_id = ${workspaceId} AND slug IN (${list})`,
    );
  else if (dimension === "advocate")
    rows = await db.all(
      sql`SELECT id AS key, coalesce(name, external_id) AS label FROM learners WHERE workspace_id = ${workspaceId} AND id IN (${list})`,
    );
  else if (dimension === "story")
    rows = await db.all(
      sql`SELECT id AS key, headline AS label, name AS author FROM stories WHERE workspace_id = ${workspaceId} AND id IN (${list})`,
    );
  for (const { key, ...name } of rows) names.set(key, name);
  return names;
}

export type BreakdownInput = RangeInput & {
  dimension: Dimension;
  /** At most this many rows (default 100). */
  limit?: number;
  /** Most clicks first (the default), or most enrolments first. */
  sort?: "clicks" | "enrollments";
};

/** The funnel counts and revenue per value of one dimension, biggest first (days in order). */
export async function breakdown(ctx: WorkspaceContext, input: BreakdownInput): Promise<BreakdownRow[]> {
  const { range, dimension, limit = 100, sort = "clicks" } = input;
  const { db, workspace } = ctx;
  const workspaceId = workspace.id;
  // Courses are the `course` column of the totals; days are the `day` column.
  const dim = dimension === "course" || dimension === "day" ? "total" : dimension;
  const keyColumn = dimension === "course" ? sql`course` : dimension === "day" ? sql`day` : sql`key`;
  const courseFilter =
    dimension === "course"
      ? range.course === "*"
        ? sql`course <> '*'`
        : sql`course = ${range.course}`
      : sql`course = ${range.course}`;
  const order =
    dimension === "day"
      ? sql`1`
      : sort === "enrollments"
        ? sql`enrollments DESC, clicks DESC, 1`
        : sql`clicks DESC, enrollments DESC, 1`;
  const where = sql`workspace_id = ${workspaceId} AND dim = ${dim} AND ${courseFilter}`;
  // Advocates (one per learner who shared) may be tens of thousands: first rank them grouping only
  // the two sort columns (narrower rows through the grouping's temporary B-tree, most of the cost),
  // then read every count of the chosen few by key, in one statement so both read one snapshot.
  // Measured at 1M clicks: 10-25% less CPU; the other dimensions have few keys and the many
  // single-bucket arms cost them more than they save, so they group once as before.
  const byKey = dimension === "advocate";
  const rows = await db.all<Record<string, unknown>>(
    byKey
      ? sql`
    WITH ranked AS MATERIALIZED (
      SELECT key, sum(clicks) AS clicks, sum(enrollments) AS enrollments
      FROM ${rollupRows("analytics_daily", where, range)}
      GROUP BY 1 ORDER BY ${order} LIMIT ${limit})
    SELECT key, ${countColumns}
    FROM ${rollupRowsOfKeys("analytics_daily", where, range, sql`SELECT key FROM ranked`)}
    GROUP BY 1 ORDER BY ${order}`
      : sql`
    SELECT ${keyColumn} AS key, ${countColumns}
    FROM ${rollupRows("analytics_daily", where, range, dimension === "day")}
    GROUP BY 1 ORDER BY ${order} LIMIT ${limit}`,
  );
  const keys = rows.map((row) => String(row.key));
  // Revenue of the same rows: grouped the same way.
  const money = new Map<string, Money[]>();
  if (keys.length > 0) {
    const list = sql.join(
      rows.map((row) => sql`${row.key}`),
      sql`, `,
    );
    const revenueRows = await db.all<{ key: string; currency: string; amount: number }>(sql`
      SELECT ${keyColumn} AS key, currency, sum(enrolled) - sum(refunded) AS amount
      FROM ${rollupRows("analytics_revenue", where, range, dimension === "day")}
      WHERE ${keyColumn} IN (${list})
      GROUP BY 1, 2 ORDER BY 1, 2`);
    for (const row of revenueRows) {
      const key = String(row.key);
      money.set(key, [...(money.get(key) ?? []), { currency: row.currency, amount: Number(row.amount) }]);
    }
  }
  const names = await labels(ctx, dimension, keys);
  return rows.map((row) => {
    const raw = String(row.key);
    const key = dimension === "day" ? new Date(Number(row.key) * dayMs).toISOString().slice(0, 10) : raw;
    const name = names.get(raw);
    return {
      key: key === "" && dimension === "country" ? null : key,
      label: name?.label ?? null,
      ...(dimension === "story" ? { author: name?.author ?? null } : {}),
      ...toCounts(row),
      revenue: money.get(raw) ?? [],
    };
  });
}

/** The daily (or weekly, monthly) series of the funnel counts, with empty periods as zeros. */
export async function timeseries(
  { db, workspace }: WorkspaceContext,
  { range, interval }: RangeInput & { interval: "day" | "week" | "month" },
) {
  const workspaceId = workspace.id;
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT day, ${countColumns}
    FROM ${rollupRows("analytics_daily", sql`workspace_id = ${workspaceId} AND dim = 'total' AND course = ${range.course}`, range, true)}
    GROUP BY day`);
  const byDay = new Map(rows.map((row) => [Number(row.day), toCounts(row)]));
  const periods = new Map<string, Counts>();
  for (let day = range.fromDay; day <= range.toDay; day++) {
    const period = periodStart(day, interval);
    const sum = periods.get(period) ?? toCounts({});
    const counts = byDay.get(day);
    if (counts) for (const name of Object.keys(sum) as (keyof Counts)[]) sum[name] += counts[name];
    periods.set(period, sum);
  }
  return [...periods].map(([period, counts]) => ({ period, ...counts }));
}

function periodStart(day: number, interval: "day" | "week" | "month"): string {
  const date = new Date(day * dayMs);
  if (interval === "week") date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7)); // ISO weeks start Monday
  if (interval === "month") date.setUTCDate(1);
  return date.toISOString().slice(0, 10);
}

/**
 * The viral coefficient per monthly cohort of learners (issue 20). A cohort is every learner
 * whose first enrolment (in the course, when one is selected) fell in that month, whether or not
 * they ever shared: counting only the learners who shared (the old "enrolments per advocate")
 * made any programme look self-sustaining. Over the cohort's life to date:
 *   kFactor            = referredEnrollments / learners   (the viral coefficient)
 *   sharerShare        = sharers / learners                (how many of them shared)
 *   enrollmentsPerSharer = referredEnrollments / sharers   (what a sharer brought)
 * so kFactor = sharerShare × enrollmentsPerSharer exactly (both are fractions of the same
 * counts, which the answer carries so a reader can check it). A sharer is a learner of the cohort
 * whose link was shared, clicked or brought a signup or enrolment: every learner who referred anyone is
 * one, so the product holds even for links passed on without the share button. With no sharer,
 * kFactor is 0 and enrollmentsPerSharer is null. The range selects cohorts by month.
 */
export async function kFactor({ db, workspace }: WorkspaceContext, { range }: RangeInput) {
  const workspaceId = workspace.id;
  // analytics_cohorts holds these sums per day of first enrolment (migration 0029's triggers), so
  // a range reads one row per day, whatever the number of learners; months without a learner
  // (every member gone) leave rows at zero, which HAVING drops as the grouping over members did.
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT strftime('%Y-%m', day * 86400, 'unixepoch') AS cohort, sum(learners) AS learners,
      sum(sharers) AS sharers, sum(shares) AS shares, sum(clicks) AS clicks,
      sum(signups) AS signups, sum(enrollments) AS enrollments
    FROM analytics_cohorts
    WHERE workspace_id = ${workspaceId} AND course = ${range.course} AND day BETWEEN ${range.fromDay} AND ${range.toDay}
    GROUP BY 1 HAVING sum(learners) > 0 ORDER BY 1`);
  return rows.map((row) => {
    const learners = Number(row.learners);
    const sharers = Number(row.sharers ?? 0);
    const enrollments = Number(row.enrollments);
    return {
      cohort: String(row.cohort),
      learners,
      sharers,
      shares: Number(row.shares),
      clicks: Number(row.clicks),
      signups: Number(row.signups),
      /** Enrolments referred by the cohort's learners (not the cohort's own enrolments). */
      enrollments,
      sharerShare: ratio(sharers, learners),
      enrollmentsPerSharer: ratio(enrollments, sharers),
      kFactor: ratio(enrollments, learners) ?? 0,
    };
  });
}

/**
 * Click-to-enrolment delay of attributed enrolments with a click, by the enrolment's day. Exact
 * nearest-rank percentiles: the index is ordered by delay, so each is one ordered range walk.
 */
export async function timeToConvert({ db, workspace }: WorkspaceContext, { range }: RangeInput) {
  const workspaceId = workspace.id;
  const where = sql`workspace_id = ${workspaceId} AND course = ${range.course} AND day BETWEEN ${range.fromDay} AND ${range.toDay}`;
  const [row] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM analytics_delays WHERE ${where}`);
  const n = Number(row?.n ?? 0);
  const at = async (p: number) => {
    if (n === 0) return null;
    const rank = Math.max(1, Math.ceil(p * n));
    const [hit] = await db.all<{ delay: number }>(
      sql`SELECT delay_ms AS delay FROM analytics_delays WHERE ${where} ORDER BY delay_ms LIMIT 1 OFFSET ${rank - 1}`,
    );
    return hit ? Number(hit.delay) : null;
  };
  const toSeconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));
  return { enrollments: n, medianSeconds: toSeconds(await at(0.5)), p90Seconds: toSeconds(await at(0.9)) };
}

/** The advocates who brought the most enrolments (then clicks) in the range. */
export async function topAdvocates(ctx: WorkspaceContext, { range, limit }: RangeInput & { limit: number }) {
  const { db, workspace } = ctx;
  const workspaceId = workspace.id;
  const rows = await breakdown(ctx, { range, dimension: "advocate", limit, sort: "enrollments" });
  if (rows.length === 0) return [];
  const ids = sql.join(
    rows.map((row) => sql`${row.key}`),
    sql`, `,
  );
  const learners = await db.all<{ id: string; externalId: string; name: string | null }>(
    sql`SELECT id, external_id AS externalId, name FROM learners WHERE workspace_id = ${workspaceId} AND id IN (${ids})`,
  );
  const byId = new Map(learners.map((learner) => [learner.id, learner]));
  return rows.map(({ key, label: _label, ...counts }) => ({
    learnerId: byId.get(key ?? "")?.externalId ?? null,
    name: byId.get(key ?? "")?.name ?? null,
    ...counts,
  }));
}

export type ConversionSearch = {
  q?: string;
  type?: "signup" | "enrollment" | "completion" | "refund";
  status?: "attributed" | "unattributed";
  flagged?: boolean;
  cursor?: string;
  limit: number;
};

/**
 * Conversions newest first, each with its decision log, for the dashboard's search: `q` matches
 * the provider's conversion id or customer id exactly or by prefix (LIKE with escaping).
 */
export async function searchConversions({ db, workspace }: WorkspaceContext, search: ConversionSearch) {
  const workspaceId = workspace.id;
  const after = decodeCursor(search.cursor, ["number", "string"]);
  const like = search.q ? `${search.q.replace(/[\\%_]/g, (char) => `\\${char}`)}%` : null;
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT v.id, v.external_id AS externalId, v.type, v.customer_id AS customerId, v.course, v.amount, v.currency,
      v.status, v.flagged, v.channel, v.story_id AS storyId, v.click_id AS clickId, v.decision,
      v.occurred_at AS occurredAt, l.external_id AS referrerId, l.name AS referrerName
    FROM conversions v LEFT JOIN learners l ON l.id = v.referrer_id AND l.workspace_id = v.workspace_id
    WHERE v.workspace_id = ${workspaceId}
      ${like ? sql`AND (v.external_id LIKE ${like} ESCAPE '\\' OR v.customer_id LIKE ${like} ESCAPE '\\')` : sql``}
      ${search.type ? sql`AND v.type = ${search.type}` : sql``}
      ${search.status ? sql`AND v.status = ${search.status}` : sql``}
      ${search.flagged === undefined ? sql`` : sql`AND v.flagged = ${search.flagged ? 1 : 0}`}
      ${after ? sql`AND (v.occurred_at < ${after[0]} OR (v.occurred_at = ${after[0]} AND v.id < ${after[1]}))` : sql``}
    ORDER BY v.occurred_at DESC, v.id DESC LIMIT ${search.limit + 1}`);
  const page = paginate(rows, search.limit, (last) => [Number(last.occurredAt), String(last.id)]);
  return {
    items: page.items.map((row) => ({
      id: String(row.id),
      externalId: String(row.externalId),
      type: String(row.type),
      customerId: String(row.customerId),
      course: String(row.course),
      amount: row.amount === null ? null : Number(row.amount),
      currency: (row.currency as string | null) ?? null,
      status: String(row.status),
      flagged: Boolean(row.flagged),
      channel: (row.channel as string | null) ?? null,
      storyId: (row.storyId as string | null) ?? null,
      clickId: (row.clickId as string | null) ?? null,
      referrer: row.referrerId
        ? { learnerId: String(row.referrerId), name: (row.referrerName as string | null) ?? null }
        : null,
      decision: JSON.parse(String(row.decision)) as { rule: string; result: string; detail: string }[],
      occurredAt: new Date(Number(row.occurredAt)).toISOString(),
    })),
    nextCursor: page.nextCursor,
  };
}
