/**
 * The held-clicks file of an embedded replica (server/node-click-spool.ts), against a real libSQL
 * file standing in for the primary: while "the primary" refuses writes as a replica does
 * (`unavailable`), clicks are kept, in order, and survive a reopen; once it answers they reach it
 * once each, including after a crash between writing a batch and forgetting it.
 */
import { existsSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { apiErrorOf } from "../../server/errors.ts";
import { openClickSpool } from "../../server/node-click-spool.ts";
import { type ClickRow, insertClicks } from "../../server/services/click-writer.ts";
import { DomainError, primaryAway } from "../../server/services/errors.ts";
import { freshDatabase, type TestDatabase } from "../support/database.ts";

const open: TestDatabase[] = [];
afterEach(() => {
  for (const database of open.splice(0)) database.cleanup();
});

const click = (n: number): ClickRow => ({
  id: `clk_held_${String(n).padStart(3, "0")}`,
  workspaceId: "ws_a",
  codeId: "ref_1",
  learnerId: "lrn_1",
  course: "",
  channel: "whatsapp",
  storyId: null,
  visitorHash: `visitor-${n}`,
  ipHash: null,
  visitorId: null,
  country: "IN",
  source: "redirect",
  isBot: false,
  createdAt: Date.UTC(2026, 11, 4, 10, 0, n),
});

/** A primary that can be "down": then it refuses writes as libSQL's replica does through replica-client.ts. */
async function primary() {
  const database = await freshDatabase();
  open.push(database);
  const state = { down: false, writes: [] as string[][] };
  const write = async (rows: ClickRow[]) => {
    if (state.down) throw new DomainError("unavailable", "The primary database does not answer");
    state.writes.push(rows.map((row) => row.id));
    await insertClicks({ db: database.db }, { rows });
  };
  const stored = async () =>
    (await database.client.execute("select id from clicks order by id")).rows.map((row) => String(row.id));
  return { database, state, write, stored };
}

it("keeps clicks while the primary refuses them, then writes them there once each, oldest first, and later clicks after them", async () => {
  const { database, state, write, stored } = await primary();
  const spool = await openClickSpool(database.db, database.file, write);
  await spool.write([click(1)]);
  expect(spool.held).toBe(0);

  state.down = true;
  await spool.write([click(2), click(3)]);
  await spool.write([click(4)]);
  expect(spool.held).toBe(3);
  expect(existsSync(`${database.file}.held-clicks`)).toBe(true);
  // Still down: the attempt changes nothing and throws nothing.
  await spool.drain();
  expect(spool.held).toBe(3);

  state.down = false;
  // Back up, but clicks are still held: a new click queues behind them instead of overtaking.
  await spool.write([click(5)]);
  expect(spool.held).toBe(4);
  expect(await stored()).toEqual([click(1).id]);
  await spool.drain();
  expect(spool.held).toBe(0);
  expect(state.writes).toEqual([[click(1).id], [click(2).id, click(3).id, click(4).id, click(5).id]]);
  expect(await stored()).toEqual([1, 2, 3, 4, 5].map((n) => click(n).id));
  // Counted in the rollups as any click: five visitors on WhatsApp that day.
  const daily = await database.client.execute(
    "select clicks, visitors from analytics_daily where dim = 'channel' and key = 'whatsapp' and grain = 'd' and course = '*'",
  );
  expect(daily.rows.map((row) => [row.clicks, row.visitors])).toEqual([[5, 5]]);
  // With nothing held, a click goes straight to the primary again.
  await spool.write([click(6)]);
  expect(spool.held).toBe(0);
  spool.close();
});

it("keeps held clicks across a restart, and never writes one twice after a crash between writing and forgetting", async () => {
  const { database, state, write, stored } = await primary();
  state.down = true;
  const first = await openClickSpool(database.db, database.file, write);
  await first.write([click(1), click(2)]);
  first.close();

  // The process restarts: what was held is still held.
  state.down = false;
  const crashing = await openClickSpool(database.db, database.file, async (rows) => {
    await write(rows);
    // The batch is on the primary; the process dies before the held file forgets it.
    throw new Error("killed");
  });
  expect(crashing.held).toBe(2);
  await expect(crashing.drain()).rejects.toThrow("killed");
  crashing.close();

  const restarted = await openClickSpool(database.db, database.file, write);
  expect(restarted.held).toBe(2);
  await restarted.drain();
  expect(restarted.held).toBe(0);
  expect(await stored()).toEqual([click(1).id, click(2).id]);
  // The second attempt skipped what the primary already had.
  expect(state.writes).toEqual([[click(1).id, click(2).id], []]);
  restarted.close();
});

it("passes on a failure that is not the primary being away, so the redirect answers without a click id", async () => {
  const database = await freshDatabase();
  open.push(database);
  const spool = await openClickSpool(database.db, database.file, async () => {
    throw new Error("disk I/O error");
  });
  await expect(spool.write([click(1)])).rejects.toThrow("disk I/O error");
  expect(spool.held).toBe(0);
  spool.close();
});

it("answers a write refused beneath the query builder with its own error, not a 500", async () => {
  // What drizzle throws when the replica's client refuses a write: its own error, the refusal as `cause`.
  const wrapped = new Error('Failed query: insert into "friend_coupons" …', {
    cause: new DomainError("unavailable", "The primary database does not answer"),
  });
  expect(apiErrorOf(wrapped)).toMatchObject({ status: 503, code: "unavailable" });
  expect(primaryAway(wrapped)).toBe(true);
  expect(apiErrorOf(new Error("Failed query", { cause: new Error("disk I/O error") }))).toBeUndefined();
});
