/**
 * The analytics rollups of a conversion batch, added once per write transaction in grouped
 * upserts instead of by the per-row triggers (migration 0003, gated in 0030).
 *
 * A single conversion's triggers do about 80 upserts (5 dimensions × 2 courses × 4 grains, for
 * counts and for revenue), and the batch's conversions share most of those rows: a batch of 100
 * enrolments by 50 advocates on one day touches a few hundred rows, not 8,000. The statements
 * below restate the insert trigger as set operations over the conversions the transaction
 * recorded, in their final state (after the UPDATE that stores the outcome), so the rollups end
 * exactly as the triggers would leave them: tests/api/conversions.batch.test.ts compares every
 * rollup table after a batch with the same conversions posted one by one.
 *
 * Sound only while the transaction writes no conversion other than those it records (a batch
 * inserts its items and updates each once, nothing else): an update of an older conversion would
 * skip its trigger too. The gate row is written and deleted inside the transaction, so no other
 * connection sees it, and a rollback takes it away with everything else.
 */
import { sql } from "drizzle-orm";
import { monthStartSql, quarterStartSql, weekStartSql } from "../lib/rollup-bucket-sql.ts";
import type { TransactionContext } from "./types.ts";

/** From here until `addConversionRollups`, the conversion triggers leave the rollups alone. */
export async function deferConversionRollups({ tx }: TransactionContext): Promise<void> {
  await tx.run(sql`INSERT INTO analytics_conversions_deferred (holder) VALUES ('batch')`);
}

/**
 * Adds the rollups of the conversions `ids` (recorded in this transaction while deferred) and
 * hands the rollups back to the triggers.
 */
export async function addConversionRollups({ tx, workspace }: TransactionContext, ids: string[]): Promise<void> {
  if (ids.length > 0) {
    const recorded = recordedConversions(workspace.id, JSON.stringify(ids));
    await tx.run(sql`${recorded},
      ${expanded(
        sql`sum(type = 'signup') AS signups, sum(type = 'enrollment') AS enrollments,
        sum(type = 'completion') AS completions, sum(type = 'refund') AS refunds`,
        sql`1`,
        sql``,
      )}
      INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, signups, enrollments, completions, refunds)
      SELECT workspace_id, dim, course, grain, bucket, key, sum(signups), sum(enrollments), sum(completions), sum(refunds)
      FROM keyed WHERE key IS NOT NULL
      GROUP BY workspace_id, dim, course, grain, bucket, key
      ON CONFLICT (workspace_id, dim, course, grain, day, key) DO UPDATE SET signups = signups + excluded.signups,
        enrollments = enrollments + excluded.enrollments, completions = completions + excluded.completions,
        refunds = refunds + excluded.refunds`);
    await tx.run(sql`${recorded},
      ${expanded(
        sql`sum(CASE WHEN type = 'enrollment' THEN amount ELSE 0 END) AS enrolled,
          sum(CASE WHEN type = 'refund' THEN amount ELSE 0 END) AS refunded`,
        sql`type IN ('enrollment', 'refund') AND amount IS NOT NULL AND currency IS NOT NULL`,
        sql`, currency`,
      )}
      INSERT INTO analytics_revenue (workspace_id, dim, course, grain, day, key, currency, enrolled, refunded)
      SELECT workspace_id, dim, course, grain, bucket, key, currency, sum(enrolled), sum(refunded)
      FROM keyed WHERE key IS NOT NULL
      GROUP BY workspace_id, dim, course, grain, bucket, key, currency
      ON CONFLICT (workspace_id, dim, course, grain, day, key, currency) DO UPDATE SET enrolled = enrolled + excluded.enrolled,
        refunded = refunded + excluded.refunded`);
    await tx.run(sql`${recorded}
      INSERT INTO analytics_advocates (workspace_id, course, learner_id, first_active_at, signups, enrollments, completions)
      SELECT workspace_id, ${courseOf}, referrer_id, min(occurred_at), sum(type = 'signup'), sum(type = 'enrollment'),
        sum(type = 'completion')
      FROM recorded, ${courses} AS c WHERE referrer_id IS NOT NULL AND (c.course = '*' OR own_course <> '*')
      GROUP BY workspace_id, ${courseOf}, referrer_id
      ON CONFLICT (workspace_id, course, learner_id) DO UPDATE SET signups = signups + excluded.signups,
        enrollments = enrollments + excluded.enrollments, completions = completions + excluded.completions,
        first_active_at = min(first_active_at, excluded.first_active_at)`);
    await tx.run(sql`${recorded}
      INSERT INTO analytics_delays (workspace_id, course, day, delay_ms, conversion_id)
      SELECT workspace_id, ${courseOf}, day, max(0, CAST(occurred_at - click_created_at AS INTEGER)), id
      FROM recorded, ${courses} AS c
      WHERE click_created_at IS NOT NULL AND type = 'enrollment' AND (c.course = '*' OR own_course <> '*')`);
  }
  await tx.run(sql`DELETE FROM analytics_conversions_deferred`);
}

/** The two course rows a conversion counts in: '*' and its own course ('own' stands for it), unless that is '*'. */
const courses = sql.raw("(SELECT '*' AS course UNION ALL SELECT 'own')");
const courseOf = sql.raw("CASE c.course WHEN '*' THEN '*' ELSE own_course END");

/** The recorded, attributed conversions, with the trigger's dimension keys and their UTC day. */
function recordedConversions(workspaceId: string, idsJson: string) {
  return sql`WITH recorded AS MATERIALIZED (
      SELECT c.id, c.workspace_id, c.type, c.course AS own_course, c.amount, c.currency, c.referrer_id, c.story_id,
        c.occurred_at, CAST(c.occurred_at AS INTEGER) / 86400000 AS day, coalesce(c.channel, 'direct') AS channel,
        coalesce(k.country, '') AS country, k.created_at AS click_created_at
      -- CROSS JOIN keeps the ids as the outer loop: each conversion is read by its key, whereas
      -- "id IN (…)" was planned as a scan of the workspace's conversions, which grows with them.
      FROM json_each(${idsJson}) AS recordedId CROSS JOIN conversions c ON c.id = recordedId.value
        LEFT JOIN clicks k ON k.id = c.click_id
      WHERE c.workspace_id = ${workspaceId} AND c.status = 'attributed')`;
}

/**
 * `keyed`: the recorded conversions (those matching `where`) summed per day and per combination
 * of keys (`sums`, grouped also by `extra`), then counted once per course row, dimension and grain
 * with the trigger's key and bucket start (the bucket of a day is that of any time in it).
 * Summing first keeps the expansion (2 courses × 5 dimensions × 4 grains) to one per group.
 */
function expanded(sums: ReturnType<typeof sql>, where: ReturnType<typeof sql>, extra: ReturnType<typeof sql>) {
  return sql`summed AS MATERIALIZED (
      SELECT workspace_id, own_course, channel, referrer_id, story_id, country, day ${extra}, ${sums},
        ${sql.raw(weekStartSql("day"))} AS week, ${sql.raw(monthStartSql("day"))} AS month,
        ${sql.raw(quarterStartSql("day"))} AS quarter
      FROM recorded WHERE ${where}
      GROUP BY workspace_id, own_course, channel, referrer_id, story_id, country, day ${extra}),
    keyed AS (
      SELECT summed.*, ${courseOf} AS course, d.dim,
        CASE d.dim WHEN 'total' THEN '' WHEN 'channel' THEN channel WHEN 'advocate' THEN referrer_id
          WHEN 'story' THEN story_id ELSE country END AS key,
        g.grain, CASE g.grain WHEN 'd' THEN day WHEN 'w' THEN week WHEN 'm' THEN month ELSE quarter END AS bucket
      FROM summed, ${courses} AS c,
        (SELECT 'total' AS dim UNION ALL SELECT 'channel' UNION ALL SELECT 'advocate' UNION ALL SELECT 'story'
          UNION ALL SELECT 'country') AS d,
        (SELECT 'd' AS grain UNION ALL SELECT 'w' UNION ALL SELECT 'm' UNION ALL SELECT 'q') AS g
      WHERE c.course = '*' OR own_course <> '*')`;
}
