/**
 * Analytics answers read from stored shortcuts (issue 21, ten times the scale) against the raw rows.
 * The K-factor reads its cohorts from analytics_cohorts (migration 0029), which triggers keep as
 * conversions, clicks, shares and learners change. On randomised data (two workspaces with the
 * same people, conversions inserted, retyped, moved, re-customered and deleted, learners created
 * late and erased through the API) every answer must equal the straightforward query over the raw
 * rows that the endpoint used to run, and the bench's bulk rebuild must give the same rows. The
 * advocate breakdown ranks by two columns first and reads the chosen advocates' counts after: its
 * order and cut must be those of the raw rows.
 */
import { readFileSync } from "node:fs";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rebuildRollups, rollupSnapshot } from "../../bench/support/analytics-rollups.ts";
import { clicks, conversions, shareEvents } from "../../db/schema.ts";
import { seededRandom } from "../../demo/random.ts";
import { dayMs } from "../../server/services/analytics-queries.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { type Advocate, advocateFactory, clickRow, conversionRow, insertAll } from "../support/analytics-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
const workspaces: CreatedWorkspace[] = [];
const people = Array.from({ length: 24 }, (_, i) => `p${i}`);
const courses = ["", "ux-design", "data-analytics"] as const;
const start = Date.UTC(2026, 7, 25); // late August, so cohorts cross month ends
const span = 130 * dayMs;

/** The query the endpoint ran before migration 0029: every enrolment grouped by customer. */
async function fromRawRows(workspaceId: string, from: number, to: number, course: string) {
  const enrolledIn = course === "*" ? sql`` : sql`AND course = ${course}`;
  const rows = await t.db.all<Record<string, unknown>>(sql`
    WITH cohort AS (
      SELECT customer_id, min(occurred_at) AS enrolled_at FROM conversions
      WHERE workspace_id = ${workspaceId} AND type = 'enrollment' ${enrolledIn}
      GROUP BY customer_id
    )
    SELECT strftime('%Y-%m', cohort.enrolled_at / 1000, 'unixepoch') AS cohort, count(*) AS learners,
      sum(CASE WHEN a.shares + a.clicks + a.signups + a.enrollments > 0 THEN 1 ELSE 0 END) AS sharers,
      coalesce(sum(a.shares), 0) AS shares, coalesce(sum(a.clicks), 0) AS clicks,
      coalesce(sum(a.signups), 0) AS signups, coalesce(sum(a.enrollments), 0) AS enrollments
    FROM cohort
    LEFT JOIN learners l ON l.workspace_id = ${workspaceId} AND l.external_id = cohort.customer_id
    LEFT JOIN analytics_advocates a ON a.workspace_id = ${workspaceId} AND a.course = ${course} AND a.learner_id = l.id
    WHERE cohort.enrolled_at >= ${from * dayMs} AND cohort.enrolled_at < ${(to + 1) * dayMs}
    GROUP BY 1 ORDER BY 1`);
  return rows.map((row) => ({
    cohort: String(row.cohort),
    ...Object.fromEntries(
      ["learners", "sharers", "shares", "clicks", "signups", "enrollments"].map((name) => [
        name,
        Number(row[name] ?? 0),
      ]),
    ),
  }));
}

async function fromEndpoint(ws: CreatedWorkspace, from: number, to: number, course: string) {
  const iso = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10);
  const response = await t.call(
    "GET",
    `/v1/analytics/k-factor?from=${iso(from)}&to=${iso(to)}${course === "*" ? "" : `&course=${course}`}`,
    { headers: { Authorization: `Bearer ${ws.secretKey}` } },
  );
  expect(response.status).toBe(200);
  const { items } = (await response.json()) as { items: Record<string, unknown>[] };
  return items.map(({ cohort, learners, sharers, shares, clicks, signups, enrollments }) => ({
    cohort,
    learners,
    sharers,
    shares,
    clicks,
    signups,
    enrollments,
  }));
}

/** Every workspace, every course, the whole span and random ranges that start and end mid-month. */
async function expectSameAsRawRows(random: ReturnType<typeof seededRandom>) {
  const first = Math.floor(start / dayMs);
  const last = first + span / dayMs;
  const ranges = [
    [first, last],
    ...Array.from({ length: 2 }, () => [random.int(first, last - 40), random.int(40, 100)]),
  ];
  let cohorts = 0;
  for (const ws of workspaces)
    for (const course of ["*", "ux-design", "data-analytics", "no-such-course"])
      for (const [from, length] of ranges) {
        const to = Math.min(last, from === first ? last : (from as number) + (length as number));
        const expected = await fromRawRows(ws.id, from as number, to, course);
        expect(await fromEndpoint(ws, from as number, to, course), `${course} ${from}..${to}`).toEqual(expected);
        cohorts += expected.length;
      }
  return cohorts;
}

beforeAll(async () => {
  t = await createTestApp();
  workspaces.push(await workspaceFactory(t.db), await workspaceFactory(t.db, { name: "Other" }));
});
afterAll(() => t.cleanup());

describe("K-factor cohorts kept by triggers", () => {
  it("equal the query over raw rows through inserts, updates, deletes, late learners and erasure", async () => {
    const random = seededRandom(21);
    const advocates = new Map<string, Map<string, Advocate>>(workspaces.map((ws) => [ws.id, new Map()]));
    const written: { id: string; workspaceId: string }[] = [];
    const at = () => start + random.int(0, span - 1);
    let compared = 0;
    for (let step = 1; step <= 300; step++) {
      const ws = random.pick(workspaces);
      const mine = advocates.get(ws.id) as Map<string, Advocate>;
      const advocate = mine.size > 0 && random.next() < 0.8 ? random.pick([...mine.values()]) : undefined;
      const op = random.weighted({ learner: 2, conversion: 10, click: 6, share: 3, update: 4, delete: 2, erase: 1 });
      if (op === "learner") {
        const person = random.pick(people);
        if (!mine.has(person)) mine.set(person, await advocateFactory(t.db, ws.id, { externalId: person }));
      } else if (op === "conversion") {
        const row = conversionRow(ws.id, {
          type: random.weighted({ enrollment: 5, signup: 2, completion: 1, refund: 1 }),
          customerId: random.pick(people),
          course: random.pick(courses),
          status: advocate ? "attributed" : "unattributed",
          referrerId: advocate?.learnerId ?? null,
          codeId: advocate?.codeId ?? null,
          occurredAt: at(),
        });
        await t.db.insert(conversions).values(row);
        written.push({ id: row.id as string, workspaceId: ws.id });
      } else if (op === "click" && advocate) {
        const course = random.pick(courses);
        await insertAll(t.db, clicks, [
          clickRow(ws.id, { codeId: advocate.codeId, learnerId: advocate.learnerId, course, createdAt: at() }),
        ]);
      } else if (op === "share" && advocate) {
        await t.db.insert(shareEvents).values({
          id: `shr_${step}`,
          workspaceId: ws.id,
          codeId: advocate.codeId,
          learnerId: advocate.learnerId,
          channel: "whatsapp",
          course: random.pick(courses),
          createdAt: at(),
        });
      } else if (op === "update" && written.length > 0) {
        const { id } = random.pick(written);
        const change = random.pick([
          { type: random.pick(["enrollment", "signup", "completion"] as const) },
          { course: random.pick(courses) },
          { occurredAt: at() },
          { customerId: random.pick(people) },
          { status: "unattributed" as const },
        ]);
        await t.db.update(conversions).set(change).where(eq(conversions.id, id));
      } else if (op === "delete" && written.length > 0) {
        const [gone] = written.splice(random.int(0, written.length - 1), 1);
        await t.db.delete(conversions).where(eq(conversions.id, gone?.id as string));
      } else if (op === "erase" && advocate) {
        const response = await t.call("DELETE", `/v1/learners/${advocate.externalId}`, {
          headers: { Authorization: `Bearer ${ws.secretKey}` },
        });
        expect(response.status).toBe(200);
        mine.delete(advocate.externalId);
      }
      if (step % 100 === 0) compared += await expectSameAsRawRows(random);
    }
    // Not a vacuous comparison: many cohorts, with sharers and referred enrolments among them.
    expect(compared).toBeGreaterThan(100);
    const [row] = await t.db.all<{ sharers: number; enrollments: number }>(
      sql`SELECT sum(sharers) AS sharers, sum(enrollments) AS enrollments FROM analytics_cohorts WHERE course = '*'`,
    );
    expect(Number(row?.sharers)).toBeGreaterThan(2);
    expect(Number(row?.enrollments)).toBeGreaterThan(2);
  });

  it("are what the bench's bulk rebuild and the migration's backfill make of the same rows", async () => {
    const nonZero = (rows: unknown[][] = []) => rows.filter((row) => row.slice(3).some((n) => n !== 0));
    const live = await rollupSnapshot(t.client);
    await rebuildRollups(t.client);
    const rebuilt = await rollupSnapshot(t.client);
    expect(rebuilt.analytics_cohort_members).toEqual(live.analytics_cohort_members);
    expect(nonZero(rebuilt.analytics_cohorts)).toEqual(nonZero(live.analytics_cohorts));
    expect(live.analytics_cohort_members?.length).toBeGreaterThan(20);

    // Migration 0029's backfill (its closing member inserts, with the triggers in place, as an
    // upgraded database runs them) makes the same rows from the existing conversions.
    const migration = readFileSync(new URL("../../db/migrations/0029_kfactor_cohorts.sql", import.meta.url), "utf8");
    const backfill = migration.split("--> statement-breakpoint").filter((part) => /^\s*INSERT INTO/.test(part));
    expect(backfill).toHaveLength(2);
    await t.client.batch(
      ["DELETE FROM analytics_cohort_members", "DELETE FROM analytics_cohorts", ...backfill],
      "write",
    );
    const migrated = await rollupSnapshot(t.client);
    expect(migrated.analytics_cohort_members).toEqual(live.analytics_cohort_members);
    expect(nonZero(migrated.analytics_cohorts)).toEqual(nonZero(live.analytics_cohorts));
  });

  it("leave the advocate breakdown's ranking as the raw rows give it, cut at any limit", async () => {
    const ws = workspaces[0] as CreatedWorkspace;
    const first = Math.floor(start / dayMs) + 20;
    const to = first + 60;
    const raw = await t.db.all<{ key: string; clicks: number; enrollments: number }>(sql`
      SELECT key, sum(clicks) AS clicks, sum(enrollments) AS enrollments FROM (
        SELECT learner_id AS key, 1 AS clicks, 0 AS enrollments FROM clicks
        WHERE workspace_id = ${ws.id} AND is_bot = 0 AND learner_id IS NOT NULL
          AND created_at >= ${first * dayMs} AND created_at < ${(to + 1) * dayMs}
        UNION ALL SELECT referrer_id, 0, type = 'enrollment' FROM conversions
        WHERE workspace_id = ${ws.id} AND status = 'attributed' AND referrer_id IS NOT NULL
          AND occurred_at >= ${first * dayMs} AND occurred_at < ${(to + 1) * dayMs}
        UNION ALL SELECT learner_id, 0, 0 FROM share_events
        WHERE workspace_id = ${ws.id} AND learner_id IS NOT NULL
          AND created_at >= ${first * dayMs} AND created_at < ${(to + 1) * dayMs})
      GROUP BY key`);
    expect(raw.length).toBeGreaterThan(4);
    const iso = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10);
    for (const sort of ["clicks", "enrollments"] as const) {
      const [a, b] = sort === "clicks" ? (["clicks", "enrollments"] as const) : (["enrollments", "clicks"] as const);
      const ranked = [...raw]
        .sort((x, y) => y[a] - x[a] || y[b] - x[b] || (x.key < y.key ? -1 : 1))
        .map(({ key, clicks, enrollments }) => ({ key, clicks, enrollments }));
      for (const limit of [1, 3, raw.length]) {
        const response = await t.call(
          "GET",
          `/v1/analytics/breakdown?dimension=advocate&sort=${sort}&limit=${limit}&from=${iso(first)}&to=${iso(to)}`,
          { headers: { Authorization: `Bearer ${ws.secretKey}` } },
        );
        const { items } = (await response.json()) as { items: { key: string; clicks: number; enrollments: number }[] };
        expect(items.map(({ key, clicks, enrollments }) => ({ key, clicks, enrollments }))).toEqual(
          ranked.slice(0, limit),
        );
      }
    }
  });
});
