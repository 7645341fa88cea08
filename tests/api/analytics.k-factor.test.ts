/**
 * The K-factor (issue 20) on a data set small enough to check by hand: the viral coefficient of
 * each monthly cohort of all learners who first enrolled that month, with its two parts.
 *
 * September: "sep-1" first enrols on 20 September (and again in October: still September's).
 *   learners 1, sharers 0, referred 0 → K = 0, shared 0 of 1, enrolments per sharer – (none).
 * October: ten learners first enrol, "oct-1" … "oct-10" (oct-1 … oct-3 have referral codes).
 *   oct-1 shares three times; their link brings friends f-1, f-2, f-3, who enrol in November.
 *   oct-2 shares once and brings nobody.
 *   oct-3 never presses share, but a click on their link brings friend f-4 (November).
 *   sharers = 3 (oct-1, oct-2, oct-3), referred enrolments = 3 + 0 + 1 = 4
 *   K = 4 / 10 = 0.4 = (3 / 10 shared) × (4 / 3 enrolments per sharer) = 0.3 × 1.3333.
 *   (The old "enrolments per advocate" read 4 / 3 = 1.33 here: "the programme grows by itself".)
 * November: f-1 … f-4 first enrol; none shares.
 *   learners 4, sharers 0, referred 0 → K = 0.
 * Another workspace with the same customer ids adds nothing (tenant isolation).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clicks, conversions, shareEvents } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { type Advocate, advocateFactory, clickRow, conversionRow, insertAll } from "../support/analytics-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
const day = (month: number, date: number) => Date.UTC(2026, month - 1, date, 12);

async function seed(workspaceId: string) {
  const advocates: Advocate[] = [];
  for (const externalId of ["oct-1", "oct-2", "oct-3"])
    advocates.push(await advocateFactory(t.db, workspaceId, { externalId }));
  const [one, two, three] = advocates as [Advocate, Advocate, Advocate];
  const enrol = (customerId: string, at: number, referrer?: Advocate, clickId?: string) =>
    conversionRow(workspaceId, {
      type: "enrollment",
      customerId,
      occurredAt: at,
      status: referrer ? "attributed" : "unattributed",
      referrerId: referrer?.learnerId ?? null,
      codeId: referrer?.codeId ?? null,
      clickId: clickId ?? null,
    });
  const share = (advocate: Advocate, at: number) => ({
    id: `shr_${crypto.randomUUID()}`,
    workspaceId,
    codeId: advocate.codeId,
    learnerId: advocate.learnerId,
    channel: "whatsapp",
    course: "data-analytics",
    createdAt: at,
  });
  const click = clickRow(workspaceId, { codeId: three.codeId, learnerId: three.learnerId, createdAt: day(11, 2) });
  await insertAll(t.db, clicks, [click]);
  await insertAll(t.db, shareEvents, [
    share(one, day(10, 10)),
    share(one, day(10, 11)),
    share(one, day(10, 12)),
    share(two, day(10, 15)),
  ]);
  await insertAll(t.db, conversions, [
    enrol("sep-1", day(9, 20)),
    enrol("sep-1", day(10, 5)),
    ...Array.from({ length: 10 }, (_, i) => enrol(`oct-${i + 1}`, day(10, i + 1))),
    enrol("f-1", day(11, 3), one),
    enrol("f-2", day(11, 4), one),
    enrol("f-3", day(11, 5), one),
    enrol("f-4", day(11, 6), three, click.id),
  ]);
}

beforeAll(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  await seed(ws.id);
  await seed((await workspaceFactory(t.db)).id);
});
afterAll(() => t.cleanup());

const kFactor = async (query: string) => {
  const response = await t.call("GET", `/v1/analytics/k-factor?${query}`, {
    headers: { Authorization: `Bearer ${ws.secretKey}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Record<string, unknown>[] }).items;
};

describe("the K-factor of each monthly cohort of learners", () => {
  it("divides the enrolments a cohort's learners referred by all its learners, sharers or not", async () => {
    const items = await kFactor("from=2026-09-01&to=2026-11-30");
    expect(
      items.map(({ cohort, learners, sharers, enrollments, sharerShare, enrollmentsPerSharer, kFactor }) => ({
        cohort,
        learners,
        sharers,
        enrollments,
        sharerShare,
        enrollmentsPerSharer,
        kFactor,
      })),
    ).toEqual([
      {
        cohort: "2026-09",
        learners: 1,
        sharers: 0,
        enrollments: 0,
        sharerShare: 0,
        enrollmentsPerSharer: null,
        kFactor: 0,
      },
      {
        cohort: "2026-10",
        learners: 10,
        sharers: 3,
        enrollments: 4,
        sharerShare: 0.3,
        enrollmentsPerSharer: 1.3333,
        kFactor: 0.4,
      },
      {
        cohort: "2026-11",
        learners: 4,
        sharers: 0,
        enrollments: 0,
        sharerShare: 0,
        enrollmentsPerSharer: null,
        kFactor: 0,
      },
    ]);
    // The parts multiply to the figure, from the counts the answer carries.
    const october = items[1] as { learners: number; sharers: number; enrollments: number; kFactor: number };
    expect((october.sharers / october.learners) * (october.enrollments / october.sharers)).toBeCloseTo(
      october.kFactor,
      10,
    );
  });

  it("selects cohorts by the month of their first enrolment, and a course's cohort by enrolments in it", async () => {
    expect((await kFactor("from=2026-10-01&to=2026-10-31")).map((row) => row.cohort)).toEqual(["2026-10"]);
    expect(await kFactor("from=2026-09-01&to=2026-11-30&course=python-for-ai")).toEqual([]);
    const course = await kFactor("from=2026-10-01&to=2026-10-31&course=data-analytics");
    expect(course).toMatchObject([{ cohort: "2026-10", learners: 10, sharers: 3, enrollments: 4, kFactor: 0.4 }]);
  });
});
