/**
 * The messages Chorus sends, each enqueued in the transaction of the event that causes it
 * (mail-outbox.ts). Only to learners whose address the provider lets Chorus keep (`storeEmails`):
 * a hash alone cannot be mailed.
 */
import { and, asc, desc, eq, isNull, ne, sql } from "drizzle-orm";
import { learners, referralCodes, type rewards, stories } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { formatMoney, isoDay, rewardValue } from "../lib/money.ts";
import { addToLinkedInForLearner } from "./learner-credential.ts";
import { enqueueMail } from "./mail-outbox.ts";
import type { FriendData, MilestoneData, RewardDelivery, RewardStatusData } from "./mail-templates.ts";

export type { RewardDelivery };

import { codeForLearner } from "./referrals.ts";
import { enqueueStoryRequestMail } from "./story-requests.ts";
import type { Learner, SecretContext, TransactionContext } from "./types.ts";

/** A reward row (as rewards.ts names it; imported from the schema, since rewards.ts imports this file). */
type RewardRow = typeof rewards.$inferSelect;

/** "You earned a reward", to the advocate, once per reward (its id is the message's key). */
export async function enqueueRewardEarnedMail(
  ctx: TransactionContext,
  input: { reward: RewardRow; advocate: Learner; description: string; flaggedBy?: string[] },
): Promise<void> {
  const { workspace } = ctx;
  const { reward, advocate } = input;
  if (!advocate.email || !advocate.emailHash || advocate.erasedAt !== null) return;
  const code = await firstCode(ctx, advocate.id);
  await enqueueMail(ctx, {
    workspaceId: workspace.id,
    key: `reward-earned:${reward.id}`,
    category: "rewards",
    template: "reward-earned",
    locale: workspace.settings.mailLocale,
    data: {
      firstName: advocate.name?.trim().split(/\s+/)[0] ?? null,
      reward: input.description,
      holdUntil: reward.status === "pending" && reward.holdUntil ? isoDay(reward.holdUntil) : null,
      // Rule names only, never the log's details (hashes, ids): the words are the template's.
      review: reward.flagged ? (input.flaggedBy ?? []) : null,
      shareCode: code,
    },
    learnerId: advocate.id,
    to: { name: advocate.name, address: advocate.email },
    toHash: advocate.emailHash,
  });
}

/**
 * "Congratulations", to the learner whose completion was recorded (through the API or any
 * integration: all go through recordConversion), in that conversion's transaction. Once per
 * learner and course: the key holds however many completions of it arrive, at once or later.
 * The learner is the conversion's customer (the provider's id, as in learner tokens); one not
 * seen before is made here so that they have a referral code to share.
 */
export async function enqueueCompletionMail(
  ctx: TransactionContext & SecretContext,
  input: {
    customer: { id: string; email?: string | undefined; name?: string | undefined };
    emailHash: string | null;
    course: string;
  },
): Promise<void> {
  const { tx, workspace } = ctx;
  const { customer } = input;
  const mine = and(eq(learners.workspaceId, workspace.id), eq(learners.externalId, customer.id));
  const [known] = await tx.select().from(learners).where(mine);
  if (known?.erasedAt != null) return;
  // The conversion's address is kept only when the provider lets Chorus keep addresses.
  const offered = workspace.settings.storeEmails && customer.email ? customer.email : null;
  if (offered && input.emailHash && !known?.email) {
    await tx
      .insert(learners)
      .values({
        id: newId("lrn"),
        workspaceId: workspace.id,
        externalId: customer.id,
        name: customer.name ?? null,
        emailHash: input.emailHash,
        email: offered,
        createdAt: ctx.clock.now().getTime(),
      })
      .onConflictDoUpdate({
        target: [learners.workspaceId, learners.externalId],
        // What a learner token said first stays: the conversion only fills what is missing.
        set: {
          name: sql`coalesce(${learners.name}, excluded.name)`,
          emailHash: sql`coalesce(${learners.emailHash}, excluded.email_hash)`,
          email: sql`coalesce(${learners.email}, excluded.email)`,
        },
      });
  }
  const [learner] = await tx.select().from(learners).where(mine);
  if (!learner?.email || !learner.emailHash || learner.erasedAt !== null) return;
  const shareCode = await completionShareCode(ctx, learner, input.course);
  await enqueueMail(ctx, {
    workspaceId: workspace.id,
    key: `completion:${learner.id}:${input.course}`,
    category: "completion",
    template: "completion",
    locale: workspace.settings.mailLocale,
    data: {
      firstName: learner.name?.trim().split(/\s+/)[0] ?? null,
      shareCode,
      storyUrl: workspace.settings.defaultTargetUrl,
      addToLinkedIn: await addToLinkedInForLearner(tx, { workspaceId: workspace.id, learnerId: learner.id }),
    },
    learnerId: learner.id,
    to: { name: learner.name, address: learner.email },
    toHash: learner.emailHash,
  });
  await enqueueStoryRequestMail(ctx, { learner, course: input.course });
}

/** The learner's code for the course, else their general code, made in this transaction if they have none. */
async function completionShareCode({ tx, workspace, clock }: TransactionContext, learner: Learner, course: string) {
  const [forCourse] = course
    ? await tx
        .select({ code: referralCodes.code })
        .from(referralCodes)
        .where(
          and(
            eq(referralCodes.workspaceId, workspace.id),
            eq(referralCodes.learnerId, learner.id),
            eq(referralCodes.course, course),
            eq(referralCodes.kind, "generated"),
            isNull(referralCodes.disabledAt),
          ),
        )
    : [];
  return forCourse?.code ?? (await codeForLearner({ db: tx, clock, workspace }, { learner, course: "" })).code;
}

/** The advocate's oldest working code: the link their messages invite them to share again. */
async function firstCode({ tx, workspace }: TransactionContext, learnerId: string): Promise<string | null> {
  const [code] = await tx
    .select({ code: referralCodes.code })
    .from(referralCodes)
    .where(
      and(
        eq(referralCodes.workspaceId, workspace.id),
        eq(referralCodes.learnerId, learnerId),
        isNull(referralCodes.disabledAt),
      ),
    )
    .orderBy(asc(referralCodes.createdAt))
    .limit(1);
  return code?.code ?? null;
}

/**
 * "A friend signed up / enrolled / completed", to the advocate the conversion is attributed to,
 * in its transaction; once per friend, stage and advocate. The friend is named (first name only)
 * only when they consented to their name being shown: a story of theirs with `consentName` and
 * not withdrawn is the one such consent Chorus records; otherwise "a friend".
 */
export async function enqueueFriendMail(
  ctx: TransactionContext,
  input: { referrerId: string; customerId: string; stage: FriendData["stage"] },
): Promise<void> {
  const { tx, workspace } = ctx;
  const [advocate] = await tx
    .select()
    .from(learners)
    .where(and(eq(learners.workspaceId, workspace.id), eq(learners.id, input.referrerId)));
  if (!advocate?.email || !advocate.emailHash || advocate.erasedAt !== null) return;
  const [named] = await tx
    .select({ name: stories.name })
    .from(stories)
    .innerJoin(learners, and(eq(learners.id, stories.learnerId), eq(learners.workspaceId, workspace.id)))
    .where(
      and(
        eq(stories.workspaceId, workspace.id),
        eq(learners.externalId, input.customerId),
        isNull(learners.erasedAt),
        eq(stories.consentName, true),
        ne(stories.status, "withdrawn"),
      ),
    )
    .orderBy(desc(stories.createdAt))
    .limit(1);
  await enqueueMail(ctx, {
    workspaceId: workspace.id,
    key: `friend:${input.stage}:${advocate.id}:${input.customerId}`,
    category: "friends",
    template: "friend",
    locale: workspace.settings.mailLocale,
    data: {
      firstName: firstName(advocate.name),
      friendName: firstName(named?.name ?? null),
      stage: input.stage,
      shareCode: await firstCode(ctx, advocate.id),
    },
    learnerId: advocate.id,
    to: { name: advocate.name, address: advocate.email },
    toHash: advocate.emailHash,
  });
}

const firstName = (name: string | null) => name?.trim().split(/\s+/)[0] || null;

/**
 * "Your reward is approved / issued", to the advocate, in the transaction that moves the reward
 * on (an admin's decision or the end of its hold); once per reward and status.
 */
export async function enqueueRewardStatusMail(
  ctx: TransactionContext,
  input: { reward: RewardRow; status: RewardStatusData["status"]; delivery?: RewardDelivery },
): Promise<void> {
  const { tx, workspace } = ctx;
  const { reward } = input;
  if (reward.side !== "referrer" || !reward.learnerId) return;
  const [advocate] = await tx
    .select()
    .from(learners)
    .where(and(eq(learners.workspaceId, workspace.id), eq(learners.id, reward.learnerId)));
  if (!advocate?.email || !advocate.emailHash || advocate.erasedAt !== null) return;
  await enqueueMail(ctx, {
    workspaceId: workspace.id,
    key: `reward-${input.status}:${reward.id}`,
    category: "rewards",
    template: "reward-status",
    locale: workspace.settings.mailLocale,
    data: {
      firstName: firstName(advocate.name),
      reward: rewardValue(reward),
      status: input.status,
      shareCode: await firstCode(ctx, advocate.id),
      ...(input.delivery ? { delivery: input.delivery } : {}),
    },
    learnerId: advocate.id,
    to: { name: advocate.name, address: advocate.email },
    toHash: advocate.emailHash,
  });
}

/**
 * "You reached a milestone", to the advocate, in the transaction that grants the milestone's
 * bonus; once per bonus (its id is the key), with the next milestone of the program if any.
 */
export async function enqueueMilestoneMail(
  ctx: TransactionContext,
  input: { bonus: RewardRow; advocate: Learner; count: number; next: MilestoneData["next"] },
): Promise<void> {
  const { workspace } = ctx;
  const { bonus, advocate } = input;
  if (!advocate.email || !advocate.emailHash || advocate.erasedAt !== null) return;
  await enqueueMail(ctx, {
    workspaceId: workspace.id,
    key: `milestone:${bonus.id}`,
    category: "rewards",
    template: "milestone",
    locale: workspace.settings.mailLocale,
    data: {
      firstName: firstName(advocate.name),
      count: input.count,
      bonus: formatMoney(bonus.amount ?? 0, bonus.currency ?? ""),
      next: input.next,
      shareCode: await firstCode(ctx, advocate.id),
    },
    learnerId: advocate.id,
    to: { name: advocate.name, address: advocate.email },
    toHash: advocate.emailHash,
  });
}
