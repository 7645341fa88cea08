import { describe, expect, it } from "vitest";
import { eachStoryTest, type Json, type StoryTest, storyBody } from "../support/stories.ts";
import { expectError } from "../support/test-app.ts";

// Each test's app, workspace and story client, set before it runs.
let { t, ws, api } = {} as StoryTest;
eachStoryTest((test) => {
  ({ t, ws, api } = test);
});

type Spec = { type: string; pct?: number; salary: boolean; months?: number; level?: string };
type Outcomes = {
  n: number;
  suppressed: boolean;
  outcomes: { type: string; count: number | null; n: number; share: number | null; suppressed: boolean }[];
  salaryIncreasePct: { median: number | null; n: number; suppressed: boolean };
  monthsToOutcome: { median: number | null; n: number; suppressed: boolean };
  verified: {
    count: number | null;
    credentialVerified: number | null;
    n: number;
    share: number | null;
    suppressed: boolean;
  };
  period: { from: string; to: string } | null;
  methodology: string;
};

// Twelve approved stories with known figures; the expected values below are worked out by hand.
const approvedSpecs: Spec[] = [
  { type: "new_job", pct: 40, salary: true, months: 3, level: "provider_attested" },
  { type: "new_job", pct: 25, salary: true, months: 6 },
  { type: "new_job", pct: 90, salary: false, months: 2 }, // salary figure without consent: never counted
  { type: "promotion", pct: 10, salary: true, months: 12, level: "credential_verified" },
  { type: "promotion", pct: 15, salary: true },
  { type: "salary_increase", pct: 20, salary: true, months: 5 },
  { type: "salary_increase", pct: 35, salary: true, months: 8, level: "provider_attested" },
  { type: "career_switch", pct: 50, salary: true, months: 9 },
  { type: "career_switch", salary: true, months: 1 },
  { type: "skills", salary: false },
  { type: "skills", pct: 5, salary: true, months: 4, level: "credential_verified" },
  { type: "started_business", pct: 60, salary: true, months: 10 },
];

async function seed(specs: Spec[], course = "data-analytics", moderation: Json = { status: "approved" }) {
  for (const spec of specs) {
    const story = await api.approved(
      storyBody({
        course,
        outcome: { type: spec.type, salaryIncreasePct: spec.pct ?? null, monthsToOutcome: spec.months ?? null },
        consent: { publish: true, name: true, photo: false, salary: spec.salary },
      }),
    );
    if (moderation.status !== "approved") await api.moderate(story.id, moderation);
    if (spec.level) {
      await t.client.execute({
        sql: "update stories set verification_level = ? where id = ?",
        args: [spec.level, story.id],
      });
    }
    t.clock.advance(24 * 3600 * 1000);
  }
}

const outcomes = async (query = "?course=data-analytics") => (await (await api.outcomes(query)).json()) as Outcomes;

describe("GET /v1/outcomes", () => {
  it("reports k/n per outcome, consented salary median, months median, verified share and period", async () => {
    await seed(approvedSpecs);
    // Noise that must not count: pending, rejected, withdrawn, another course.
    await api.post(storyBody({ outcome: { type: "new_job", salaryIncreasePct: 999, monthsToOutcome: 99 } }));
    await seed([{ type: "new_job", pct: 999, salary: true, months: 99 }], "data-analytics", { status: "rejected" });
    const gone = await api.approved(storyBody({ outcome: { type: "new_job", salaryIncreasePct: 999 } }));
    await api.remove(gone.id, { "Chorus-Edit-Token": gone.editToken });
    await seed([{ type: "skills", pct: 999, salary: true, months: 99 }], "web-dev");

    const stats = await outcomes();
    expect(stats.n).toBe(12);
    expect(stats.suppressed).toBe(false);
    const byType = Object.fromEntries(stats.outcomes.map((o) => [o.type, [o.count, o.n, o.share]]));
    expect(byType).toEqual({
      new_job: [3, 12, 0.25],
      promotion: [2, 12, 0.167],
      salary_increase: [2, 12, 0.167],
      career_switch: [2, 12, 0.167],
      skills: [2, 12, 0.167],
      started_business: [1, 12, 0.083],
    });
    // Consented figures: 40 25 10 15 20 35 50 5 60 → sorted 5 10 15 20 25 35 40 50 60 → n 9 < 10: suppressed.
    expect(stats.salaryIncreasePct).toEqual({ median: null, n: 9, suppressed: true });
    // Months: 3 6 2 12 5 8 9 1 4 10 → sorted 1 2 3 4 5 6 8 9 10 12 → median (5 + 6) / 2.
    expect(stats.monthsToOutcome).toEqual({ median: 5.5, n: 10, suppressed: false });
    expect(stats.verified).toEqual({ count: 4, credentialVerified: 2, n: 12, share: 0.333, suppressed: false });
    expect(stats.period).toEqual({ from: "2026-11-01T10:00:00.000Z", to: "2026-11-12T10:00:00.000Z" });
    expect(stats.methodology).toMatch(/consented/);
  });

  it("does not count a genuine credential that is not shown to be the author's as verified", async () => {
    // The same stories, with the two credential_verified ones only credential_genuine.
    await seed(
      approvedSpecs.map((spec) =>
        spec.level === "credential_verified" ? { ...spec, level: "credential_genuine" } : spec,
      ),
    );
    const stats = await outcomes();
    expect(stats.verified).toEqual({ count: 2, credentialVerified: 0, n: 12, share: 0.167, suppressed: false });
  });

  it("shows the salary median once enough learners consented, with the workspace's own minimum", async () => {
    await seed(approvedSpecs);
    await t.call("PATCH", "/v1/admin/program", {
      body: { minSampleSize: 9 },
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    const stats = await outcomes();
    expect(stats.salaryIncreasePct).toEqual({ median: 25, n: 9, suppressed: false });
  });

  it("suppresses every figure under the minimum sample", async () => {
    await seed(approvedSpecs.slice(0, 9));
    const stats = await outcomes();
    expect(stats.n).toBe(9);
    expect(stats.suppressed).toBe(true);
    for (const outcome of stats.outcomes)
      expect(outcome).toMatchObject({ count: null, share: null, n: 9, suppressed: true });
    expect(stats.verified).toMatchObject({ count: null, share: null, suppressed: true });
    expect(stats.salaryIncreasePct.median).toBeNull();
    expect(stats.monthsToOutcome.median).toBeNull();
  });

  it("answers an empty course honestly and rejects a bad course", async () => {
    const stats = await outcomes("?course=nothing-here");
    expect(stats).toMatchObject({ n: 0, suppressed: true, period: null });
    await expectError(await api.outcomes("?course=%3Cscript%3E"), 400, "invalid_request");
  });

  it("covers every course without a course filter", async () => {
    await seed(approvedSpecs.slice(0, 6));
    await seed(approvedSpecs.slice(6), "web-dev");
    expect((await outcomes("")).n).toBe(12);
    expect((await outcomes("?course=web-dev")).n).toBe(6);
  });
});
