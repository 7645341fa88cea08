/**
 * Test oracle: the per-row click trigger of migration 0003, `analytics_clicks_insert`, which
 * migration 0005 dropped. insertClicks (server/services/click-writer.ts) now keeps the click
 * rollups per batch; tests/api/click-rollups.test.ts puts this trigger back into a scratch
 * database and proves both write the same rollups, row for row. Its SQL is the migration's.
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
