/**
 * Where clicks go. `insertClicks` is the one way a click row is written: the redirect's and the
 * beacon's group committer, the demo history, the bench seed and the test factories all call it,
 * because it also keeps the click rollups (`analytics_daily`, `analytics_advocates`).
 *
 * Why not a trigger (as shares and conversions have): a click row touched up to 40 rollup rows
 * (5 dimensions x 2 course rows x 4 grains), each with its own "seen this visitor today?" lookup,
 * and that per-row work was most of a click's write cost. Here a whole batch is aggregated in
 * memory and written as one upsert per rollup table; only the "seen this visitor today?" check
 * against earlier batches stays in SQL (an index probe per visitor new to a rollup row). All of it
 * is one `batch`, the transaction that inserts the clicks, so the figures stay exact
 * (tests/api/click-rollups.test.ts compares them with what the old trigger wrote), concurrent
 * writers never lose an increment, and a remote database (Workers) costs one round trip.
 */
import type { InArgs } from "@libsql/client";
import type { Db } from "../../db/index.ts";
import type { clicks } from "../../db/schema.ts";
import { type GroupCommitter, groupCommit } from "../lib/group-commit.ts";
import type { Metrics } from "../lib/telemetry.ts";
import { inWriteQueue, retryWhileBusy } from "../lib/write-transaction.ts";
import type { ServiceContext } from "./types.ts";

export type ClickRow = typeof clicks.$inferInsert & { createdAt: number };
export type ClickWriter = GroupCommitter<ClickRow>;

/** Rows per statement: 15 parameters per click and 5 per advocate row stay under SQLite's limit. */
const chunk = 500;
const dayMs = 86_400_000;

const clickColumns =
  "id, workspace_id, code_id, learner_id, course, channel, story_id, visitor_hash, ip_hash, network_key, visitor_id, country, source, is_bot, created_at";

/** The rollup buckets a day falls in (day numbers of each bucket's first day), as migration 0003 defined them. */
type Buckets = { d: number; w: number; m: number; q: number };

function bucketsOf(day: number): Buckets {
  const date = new Date(day * dayMs);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return {
    d: day,
    // ISO week, from Monday (day 0, 1970-01-01, was a Thursday).
    w: day - ((day + 3) % 7),
    m: Date.UTC(year, month, 1) / dayMs,
    q: Date.UTC(year, month - (month % 3), 1) / dayMs,
  };
}

/** The (dimension, key) pairs a click counts under; a null key (no advocate, no story) counts nowhere. */
function dimensions(click: Click): [string, string][] {
  const pairs: [string, string][] = [
    ["total", ""],
    ["channel", click.channel],
  ];
  if (click.learnerId !== null) pairs.push(["advocate", click.learnerId]);
  if (click.storyId !== null) pairs.push(["story", click.storyId]);
  pairs.push(["country", click.country ?? ""]);
  return pairs;
}

/** The course rows a click counts in: all courses ('*') and its own. */
const courseRows = (course: string) => (course === "*" ? ["*"] : ["*", course]);

type Click = {
  visitorHash: string;
  course: string;
  channel: string;
  learnerId: string | null;
  storyId: string | null;
  country: string | null;
};

/**
 * The SQL half of "has this visitor counted under this rollup row today?": the batch's candidate
 * first visits, checked against the clicks stored before the batch (the statement runs before
 * the batch's own INSERT). ?1: the batch's [workspace, visitor, day]s; those with an earlier
 * click that day (few: the redirect already folds repeats within the hour) are the only ones
 * whose candidates need a closer look. ?2: one entry per (workspace, dim, course, day, key):
 * [workspace, dim, course, day, key, clicks, [visitor hashes new within the batch], d, w, m, q].
 */
const dailyUpsert = `WITH earlier AS MATERIALIZED (
    SELECT r.value ->> 0 AS workspace_id, r.value ->> 1 AS visitor, r.value ->> 2 AS day FROM json_each(?1) AS r
    WHERE EXISTS (SELECT 1 FROM clicks c WHERE c.workspace_id = r.value ->> 0 AND c.visitor_hash = r.value ->> 1
      AND c.created_at >= (r.value ->> 2) * 86400000 AND c.created_at < ((r.value ->> 2) + 1) * 86400000 AND c.is_bot = 0)),
  -- Each entry's fields taken out of its JSON once (not once per candidate visitor).
  parsed AS MATERIALIZED (
    SELECT e.value ->> 0 AS workspace_id, e.value ->> 1 AS dim, e.value ->> 2 AS course, e.value ->> 3 AS day,
      e.value ->> 4 AS key, e.value ->> 5 AS clicks, e.value -> 6 AS firsts, e.value ->> 7 AS d,
      e.value ->> 8 AS w, e.value ->> 9 AS m, e.value ->> 10 AS q
    FROM json_each(?2) AS e),
  entry AS MATERIALIZED (
    SELECT p.*, (SELECT count(*) FROM json_each(p.firsts) AS v WHERE NOT EXISTS (
        SELECT 1 FROM earlier WHERE earlier.workspace_id = p.workspace_id AND earlier.visitor = v.value
          AND earlier.day = p.day) OR NOT EXISTS (
        SELECT 1 FROM clicks c WHERE c.workspace_id = p.workspace_id AND c.visitor_hash = v.value
          AND c.created_at >= p.day * 86400000 AND c.created_at < (p.day + 1) * 86400000
          AND c.is_bot = 0 AND (p.course = '*' OR c.course = p.course)
          AND (CASE p.dim WHEN 'total' THEN '' WHEN 'channel' THEN c.channel WHEN 'advocate' THEN c.learner_id
            WHEN 'story' THEN c.story_id ELSE coalesce(c.country, '') END) = p.key)) AS visitors
    FROM parsed AS p)
  INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, clicks, visitors)
  SELECT workspace_id, dim, course, g.grain,
    CASE g.grain WHEN 'd' THEN d WHEN 'w' THEN w WHEN 'm' THEN m ELSE q END AS bucket, key, sum(clicks), sum(visitors)
  FROM entry, (SELECT 'd' AS grain UNION ALL SELECT 'w' UNION ALL SELECT 'm' UNION ALL SELECT 'q') AS g
  WHERE true
  GROUP BY workspace_id, dim, course, g.grain, bucket, key
  ON CONFLICT (workspace_id, dim, course, grain, day, key)
  DO UPDATE SET clicks = clicks + excluded.clicks, visitors = visitors + excluded.visitors`;

/** The statements that add a batch of new clicks to the rollups; they run before its INSERT. */
function rollupStatements(rows: ClickRow[]): { sql: string; args: InArgs }[] {
  // Within the batch: the (dim, course, key) rows each visitor already counted under that day.
  const seen = new Map<string, Set<string>>();
  // (workspace, day, dim, course, key) -> clicks and the visitors new to it within the batch.
  const entries = new Map<string, { at: [string, string, string, number, string]; clicks: number; firsts: string[] }>();
  const advocates = new Map<string, { args: [string, string, string, number]; clicks: number }>();
  for (const row of rows) {
    if (row.isBot) continue;
    const click: Click = {
      visitorHash: row.visitorHash,
      course: row.course ?? "",
      channel: row.channel ?? "direct",
      learnerId: row.learnerId ?? null,
      storyId: row.storyId ?? null,
      country: row.country ?? null,
    };
    const day = Math.trunc(row.createdAt / dayMs);
    const visitorDay = `${row.workspaceId}\u0001${click.visitorHash}\u0001${day}`;
    let counted = seen.get(visitorDay);
    if (!counted) {
      counted = new Set();
      seen.set(visitorDay, counted);
    }
    for (const [dim, key] of dimensions(click))
      for (const course of courseRows(click.course)) {
        const id = `${row.workspaceId}\u0001${day}\u0001${dim}\u0001${course}\u0001${key}`;
        let entry = entries.get(id);
        if (!entry) {
          entry = { at: [row.workspaceId, dim, course, day, key], clicks: 0, firsts: [] };
          entries.set(id, entry);
        }
        entry.clicks++;
        const rollupRow = `${dim}\u0001${course}\u0001${key}`;
        if (!counted.has(rollupRow)) {
          counted.add(rollupRow);
          entry.firsts.push(click.visitorHash);
        }
      }
    if (click.learnerId !== null)
      for (const course of courseRows(click.course)) {
        const id = `${row.workspaceId}\u0001${course}\u0001${click.learnerId}`;
        const entry = advocates.get(id);
        if (entry) {
          entry.clicks++;
          entry.args[3] = Math.min(entry.args[3], row.createdAt);
        } else advocates.set(id, { args: [row.workspaceId, course, click.learnerId, row.createdAt], clicks: 1 });
      }
  }

  const visitorDays = JSON.stringify(
    [...seen.keys()].map((key) => key.split("\u0001")).map(([w, v, d]) => [w, v, Number(d)]),
  );
  const statements: { sql: string; args: InArgs }[] = [];
  const bucketCache = new Map<number, Buckets>();
  const all = [...entries.values()];
  for (let i = 0; i < all.length; i += chunk) {
    const json = all.slice(i, i + chunk).map(({ at, clicks, firsts }) => {
      const day = at[3];
      let buckets = bucketCache.get(day);
      if (!buckets) {
        buckets = bucketsOf(day);
        bucketCache.set(day, buckets);
      }
      return [...at, clicks, firsts, buckets.d, buckets.w, buckets.m, buckets.q];
    });
    statements.push({ sql: dailyUpsert, args: [visitorDays, JSON.stringify(json)] });
  }
  const advocateRows = [...advocates.values()];
  for (let i = 0; i < advocateRows.length; i += chunk) {
    const some = advocateRows.slice(i, i + chunk);
    statements.push({
      sql: `INSERT INTO analytics_advocates (workspace_id, course, learner_id, first_active_at, clicks)
        VALUES ${some.map(() => "(?, ?, ?, ?, ?)").join(", ")}
        ON CONFLICT (workspace_id, course, learner_id)
        DO UPDATE SET clicks = clicks + excluded.clicks, first_active_at = min(first_active_at, excluded.first_active_at)`,
      args: some.flatMap(({ args, clicks }) => [...args, clicks]),
    });
  }
  return statements;
}

function insertStatements(rows: ClickRow[]): { sql: string; args: InArgs }[] {
  const statements: { sql: string; args: InArgs }[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const some = rows.slice(i, i + chunk);
    const args: InArgs = [];
    for (const row of some)
      args.push(
        row.id,
        row.workspaceId,
        row.codeId,
        row.learnerId ?? null,
        row.course ?? "",
        row.channel ?? "direct",
        row.storyId ?? null,
        row.visitorHash,
        row.ipHash ?? null,
        row.networkKey ?? null,
        row.visitorId ?? null,
        row.country ?? null,
        row.source,
        row.isBot ? 1 : 0,
        row.createdAt,
      );
    statements.push({
      sql: `INSERT INTO clicks (${clickColumns}) VALUES ${some.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
      args,
    });
  }
  return statements;
}

/**
 * Inserts clicks (in this order: a visitor's first click of a day is the one that counts them)
 * and adds them to the rollups, in one batch: one write transaction and one commit for all of
 * them, and one round trip to a remote database (Workers).
 */
export async function insertClicks({ db }: { db: Db }, { rows }: { rows: ClickRow[] }): Promise<void> {
  if (rows.length === 0) return;
  // The rollups first: their "seen before?" check must see the clicks stored before this batch only.
  await db.$client.batch([...rollupStatements(rows), ...insertStatements(rows)], "write");
}

/**
 * Node: the group committer every request of the process shares, so concurrent clicks share one
 * transaction. Workers: each request writes its own click. One request's promise must never be
 * settled by another's I/O there: a batch written by request A for request B dies when A ends
 * (the workerd tests lost clicks that way), and B is cancelled as hung.
 */
export function createClickWriter(
  { db }: Pick<ServiceContext, "db">,
  {
    runtime = "node",
    metrics,
    through = (rows) => insertClicks({ db }, { rows }),
  }: {
    runtime?: "node" | "workers";
    metrics?: Pick<Metrics, "clickBatch">;
    /** Where a batch goes instead of straight to `insertClicks` (an embedded replica's held-clicks file). */
    through?: (rows: ClickRow[]) => Promise<void>;
  } = {},
): ClickWriter {
  // A batch is one transaction, so a busy database's refusal wrote nothing and it can run again.
  const write = (rows: ClickRow[]) => retryWhileBusy(() => through(rows));
  // Workers: one click per request, in the isolate's write queue (see write-transaction.ts).
  if (runtime === "workers") return { write: (row) => inWriteQueue(db, () => write([row])), flush: async () => {} };
  return groupCommit<ClickRow>(write, chunk, metrics?.clickBatch);
}
