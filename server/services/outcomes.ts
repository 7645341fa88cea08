/**
 * Outcome statistics (DESIGN.md section 6), from approved stories only (withdrawn, pending and
 * rejected ones never count). Every figure states its own sample; a figure whose sample is below
 * the workspace's minimum is suppressed (its value null, `suppressed: true`), never rounded into
 * a misleading percentage.
 */
import { and, eq } from "drizzle-orm";
import { stories } from "../../db/schema.ts";
import { type OutcomeType, outcomeTypes } from "./stories.ts";
import type { WorkspaceContext } from "./types.ts";

export const methodology =
  "Figures come from success stories that learners chose to publish and that the provider approved, " +
  "not from a survey of every learner, so they describe those who told their story. Shares are k/n of " +
  "those stories; the salary median uses only figures learners consented to share; a story counts as " +
  "verified when the provider attested the completion or an Open Badges credential issued to its author " +
  "verified (a genuine credential not shown to be the author's does not count). Figures " +
  "from fewer stories than the minimum sample are not shown.";

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The workspace's statistics (of one course, when given), suppressed below its minimum sample size. */
export async function outcomeStatistics({ db, workspace }: WorkspaceContext, input: { course?: string }) {
  const { course } = input;
  const { minSampleSize } = workspace.settings;
  const where = [eq(stories.workspaceId, workspace.id), eq(stories.status, "approved")];
  if (course) where.push(eq(stories.course, course));
  const rows = await db
    .select({
      outcomeType: stories.outcomeType,
      salaryIncreasePct: stories.salaryIncreasePct,
      consentSalary: stories.consentSalary,
      monthsToOutcome: stories.monthsToOutcome,
      verificationLevel: stories.verificationLevel,
      approvedAt: stories.approvedAt,
      createdAt: stories.createdAt,
    })
    .from(stories)
    .where(and(...where));

  const n = rows.length;
  const suppressed = n < minSampleSize;
  const share = (k: number) => (suppressed || n === 0 ? null : Math.round((k / n) * 1000) / 1000);

  const outcomes = outcomeTypes.map((type: OutcomeType) => {
    const k = rows.filter((row) => row.outcomeType === type).length;
    return { type, count: suppressed ? null : k, n, share: share(k), suppressed };
  });

  const salaries = rows
    .filter((row) => row.consentSalary && row.salaryIncreasePct !== null)
    .map((row) => row.salaryIncreasePct as number);
  const months = rows.filter((row) => row.monthsToOutcome !== null).map((row) => row.monthsToOutcome as number);
  const figure = (values: number[]) => {
    const small = values.length < minSampleSize;
    return { median: small ? null : median(values), n: values.length, suppressed: small };
  };

  // A genuine credential not shown to be the author's verifies nothing about the story.
  const verifiedCount = rows.filter(
    (row) => row.verificationLevel === "provider_attested" || row.verificationLevel === "credential_verified",
  ).length;
  const credentialCount = rows.filter((row) => row.verificationLevel === "credential_verified").length;
  const dates = rows.map((row) => row.createdAt).sort((a, b) => a - b);

  return {
    course: course ?? null,
    n,
    minSampleSize,
    suppressed,
    outcomes,
    salaryIncreasePct: figure(salaries),
    monthsToOutcome: figure(months),
    verified: {
      count: suppressed ? null : verifiedCount,
      credentialVerified: suppressed ? null : credentialCount,
      n,
      share: share(verifiedCount),
      suppressed,
    },
    period: n === 0 ? null : { from: new Date(dates[0]!).toISOString(), to: new Date(dates.at(-1)!).toISOString() },
    methodology,
  };
}
