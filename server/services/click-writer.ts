/**
 * Where clicks go. `insertClicks` is the one way a click row is written: the redirect's and the
 * beacon's group committer, the demo history, the bench seed and the test factories all call it,
 * because it also keeps the click rollups (`analytics_daily`, `analytics_advocates`).
 *
 * Why not a trigger (as shares and conversions have): a click row touched up to 40 rollup rows
 * (5 dimensions x 2 course rows x 4 grains), each with its own "seen this visitor today?" lookup,
 * and that per-row work was most of a click's write cost. Here a whole batch is aggregated in
 * memory and written as one multi-row upsert per rollup table, in the transaction that inserts
 * the clicks, so the figures stay exact (tests/api/click-rollups.test.ts compares them with what
 * the old trigger wrote) and concurrent writers still never lose an increment.
 */
import type { Client, InArgs, Transaction } from "@libsql/client";
import type { Db } from "../../db/index.ts";
import type { clicks } from "../../db/schema.ts";
import { type GroupCommitter, groupCommit } from "../lib/group-commit.ts";

export type ClickRow = typeof clicks.$inferInsert & { createdAt: number };
export type ClickWriter = GroupCommitter<ClickRow>;

/** Rows per multi-row statement: 14 parameters per click, 8 per rollup row, under SQLite's limit. */
const chunk = 500;
const dayMs = 86_400_000;

const clickColumns =
  "id, workspace_id, code_id, learner_id, course, channel, story_id, visitor_hash, ip_hash, visitor_id, country, source, is_bot, created_at";

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
function dimensions(click: PriorClick): [string, string][] {
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

type PriorClick = {
  visitorHash: string;
  createdAt: number;
  course: string;
  channel: string;
  learnerId: string | null;
  storyId: string | null;
  country: string | null;
};

/**
 * Everything a visitor already counted under on each day: `workspace|visitor|day` to the set of
 * `dim|course|key` rollup rows. A visitor counts once per day and rollup row.
 */
type Seen = Map<string, Set<string>>;

function markSeen(
  seen: Seen,
  workspaceId: string,
  click: PriorClick,
  day: number,
  counted?: (dimCourseKey: string, newVisitor: boolean) => void,
) {
  const visitorDay = `${workspaceId}\u0001${click.visitorHash}\u0001${day}`;
  let rows = seen.get(visitorDay);
  if (!rows) {
    rows = new Set();
    seen.set(visitorDay, rows);
  }
  for (const [dim, key] of dimensions(click))
    for (const course of courseRows(click.course)) {
      const row = `${dim}\u0001${course}\u0001${key}`;
      const newVisitor = !rows.has(row);
      if (newVisitor) rows.add(row);
      counted?.(row, newVisitor);
    }
}

/** Clicks already stored for the batch's visitors on the batch's days (human clicks only). */
async function priorClicks(tx: Transaction, rows: ClickRow[], seen: Seen): Promise<void> {
  const byWorkspace = new Map<string, { visitors: Set<string>; from: number; to: number }>();
  for (const row of rows) {
    if (row.isBot) continue;
    const day = Math.trunc(row.createdAt / dayMs);
    const entry = byWorkspace.get(row.workspaceId);
    if (entry) {
      entry.visitors.add(row.visitorHash);
      entry.from = Math.min(entry.from, day);
      entry.to = Math.max(entry.to, day);
    } else byWorkspace.set(row.workspaceId, { visitors: new Set([row.visitorHash]), from: day, to: day });
  }
  for (const [workspaceId, { visitors, from, to }] of byWorkspace) {
    const all = [...visitors];
    for (let i = 0; i < all.length; i += chunk) {
      const some = all.slice(i, i + chunk);
      const result = await tx.execute({
        sql: `SELECT visitor_hash, created_at, course, channel, learner_id, story_id, country FROM clicks
          WHERE workspace_id = ? AND visitor_hash IN (${some.map(() => "?").join(", ")})
            AND created_at >= ? AND created_at < ? AND is_bot = 0`,
        args: [workspaceId, ...some, from * dayMs, (to + 1) * dayMs],
      });
      for (const r of result.rows) {
        const click: PriorClick = {
          visitorHash: r.visitor_hash as string,
          createdAt: Number(r.created_at),
          course: r.course as string,
          channel: r.channel as string,
          learnerId: r.learner_id as string | null,
          storyId: r.story_id as string | null,
          country: r.country as string | null,
        };
        markSeen(seen, workspaceId, click, Math.trunc(click.createdAt / dayMs));
      }
    }
  }
}

type DailyRow = [workspaceId: string, dim: string, course: string, grain: string, bucket: number, key: string];

/** The statements that add a batch of new clicks to the rollups, given what was seen before it. */
function rollupStatements(rows: ClickRow[], seen: Seen): { sql: string; args: InArgs }[] {
  // (workspace, dim, course, day, key) -> [clicks, visitors]: one day's worth, expanded to grains below.
  const perDay = new Map<string, { workspaceId: string; day: number; row: string; clicks: number; visitors: number }>();
  const advocates = new Map<string, { args: [string, string, string, number]; clicks: number }>();
  for (const row of rows) {
    if (row.isBot) continue;
    const click: PriorClick = {
      visitorHash: row.visitorHash,
      createdAt: row.createdAt,
      course: row.course ?? "",
      channel: row.channel ?? "direct",
      learnerId: row.learnerId ?? null,
      storyId: row.storyId ?? null,
      country: row.country ?? null,
    };
    const day = Math.trunc(row.createdAt / dayMs);
    markSeen(seen, row.workspaceId, click, day, (dimCourseKey, newVisitor) => {
      const id = `${row.workspaceId}\u0001${day}\u0001${dimCourseKey}`;
      const entry = perDay.get(id);
      if (entry) {
        entry.clicks++;
        if (newVisitor) entry.visitors++;
      } else
        perDay.set(id, {
          workspaceId: row.workspaceId,
          day,
          row: dimCourseKey,
          clicks: 1,
          visitors: newVisitor ? 1 : 0,
        });
    });
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

  const daily = new Map<string, { at: DailyRow; clicks: number; visitors: number }>();
  const bucketCache = new Map<number, Buckets>();
  for (const { workspaceId, day, row, clicks, visitors } of perDay.values()) {
    let buckets = bucketCache.get(day);
    if (!buckets) {
      buckets = bucketsOf(day);
      bucketCache.set(day, buckets);
    }
    const [dim, course, key] = row.split("\u0001") as [string, string, string];
    for (const grain of ["d", "w", "m", "q"] as const) {
      const bucket = buckets[grain];
      const id = `${workspaceId}\u0001${row}\u0001${grain}\u0001${bucket}`;
      const entry = daily.get(id);
      if (entry) {
        entry.clicks += clicks;
        entry.visitors += visitors;
      } else daily.set(id, { at: [workspaceId, dim, course, grain, bucket, key], clicks, visitors });
    }
  }

  const statements: { sql: string; args: InArgs }[] = [];
  const dailyRows = [...daily.values()];
  for (let i = 0; i < dailyRows.length; i += chunk) {
    const some = dailyRows.slice(i, i + chunk);
    statements.push({
      sql: `INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, clicks, visitors)
        VALUES ${some.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
        ON CONFLICT (workspace_id, dim, course, grain, day, key)
        DO UPDATE SET clicks = clicks + excluded.clicks, visitors = visitors + excluded.visitors`,
      args: some.flatMap(({ at, clicks, visitors }) => [...at, clicks, visitors]),
    });
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
        row.visitorId ?? null,
        row.country ?? null,
        row.source,
        row.isBot ? 1 : 0,
        row.createdAt,
      );
    statements.push({
      sql: `INSERT INTO clicks (${clickColumns}) VALUES ${some.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
      args,
    });
  }
  return statements;
}

/**
 * Inserts clicks (in this order: a visitor's first click of a day is the one that counts them)
 * and adds them to the rollups, all in one write transaction: one commit for the whole batch.
 */
export async function insertClicks(db: Db, rows: ClickRow[]): Promise<void> {
  if (rows.length === 0) return;
  const client: Client = db.$client;
  const tx = await client.transaction("write");
  try {
    const seen: Seen = new Map();
    await priorClicks(tx, rows, seen);
    await tx.batch([...insertStatements(rows), ...rollupStatements(rows, seen)]);
    await tx.commit();
  } finally {
    tx.close();
  }
}

/** The group committer every request of a process shares: concurrent clicks share one transaction. */
export function createClickWriter(db: Db): ClickWriter {
  return groupCommit<ClickRow>((rows) => insertClicks(db, rows), chunk);
}
