/**
 * What the hosted advocate page shows a signed-in learner beside the existing elements: a
 * learner token the elements use (minted here with the workspace's token secret, as a provider's
 * server would: the elements keep their one way to authenticate), the page's publishable key
 * (hosted-page-key.ts), their rewards with the reason each is where it is, their progress to the
 * next milestone and LinkedIn's add-to-profile link for their verified credential.
 */
import { and, asc, desc, eq, inArray, ne, sql } from "drizzle-orm";
import { conversions, courses, rewards } from "../../db/schema.ts";
import { hostedPageKey } from "./hosted-page-key.ts";
import { addToLinkedInForLearner } from "./learner-credential.ts";
import { mintLearnerToken } from "./learner-tokens.ts";
import { successfulReferrals } from "./reward-rules.ts";
import type { Learner, SecretContext, WorkspaceContext } from "./types.ts";

/** The elements' learner token lives this long; a reload of the page mints a new one. */
export const pageTokenTtlSeconds = 3600;

/** The fraud rules whose failure holds a reward for review (the decision log's rule names). */
const fraudRules = ["self-referral", "disposable-email", "velocity", "bot-click"];

/** One reward and why it is where it is, in facts the page puts into words. */
export type PageReward = {
  id: string;
  kind: string;
  amount: number | null;
  currency: string | null;
  percent: number | null;
  status: "pending" | "approved" | "issued" | "void";
  /** A milestone bonus: the number of rewarded referrals it was for. */
  milestone: number | null;
  /** Held until this time (ms) in case of a refund; null when not waiting for a date. */
  holdUntil: number | null;
  /** Held for a person's review: the fraud rules that flagged it; null when not. */
  review: string[] | null;
  /** Voided because the purchase was refunded. */
  refunded: boolean;
  createdAt: number;
};

export type AdvocatePage = {
  learner: { name: string | null };
  learnerToken: string;
  publishableKey: string;
  rewards: PageReward[];
  milestones: { reached: number; steps: { count: number; amount: number; currency: string; reached: boolean }[] };
  addToLinkedIn: string | null;
  /** The course the story form tells about: the learner's latest completed (else enrolled) course. */
  storyCourse: string;
};

export async function advocatePage(
  ctx: WorkspaceContext & SecretContext,
  { learner }: { learner: Learner },
): Promise<AdvocatePage> {
  const { workspace, clock } = ctx;
  const learnerToken = await mintLearnerToken({
    claims: {
      sub: learner.externalId,
      ...(learner.name ? { name: learner.name } : {}),
      ...(learner.email ? { email: learner.email } : {}),
    },
    tokenSecret: workspace.tokenSecret,
    now: clock.now(),
    ttlSeconds: pageTokenTtlSeconds,
  });
  const [publishableKey, rewardList, reached, addToLinkedIn, storyCourse] = await Promise.all([
    hostedPageKey(ctx),
    pageRewards(ctx, learner.id),
    rewardedReferrals(ctx, learner.id),
    addToLinkedInForLearner(ctx.db, { workspaceId: ctx.workspace.id, learnerId: learner.id }),
    courseOf(ctx, learner),
  ]);
  const steps = [...workspace.settings.rewardRules.milestones]
    .sort((a, b) => a.count - b.count)
    .map((m) => ({ count: m.count, amount: m.bonus.amount, currency: m.bonus.currency, reached: reached >= m.count }));
  return {
    learner: { name: learner.name },
    learnerToken,
    publishableKey,
    rewards: rewardList,
    milestones: { reached, steps },
    addToLinkedIn,
    storyCourse,
  };
}

/**
 * The course a story is most likely about: the learner's latest completion, else enrolment, as
 * the provider reported them; else the workspace's first course; else "general".
 */
async function courseOf({ db, workspace }: WorkspaceContext, learner: Learner): Promise<string> {
  const [own] = await db
    .select({ course: conversions.course })
    .from(conversions)
    .where(
      and(
        eq(conversions.workspaceId, workspace.id),
        eq(conversions.customerId, learner.externalId),
        inArray(conversions.type, ["completion", "enrollment"]),
        ne(conversions.course, ""),
      ),
    )
    .orderBy(sql`${conversions.type} = 'completion' desc`, desc(conversions.occurredAt))
    .limit(1);
  if (own) return own.course;
  const [first] = await db
    .select({ slug: courses.slug })
    .from(courses)
    .where(eq(courses.workspaceId, workspace.id))
    .orderBy(asc(courses.createdAt))
    .limit(1);
  return first?.slug ?? "general";
}

/** The learner's latest 50 referrer rewards, each with the facts behind its status. */
export async function pageRewards({ db, workspace }: WorkspaceContext, learnerId: string): Promise<PageReward[]> {
  const rows = await db
    .select()
    .from(rewards)
    .where(and(eq(rewards.workspaceId, workspace.id), eq(rewards.learnerId, learnerId), eq(rewards.side, "referrer")))
    .orderBy(desc(rewards.createdAt))
    .limit(50);
  const flagged = rows.filter((row) => row.flagged && row.status === "pending");
  const logs = flagged.length
    ? await db
        .select({ id: conversions.id, decision: conversions.decision })
        .from(conversions)
        .where(
          and(
            eq(conversions.workspaceId, workspace.id),
            inArray(
              conversions.id,
              flagged.map((row) => row.conversionId),
            ),
          ),
        )
    : [];
  return rows.map((row) => {
    const decision = logs.find((log) => log.id === row.conversionId)?.decision ?? [];
    const milestone = row.reason?.startsWith("milestone:") ? Number(row.reason.slice("milestone:".length)) : null;
    return {
      id: row.id,
      kind: row.kind,
      amount: row.amount,
      currency: row.currency,
      percent: row.percent,
      status: row.status,
      milestone: Number.isInteger(milestone) ? milestone : null,
      holdUntil: row.status === "pending" && !row.flagged ? row.holdUntil : null,
      // Rule names only, never the log's details (hashes, ids): the words are the page's.
      review:
        row.flagged && row.status === "pending"
          ? decision.filter((step) => step.result === "fail" && fraudRules.includes(step.rule)).map((step) => step.rule)
          : null,
      refunded: row.status === "void" && (row.reason?.startsWith("refunded") ?? false),
      createdAt: row.createdAt,
    };
  });
}

/** Rewarded referrals so far, as milestones count them (server/services/reward-rules.ts). */
function rewardedReferrals(ctx: WorkspaceContext, learnerId: string): Promise<number> {
  return successfulReferrals(ctx, learnerId);
}
