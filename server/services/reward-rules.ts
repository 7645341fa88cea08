/**
 * The reward rules, driven by the program settings only (never by what a story says): a referrer
 * reward and a friend offer when the friend reaches the trigger (enrolment or completion), a hold
 * before approval, a monthly cap per referrer and milestone bonuses. Each rule writes its own step
 * of the decision log. A refund voids what its conversion caused, or claws issued money back with
 * a negative entry. Every reward created or voided announces itself in the outbox, in the same
 * transaction.
 */
import { and, count, eq, gte, inArray, lt, ne } from "drizzle-orm";
import type { DecisionStep } from "../../db/schema.ts";
import { conversions, rewards } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { formatMoney, isoDay, rewardValue } from "../lib/money.ts";
import { enqueueMilestoneMail, enqueueRewardEarnedMail } from "./mail-messages.ts";
import { enqueueEvent } from "./outbox.ts";
import { type DeliveryColumns, type RewardRow, rewardData, rewardJson } from "./rewards.ts";
import type { Learner, TransactionContext, Workspace } from "./types.ts";

const dayMs = 86_400_000;

function statusText(row: Pick<RewardRow, "status" | "flagged" | "holdUntil">): string {
  if (row.flagged) return "held for review (flagged)";
  if (row.status === "approved") return "approved (no hold)";
  return `pending until ${isoDay(row.holdUntil ?? 0)}`;
}

/** The reward's row, then its `reward.created` event, at the transaction's instant. */
async function insertReward(
  ctx: TransactionContext,
  values: Omit<RewardRow, "id" | "workspaceId" | "createdAt" | "updatedAt" | DeliveryColumns>,
  learnerExternalId?: string | null,
): Promise<RewardRow> {
  const { tx, workspace, clock } = ctx;
  const [row] = await tx
    .insert(rewards)
    .values({ id: newId("rwd"), workspaceId: workspace.id, ...values, createdAt: clock.now().getTime() })
    .returning();
  if (!row) throw new Error("reward insert returned nothing");
  const data = learnerExternalId === undefined ? await rewardData(tx, row) : rewardJson(row, learnerExternalId);
  await enqueueEvent(ctx, { workspaceId: workspace.id, type: "reward.created", data });
  return row;
}

const live = ne(rewards.status, "void");
const referralReward = and(eq(rewards.side, "referrer"), ne(rewards.kind, "milestone"));

/** The referrer's live referral rewards (milestone bonuses not counted). */
function referralRewardsOf(workspaceId: string, learnerId: string) {
  return and(eq(rewards.workspaceId, workspaceId), eq(rewards.learnerId, learnerId), referralReward, live);
}

const nameOf = (learner: Learner) => learner.name ?? learner.externalId;

/** A conversion as the reward rules see it. */
export type RewardedConversion = { id: string; externalId: string; type: string; customerId: string };

export type GrantInput = {
  conversion: RewardedConversion;
  referrer: Learner | null;
  flagged: boolean;
  /** The fraud rules that flagged it (their names in the decision log), told to the advocate in plain words. */
  flaggedBy?: string[];
};

/** The rewards created (or changed) and the decision-log steps that explain them. */
export type RewardOutcome = { rows: RewardRow[]; steps: DecisionStep[] };

type RewardValues = Pick<RewardRow, "conversionId" | "customerId" | "status" | "flagged" | "holdUntil" | "percent">;

/** What the rules have decided so far for one conversion: each rule reads it and adds to it. */
type Grant = GrantInput &
  RewardOutcome & {
    ctx: TransactionContext;
    settings: Workspace["settings"];
    /** Status, flag and hold that every reward of this conversion shares. */
    terms: RewardValues;
    /** The referrer still due a referrer reward; null until a rule finds one, or once one rules it out. */
    payee: Learner | null;
    /** The referrer reward this conversion earned, if any: milestones are counted only after one. */
    referral: RewardRow | null;
    /** Set by a rule that ends the list: no later rule runs. */
    done: boolean;
  };

type RewardRule = (grant: Grant) => Promise<void> | void;

/** Rewards are earned on one conversion type only (the program's trigger). */
const triggerType: RewardRule = (grant) => {
  const { conversion, settings } = grant;
  if (conversion.type === settings.trigger) return;
  grant.steps.push({
    rule: "trigger",
    result: "skip",
    detail: `rewards are earned on ${settings.trigger}; this is a ${conversion.type}: no reward`,
  });
  grant.done = true;
};

/** One set of rewards per referred customer, whichever of their conversions earned it. */
const oneSetPerCustomer: RewardRule = async (grant) => {
  const { ctx, conversion } = grant;
  // Through the customer's conversions (indexed by customer), then their rewards (by conversion).
  // No workspace condition on rewards: it would tempt the planner into scanning every reward of
  // the workspace, and a conversion's rewards are always in the conversion's workspace.
  const [earlier] = await ctx.tx
    .select({ conversionId: rewards.conversionId })
    .from(conversions)
    .innerJoin(rewards, eq(rewards.conversionId, conversions.id))
    .where(
      and(
        eq(conversions.workspaceId, ctx.workspace.id),
        eq(conversions.customerId, conversion.customerId),
        ne(rewards.kind, "milestone"),
        live,
      ),
    )
    .limit(1);
  if (earlier) {
    grant.steps.push({
      rule: "trigger",
      result: "skip",
      detail: `customer already earned rewards (conversion ${earlier.conversionId}): one set per referred customer`,
    });
    grant.done = true;
    return;
  }
  grant.steps.push({ rule: "trigger", result: "pass", detail: `${conversion.type} is the reward trigger` });
};

/** A referrer reward needs one in the program and a referrer learner to give it to. */
const referrerPresent: RewardRule = (grant) => {
  if (!grant.settings.referrerReward) {
    grant.steps.push({ rule: "referrer-reward", result: "skip", detail: "the program has no referrer reward" });
  } else if (!grant.referrer) {
    grant.steps.push({ rule: "referrer-reward", result: "skip", detail: "no referrer learner to reward" });
  } else {
    grant.payee = grant.referrer;
  }
};

/** At most `monthlyCap` referral rewards per referrer in a calendar month (UTC). */
const monthlyCap: RewardRule = async (grant) => {
  const { ctx, payee } = grant;
  const cap = grant.settings.monthlyCap;
  if (!payee || !cap) return;
  const month = ctx.clock.now();
  const monthStart = Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1);
  const monthEnd = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1);
  const [thisMonth] = await ctx.tx
    .select({ n: count() })
    .from(rewards)
    .where(
      and(
        referralRewardsOf(ctx.workspace.id, payee.id),
        gte(rewards.createdAt, monthStart),
        lt(rewards.createdAt, monthEnd),
      ),
    );
  const n = thisMonth?.n ?? 0;
  if (n >= cap) {
    grant.steps.push({
      rule: "monthly-cap",
      result: "fail",
      detail: `monthly cap reached: ${nameOf(payee)} already has ${thisMonth?.n} of ${cap} referrer rewards in ${month.toISOString().slice(0, 7)}`,
    });
    grant.payee = null;
    return;
  }
  grant.steps.push({ rule: "monthly-cap", result: "pass", detail: `${n + 1} of ${cap} referrer rewards this month` });
};

/** The program's referrer reward, for the referrer the rules so far allow. */
const referrerReward: RewardRule = async (grant) => {
  const { payee } = grant;
  const reward = grant.settings.referrerReward;
  if (!payee || !reward) return;
  const { type, amount, currency } = reward;
  const row = await insertReward(
    grant.ctx,
    { ...grant.terms, side: "referrer", learnerId: payee.id, kind: type, amount, currency, reason: "referral" },
    payee.externalId,
  );
  grant.rows.push(row);
  grant.referral = row;
  await enqueueRewardEarnedMail(grant.ctx, {
    reward: row,
    advocate: payee,
    description: rewardValue(row),
    flaggedBy: grant.flaggedBy ?? [],
  });
  grant.steps.push({
    rule: "referrer-reward",
    result: "pass",
    detail: `reward ${rewardValue(row)} for ${nameOf(payee)} ${statusText(row)}`,
  });
};

/** A bonus for each milestone of rewarded referrals the referrer has reached, once each. */
const milestoneBonuses: RewardRule = async (grant) => {
  const { ctx, payee, settings } = grant;
  if (!payee || !grant.referral || settings.milestones.length === 0) return;
  const [total] = await ctx.tx
    .select({ n: count() })
    .from(rewards)
    .where(referralRewardsOf(ctx.workspace.id, payee.id));
  const done = total?.n ?? 0;
  for (const milestone of settings.milestones) {
    if (done < milestone.count) continue;
    const reason = `milestone:${milestone.count}`;
    const [already] = await ctx.tx
      .select({ id: rewards.id })
      .from(rewards)
      .where(
        and(
          eq(rewards.workspaceId, ctx.workspace.id),
          eq(rewards.learnerId, payee.id),
          eq(rewards.reason, reason),
          live,
        ),
      );
    if (already) continue;
    const bonus = await insertReward(
      ctx,
      {
        ...grant.terms,
        side: "referrer",
        learnerId: payee.id,
        kind: "milestone",
        amount: milestone.bonus.amount,
        currency: milestone.bonus.currency,
        reason,
      },
      payee.externalId,
    );
    grant.rows.push(bonus);
    const next = [...settings.milestones]
      .sort((a, b) => a.count - b.count)
      .find((later) => later.count > milestone.count);
    await enqueueMilestoneMail(ctx, {
      bonus,
      advocate: payee,
      count: milestone.count,
      next: next ? { count: next.count, bonus: formatMoney(next.bonus.amount, next.bonus.currency) } : null,
    });
    grant.steps.push({
      rule: "milestone",
      result: "pass",
      detail: `milestone of ${milestone.count} rewarded referrals reached: bonus ${rewardValue(bonus)} ${statusText(bonus)}`,
    });
  }
};

/** The friend's offer, whatever happened to the referrer's reward. */
const friendOffer: RewardRule = async (grant) => {
  const offer = grant.settings.friendOffer;
  if (!offer) {
    grant.steps.push({ rule: "friend-offer", result: "skip", detail: "the program has no friend offer" });
    return;
  }
  const row = await insertReward(
    grant.ctx,
    {
      ...grant.terms,
      side: "friend",
      learnerId: null,
      kind: "discount",
      amount: offer.type === "amount" ? offer.amount : null,
      currency: offer.type === "amount" ? offer.currency : null,
      percent: offer.type === "percent" ? offer.percent : null,
      reason: "friend offer",
    },
    null,
  );
  grant.rows.push(row);
  grant.steps.push({
    rule: "friend-offer",
    result: "pass",
    detail: `friend offer ${rewardValue(row)} for customer ${grant.conversion.customerId} ${statusText(row)}`,
  });
};

/** The reward rules in the order their steps appear in the decision log. */
const rewardRules: readonly RewardRule[] = [
  triggerType,
  oneSetPerCustomer,
  referrerPresent,
  monthlyCap,
  referrerReward,
  milestoneBonuses,
  friendOffer,
];

/** Creates the rewards a qualifying conversion earns, and explains each one. */
export async function grantRewards(ctx: TransactionContext, input: GrantInput): Promise<RewardOutcome> {
  const settings = ctx.workspace.settings;
  // The hold runs from when Chorus learns of the conversion, so an imported past conversion is
  // still held for review (and for a refund) before it is approved.
  const holdUntil = ctx.clock.now().getTime() + settings.holdDays * dayMs;
  const grant: Grant = {
    ...input,
    ctx,
    settings,
    terms: {
      conversionId: input.conversion.id,
      customerId: input.conversion.customerId,
      status: !input.flagged && settings.holdDays === 0 ? "approved" : "pending",
      flagged: input.flagged,
      holdUntil,
      percent: null,
    },
    payee: null,
    referral: null,
    rows: [],
    steps: [],
    done: false,
  };
  for (const rule of rewardRules) {
    await rule(grant);
    if (grant.done) break;
  }
  return { rows: grant.rows, steps: grant.steps };
}

export type ReverseInput = {
  /** The conversion refunded. */
  original: { id: string; externalId: string };
  /** The refund: a claw-back belongs to it. */
  refund: { id: string; externalId: string };
};

/** What a refund does to one reward its conversion caused: a row changed or made, and its step. */
type Reversal = { row?: RewardRow; step: DecisionStep } | null;

/** Issued money cannot be voided: a negative entry claws it back (once; a used discount has nothing left). */
async function clawBack(ctx: TransactionContext, reward: RewardRow, refund: ReverseInput["refund"]): Promise<Reversal> {
  const reason = `clawback:${reward.id}`;
  const [already] = await ctx.tx
    .select({ id: rewards.id })
    .from(rewards)
    .where(and(eq(rewards.workspaceId, ctx.workspace.id), eq(rewards.reason, reason)));
  if (already)
    return {
      step: { rule: "refund", result: "skip", detail: `reward ${reward.id} was already clawed back (${already.id})` },
    };
  if (reward.amount === null || reward.amount <= 0)
    return {
      step: {
        rule: "refund",
        result: "info",
        detail: `reward ${reward.id} (${rewardValue(reward)}) was already used: nothing to claw back`,
      },
    };
  const row = await insertReward(ctx, {
    conversionId: refund.id,
    side: reward.side,
    learnerId: reward.learnerId,
    customerId: reward.customerId,
    kind: reward.kind,
    amount: -reward.amount,
    currency: reward.currency,
    percent: null,
    status: "approved",
    flagged: false,
    holdUntil: null,
    reason,
  });
  return {
    row,
    step: {
      rule: "refund",
      result: "pass",
      detail: `reward ${reward.id} was already issued: claw back ${rewardValue(row)}`,
    },
  };
}

/** A reward not yet issued is voided (unless it changed state meanwhile). */
async function voidReward(
  ctx: TransactionContext,
  reward: RewardRow,
  refund: ReverseInput["refund"],
): Promise<Reversal> {
  const { tx, workspace, clock } = ctx;
  const [row] = await tx
    .update(rewards)
    .set({ status: "void", reason: `refunded by ${refund.externalId}`, updatedAt: clock.now().getTime() })
    .where(and(eq(rewards.id, reward.id), inArray(rewards.status, ["pending", "approved"])))
    .returning();
  if (!row) return null;
  await enqueueEvent(ctx, { workspaceId: workspace.id, type: "reward.voided", data: await rewardData(tx, row) });
  return {
    row,
    step: {
      rule: "refund",
      result: "pass",
      detail: `voided reward ${reward.id} (${rewardValue(reward)}, was ${reward.status})`,
    },
  };
}

/** The reversal of one reward, by its state; a claw-back entry itself is left alone. */
function reverseOne(ctx: TransactionContext, reward: RewardRow, refund: ReverseInput["refund"]): Promise<Reversal> {
  if (reward.reason?.startsWith("clawback:")) return Promise.resolve(null);
  if (reward.status === "void")
    return Promise.resolve({
      step: { rule: "refund", result: "skip", detail: `reward ${reward.id} was already void` },
    });
  if (reward.status === "issued") return clawBack(ctx, reward, refund);
  return voidReward(ctx, reward, refund);
}

/** Voids what a refunded conversion caused; issued money is clawed back with a negative entry. */
export async function reverseRewards(ctx: TransactionContext, input: ReverseInput): Promise<RewardOutcome> {
  const { original, refund } = input;
  const steps: DecisionStep[] = [];
  const rows: RewardRow[] = [];
  const caused = await ctx.tx
    .select()
    .from(rewards)
    .where(and(eq(rewards.workspaceId, ctx.workspace.id), eq(rewards.conversionId, original.id)));
  if (caused.length === 0)
    steps.push({
      rule: "refund",
      result: "info",
      detail: `conversion ${original.externalId} earned no rewards: nothing to void`,
    });
  for (const reward of caused) {
    const reversal = await reverseOne(ctx, reward, refund);
    if (!reversal) continue;
    if (reversal.row) rows.push(reversal.row);
    steps.push(reversal.step);
  }
  return { rows, steps };
}
