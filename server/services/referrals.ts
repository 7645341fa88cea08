/**
 * A learner's referral: their code (made on first request), the links to share it on each
 * channel, and what their sharing has brought so far.
 */
import { and, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { clicks, conversions, referralCodes, rewards } from "../../db/schema.ts";
import { newId, newReferralCode } from "../lib/ids.ts";
import type { Tx } from "../lib/write-transaction.ts";
import type { ClickChannel } from "./clicks.ts";
import type { Learner, WorkspaceContext } from "./types.ts";

/** The channels a learner shares on; `direct` and `other` only describe clicks. */
export type ShareChannel = Exclude<ClickChannel, "direct" | "other">;

type CodeRow = typeof referralCodes.$inferSelect;

/** The learner's code for a course ('' for all courses), made once even under concurrent calls. */
export async function codeForLearner(
  { db, clock, workspace }: Pick<WorkspaceContext, "clock" | "workspace"> & { db: Db | Tx },
  { learner, course }: { learner: Learner; course: string },
): Promise<CodeRow> {
  const mine = and(
    eq(referralCodes.workspaceId, workspace.id),
    eq(referralCodes.learnerId, learner.id),
    eq(referralCodes.course, course),
    eq(referralCodes.kind, "generated"),
  );
  for (let attempt = 0; attempt < 5; attempt++) {
    const [existing] = await db.select().from(referralCodes).where(mine);
    if (existing) return existing;
    // Do-nothing on conflict covers both races: a concurrent call that made this learner's code,
    // and a random code already taken elsewhere (then the loop tries a new one).
    await db
      .insert(referralCodes)
      .values({
        id: newId("ref"),
        workspaceId: workspace.id,
        code: newReferralCode(),
        kind: "generated",
        learnerId: learner.id,
        course,
        createdAt: clock.now().getTime(),
      })
      .onConflictDoNothing();
  }
  throw new Error("could not allocate a referral code");
}

/** The link for each channel; each carries `ch=` so clicks are credited to the channel. */
export function shareLinks({ link, message }: { link: string; message: string }): Record<ShareChannel, string> {
  const tagged = (channel: ShareChannel) => `${link}?ch=${channel}`;
  const e = encodeURIComponent;
  return {
    whatsapp: `https://wa.me/?text=${e(`${message} ${tagged("whatsapp")}`)}`,
    linkedin: `https://www.linkedin.com/sharing/share-offsite/?url=${e(tagged("linkedin"))}`,
    x: `https://x.com/intent/post?text=${e(message)}&url=${e(tagged("x"))}`,
    facebook: `https://www.facebook.com/sharer/sharer.php?u=${e(tagged("facebook"))}`,
    telegram: `https://t.me/share/url?url=${e(tagged("telegram"))}&text=${e(message)}`,
    email: `mailto:?subject=${e(message)}&body=${e(`${message}\n\n${tagged("email")}`)}`,
    sms: `sms:?&body=${e(`${message} ${tagged("sms")}`)}`,
    copy: tagged("copy"),
    qr: tagged("qr"),
    // The card's "More options" (the device's share sheet) shares this link beside `shareText`.
    native: tagged("native"),
  };
}

/** Clicks and referred conversions over all of the learner's codes. */
export async function referralStats({ db, workspace }: WorkspaceContext, { learnerId }: { learnerId: string }) {
  const workspaceId = workspace.id;
  const [clickRow] = await db
    .select({ n: count() })
    .from(clicks)
    .where(
      and(
        eq(clicks.workspaceId, workspaceId),
        // Through the learner's codes, so the count walks clicks_workspace_code_time, not every click.
        inArray(
          clicks.codeId,
          db
            .select({ id: referralCodes.id })
            .from(referralCodes)
            .where(and(eq(referralCodes.workspaceId, workspaceId), eq(referralCodes.learnerId, learnerId))),
        ),
        eq(clicks.isBot, false),
      ),
    );
  const byType = await db
    .select({ type: conversions.type, n: sql<number>`count(distinct ${conversions.customerId})` })
    .from(conversions)
    .where(and(eq(conversions.workspaceId, workspaceId), eq(conversions.referrerId, learnerId)))
    .groupBy(conversions.type);
  const of = (type: string) => byType.find((row) => row.type === type)?.n ?? 0;
  return {
    clicks: clickRow?.n ?? 0,
    signups: of("signup"),
    enrollments: of("enrollment"),
    completions: of("completion"),
  };
}

/** The learner's latest referrer rewards (50 at most), newest first. */
export async function learnerRewards({ db, workspace }: WorkspaceContext, { learnerId }: { learnerId: string }) {
  const workspaceId = workspace.id;
  return db
    .select({
      id: rewards.id,
      kind: rewards.kind,
      amount: rewards.amount,
      currency: rewards.currency,
      status: rewards.status,
      createdAt: rewards.createdAt,
    })
    .from(rewards)
    .where(and(eq(rewards.workspaceId, workspaceId), eq(rewards.learnerId, learnerId), eq(rewards.side, "referrer")))
    .orderBy(desc(rewards.createdAt))
    .limit(50);
}
