/**
 * Exact figures: a seeded data set goes in as real rows (the triggers build the rollups); every
 * expected value is computed here from the raw arrays, independently of the SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import {
  advocateFactory,
  type ClickRow,
  type ConversionRow,
  type DataSet,
  seedDataSet,
} from "../support/analytics-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { visitor } from "../support/referrals.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const dayMs = 86_400_000;
let t: TestApp;
let ws: CreatedWorkspace;
let other: CreatedWorkspace;
let data: DataSet;

beforeAll(async () => {
  t = await createTestApp({ trustProxy: true });
  ws = await workspaceFactory(t.db);
  other = await workspaceFactory(t.db, { name: "Other Academy" });
  data = await seedDataSet(t.db, ws.id, 7);
  // Another tenant's rows must never show up.
  await seedDataSet(t.db, other.id, 8);
});
afterAll(() => t.cleanup());

type Filter = { from: string; to: string; course?: string };
const dayOf = (ms: unknown) => Math.floor(Number(ms) / dayMs);
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / dayMs;

function inRange(ms: unknown, filter: Filter) {
  const day = dayOf(ms);
  return day >= dayNumber(filter.from) && day <= dayNumber(filter.to);
}

function selected(filter: Filter) {
  const course = (row: { course?: string | null }) => !filter.course || row.course === filter.course;
  return {
    clicks: data.clicks.filter((c) => !c.isBot && inRange(c.createdAt, filter) && course(c)),
    shares: data.shares.filter((s) => inRange(s.createdAt, filter) && course(s)),
    conversions: data.conversions.filter(
      (v) => v.status === "attributed" && inRange(v.occurredAt, filter) && course(v),
    ),
  };
}

function countsOf(clicks: ClickRow[], shares: { id: string }[], conversions: ConversionRow[]) {
  const of = (type: string) => conversions.filter((v) => v.type === type).length;
  return {
    clicks: clicks.length,
    visitors: new Set(clicks.map((c) => `${dayOf(c.createdAt)}|${c.visitorHash}`)).size,
    shares: shares.length,
    signups: of("signup"),
    enrollments: of("enrollment"),
    completions: of("completion"),
    refunds: of("refund"),
  };
}

function revenueOf(conversions: ConversionRow[]) {
  const sums = new Map<string, number>();
  for (const v of conversions) {
    if (!v.currency || v.amount == null) continue;
    const sign = v.type === "enrollment" ? 1 : v.type === "refund" ? -1 : 0;
    if (sign === 0) continue;
    sums.set(v.currency, (sums.get(v.currency) ?? 0) + sign * v.amount);
  }
  return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount }));
}

const admin = () => ({ Authorization: `Bearer ${ws.secretKey}` });
async function get<T>(path: string): Promise<T> {
  const response = await t.call("GET", path, { headers: admin() });
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
const query = (filter: Filter, extra = "") =>
  `from=${filter.from}&to=${filter.to}${filter.course ? `&course=${filter.course}` : ""}${extra}`;

const whole: Filter = { from: "2026-09-01", to: "2026-11-10" };
const slice: Filter = { from: "2026-09-10", to: "2026-09-30", course: "ux-design" };
/** Half a month of days, then a whole month from the monthly rollups. */
const mixed: Filter = { from: "2026-09-15", to: "2026-10-31" };
/** A whole quarter (July to September), a month, then weeks and days. */
const quarter: Filter = { from: "2026-06-28", to: "2026-11-04" };

describe("GET /v1/analytics/funnel", () => {
  for (const filter of [whole, slice, mixed, quarter, { ...whole, course: "cloud-basics" }]) {
    it(`counts exactly for ${JSON.stringify(filter)}`, async () => {
      const s = selected(filter);
      const counts = countsOf(s.clicks, s.shares, s.conversions);
      expect(counts.clicks).toBeGreaterThan(10);
      const body = await get<Record<string, unknown>>(`/v1/analytics/funnel?${query(filter)}`);
      expect(body).toMatchObject(counts);
      expect(body.revenue).toEqual(revenueOf(s.conversions));
      const rates = body.rates as Record<string, number | null>;
      expect(rates.clickToEnrollment).toBeCloseTo(counts.enrollments / counts.clicks, 4);
      expect(rates.signupToEnrollment).toBeCloseTo(counts.enrollments / counts.signups, 4);
    });
  }

  it("defaults to the last 30 days up to today (the app's clock)", async () => {
    t.clock.set("2026-09-20T12:00:00Z");
    const s = selected({ from: "2026-08-22", to: "2026-09-20" });
    const body = await get<Record<string, unknown>>("/v1/analytics/funnel");
    expect(body.clicks).toBe(s.clicks.length);
  });

  it("counts a click made through the real redirect, at once", async () => {
    const fresh = await workspaceFactory(t.db, { name: "Fresh" });
    const advocate = await advocateFactory(t.db, fresh.id);
    await t.client.execute({
      sql: "update workspaces set settings = json_set(settings, '$.defaultTargetUrl', 'https://academy.example/') where id = ?",
      args: [fresh.id],
    });
    t.clock.set("2026-10-05T08:00:00Z");
    expect((await t.call("GET", `/r/${advocate.code}?ch=linkedin`, { headers: visitor("198.51.100.1") })).status).toBe(
      302,
    );
    expect((await t.call("GET", `/r/${advocate.code}?ch=email`, { headers: visitor("198.51.100.1") })).status).toBe(
      302,
    );
    expect((await t.call("GET", `/r/${advocate.code}`, { headers: visitor("198.51.100.2") })).status).toBe(302);
    const response = await t.call("GET", "/v1/analytics/funnel?from=2026-10-05&to=2026-10-05", {
      headers: { Authorization: `Bearer ${fresh.secretKey}` },
    });
    // The same visitor on one code within the hour is one click; two visitors in all.
    expect(await response.json()).toMatchObject({ clicks: 2, visitors: 2 });
  });
});

describe("GET /v1/analytics/breakdown", () => {
  const clickById = () => new Map(data.clicks.map((c) => [c.id, c]));
  const keyers: Record<
    string,
    {
      click: (c: ClickRow) => string | null;
      share: ((s: DataSet["shares"][number]) => string | null) | null;
      conversion: (v: ConversionRow) => string | null;
    }
  > = {
    channel: { click: (c) => c.channel ?? "direct", share: (s) => s.channel, conversion: (v) => v.channel ?? "direct" },
    course: { click: (c) => c.course ?? "", share: (s) => s.course ?? "", conversion: (v) => v.course ?? "" },
    advocate: {
      click: (c) => c.learnerId ?? null,
      share: (s) => s.learnerId ?? null,
      conversion: (v) => v.referrerId ?? null,
    },
    story: { click: (c) => c.storyId ?? null, share: null, conversion: (v) => v.storyId ?? null },
    country: {
      click: (c) => c.country ?? "",
      share: null,
      conversion: (v) => (v.clickId ? (clickById().get(v.clickId)?.country ?? "") : ""),
    },
    day: {
      click: (c) => new Date(dayOf(c.createdAt) * dayMs).toISOString().slice(0, 10),
      share: (s) => new Date(dayOf(s.createdAt) * dayMs).toISOString().slice(0, 10),
      conversion: (v) => new Date(dayOf(v.occurredAt) * dayMs).toISOString().slice(0, 10),
    },
  };

  for (const dimension of Object.keys(keyers)) {
    for (const filter of [whole, slice, mixed, quarter]) {
      it(`by ${dimension} for ${JSON.stringify(filter)}`, async () => {
        const keyer = keyers[dimension] as (typeof keyers)[string];
        const s = selected(filter);
        const keys = new Set<string>();
        for (const c of s.clicks) keys.add(keyer.click(c) ?? "\0");
        if (keyer.share) for (const sh of s.shares) keys.add(keyer.share(sh) ?? "\0");
        for (const v of s.conversions) keys.add(keyer.conversion(v) ?? "\0");
        keys.delete("\0");
        const expected = [...keys].map((key) => {
          const clicks = s.clicks.filter((c) => keyer.click(c) === key);
          const shares = keyer.share ? s.shares.filter((sh) => keyer.share?.(sh) === key) : [];
          const conversions = s.conversions.filter((v) => keyer.conversion(v) === key);
          return {
            key: dimension === "country" && key === "" ? null : key,
            ...countsOf(clicks, shares, conversions),
            revenue: revenueOf(conversions),
          };
        });
        const body = await get<{ items: Record<string, unknown>[] }>(
          `/v1/analytics/breakdown?${query(filter, `&dimension=${dimension}`)}`,
        );
        const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
          String(a.key).localeCompare(String(b.key));
        // Names (labels, story authors) are checked on their own below.
        const figures = (items: Record<string, unknown>[]) =>
          items.map(({ label: _label, author: _author, ...row }) => row).sort(byKey);
        const actual = figures(body.items);
        expect(actual).toEqual(expected.sort(byKey));
        if (dimension !== "day") {
          for (let i = 1; i < body.items.length; i++)
            expect(Number(body.items[i - 1]?.clicks)).toBeGreaterThanOrEqual(Number(body.items[i]?.clicks));
          // The same rows with the most enrolments first, then the most clicks.
          const byEnrolments = await get<{ items: Record<string, unknown>[] }>(
            `/v1/analytics/breakdown?${query(filter, `&dimension=${dimension}&sort=enrollments`)}`,
          );
          expect(figures(byEnrolments.items)).toEqual(actual);
          const order = byEnrolments.items.map((row) => [Number(row.enrollments), Number(row.clicks)]);
          expect(order).toEqual([...order].sort((a, b) => (b[0] ?? 0) - (a[0] ?? 0) || (b[1] ?? 0) - (a[1] ?? 0)));
        }
      });
    }
  }

  it("labels advocates with their names", async () => {
    const body = await get<{ items: { key: string; label: string }[] }>(
      `/v1/analytics/breakdown?${query(whole, "&dimension=advocate")}`,
    );
    expect(body.items).toHaveLength(data.advocates.length);
    for (const row of body.items) expect(row.label).toMatch(/^Advocate \d+$/);
  });
});

describe("cohorts, delays, leaders, series", () => {
  it("K-factor per monthly cohort of learners: enrolments they referred ÷ all of them, with its parts", async () => {
    // (tests/api/analytics.k-factor.test.ts checks a small data set by hand; here the seeded one.)
    const filter = whole;
    const learnerOf = new Map(data.advocates.map((a) => [a.externalId, a.learnerId]));
    const firstEnrolment = new Map<string, number>();
    for (const v of data.conversions.filter((v) => v.type === "enrollment"))
      firstEnrolment.set(v.customerId, Math.min(firstEnrolment.get(v.customerId) ?? Infinity, Number(v.occurredAt)));
    const active = (learner: string | undefined) =>
      !!learner &&
      (data.shares.some((s) => s.learnerId === learner) ||
        data.clicks.some((c) => !c.isBot && c.learnerId === learner) ||
        data.conversions.some((v) => v.status === "attributed" && v.referrerId === learner));
    const referred = (learner: string | undefined) =>
      data.conversions.filter((v) => v.type === "enrollment" && v.status === "attributed" && v.referrerId === learner)
        .length;
    const cohorts = new Map<string, { learners: number; sharers: number; enrollments: number }>();
    for (const [customer, at] of firstEnrolment) {
      if (!inRange(at, filter)) continue;
      const month = new Date(at).toISOString().slice(0, 7);
      const cohort = cohorts.get(month) ?? { learners: 0, sharers: 0, enrollments: 0 };
      const learner = learnerOf.get(customer);
      cohort.learners++;
      if (active(learner)) cohort.sharers++;
      if (learner) cohort.enrollments += referred(learner);
      cohorts.set(month, cohort);
    }
    const body = await get<{ items: Record<string, number | string>[] }>(`/v1/analytics/k-factor?${query(filter)}`);
    expect(body.items.map((row) => row.cohort)).toEqual([...cohorts.keys()].sort());
    for (const row of body.items) {
      const e = cohorts.get(String(row.cohort)) as { learners: number; sharers: number; enrollments: number };
      expect(row).toMatchObject(e);
      expect(row.kFactor).toBeCloseTo(e.enrollments / e.learners, 4);
      expect(row.sharerShare).toBeCloseTo(e.sharers / e.learners, 4);
      if (e.sharers > 0) expect(row.enrollmentsPerSharer).toBeCloseTo(e.enrollments / e.sharers, 4);
      else expect(row.enrollmentsPerSharer).toBeNull();
    }
  });

  it("time to convert: nearest-rank median and p90 of click → enrolment", async () => {
    for (const filter of [whole, { ...whole, course: "data-analytics" }]) {
      const clicks = new Map(data.clicks.map((c) => [c.id, c]));
      const delays = selected(filter)
        .conversions.filter((v) => v.type === "enrollment" && v.clickId)
        .map((v) => Math.max(0, Number(v.occurredAt) - Number(clicks.get(v.clickId as string)?.createdAt)))
        .sort((a, b) => a - b);
      const rank = (p: number) => Math.round((delays[Math.max(1, Math.ceil(p * delays.length)) - 1] as number) / 1000);
      const body = await get<Record<string, unknown>>(`/v1/analytics/time-to-convert?${query(filter)}`);
      expect(body).toEqual({ enrollments: delays.length, medianSeconds: rank(0.5), p90Seconds: rank(0.9) });
    }
  });

  it("top advocates: by enrolments, then clicks, with the provider's learner id", async () => {
    const s = selected(whole);
    const rows = data.advocates.map((a) => ({
      learnerId: a.externalId,
      internal: a.learnerId,
      ...countsOf(
        s.clicks.filter((c) => c.learnerId === a.learnerId),
        s.shares.filter((sh) => sh.learnerId === a.learnerId),
        s.conversions.filter((v) => v.referrerId === a.learnerId),
      ),
    }));
    rows.sort((a, b) => b.enrollments - a.enrollments || b.clicks - a.clicks || a.internal.localeCompare(b.internal));
    const body = await get<{ items: Record<string, unknown>[] }>(`/v1/analytics/advocates?${query(whole, "&limit=3")}`);
    expect(body.items).toHaveLength(3);
    expect(body.items.map((row) => [row.learnerId, row.enrollments, row.clicks])).toEqual(
      rows.slice(0, 3).map((row) => [row.learnerId, row.enrollments, row.clicks]),
    );
  });

  it("timeseries: one point per day, zeros included, summing to the funnel; weeks and months too", async () => {
    const filter = { from: "2026-09-01", to: "2026-09-30" };
    const s = selected(filter);
    const daily = await get<{ items: { period: string; clicks: number; enrollments: number }[] }>(
      `/v1/analytics/timeseries?${query(filter)}`,
    );
    expect(daily.items).toHaveLength(30);
    expect(daily.items[0]?.period).toBe("2026-09-01");
    for (const point of daily.items) {
      const day = dayNumber(point.period);
      expect(point.clicks).toBe(s.clicks.filter((c) => dayOf(c.createdAt) === day).length);
    }
    const monthly = await get<{ items: { period: string; clicks: number; enrollments: number }[] }>(
      `/v1/analytics/timeseries?${query(filter, "&interval=month")}`,
    );
    expect(monthly.items).toEqual([
      expect.objectContaining({ period: "2026-09-01", ...countsOf(s.clicks, s.shares, s.conversions) }),
    ]);
    const weekly = await get<{ items: { period: string; clicks: number }[] }>(
      `/v1/analytics/timeseries?${query(filter, "&interval=week")}`,
    );
    expect(weekly.items[0]?.period).toBe("2026-08-31"); // the Monday of the week of 1 September
    expect(weekly.items.reduce((sum, point) => sum + point.clicks, 0)).toBe(s.clicks.length);
  });
});

describe("rollups follow changes to conversions", () => {
  it("an update or delete of a conversion moves its figures", async () => {
    const fresh = await workspaceFactory(t.db, { name: "Changes" });
    const headers = { Authorization: `Bearer ${fresh.secretKey}` };
    const { conversionRow } = await import("../support/analytics-factories.ts");
    const { conversions } = await import("../../db/schema.ts");
    const row = conversionRow(fresh.id, {
      type: "enrollment",
      amount: 5000,
      currency: "INR",
      occurredAt: Date.UTC(2026, 9, 3),
    });
    await t.db.insert(conversions).values(row);
    const funnel = async () =>
      (await (await t.call("GET", "/v1/analytics/funnel?from=2026-10-01&to=2026-10-31", { headers })).json()) as {
        enrollments: number;
        revenue: unknown[];
      };
    expect(await funnel()).toMatchObject({ enrollments: 1, revenue: [{ currency: "INR", amount: 5000 }] });
    await t.client.execute({ sql: "update conversions set status = 'unattributed' where id = ?", args: [row.id] });
    expect(await funnel()).toMatchObject({ enrollments: 0, revenue: [{ currency: "INR", amount: 0 }] });
    await t.client.execute({
      sql: "update conversions set status = 'attributed', amount = 7000 where id = ?",
      args: [row.id],
    });
    expect(await funnel()).toMatchObject({ enrollments: 1, revenue: [{ currency: "INR", amount: 7000 }] });
    await t.client.execute({ sql: "delete from conversions where id = ?", args: [row.id] });
    expect(await funnel()).toMatchObject({ enrollments: 0 });
  });
});
