/**
 * The messages Chorus sends, each enqueued in the transaction of the event that causes it
 * (mail-outbox.ts). Only to learners whose address the provider lets Chorus keep (`storeEmails`):
 * a hash alone cannot be mailed.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import { referralCodes } from "../../db/schema.ts";
import { isoDay } from "../lib/money.ts";
import { enqueueMail } from "./mail-outbox.ts";
import type { RewardRow } from "./rewards.ts";
import type { Learner, TransactionContext } from "./types.ts";

/** "You earned a reward", to the advocate, once per reward (its id is the message's key). */
export async function enqueueRewardEarnedMail(
  ctx: TransactionContext,
  input: { reward: RewardRow; advocate: Learner; description: string },
): Promise<void> {
  const { tx, workspace } = ctx;
  const { reward, advocate } = input;
  if (!advocate.email || !advocate.emailHash || advocate.erasedAt !== null) return;
  const [code] = await tx
    .select({ code: referralCodes.code })
    .from(referralCodes)
    .where(
      and(
        eq(referralCodes.workspaceId, workspace.id),
        eq(referralCodes.learnerId, advocate.id),
        isNull(referralCodes.disabledAt),
      ),
    )
    .orderBy(asc(referralCodes.createdAt))
    .limit(1);
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
      shareCode: code?.code ?? null,
    },
    learnerId: advocate.id,
    to: { name: advocate.name, address: advocate.email },
    toHash: advocate.emailHash,
  });
}
