/**
 * The reward rules, driven by the program settings only (never by what a story says): the rule for
 * the conversion's course (its own, else the all-courses rule: the most specific wins, and the log
 * says which it beat) gives the referrer a fixed amount or a percentage of the amount paid, by
 * tier, when the friend reaches the trigger (enrolment or completion), for the first payment or
 * each payment up to N; a small reward for the friend's sign-up if the rule has one; a friend
 * offer; a hold before approval, a monthly cap per referrer and milestone bonuses. Each rule
 * writes its own step of the decision log. A refund voids what its conversion caused, or claws
 * issued money back with a negative entry. Every reward created or voided announces itself in
 * the outbox, in the same transaction.
 */
import { and, count, eq, gte, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import type { RewardRule } from "../../db/reward-rule-settings.ts";
import type { DecisionStep } from "../../db/schema.ts";
import { conversions, rewards } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { formatMoney, isoDay, rewardValue } from "../lib/money.ts";
import type { Tx } from "../lib/write-transaction.ts";
import { enqueueMilestoneMail, enqueueRewardEarnedMail } from "./mail-messages.ts";
import { enqueueEvent } from "./outbox.ts";
import { computeReward, ruleFor, ruleName, tierFor } from "./reward-rule-amounts.ts";
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
  // Every column is known here, so the row is built rather than read back, and the INSERT is
  // plain SQL: on a conversion batch's path the query builder's INSERT … RETURNING cost about
  // 80 µs of CPU to build and map, against a few for this (measured). A new column fails to
  // compile in the row below until it is named there; name it in the INSERT too.
  const row: RewardRow = {
    id: newId("rwd"),
    workspaceId: workspace.id,
    conversionId: values.conversionId,
    side: values.side,
    learnerId: values.learnerId ?? null,
    customerId: values.customerId ?? null,
    kind: values.kind,
    amount: values.amount ?? null,
    currency: values.currency ?? null,
    percent: values.percent ?? null,
    status: values.status,
    flagged: values.flagged ?? false,
    holdUntil: values.holdUntil ?? null,
    reason: values.reason ?? null,
    createdAt: clock.now().getTime(),
    updatedAt: null,
    payoutBatchId: null,
    deliveredCode: null,
    deliveryRef: null,
    deliveryError: null,
  };
  await tx.run(sql`INSERT INTO rewards (id, workspace_id, conversion_id, side, learner_id, customer_id, kind, amount,
      currency, percent, status, flagged, hold_until, reason, created_at)
    VALUES (${row.id}, ${row.workspaceId}, ${row.conversionId}, ${row.side}, ${row.learnerId}, ${row.customerId},
      ${row.kind}, ${row.amount}, ${row.currency}, ${row.percent}, ${row.status}, ${row.flagged ? 1 : 0},
      ${row.holdUntil}, ${row.reason}, ${row.createdAt})`);
  const data = learnerExternalId === undefined ? await rewardData(tx, row) : rewardJson(row, learnerExternalId);
  await enqueueEvent(ctx, { workspaceId: workspace.id, type: "reward.created", data });
  return row;
}

const live = ne(rewards.status, "void");

/**
 * Reasons of referrer rewards that are not for a referral: a sign-up reward (`signup`) and a
 * claw-back (`clawback:…`). Rows without a reason (written before reasons) count as referrals.
 */
const forAReferral = sql`(${rewards.reason} is null or (${rewards.reason} <> 'signup' and ${rewards.reason} not like 'clawback:%'))`;
/** A later payment's reward (`referral:payment:N`): the friend was already counted with the first. */
const notALaterPayment = sql`(${rewards.reason} is null or ${rewards.reason} not like 'referral:payment:%')`;

/** The referrer's live referral rewards, one per rewarded payment (milestone bonuses and sign-up rewards not counted). */
function referralRewardsOf(workspaceId: string, learnerId: string) {
  return and(
    eq(rewards.workspaceId, workspaceId),
    eq(rewards.learnerId, learnerId),
    eq(rewards.side, "referrer"),
    ne(rewards.kind, "milestone"),
    forAReferral,
    live,
  );
}

/**
 * A referrer's successful referrals: the friends with a live referral reward for their first
 * payment (later payments of one friend count once). Tiers and milestones count these; `except`
 * leaves one friend out (the one being rewarded now).
 */
export async function successfulReferrals(
  { db, workspace }: { db: Db | Tx; workspace: Pick<Workspace, "id"> },
  learnerId: string,
  except?: string,
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(rewards)
    .where(
      and(
        referralRewardsOf(workspace.id, learnerId),
        notALaterPayment,
        except === undefined ? undefined : or(isNull(rewards.customerId), ne(rewards.customerId, except)),
      ),
    );
  return row?.n ?? 0;
}

const nameOf = (learner: Learner) => learner.name ?? learner.externalId;

const ordinal = (n: number) => {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
};

/** A conversion as the reward rules see it. */
export type RewardedConversion = {
  id: string;
  externalId: string;
  type: string;
  customerId: string;
  /** The course, when the conversion names one: it picks the rule. */
  course?: string | null;
  /** What was paid, in minor units of `currency`: a percentage rule takes its share of it. */
  amount?: number | null;
  currency?: string | null;
};

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
    /** The rule for the conversion's course (the most specific), if the program has one. */
    rule: RewardRule | null;
    /** The decision-log step saying which rule applied (and which it beat), until it is logged. */
    ruleStep: DecisionStep | null;
    /** A later payment (instalment, renewal) the rule still rewards: its number; null for a first payment. */
    payment: number | null;
    /** The referrer still due a referrer reward; null until a rule finds one, or once one rules it out. */
    payee: Learner | null;
    /** The referrer reward this conversion earned, if any: milestones are counted only after one. */
    referral: RewardRow | null;
    /** Set by a rule that ends the list: no later rule runs. */
    done: boolean;
  };

type RewardStep = (grant: Grant) => Promise<void> | void;

/**
 * The most specific rule for the conversion's course wins; its step (which applied and which it
 * beat) is logged where a reward is considered, not for conversions that earn nothing anyway.
 */
const chooseRule: RewardStep = (grant) => {
  const course = grant.conversion.course || null;
  const { rule, beaten } = ruleFor(grant.settings.rewardRules.rules, course);
  grant.rule = rule;
  if (!rule) {
    grant.ruleStep =
      grant.settings.rewardRules.rules.length > 0
        ? {
            rule: "reward-rule",
            result: "skip",
            detail: `no rule for ${course ?? "conversions without a course"} and no rule for all courses: no referrer reward`,
          }
        : null;
    return;
  }
  grant.ruleStep = {
    rule: "reward-rule",
    result: "pass",
    detail: beaten
      ? `${ruleName(rule)} applies; it beat ${ruleName(beaten)} (the most specific rule wins)`
      : `${ruleName(rule)} applies`,
  };
};

/** Logs the rule choice, once. */
function logRule(grant: Grant) {
  if (grant.ruleStep) grant.steps.push(grant.ruleStep);
  grant.ruleStep = null;
}

/** A small reward for the referrer when their friend signs up, once per friend, if the rule has one. */
async function signupReward(grant: Grant): Promise<boolean> {
  const { ctx, conversion, referrer, rule } = grant;
  const bonus = rule?.signupReward;
  if (!rule || !bonus || !referrer) return false;
  logRule(grant);
  const [already] = await ctx.tx
    .select({ id: rewards.id })
    .from(rewards)
    .where(
      and(
        eq(rewards.workspaceId, ctx.workspace.id),
        eq(rewards.customerId, conversion.customerId),
        eq(rewards.reason, "signup"),
        live,
      ),
    )
    .limit(1);
  if (already) {
    grant.steps.push({
      rule: "signup-reward",
      result: "skip",
      detail: `the friend's sign-up was already rewarded (${already.id}): once per friend`,
    });
    return true;
  }
  const row = await insertReward(
    ctx,
    {
      ...grant.terms,
      side: "referrer",
      learnerId: referrer.id,
      kind: rule.kind,
      amount: bonus.amount,
      currency: bonus.currency,
      reason: "signup",
    },
    referrer.externalId,
  );
  grant.rows.push(row);
  grant.steps.push({
    rule: "signup-reward",
    result: "pass",
    detail: `sign-up reward ${rewardValue(row)} for ${nameOf(referrer)} (${ruleName(rule)}) ${statusText(row)}`,
  });
  return true;
}

/** Rewards are earned on one conversion type only (the program's trigger); a sign-up may earn its own small reward. */
const triggerType: RewardStep = async (grant) => {
  const { conversion, settings } = grant;
  if (conversion.type === settings.trigger) return;
  grant.done = true;
  if (conversion.type === "signup" && (await signupReward(grant))) return;
  grant.steps.push({
    rule: "trigger",
    result: "skip",
    detail: `rewards are earned on ${settings.trigger}; this is a ${conversion.type}: no reward`,
  });
};

/** Which payment of this customer's on this course a conversion is (1 for the first). */
async function paymentNumber({ tx, workspace }: TransactionContext, conversion: RewardedConversion): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(conversions)
    .where(
      and(
        eq(conversions.workspaceId, workspace.id),
        eq(conversions.customerId, conversion.customerId),
        eq(conversions.course, conversion.course ?? ""),
        eq(conversions.type, conversion.type as "enrollment"),
        ne(conversions.id, conversion.id),
      ),
    );
  return (row?.n ?? 0) + 1;
}

/**
 * One set of rewards per referred customer, whichever of their conversions earned it; except the
 * later payments (instalments, renewals) of a course whose rule rewards each payment up to N.
 */
const oneSetPerCustomer: RewardStep = async (grant) => {
  const { ctx, conversion, rule } = grant;
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
        ne(rewards.reason, "signup"),
        live,
      ),
    )
    .limit(1);
  if (!earlier) {
    grant.steps.push({ rule: "trigger", result: "pass", detail: `${conversion.type} is the reward trigger` });
    return;
  }
  const upTo = rule && rule.payments !== "first" ? rule.payments.upTo : 1;
  const payment = upTo > 1 ? await paymentNumber(ctx, conversion) : 1;
  if (payment > 1 && payment <= upTo) {
    grant.payment = payment;
    grant.steps.push({
      rule: "trigger",
      result: "pass",
      detail: `payment ${payment} of ${conversion.course}: ${ruleName(rule!)} rewards each payment up to ${upTo}`,
    });
    return;
  }
  grant.steps.push({
    rule: "trigger",
    result: "skip",
    detail:
      payment > upTo
        ? `payment ${payment} of ${conversion.course}: ${ruleName(rule!)} rewards payments up to ${upTo} only`
        : `customer already earned rewards (conversion ${earlier.conversionId}): one set per referred customer`,
  });
  grant.done = true;
};

/** A referrer reward needs a rule for the course and a referrer learner to give it to. */
const referrerPresent: RewardStep = (grant) => {
  logRule(grant);
  if (grant.settings.rewardRules.rules.length === 0) {
    grant.steps.push({ rule: "referrer-reward", result: "skip", detail: "the program has no referrer reward" });
  } else if (!grant.rule) {
    return;
  } else if (!grant.referrer) {
    grant.steps.push({ rule: "referrer-reward", result: "skip", detail: "no referrer learner to reward" });
  } else {
    grant.payee = grant.referrer;
  }
};

/** At most `monthlyCap` referral rewards per referrer in a calendar month (UTC). */
const monthlyCap: RewardStep = async (grant) => {
  const { ctx, payee } = grant;
  const cap = grant.settings.rewardRules.monthlyCap;
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

/** The rule's reward (by the referrer's tier) for the referrer the rules so far allow. */
const referrerReward: RewardStep = async (grant) => {
  const { ctx, payee, rule, conversion } = grant;
  if (!payee || !rule) return;
  const count =
    (await successfulReferrals({ db: ctx.tx, workspace: ctx.workspace }, payee.id, conversion.customerId)) + 1;
  const { reward, tier } = tierFor(rule, count);
  const paid =
    conversion.amount != null && conversion.currency
      ? { amount: conversion.amount, currency: conversion.currency }
      : null;
  const computed = computeReward(reward, paid);
  const which = tier ? `${tier}, as ${nameOf(payee)}'s ${ordinal(count)} successful referral` : null;
  if ("none" in computed || computed.amount === 0) {
    grant.steps.push({
      rule: "reward-amount",
      result: "skip",
      detail: "none" in computed ? computed.none : `${computed.how}: nothing to reward`,
    });
    return;
  }
  grant.steps.push({
    rule: "reward-amount",
    result: "pass",
    detail: which ? `${computed.how} (${which})` : computed.how,
  });
  const row = await insertReward(
    ctx,
    {
      ...grant.terms,
      side: "referrer",
      learnerId: payee.id,
      kind: rule.kind,
      amount: computed.amount,
      currency: computed.currency,
      reason: grant.payment ? `referral:payment:${grant.payment}` : "referral",
    },
    payee.externalId,
  );
  grant.rows.push(row);
  grant.referral = row;
  await enqueueRewardEarnedMail(ctx, {
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

/** A bonus for each milestone of successful referrals the referrer has reached, once each. */
const milestoneBonuses: RewardStep = async (grant) => {
  const { ctx, payee } = grant;
  const { milestones } = grant.settings.rewardRules;
  if (!payee || !grant.referral || grant.payment || milestones.length === 0) return;
  const done = await successfulReferrals({ db: ctx.tx, workspace: ctx.workspace }, payee.id);
  for (const milestone of milestones) {
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
    const next = [...milestones].sort((a, b) => a.count - b.count).find((later) => later.count > milestone.count);
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

/** The friend's offer, whatever happened to the referrer's reward; once, with the first payment. */
const friendOffer: RewardStep = async (grant) => {
  const offer = grant.settings.friendOffer;
  if (grant.payment) {
    grant.steps.push({
      rule: "friend-offer",
      result: "skip",
      detail: "a later payment: the friend's offer came with the first",
    });
    return;
  }
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
const rewardSteps: readonly RewardStep[] = [
  chooseRule,
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
    rule: null,
    ruleStep: null,
    payment: null,
    payee: null,
    referral: null,
    rows: [],
    steps: [],
    done: false,
  };
  for (const step of rewardSteps) {
    await step(grant);
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
