/**
 * The bench's bulk seed builds its rollups with a few GROUP BYs (bench/support/analytics-rollups.ts)
 * instead of the live write path: these tests hold the two to the same result, row for row.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rebuildRollups, rollupSnapshot } from "../../bench/support/analytics-rollups.ts";
import { cachedAnalyticsSeed, seedAnalyticsDatabase } from "../../bench/support/analytics-seed.ts";
import { createDb } from "../../db/index.ts";
import { clicks, conversions, shareEvents } from "../../db/schema.ts";
import { createClickWriter } from "../../server/services/click-writer.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const day = 86_400_000;
let t: TestApp;
let dir: string;

beforeEach(async () => {
  t = await createTestApp();
  dir = mkdtempSync(join(tmpdir(), "chorus-bench-seed-"));
});
afterEach(() => {
  t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Without rows whose counts are all zero: an update or delete subtracts from a rollup row and
 * leaves it at zero, where a rebuild writes no row at all. Both read the same.
 */
const withoutZeroRows = (snapshot: Record<string, unknown[][]>) =>
  Object.fromEntries(
    Object.entries(snapshot).map(([table, rows]) => {
      const counts = { analytics_daily: 6, analytics_revenue: 7, analytics_advocates: 4, analytics_cohorts: 3 }[table];
      return [table, counts === undefined ? rows : rows.filter((row) => row.slice(counts).some((n) => n !== 0))];
    }),
  );

const rowCounts = (snapshot: Record<string, unknown[][]>) =>
  Object.fromEntries(Object.entries(snapshot).map(([table, rows]) => [table, rows.length]));

describe("the bench's bulk seed", () => {
  it("has exactly the rollups the app's write path builds from the same clicks, shares and conversions", async () => {
    const seeded = await seedAnalyticsDatabase(join(dir, "seed.db"), { clicks: 4000, conversions: 600, advocates: 60 });
    const source = createClient({ url: `file:${seeded.file}` });
    const from = createDb(source);
    const expected = await rollupSnapshot(source);

    // The same rows, written the way the app writes them: clicks through the click writer (group
    // commit, as the redirect does), shares and conversions as their services insert them.
    const writer = createClickWriter({ db: t.db });
    await Promise.all((await from.select().from(clicks).orderBy(asc(clicks.id))).map((row) => writer.write(row)));
    await writer.flush();
    const shareRows = await from.select().from(shareEvents).orderBy(asc(shareEvents.id));
    for (let i = 0; i < shareRows.length; i += 50) await t.db.insert(shareEvents).values(shareRows.slice(i, i + 50));
    const conversionRows = await from.select().from(conversions).orderBy(asc(conversions.id));
    for (let i = 0; i < conversionRows.length; i += 50)
      await t.db.insert(conversions).values(conversionRows.slice(i, i + 50));
    source.close();

    const actual = await rollupSnapshot(t.client);
    // A varied data set: every rollup has rows, and the click dims all occur.
    expect(Object.values(rowCounts(expected)).every((n) => n > 0)).toBe(true);
    const dims = new Set(expected.analytics_daily?.map((row) => row[1]));
    expect([...dims].sort()).toEqual(["advocate", "channel", "country", "story", "total"]);
    expect(rowCounts(actual)).toEqual(rowCounts(expected));
    expect(actual).toEqual(expected);
  }, 60_000);

  it("rebuilds, from the base rows alone, the rollups of edge cases the live path wrote", async () => {
    const ws = await workspaceFactory(t.db);
    const other = await workspaceFactory(t.db, { name: "Other" });
    t.clock.set("2026-03-30T23:30:00Z");
    const priya = await referrerFactory(t.db, ws.id, { sub: "priya" }, { now: t.clock.now() });
    const ravi = await referrerFactory(t.db, other.id, { sub: "ravi" }, { now: t.clock.now() });
    const writer = createClickWriter({ db: t.db });
    const at = (iso: string) => Date.parse(iso);
    const click = (id: string, over: Partial<typeof clicks.$inferInsert>) => ({
      id,
      workspaceId: ws.id,
      codeId: priya.codeId,
      learnerId: priya.learner.id,
      course: "data-analytics",
      channel: "whatsapp",
      visitorHash: "v1",
      source: "redirect" as const,
      createdAt: at("2026-03-30T23:00:00Z"),
      ...over,
    });
    await Promise.all(
      [
        click("clk_1", {}),
        // The same visitor again that day: a click, not a visitor; on another channel: a visitor there.
        click("clk_2", { createdAt: at("2026-03-30T23:59:59.999Z") }),
        click("clk_3", { channel: "linkedin", country: "IN", storyId: "sty_1" }),
        // The next day (and month, and quarter): a visitor again.
        click("clk_4", { createdAt: at("2026-03-31T00:00:00Z"), course: "" }),
        click("clk_5", { createdAt: at("2026-04-01T00:00:00Z"), course: "ux-design", country: "US" }),
        // A bot counts nowhere; a click with no referrer counts but has no advocate row.
        click("clk_6", { isBot: true, visitorHash: "bot" }),
        click("clk_7", { learnerId: null, visitorHash: "v2" }),
        click("clk_8", { workspaceId: other.id, codeId: ravi.codeId, learnerId: ravi.learner.id }),
      ].map((row) => writer.write(row)),
    );
    await writer.flush();
    await t.db.insert(shareEvents).values([
      {
        id: "shr_1",
        workspaceId: ws.id,
        codeId: priya.codeId,
        learnerId: priya.learner.id,
        channel: "x",
        course: "",
        createdAt: at("2026-03-29T10:00:00Z"),
      },
      {
        id: "shr_2",
        workspaceId: ws.id,
        codeId: priya.codeId,
        learnerId: null,
        channel: "email",
        course: "ux-design",
        createdAt: at("2026-04-02T10:00:00Z"),
      },
    ]);

    // Conversions through the API: attributed by code, with a refund that updates rewards and rows.
    const post = poster(t, ws.secretKey);
    t.clock.set("2026-04-03T08:00:00Z");
    expect((await post(enrollment({ id: "order-1", customer: { id: "meera" }, code: priya.code }))).status).toBe(201);
    expect(
      (
        await post(
          enrollment({ id: "order-2", customer: { id: "asha" }, currency: "USD", amount: 4900, code: priya.code }),
        )
      ).status,
    ).toBe(201);
    t.clock.advance(day);
    expect(
      (
        await post({
          id: "refund-1",
          type: "refund",
          refundOf: "order-1",
          customer: { id: "meera" },
          amount: 499_900,
          currency: "INR",
        })
      ).status,
    ).toBe(201);
    expect((await post({ id: "signup-1", type: "signup", customer: { id: "nobody" } })).status).toBe(201);
    // Straight rows for what the API cannot say: a conversion tied to a click, one without a channel.
    await t.db.insert(conversions).values([
      {
        id: "cnv_a",
        workspaceId: ws.id,
        externalId: "a",
        type: "enrollment",
        customerId: "c1",
        course: "ux-design",
        amount: 100,
        currency: "INR",
        clickId: "clk_5",
        codeId: priya.codeId,
        referrerId: priya.learner.id,
        channel: "whatsapp",
        status: "attributed",
        decision: [],
        requestHash: "h",
        response: {},
        occurredAt: at("2026-04-05T00:00:00Z"),
      },
      {
        id: "cnv_b",
        workspaceId: ws.id,
        externalId: "b",
        type: "completion",
        customerId: "c2",
        course: "",
        clickId: "clk_3",
        codeId: priya.codeId,
        referrerId: priya.learner.id,
        storyId: "sty_1",
        status: "attributed",
        decision: [],
        requestHash: "h",
        response: {},
        occurredAt: at("2026-03-28T00:00:00Z"),
      },
    ]);
    // A later change to a conversion goes through the update path.
    await t.db
      .update(conversions)
      .set({ course: "sql-mastery", occurredAt: at("2026-04-06T00:00:00Z") })
      .where(eq(conversions.id, "cnv_a"));

    const live = withoutZeroRows(await rollupSnapshot(t.client));
    const visitors = live.analytics_daily?.find(
      (row) =>
        row[0] === ws.id &&
        row[1] === "total" &&
        row[2] === "*" &&
        row[3] === "d" &&
        row[4] === at("2026-03-30T00:00:00Z") / day &&
        row[5] === "",
    );
    expect(visitors?.slice(6, 8)).toEqual([4, 2]); // clk_1, clk_2, clk_3, clk_7: two visitors
    await rebuildRollups(t.client);
    expect(await rollupSnapshot(t.client)).toEqual(live);
    // cnv_a, for '*' and its course: the orders attributed by code alone have no click to measure from.
    expect(live.analytics_delays).toHaveLength(2);
  });

  it("is cached: a second call reuses the seeded file", async () => {
    const sizes = { clicks: 500, conversions: 50, advocates: 10 };
    const first = await cachedAnalyticsSeed(sizes, () => {}, dir);
    const second = await cachedAnalyticsSeed(sizes, () => {}, dir);
    expect(first.cached).toBeUndefined();
    expect(second).toEqual({ ...first, cached: true });
    const client = createClient({ url: `file:${second.file}` });
    const { rows } = await client.execute(
      "SELECT (SELECT count(*) FROM clicks) AS clicks, (SELECT count(*) FROM conversions) AS conversions",
    );
    client.close();
    expect(rows[0]).toMatchObject({ clicks: 500, conversions: 50 });
  });
});
