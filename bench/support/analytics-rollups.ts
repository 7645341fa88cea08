/**
 * The analytics rollups (analytics_daily, analytics_revenue, analytics_advocates, analytics_delays,
 * and the K-factor's analytics_cohort_members and analytics_cohorts)
 * rebuilt from the base tables in a few INSERT … SELECT … GROUP BY statements, for bulk loads
 * (bench/support/analytics-seed.ts) where per-row rollup work would take minutes.
 *
 * It restates what the live write path produces (the triggers of migration 0003 for shares and
 * conversions, insertClicks in server/services/click-writer.ts for clicks; the bucket starts are
 * shared with the conversion batch, server/lib/rollup-bucket-sql.ts). If that write path changes,
 * adapt this file: tests/api/bench-seed.test.ts compares its result with
 * the rollups the app's own write path builds over the same rows and fails on any difference.
 *
 * What the live path does, restated as set operations:
 * - clicks (is_bot = 0 only) count in dims total (''), channel, advocate (learner_id), story
 *   (story_id) and country (coalesce(country, '')); conversions (status 'attributed' only) in the
 *   same dims with channel coalesce(channel, 'direct') and the country of their click; shares in
 *   total, channel and advocate. A NULL key counts nowhere for that dim.
 * - each row counts for course '*' and for its own course (unless that is '*').
 * - `visitors`: a click counts 1 when no other non-bot click of the same visitor that UTC day
 *   falls in the same rollup row, i.e. distinct visitor hashes per (row, day); coarser grains sum
 *   their days.
 * - every day counts again in its ISO week ('w'), month ('m') and quarter ('q'), each named by the
 *   day number of its first day.
 * - K-factor cohorts (migration 0029's triggers): a member per customer and course ('*' and their
 *   own) with their first enrolment of any status; per first-enrolment day, the members, how many
 *   of them are learners (by external id) whose advocate totals are not all zero, and those totals.
 */
import type { Client } from "@libsql/client";
import { monthStartSql, quarterStartSql, weekStartSql } from "../../server/lib/rollup-bucket-sql.ts";

export const rollupTables = [
  "analytics_daily",
  "analytics_revenue",
  "analytics_advocates",
  "analytics_delays",
  "analytics_cohort_members",
  "analytics_cohorts",
] as const;

/** Bucket starts for a day number `d` (as in migration 0003 and insertClicks, with `d * 86400000` as the time). */
function grainRows(d: string): string {
  return `SELECT ${d} AS day, 'd' AS grain, ${d} AS bucket FROM rollup_days
    UNION ALL SELECT ${d}, 'w', ${weekStartSql(d)} FROM rollup_days
    UNION ALL SELECT ${d}, 'm', ${monthStartSql(d)} FROM rollup_days
    UNION ALL SELECT ${d}, 'q', ${quarterStartSql(d)} FROM rollup_days`;
}

type Source = { table: string; alias: string; where: string; time: string; dims: [dim: string, key: string][] };

const clickSource: Source = {
  table: "clicks",
  alias: "c",
  where: "c.is_bot = 0",
  time: "c.created_at",
  dims: [
    ["total", "''"],
    ["channel", "c.channel"],
    ["advocate", "c.learner_id"],
    ["story", "c.story_id"],
    ["country", "coalesce(c.country, '')"],
  ],
};
const shareSource: Source = {
  table: "share_events",
  alias: "s",
  where: "1",
  time: "s.created_at",
  dims: [
    ["total", "''"],
    ["channel", "s.channel"],
    ["advocate", "s.learner_id"],
  ],
};
const conversionSource: Source = {
  table: "conversions",
  alias: "v",
  where: "v.status = 'attributed'",
  time: "v.occurred_at",
  dims: [
    ["total", "''"],
    ["channel", "coalesce(v.channel, 'direct')"],
    ["advocate", "v.referrer_id"],
    ["story", "v.story_id"],
    ["country", "coalesce(vc.country, '')"],
  ],
};

/** The two course rows every event counts in: '*' and, unless it is '*', its own course. */
const courseModes = (alias: string): [course: string, where: string][] => [
  ["'*'", "1"],
  [`${alias}.course`, `${alias}.course <> '*'`],
];

const day = (time: string) => `(CAST(${time} AS INTEGER) / 86400000)`;

function dayLevel(source: Source, values: string): string[] {
  const { table, alias, where, time } = source;
  const from =
    table === "conversions"
      ? "conversions v NOT INDEXED LEFT JOIN clicks vc ON vc.id = v.click_id"
      : `${table} ${alias} NOT INDEXED`;
  const statements: string[] = [];
  for (const [dim, key] of source.dims)
    for (const [course, courseWhere] of courseModes(alias))
      statements.push(`INSERT INTO rollup_day (workspace_id, dim, course, day, key, first_at, clicks, visitors, shares, signups, enrollments, completions, refunds)
  SELECT ${alias}.workspace_id, '${dim}', ${course}, ${day(time)}, ${key}, min(${time}), ${values}
  FROM ${from} WHERE ${where} AND ${courseWhere} AND ${key} IS NOT NULL
  GROUP BY ${alias}.workspace_id, ${course}, ${day(time)}, ${key}`);
  return statements;
}

function revenueDayLevel(): string[] {
  const statements: string[] = [];
  for (const [dim, key] of conversionSource.dims)
    for (const [course, courseWhere] of courseModes("v"))
      statements.push(`INSERT INTO rollup_revenue_day (workspace_id, dim, course, day, key, currency, enrolled, refunded)
  SELECT v.workspace_id, '${dim}', ${course}, ${day("v.occurred_at")}, ${key}, v.currency,
    sum(CASE WHEN v.type = 'enrollment' THEN v.amount ELSE 0 END), sum(CASE WHEN v.type = 'refund' THEN v.amount ELSE 0 END)
  FROM conversions v LEFT JOIN clicks vc ON vc.id = v.click_id
  WHERE v.status = 'attributed' AND v.type IN ('enrollment', 'refund') AND v.amount IS NOT NULL AND v.currency IS NOT NULL
    AND ${courseWhere} AND ${key} IS NOT NULL
  GROUP BY v.workspace_id, ${course}, ${day("v.occurred_at")}, ${key}, v.currency`);
  return statements;
}

/**
 * Lifetime totals per advocate: the advocate rows of the day level (clicks of non-bots, shares,
 * attributed conversions, each with a learner) summed, first activity the earliest of them.
 */
function advocates(): string[] {
  return [
    `INSERT INTO analytics_advocates (workspace_id, course, learner_id, first_active_at, shares, clicks, signups, enrollments, completions)
  SELECT workspace_id, course, key, min(first_at), sum(shares), sum(clicks), sum(signups), sum(enrollments), sum(completions)
  FROM rollup_day WHERE dim = 'advocate'
  GROUP BY workspace_id, course, key`,
  ];
}

/**
 * The K-factor cohorts, after the advocate totals. With the triggers in place (a rebuild of a live
 * database) the member inserts already fill analytics_cohorts, so it is emptied and summed again.
 */
function cohorts(): string[] {
  return [
    ...courseModes("v").map(
      ([
        course,
        courseWhere,
      ]) => `INSERT INTO analytics_cohort_members (workspace_id, customer_id, course, first_enrolled_at)
  SELECT v.workspace_id, v.customer_id, ${course}, min(v.occurred_at) FROM conversions v
  WHERE v.type = 'enrollment' AND ${courseWhere}
  GROUP BY v.workspace_id, v.customer_id, ${course}`,
    ),
    "DELETE FROM analytics_cohorts",
    `INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
  SELECT m.workspace_id, m.course, ${day("m.first_enrolled_at")}, count(*),
    sum(coalesce(a.shares + a.clicks + a.signups + a.enrollments > 0, 0)), coalesce(sum(a.shares), 0),
    coalesce(sum(a.clicks), 0), coalesce(sum(a.signups), 0), coalesce(sum(a.enrollments), 0)
  FROM analytics_cohort_members m
    LEFT JOIN learners l ON l.workspace_id = m.workspace_id AND l.external_id = m.customer_id
    LEFT JOIN analytics_advocates a ON a.workspace_id = m.workspace_id AND a.course = m.course AND a.learner_id = l.id
  GROUP BY m.workspace_id, m.course, ${day("m.first_enrolled_at")}`,
  ];
}

function delays(): string[] {
  return courseModes("v").map(
    ([course, courseWhere]) => `INSERT INTO analytics_delays (workspace_id, course, day, delay_ms, conversion_id)
  SELECT v.workspace_id, ${course}, ${day("v.occurred_at")}, max(0, CAST(v.occurred_at - c.created_at AS INTEGER)), v.id
  FROM conversions v JOIN clicks c ON c.id = v.click_id
  WHERE v.status = 'attributed' AND v.type = 'enrollment' AND ${courseWhere}`,
  );
}

/** Every statement, in order: empty the rollups, then rebuild them from clicks, shares and conversions. */
export function rebuildRollupsSql(): string[] {
  const counts = (clicks: string, visitors: string, shares: string, conversions: boolean) =>
    `${clicks}, ${visitors}, ${shares}, ${
      conversions
        ? "sum(v.type = 'signup'), sum(v.type = 'enrollment'), sum(v.type = 'completion'), sum(v.type = 'refund')"
        : "0, 0, 0, 0"
    }`;
  return [
    ...rollupTables.map((table) => `DELETE FROM ${table}`),
    "DROP TABLE IF EXISTS temp.rollup_day",
    "DROP TABLE IF EXISTS temp.rollup_revenue_day",
    "DROP TABLE IF EXISTS temp.rollup_days",
    "DROP TABLE IF EXISTS temp.rollup_grains",
    `CREATE TEMP TABLE rollup_day (workspace_id TEXT, dim TEXT, course TEXT, day INTEGER, key TEXT, first_at INTEGER,
      clicks INTEGER, visitors INTEGER, shares INTEGER, signups INTEGER, enrollments INTEGER, completions INTEGER, refunds INTEGER)`,
    `CREATE TEMP TABLE rollup_revenue_day (workspace_id TEXT, dim TEXT, course TEXT, day INTEGER, key TEXT, currency TEXT,
      enrolled INTEGER, refunded INTEGER)`,
    ...dayLevel(clickSource, counts("count(*)", "count(DISTINCT c.visitor_hash)", "0", false)),
    ...dayLevel(shareSource, counts("0", "0", "count(*)", false)),
    ...dayLevel(conversionSource, counts("0", "0", "0", true)),
    ...revenueDayLevel(),
    `CREATE TEMP TABLE rollup_days AS SELECT day FROM rollup_day UNION SELECT day FROM rollup_revenue_day`,
    `CREATE TEMP TABLE rollup_grains AS ${grainRows("day")}`,
    "CREATE INDEX temp.rollup_grains_day ON rollup_grains (day, grain)",
    // Days first (the sources of one row merged), then each coarser grain from those day rows.
    `INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, clicks, visitors, shares, signups, enrollments, completions, refunds)
  SELECT workspace_id, dim, course, 'd', day, key,
    sum(clicks), sum(visitors), sum(shares), sum(signups), sum(enrollments), sum(completions), sum(refunds)
  FROM rollup_day
  GROUP BY workspace_id, dim, course, day, key`,
    ...["w", "m"].map(
      (
        grain,
      ) => `INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, clicks, visitors, shares, signups, enrollments, completions, refunds)
  SELECT r.workspace_id, r.dim, r.course, '${grain}', g.bucket, r.key,
    sum(r.clicks), sum(r.visitors), sum(r.shares), sum(r.signups), sum(r.enrollments), sum(r.completions), sum(r.refunds)
  FROM analytics_daily r JOIN rollup_grains g ON g.day = r.day AND g.grain = '${grain}'
  WHERE r.grain = 'd'
  GROUP BY r.workspace_id, r.dim, r.course, g.bucket, r.key`,
    ),
    // Quarters from months: fewer rows to group.
    `INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, clicks, visitors, shares, signups, enrollments, completions, refunds)
  SELECT workspace_id, dim, course, 'q', ${quarterStartSql("day")}, key,
    sum(clicks), sum(visitors), sum(shares), sum(signups), sum(enrollments), sum(completions), sum(refunds)
  FROM analytics_daily WHERE grain = 'm'
  GROUP BY workspace_id, dim, course, ${quarterStartSql("day")}, key`,
    `INSERT INTO analytics_revenue (workspace_id, dim, course, grain, day, key, currency, enrolled, refunded)
  SELECT r.workspace_id, r.dim, r.course, g.grain, g.bucket, r.key, r.currency, sum(r.enrolled), sum(r.refunded)
  FROM rollup_revenue_day r JOIN rollup_grains g ON g.day = r.day
  GROUP BY r.workspace_id, r.dim, r.course, g.grain, g.bucket, r.key, r.currency
  ORDER BY r.workspace_id, r.dim, r.course, g.grain, g.bucket, r.key, r.currency`,
    ...advocates(),
    ...delays(),
    ...cohorts(),
    "DROP TABLE temp.rollup_day",
    "DROP TABLE temp.rollup_revenue_day",
    "DROP TABLE temp.rollup_days",
    "DROP TABLE temp.rollup_grains",
  ];
}

/** Rebuilds every rollup from the base tables in one write transaction. */
export async function rebuildRollups(client: Client): Promise<void> {
  await client.batch(rebuildRollupsSql(), "write");
}

/** Every rollup row, sorted, as plain values: for comparing two databases. */
export async function rollupSnapshot(client: Client): Promise<Record<string, unknown[][]>> {
  const snapshot: Record<string, unknown[][]> = {};
  for (const table of rollupTables) {
    const result = await client.execute(`SELECT * FROM ${table}`);
    snapshot[table] = result.rows
      .map((row) => result.columns.map((_, i) => row[i]))
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return snapshot;
}
