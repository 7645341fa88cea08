/**
 * The SQL of migration 0003_analytics_triggers, kept as code so the four near-identical rollup
 * statements per table are written once. Run `npx tsx db/analytics-triggers.ts` to print it.
 *
 * Why triggers: every writer of shares and conversions (the card, the conversions service, a CLI,
 * a future import) keeps the rollups right without knowing of them, inside its own transaction,
 * so concurrent writers never lose an increment.
 *
 * Clicks no longer: migration 0005 dropped `analytics_clicks_insert`, whose per-row work was most
 * of a redirect's cost. insertClicks (server/services/click-writer.ts) keeps the click rollups
 * per batch now, with the same figures; `clickInsertTrigger` stays exported so a test can prove
 * that (tests/api/click-rollups.test.ts).
 */

const day = (column: string) => `(CAST(${column} AS INTEGER) / 86400000)`;

/**
 * The buckets an event counts in: its day ('d'), ISO week ('w', from Monday), month ('m') and
 * quarter ('q'), each named by the day number of its first day. A range is then read as whole
 * quarters, months and weeks plus a few single days (server/services/analytics.ts).
 */
const grains = (column: string) => {
  const seconds = `CAST(${column} AS INTEGER) / 1000`;
  const month = `CAST(strftime('%m', ${seconds}, 'unixepoch') AS INTEGER)`;
  return `(SELECT 'd' AS grain, ${day(column)} AS bucket
    UNION ALL SELECT 'w', ${day(column)} - ((${day(column)} + 3) % 7)
    UNION ALL SELECT 'm', CAST(strftime('%s', ${seconds}, 'unixepoch', 'start of month') AS INTEGER) / 86400
    UNION ALL SELECT 'q', CAST(strftime('%s', ${seconds}, 'unixepoch', 'start of month', printf('-%d months', (${month} - 1) % 3)) AS INTEGER) / 86400) AS g`;
};

/** The rollup rows a row contributes to: '*' (all courses) and its own course. */
const courses = (r: string) => `(SELECT '*' AS course UNION ALL SELECT ${r}.course WHERE ${r}.course <> '*') AS cs`;

const clickDims = (r: string) =>
  `(SELECT 'total' AS dim, '' AS key UNION ALL SELECT 'channel', ${r}.channel UNION ALL SELECT 'advocate', ${r}.learner_id UNION ALL SELECT 'story', ${r}.story_id UNION ALL SELECT 'country', coalesce(${r}.country, '')) AS d`;

const shareDims = (r: string) =>
  `(SELECT 'total' AS dim, '' AS key UNION ALL SELECT 'channel', ${r}.channel UNION ALL SELECT 'advocate', ${r}.learner_id) AS d`;

const conversionDims = (r: string) =>
  `(SELECT 'total' AS dim, '' AS key UNION ALL SELECT 'channel', coalesce(${r}.channel, 'direct') UNION ALL SELECT 'advocate', ${r}.referrer_id UNION ALL SELECT 'story', ${r}.story_id UNION ALL SELECT 'country', coalesce((SELECT country FROM clicks WHERE id = ${r}.click_id), '')) AS d`;

const dailyKey = "(workspace_id, dim, course, grain, day, key)";

/** The click trigger of migration 0003 (dropped by 0005). */
export function clickInsertTrigger(): string {
  // A visitor counts once per day and rollup row: only when no other click of that visitor that
  // day matches the same dimension value (index clicks_workspace_visitor makes this a lookup).
  const seenBefore = `EXISTS (SELECT 1 FROM clicks c WHERE c.workspace_id = NEW.workspace_id AND c.visitor_hash = NEW.visitor_hash
      AND c.created_at >= ${day("NEW.created_at")} * 86400000 AND c.created_at < (${day("NEW.created_at")} + 1) * 86400000
      AND c.id <> NEW.id AND c.is_bot = 0 AND (cs.course = '*' OR c.course = NEW.course)
      AND (CASE d.dim WHEN 'total' THEN '' WHEN 'channel' THEN c.channel WHEN 'advocate' THEN c.learner_id WHEN 'story' THEN c.story_id ELSE coalesce(c.country, '') END) = d.key)`;
  return `CREATE TRIGGER analytics_clicks_insert AFTER INSERT ON clicks WHEN NEW.is_bot = 0 BEGIN
  INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, clicks, visitors)
    SELECT NEW.workspace_id, d.dim, cs.course, g.grain, g.bucket, d.key, 1, NOT ${seenBefore}
    FROM ${clickDims("NEW")}, ${courses("NEW")}, ${grains("NEW.created_at")}
    WHERE d.key IS NOT NULL
    ON CONFLICT ${dailyKey} DO UPDATE SET clicks = clicks + excluded.clicks, visitors = visitors + excluded.visitors;
  INSERT INTO analytics_advocates (workspace_id, course, learner_id, first_active_at, clicks)
    SELECT NEW.workspace_id, cs.course, NEW.learner_id, NEW.created_at, 1 FROM ${courses("NEW")}
    WHERE NEW.learner_id IS NOT NULL
    ON CONFLICT (workspace_id, course, learner_id) DO UPDATE SET clicks = clicks + 1,
      first_active_at = min(first_active_at, excluded.first_active_at);
END;`;
}

function shareInsert(): string {
  return `CREATE TRIGGER analytics_shares_insert AFTER INSERT ON share_events BEGIN
  INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, shares)
    SELECT NEW.workspace_id, d.dim, cs.course, g.grain, g.bucket, d.key, 1
    FROM ${shareDims("NEW")}, ${courses("NEW")}, ${grains("NEW.created_at")}
    WHERE d.key IS NOT NULL
    ON CONFLICT ${dailyKey} DO UPDATE SET shares = shares + excluded.shares;
  INSERT INTO analytics_advocates (workspace_id, course, learner_id, first_active_at, shares)
    SELECT NEW.workspace_id, cs.course, NEW.learner_id, NEW.created_at, 1 FROM ${courses("NEW")}
    WHERE NEW.learner_id IS NOT NULL
    ON CONFLICT (workspace_id, course, learner_id) DO UPDATE SET shares = shares + 1,
      first_active_at = min(first_active_at, excluded.first_active_at);
END;`;
}

/** Adds (sign 1) or removes (sign -1) one conversion row `r` (NEW or OLD) from every rollup. */
function applyConversion(r: "NEW" | "OLD", sign: 1 | -1): string {
  const is = (type: string) => `${sign} * (${r}.type = '${type}')`;
  const delays =
    sign === 1
      ? `INSERT INTO analytics_delays (workspace_id, course, day, delay_ms, conversion_id)
    SELECT ${r}.workspace_id, cs.course, ${day(`${r}.occurred_at`)}, max(0, CAST(${r}.occurred_at - c.created_at AS INTEGER)), ${r}.id
    FROM clicks c, ${courses(r)}
    WHERE c.id = ${r}.click_id AND ${r}.status = 'attributed' AND ${r}.type = 'enrollment';`
      : `DELETE FROM analytics_delays WHERE conversion_id = ${r}.id;`;
  return `INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, signups, enrollments, completions, refunds)
    SELECT ${r}.workspace_id, d.dim, cs.course, g.grain, g.bucket, d.key, ${is("signup")}, ${is("enrollment")}, ${is("completion")}, ${is("refund")}
    FROM ${conversionDims(r)}, ${courses(r)}, ${grains(`${r}.occurred_at`)}
    WHERE d.key IS NOT NULL AND ${r}.status = 'attributed'
    ON CONFLICT ${dailyKey} DO UPDATE SET signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments,
      completions = completions + excluded.completions, refunds = refunds + excluded.refunds;
  INSERT INTO analytics_revenue (workspace_id, dim, course, grain, day, key, currency, enrolled, refunded)
    SELECT ${r}.workspace_id, d.dim, cs.course, g.grain, g.bucket, d.key, ${r}.currency,
      ${sign} * (CASE WHEN ${r}.type = 'enrollment' THEN ${r}.amount ELSE 0 END), ${sign} * (CASE WHEN ${r}.type = 'refund' THEN ${r}.amount ELSE 0 END)
    FROM ${conversionDims(r)}, ${courses(r)}, ${grains(`${r}.occurred_at`)}
    WHERE d.key IS NOT NULL AND ${r}.status = 'attributed' AND ${r}.type IN ('enrollment', 'refund')
      AND ${r}.amount IS NOT NULL AND ${r}.currency IS NOT NULL
    ON CONFLICT (workspace_id, dim, course, grain, day, key, currency) DO UPDATE SET enrolled = enrolled + excluded.enrolled,
      refunded = refunded + excluded.refunded;
  INSERT INTO analytics_advocates (workspace_id, course, learner_id, first_active_at, signups, enrollments, completions)
    SELECT ${r}.workspace_id, cs.course, ${r}.referrer_id, ${r}.occurred_at, ${is("signup")}, ${is("enrollment")}, ${is("completion")}
    FROM ${courses(r)}
    WHERE ${r}.referrer_id IS NOT NULL AND ${r}.status = 'attributed'
    ON CONFLICT (workspace_id, course, learner_id) DO UPDATE SET signups = signups + excluded.signups,
      enrollments = enrollments + excluded.enrollments, completions = completions + excluded.completions${
        sign === 1 ? ",\n      first_active_at = min(first_active_at, excluded.first_active_at)" : ""
      };
  ${delays}`;
}

function conversionInsert(): string {
  return `CREATE TRIGGER analytics_conversions_insert AFTER INSERT ON conversions BEGIN
  ${applyConversion("NEW", 1)}
END;`;
}

function conversionChangeTriggers(): string {
  const tracked = "type, status, course, amount, currency, referrer_id, story_id, channel, click_id, occurred_at";
  return `CREATE TRIGGER analytics_conversions_update AFTER UPDATE OF ${tracked} ON conversions BEGIN
  ${applyConversion("OLD", -1)}
  ${applyConversion("NEW", 1)}
END;
--> statement-breakpoint
CREATE TRIGGER analytics_conversions_delete AFTER DELETE ON conversions BEGIN
  ${applyConversion("OLD", -1)}
END;`;
}

/** Rows written before the triggers existed: taken out and put back, so the triggers count them. */
function backfill(table: string, order: string): string {
  return `CREATE TABLE analytics_backfill_${table} AS SELECT * FROM ${table};
--> statement-breakpoint
DELETE FROM ${table};
--> statement-breakpoint
INSERT INTO ${table} SELECT * FROM analytics_backfill_${table} ORDER BY ${order};
--> statement-breakpoint
DROP TABLE analytics_backfill_${table};`;
}

export function analyticsTriggersSql(): string {
  const header =
    "-- Generated by db/analytics-triggers.ts (npx tsx db/analytics-triggers.ts). Edit that file, not this one.";
  return [
    `${header}\n${clickInsertTrigger()}`,
    shareInsert(),
    conversionInsert(),
    // Before the update and delete triggers exist: taking rows out must not subtract them.
    backfill("clicks", "created_at, id"),
    backfill("share_events", "created_at, id"),
    backfill("conversions", "created_at, id"),
    conversionChangeTriggers(),
  ].join("\n--> statement-breakpoint\n");
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${analyticsTriggersSql()}\n`);
