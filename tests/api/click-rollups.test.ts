/**
 * Click rollups kept per batch by insertClicks must be exactly what the per-row trigger of
 * migration 0003 wrote: the same clicks go into one database through insertClicks (in batches of
 * random sizes, so a visitor's clicks span batches) and into another, where the old trigger is
 * put back, row by row. Both rollup tables must match row for row.
 */
import { afterEach, describe, expect, it } from "vitest";
import { clicks } from "../../db/schema.ts";
import { seededRandom } from "../../demo/random.ts";
import { type ClickRow, insertClicks } from "../../server/services/click-writer.ts";
import { clickInsertTrigger } from "../support/click-trigger-oracle.ts";
import { freshDatabase, type TestDatabase } from "../support/database.ts";

const open: TestDatabase[] = [];
afterEach(() => {
  for (const database of open.splice(0)) database.cleanup();
});

async function database(): Promise<TestDatabase> {
  const db = await freshDatabase();
  open.push(db);
  return db;
}

const dayMs = 86_400_000;

/**
 * Clicks around week, month, quarter and year ends, a few visitors per day (so repeats across
 * courses, channels and codes), courses '' and '*', missing advocates, stories and countries, bots,
 * two workspaces, and some clicks stored later than they happened.
 */
function clickSet(seed: number, count: number): ClickRow[] {
  const random = seededRandom(seed);
  const start = Date.UTC(2026, 11, 20);
  const rows: ClickRow[] = [];
  for (let i = 0; i < count; i++) {
    const day = random.int(0, 20);
    const late = random.int(0, 9) === 0;
    rows.push({
      id: `clk_${seed}_${String(i).padStart(6, "0")}`,
      workspaceId: random.pick(["ws_a", "ws_b"]),
      codeId: random.pick(["ref_1", "ref_2", "ref_3"]),
      learnerId: random.pick(["lrn_1", "lrn_2", null]),
      course: random.pick(["", "*", "data", "ux"]),
      channel: random.pick(["whatsapp", "email", "other"]),
      storyId: random.pick([null, null, "sty_1"]),
      visitorHash: `v${day}-${random.int(0, 3)}`,
      ipHash: null,
      visitorId: null,
      country: random.pick(["IN", "US", null]),
      source: "redirect",
      isBot: random.int(0, 14) === 0,
      createdAt: start + day * dayMs + random.int(0, dayMs - 1) - (late ? 3 * dayMs : 0),
    });
  }
  return rows;
}

async function rollups(database: TestDatabase) {
  const daily = await database.client.execute(
    "SELECT * FROM analytics_daily WHERE clicks <> 0 OR visitors <> 0 ORDER BY workspace_id, dim, course, grain, day, key",
  );
  const advocates = await database.client.execute(
    "SELECT workspace_id, course, learner_id, first_active_at, clicks FROM analytics_advocates ORDER BY workspace_id, course, learner_id",
  );
  return { daily: daily.rows.map((row) => ({ ...row })), advocates: advocates.rows.map((row) => ({ ...row })) };
}

describe("click rollups written per batch", () => {
  it.each([1, 2, 3])("equal the old per-row trigger's, row for row (data set %i)", async (seed) => {
    const rows = clickSet(seed, 700);
    const batched = await database();
    const random = seededRandom(seed * 31);
    for (let i = 0; i < rows.length; ) {
      const size = random.pick([1, 2, 7, 50, 120, 400]);
      await insertClicks({ db: batched.db }, { rows: rows.slice(i, i + size) });
      i += size;
    }

    const reference = await database();
    await reference.client.execute(clickInsertTrigger());
    // One multi-row INSERT per 100 rows: the trigger still runs once per row, in order.
    for (let i = 0; i < rows.length; i += 100) await reference.db.insert(clicks).values(rows.slice(i, i + 100));

    const expected = await rollups(reference);
    expect(expected.daily.length).toBeGreaterThan(1000);
    expect(expected.daily.some((row) => Number(row.visitors) < Number(row.clicks))).toBe(true);
    expect(await rollups(batched)).toEqual(expected);
  });

  it("count nothing for a batch that fails, and store none of its clicks", async () => {
    const target = await database();
    const [first, second] = clickSet(9, 2) as [ClickRow, ClickRow];
    await insertClicks({ db: target.db }, { rows: [first] });
    const before = await rollups(target);
    await expect(insertClicks({ db: target.db }, { rows: [second, { ...first }] })).rejects.toThrow(/UNIQUE/);
    expect(await rollups(target)).toEqual(before);
    const stored = await target.client.execute("SELECT count(*) AS n FROM clicks");
    expect(Number(stored.rows[0]?.n)).toBe(1);
  });
});
