/** The bucket decomposition covers every day of a range exactly once, and nothing outside it. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketRuns, bucketStart } from "../../server/services/analytics.ts";

const covers = (runs: ReturnType<typeof bucketRuns>, day: number) =>
  runs.filter((run) => {
    const start = bucketStart(run.grain, day);
    return start >= run.from && start <= run.to;
  }).length;

describe("bucketRuns", () => {
  it("covers [from, to] exactly once, for any range up to two years", () => {
    fc.assert(
      fc.property(fc.integer({ min: 18_000, max: 22_000 }), fc.integer({ min: 0, max: 730 }), (from, length) => {
        const to = from + length;
        const runs = bucketRuns(from, to);
        for (let day = from - 100; day <= to + 100; day++)
          expect(covers(runs, day)).toBe(day >= from && day <= to ? 1 : 0);
      }),
      { numRuns: 60 },
    );
  });

  it("reads a year as quarters, months and weeks plus a few days", () => {
    const from = Date.UTC(2025, 10, 29) / 86_400_000;
    const to = Date.UTC(2026, 10, 28) / 86_400_000;
    const runs = bucketRuns(from, to);
    // 29–30 Nov, December, Q1–Q3, October, Sunday 1 Nov, three weeks, 23–28 Nov.
    expect(runs.map((run) => run.grain)).toEqual(["d", "m", "q", "m", "d", "w", "d"]);
  });
});
