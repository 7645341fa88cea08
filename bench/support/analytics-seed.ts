/**
 * The analytics data set for bench/analytics.ts, written in bulk: one workspace with a year of
 * referral traffic (default 1M clicks, 100k shares, 100k conversions, rewards for a third of the
 * attributed enrolments, 5,000 advocates with their codes, six courses), generated inside SQLite by
 * INSERT … SELECT over recursive CTEs in one transaction, with the rollup triggers off while the
 * rows go in and the rollups then built once (bench/support/analytics-rollups.ts). Deterministic:
 * a keyed integer hash stands in for a random generator, so two seeds give the same rows.
 *
 * cachedAnalyticsSeed() keeps the finished file under data/bench-cache/, keyed by the migration
 * set, SEED_VERSION and the sizes, so a second `npm run bench` reuses it. Bump SEED_VERSION when
 * the generated data changes.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { migrationsFolder } from "../../db/migrate.ts";
import { openDatabase } from "../../server/node-database.ts";
import { createWorkspace } from "../../server/services/workspaces.ts";
import { rebuildRollupsSql } from "./analytics-rollups.ts";

export const SEED_VERSION = 1;

export type SeedSizes = { clicks: number; conversions: number; advocates: number };
export const defaultSeedSizes: SeedSizes = { clicks: 1_000_000, conversions: 100_000, advocates: 5_000 };

export type SeedResult = SeedSizes & {
  file: string;
  workspaceId: string;
  secretKey: string;
  shares: number;
  rewards: number;
  seconds: number;
  /** True when an earlier seed was reused from the cache. */
  cached?: boolean;
};

/** The bench's "today": the data covers the 365 days before it. */
export const benchToday = Date.UTC(2026, 10, 28);
const dayMs = 86_400_000;
const span = 365 * dayMs;
const start = benchToday - span;

export const seedCourses = [
  "data-analytics",
  "ux-design",
  "cloud-basics",
  "python-101",
  "product-management",
  "sql-mastery",
];
const channels = [
  "whatsapp",
  "whatsapp",
  "linkedin",
  "linkedin",
  "x",
  "facebook",
  "telegram",
  "email",
  "sms",
  "copy",
  "qr",
  "direct",
];
const countries = ["IN", "IN", "IN", "US", "GB", "NG", "BR", "DE", null];

// A keyed hash of the row number, in SQLite's 64-bit integers (no XOR in SQLite, and a product
// over 2^63 would turn into a float): x = i * a_k + c_k, then x^2 mod the prime 2^31 - 1.
const prime = 2147483647;
const multipliers = [2654435761, 2246822519, 3266489917, 668265263, 374761393, 1103515245, 2891336453, 1597334677];

/** A uniform-enough integer in [0, 2^31 - 1) for row `i` and stream `k`. */
function rand(k: number, i = "i"): string {
  const x = `(${i} * ${multipliers[k % multipliers.length]} + ${1_000_003 * (k + 1)})`;
  return `((${x} % ${prime}) * (${x} % ${prime}) % ${prime})`;
}
/** The same as a real in [0, 1). */
const unit = (k: number, i = "i") => `(${rand(k, i)} * 1.0 / ${prime})`;
/** One of `list`, picked by stream `k`. */
function pick(k: number, list: readonly (string | null)[], i = "i"): string {
  const cases = list.map((value, n) => `WHEN ${n} THEN ${value === null ? "NULL" : `'${value}'`}`).join(" ");
  return `(CASE ${rand(k, i)} % ${list.length} ${cases} END)`;
}
const rows = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})`;
/** Word of mouth is skewed: a few advocates bring most clicks. */
const advocate = (k: number, count: number) => `CAST(${count} * ${unit(k)} * ${unit(k)} * ${unit(k)} AS INTEGER)`;

/** Every statement that writes the base rows (triggers must be off). */
export function seedStatements(workspaceId: string, sizes: SeedSizes): string[] {
  const { clicks, conversions, advocates } = sizes;
  const shares = Math.round(clicks / 10);
  const ws = `'${workspaceId}'`;
  const visitorsPerDay = Math.max(1, Math.ceil(clicks / 365 / 1.3));
  const step = Math.max(1, Math.floor(span / clicks));
  return [
    `INSERT INTO courses (id, workspace_id, slug, title, url, created_at)
      VALUES ${seedCourses.map((slug, n) => `('crs_bench${String(n).padStart(11, "0")}', ${ws}, '${slug}', '${slug}', 'https://bench.example/${slug}', ${start})`).join(", ")}`,
    `${rows(advocates)} INSERT INTO learners (id, workspace_id, external_id, name, created_at)
      SELECT printf('lrn_bench%011d', i), ${ws}, 'learner-' || i, 'Learner ' || i, ${start} FROM n`,
    `${rows(advocates)} INSERT INTO referral_codes (id, workspace_id, code, kind, learner_id, course, created_at)
      SELECT printf('ref_bench%011d', i), ${ws}, 'bench' || i, 'generated', printf('lrn_bench%011d', i), '', ${start} FROM n`,
    // Clicks in time order (as they arrive), about 1.3 per visitor and day, one in 50 from a story.
    `${rows(clicks)}, r AS (SELECT i, ${start} + i * ${span} / ${clicks} + ${rand(0)} % ${step} AS at, ${advocate(1, advocates)} AS a FROM n)
      INSERT INTO clicks (id, workspace_id, code_id, learner_id, course, channel, story_id, visitor_hash, ip_hash, country, source, is_bot, created_at)
      SELECT printf('clk_b%015d', i), ${ws}, printf('ref_bench%011d', a), printf('lrn_bench%011d', a), ${pick(2, seedCourses)},
        ${pick(3, channels)}, CASE WHEN ${rand(4)} % 50 = 0 THEN printf('sty_bench%011d', ${rand(5)} % 40) END,
        printf('%010d%022d', at / ${dayMs}, ${rand(6)} % ${visitorsPerDay}), printf('%016x%016x', ${rand(7)}, ${rand(0, "i + 7")}),
        ${pick(1, countries, "i + 11")}, 'redirect', 0, at
      FROM r`,
    `${rows(shares)}, r AS (SELECT i, ${advocate(2, advocates)} AS a FROM n)
      INSERT INTO share_events (id, workspace_id, code_id, learner_id, channel, course, created_at)
      SELECT printf('shr_b%015d', i), ${ws}, printf('ref_bench%011d', a), printf('lrn_bench%011d', a), ${pick(3, channels, "i + 5")},
        ${pick(4, seedCourses, "i + 5")}, ${start} + ${rand(5)} % ${span}
      FROM r`,
    // Conversions follow a click by minutes to weeks; nine in ten are attributed to it.
    `${rows(conversions)}, r AS (
        SELECT i, ${rand(1, "i + 3")} % ${clicks} AS k, ${pick(2, ["signup", "signup", "signup", "enrollment", "enrollment", "enrollment", "completion", "completion", "refund"], "i + 3")} AS type,
          ${rand(3, "i + 3")} % 10 <> 0 AS attributed, CASE WHEN ${rand(4, "i + 3")} % 4 = 0 THEN 'USD' ELSE 'INR' END AS cur,
          CAST(${dayMs * 14} * ${unit(5, "i + 3")} * ${unit(5, "i + 3")} AS INTEGER) AS delay FROM n),
      x AS (SELECT r.*, c.id AS click_id, c.code_id, c.learner_id, c.story_id, c.channel, c.course,
          min(${benchToday - 1}, c.created_at + r.delay) AS at,
          CASE WHEN r.type IN ('enrollment', 'refund') THEN (CASE r.cur WHEN 'USD' THEN 4900 ELSE 399900 END) END AS amount
        FROM r JOIN clicks c ON c.id = printf('clk_b%015d', r.k))
      INSERT INTO conversions (id, workspace_id, external_id, type, customer_id, course, amount, currency, click_id, code_id,
        referrer_id, story_id, channel, status, flagged, decision, request_hash, response, occurred_at, created_at)
      SELECT printf('cnv_b%015d', i), ${ws}, 'order-' || i, type, 'customer-' || i, course, amount, CASE WHEN amount IS NOT NULL THEN cur END,
        CASE WHEN attributed THEN click_id END, CASE WHEN attributed THEN code_id END, CASE WHEN attributed THEN learner_id END,
        CASE WHEN attributed THEN story_id END, CASE WHEN attributed THEN channel END,
        CASE WHEN attributed THEN 'attributed' ELSE 'unattributed' END, 0,
        json_array(json_object('rule', 'click', 'result', CASE WHEN attributed THEN 'pass' ELSE 'fail' END,
          'detail', CASE WHEN attributed THEN 'matched click ' || click_id ELSE 'no click in window' END)),
        'h' || i, '{}', at, at
      FROM x`,
    // A referrer reward for a third of the attributed enrolments.
    `INSERT INTO rewards (id, workspace_id, conversion_id, side, learner_id, kind, amount, currency, status, created_at)
      SELECT 'rwd_b' || substr(v.id, 6), v.workspace_id, v.id, 'referrer', v.referrer_id, 'credit', 50000, 'INR',
        ${pick(6, ["pending", "approved", "issued"], "CAST(substr(v.id, 6) AS INTEGER)")}, v.occurred_at
      FROM conversions v
      WHERE v.workspace_id = ${ws} AND v.type = 'enrollment' AND v.status = 'attributed' AND ${rand(7, "CAST(substr(v.id, 6) AS INTEGER)")} % 3 = 0`,
  ];
}

/**
 * Writes the base rows and their rollups into the (migrated) database behind `client`, with the
 * database's triggers dropped for the load and put back after, all in one transaction.
 */
export async function bulkLoad(
  client: import("@libsql/client").Client,
  statements: string[],
  log: (line: string) => void = () => {},
): Promise<void> {
  const triggers = await client.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'");
  const all = [
    ...triggers.rows.map((row) => `DROP TRIGGER ${row.name}`),
    ...statements,
    ...rebuildRollupsSql(),
    ...triggers.rows.map((row) => String(row.sql)),
  ];
  // One transaction, as one batch would be, statement by statement so that a slow seed says
  // which step it is in (the 10x seed did not finish on a loaded machine: where did it stop?).
  const tx = await client.transaction("write");
  try {
    for (const [n, statement] of all.entries()) {
      const began = performance.now();
      await tx.execute(statement);
      const what = statement
        .replace(/\s+/g, " ")
        .match(/(INSERT INTO \w+|DROP TRIGGER|CREATE TRIGGER|UPDATE \w+|DELETE FROM \w+)/)?.[0];
      log(
        `step ${n + 1}/${all.length} (${what ?? statement.slice(0, 30)}) ${((performance.now() - began) / 1000).toFixed(1)} s`,
      );
    }
    await tx.commit();
  } finally {
    tx.close();
  }
}

/** Seeds a fresh file at `file` (replacing it). Progress lines go to `log`. */
export async function seedAnalyticsDatabase(
  file: string,
  sizes: SeedSizes = defaultSeedSizes,
  log: (line: string) => void = () => {},
): Promise<SeedResult> {
  const began = performance.now();
  for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  const { client, db } = await openDatabase({ url: `file:${file}` }, "apply");
  // A bulk load into a scratch file: a crash means seeding again, so no fsync and no WAL (which
  // would write every page twice: once to the log, once when checkpointed); WAL again at the end.
  await client.execute("PRAGMA journal_mode = MEMORY");
  await client.execute("PRAGMA synchronous = OFF");
  await client.execute("PRAGMA cache_size = -1048576");
  await client.execute("PRAGMA temp_store = MEMORY");
  const ws = await createWorkspace(
    { db, clock: { now: () => new Date(benchToday) } },
    { name: "Bench Academy", origins: ["https://bench.example"] },
  );
  log(`writing ${sizes.clicks.toLocaleString("en")} clicks, ${sizes.conversions.toLocaleString("en")} conversions`);
  await bulkLoad(client, seedStatements(ws.id, sizes), log);
  log("optimizing");
  await client.execute("PRAGMA optimize");
  await client.execute("PRAGMA journal_mode = WAL");
  const counts = await client.execute(
    "SELECT (SELECT count(*) FROM share_events) AS shares, (SELECT count(*) FROM rewards) AS rewards",
  );
  client.close();
  const seconds = Math.round((performance.now() - began) / 100) / 10;
  return {
    file,
    workspaceId: ws.id,
    secretKey: ws.secretKey,
    ...sizes,
    shares: Number(counts.rows[0]?.shares),
    rewards: Number(counts.rows[0]?.rewards),
    seconds,
  };
}

/** What a cached seed depends on: the migrations (schema, triggers), the seed's version, the sizes. */
export function seedCacheKey(sizes: SeedSizes): string {
  const hash = createHash("sha256").update(`seed v${SEED_VERSION} ${JSON.stringify(sizes)}\n`);
  const files = readdirSync(migrationsFolder, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".sql") || name.endsWith(".json"))
    .sort();
  for (const name of files) hash.update(name).update(readFileSync(join(migrationsFolder, name)));
  return hash.digest("hex").slice(0, 16);
}

export const seedCacheDir = join(import.meta.dirname, "..", "..", "data", "bench-cache");

/** The seeded file for `sizes` from the cache, seeding it first when missing or stale. */
export async function cachedAnalyticsSeed(
  sizes: SeedSizes = defaultSeedSizes,
  log: (line: string) => void = () => {},
  dir = seedCacheDir,
): Promise<SeedResult> {
  const key = seedCacheKey(sizes);
  const file = join(dir, `analytics-${key}.db`);
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta)) {
    log(`reusing ${file}`);
    return { ...(JSON.parse(readFileSync(meta, "utf8")) as SeedResult), cached: true };
  }
  mkdirSync(dir, { recursive: true });
  // Older seeds are several hundred MB each: keep only the current one.
  for (const name of readdirSync(dir)) if (name.startsWith("analytics-")) rmSync(join(dir, name), { force: true });
  const scratch = join(dir, `seeding-${key}.db`);
  const result = await seedAnalyticsDatabase(scratch, sizes, log);
  for (const suffix of ["-wal", "-shm"]) rmSync(scratch + suffix, { force: true });
  renameSync(scratch, file);
  const final = { ...result, file };
  writeFileSync(meta, `${JSON.stringify(final, null, 2)}\n`);
  return final;
}
