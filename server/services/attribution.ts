/**
 * Who referred this customer, and why we think so. The order of evidence: the click id the
 * provider sent (exactly that click, never another one inferred from the same visitor), else the
 * referral code it sent, else, only when neither was sent, the customer's earlier attribution. A
 * customer stays with the referrer of their first attributed conversion (sticky), so an enrolment
 * after a signup, or a completion after an enrolment, credits the same advocate even if a later
 * click came from someone else. Every rule writes a readable step to the decision log, and the
 * last step, `decided-by`, names the rule that decided.
 */
import { and, asc, eq, isNotNull, lte, ne } from "drizzle-orm";
import type { DecisionStep } from "../../db/schema.ts";
import { clicks, conversions, learners, referralCodes } from "../../db/schema.ts";
import { ago, isoDay } from "../lib/money.ts";
import { couponByCode } from "./friend-coupons.ts";
import { clickByEmail } from "./referral-emails.ts";
import type { Learner, TransactionContext } from "./types.ts";

export type ClickRow = typeof clicks.$inferSelect;
export type CodeRow = typeof referralCodes.$inferSelect;

export type Attribution = {
  status: "attributed" | "unattributed";
  referrer: Learner | null;
  code: CodeRow | null;
  click: ClickRow | null;
  channel: string | null;
  storyId: string | null;
  decision: DecisionStep[];
};

const dayMs = 86_400_000;
/** A provider's clock may run a little behind ours: a click this much "after" the conversion still counts. */
const clockSkewMs = 5 * 60_000;

type Candidate = {
  click: ClickRow | null;
  code: CodeRow;
  channel: string | null;
  storyId: string | null;
  /** Found through the email the friend gave before checkout (POST /v1/clicks/{id}/email), not sent with the conversion. */
  byEmail?: boolean;
  /** The friend coupon code that named the referral, when the conversion's `code` was one. */
  coupon?: string;
};

async function codeById({ tx, workspace }: TransactionContext, id: string): Promise<CodeRow | null> {
  const [row] = await tx
    .select()
    .from(referralCodes)
    .where(and(eq(referralCodes.workspaceId, workspace.id), eq(referralCodes.id, id)));
  return row ?? null;
}

async function learnerById({ tx, workspace }: TransactionContext, id: string | null): Promise<Learner | null> {
  if (!id) return null;
  const [row] = await tx
    .select()
    .from(learners)
    .where(and(eq(learners.workspaceId, workspace.id), eq(learners.id, id)));
  return row ?? null;
}

function describeClick(click: ClickRow, now: number): string {
  // A named click came from no link: the friend named their referrer ("Who referred you?").
  const how = click.source === "named" ? "named by the friend" : `via ${click.channel}`;
  return `click ${click.id} from ${ago(click.createdAt, now)} ${how}`;
}

async function fromClick(
  ctx: TransactionContext,
  clickId: string,
  occurredAt: number,
  steps: DecisionStep[],
): Promise<Candidate | null> {
  const { tx, workspace } = ctx;
  const [click] = await tx
    .select()
    .from(clicks)
    .where(and(eq(clicks.workspaceId, workspace.id), eq(clicks.id, clickId)));
  if (!click) {
    steps.push({ rule: "click", result: "fail", detail: `no click ${clickId} in this workspace` });
    return null;
  }
  const windowDays = workspace.settings.attribution.windowDays;
  const age = occurredAt - click.createdAt;
  if (age < -clockSkewMs) {
    steps.push({ rule: "click", result: "fail", detail: `click ${click.id} happened after the conversion` });
    return null;
  }
  if (age > windowDays * dayMs) {
    steps.push({
      rule: "window",
      result: "fail",
      detail: `${describeClick(click, occurredAt)} is outside the ${windowDays}-day window`,
    });
    return null;
  }
  steps.push({
    rule: "click",
    result: "pass",
    detail: `matched ${describeClick(click, occurredAt)}, inside the ${windowDays}-day window`,
  });
  // The click the provider sent is the credited one. Other clicks of the "same visitor" (a daily
  // hash of address and user agent, shared by a whole campus or mobile network) are not looked
  // at: they let a later stranger's click take the credit. The model (first- or last-click)
  // already chose this click in the friend's browser, where the loader keeps the referral.
  const code = await codeById(ctx, click.codeId);
  if (!code) {
    steps.push({ rule: "click", result: "fail", detail: `click ${click.id} names a code that no longer exists` });
    return null;
  }
  return { click, code, channel: click.channel, storyId: click.storyId };
}

async function fromCode(
  { tx, workspace }: TransactionContext,
  value: string,
  steps: DecisionStep[],
): Promise<Candidate | null> {
  const [code] = await tx
    .select()
    .from(referralCodes)
    .where(and(eq(referralCodes.workspaceId, workspace.id), eq(referralCodes.code, value.toLowerCase())));
  if (!code) return fromCoupon({ tx, workspace }, value, steps);
  if (code.disabledAt !== null) {
    steps.push({ rule: "code", result: "fail", detail: `referral code ${code.code} is disabled` });
    return null;
  }
  steps.push({ rule: "code", result: "pass", detail: `matched referral code ${code.code} (no click id given)` });
  return { click: null, code, channel: null, storyId: null };
}

/**
 * A friend coupon code (`PRIYA-10-K7M4Q9X`) in the conversion's `code`: from the API, a platform
 * connector or a Stripe promotion code. It names its referral code, so the friend who typed it at
 * checkout is attributed to that referrer without ever clicking a link.
 */
async function fromCoupon(
  { tx, workspace }: Pick<TransactionContext, "tx" | "workspace">,
  value: string,
  steps: DecisionStep[],
): Promise<Candidate | null> {
  const found = await couponByCode({ tx, workspaceId: workspace.id }, value);
  if (!found) {
    steps.push({
      rule: "code",
      result: "fail",
      detail: `no referral code or friend coupon code ${value} in this workspace`,
    });
    return null;
  }
  const { coupon, referralCode } = found;
  if (coupon.disabledAt !== null || referralCode.disabledAt !== null) {
    steps.push({ rule: "code", result: "fail", detail: `friend coupon code ${coupon.code} is disabled` });
    return null;
  }
  steps.push({
    rule: "code",
    result: "pass",
    detail: `matched by coupon code: friend coupon ${coupon.code} of referral code ${referralCode.code} (no click id given)`,
  });
  return { click: null, code: referralCode, channel: null, storyId: null, coupon: coupon.code };
}

/**
 * The customer's first attributed conversion before this one, if any: one that happened no later
 * (a past conversion imported afterwards must not inherit the referrer of a later one).
 */
async function earlierAttribution({ tx, workspace }: TransactionContext, input: AttributionInput) {
  const [row] = await tx
    .select()
    .from(conversions)
    .where(
      and(
        eq(conversions.workspaceId, workspace.id),
        eq(conversions.customerId, input.customerId),
        eq(conversions.status, "attributed"),
        ne(conversions.type, "refund"),
        ne(conversions.id, input.conversionId),
        lte(conversions.occurredAt, input.occurredAt),
        isNotNull(conversions.referrerId),
      ),
    )
    .orderBy(asc(conversions.occurredAt), asc(conversions.createdAt))
    .limit(1);
  return row ?? null;
}

export type AttributionInput = {
  conversionId: string;
  customerId: string;
  clickId?: string;
  code?: string;
  /** The customer's email hashes: when no click id or code is sent, a click the friend gave this email on. */
  emailHashes?: string[];
  occurredAt: number;
};

/** Finds who referred the conversion's customer, writing each rule it applies to the decision log. */
export async function attribute(ctx: TransactionContext, input: AttributionInput): Promise<Attribution> {
  const steps: DecisionStep[] = [];
  let candidate: Candidate | null = null;
  if (input.clickId) candidate = await fromClick(ctx, input.clickId, input.occurredAt, steps);
  if (!candidate && input.code) candidate = await fromCode(ctx, input.code, steps);
  if (!input.clickId && !input.code) {
    steps.push({ rule: "click", result: "skip", detail: "no click id or code given" });
    const byEmail = await clickByEmail(ctx, input.emailHashes ?? []);
    if (byEmail) {
      steps.push({
        rule: "email",
        result: "info",
        detail: `the customer's email was given before checkout, after click ${byEmail}`,
      });
      const found = await fromClick(ctx, byEmail, input.occurredAt, steps);
      if (found) candidate = { ...found, byEmail: true };
    }
  }

  const earlier = await earlierAttribution(ctx, input);
  if (earlier) {
    const referrer = await learnerById(ctx, earlier.referrerId);
    const who = referrer?.name ?? referrer?.externalId ?? earlier.referrerId;
    const since = `conversion ${earlier.externalId} on ${isoDay(earlier.occurredAt)}`;
    if (candidate && candidate.code.learnerId === earlier.referrerId) {
      steps.push({
        rule: "sticky",
        result: "pass",
        detail: `customer was already referred by ${who} (${since}): same referrer`,
      });
      steps.push(decidedBy(candidate));
      return { status: "attributed", referrer, ...candidate, decision: steps };
    }
    steps.push({
      rule: "sticky",
      result: "pass",
      detail: candidate
        ? `customer stays with ${who}, who referred them first (${since}); the new ${candidate.click ? "click" : "code"} is ignored`
        : `customer's earlier attribution: referred by ${who} (${since})`,
    });
    steps.push({
      rule: "decided-by",
      result: "info",
      detail: candidate
        ? `sticky: the customer's first referrer, over the ${candidate.click ? "click id" : "code"} sent`
        : "customer history: no click id or code was sent, so the customer's earlier attribution decided",
    });
    const code = earlier.codeId ? await codeById(ctx, earlier.codeId) : null;
    return {
      status: "attributed",
      referrer,
      code,
      click: null,
      channel: earlier.channel,
      storyId: earlier.storyId,
      decision: steps,
    };
  }
  if (!candidate) {
    steps.push({ rule: "attribution", result: "info", detail: "no referral found: stored as unattributed" });
    steps.push({
      rule: "decided-by",
      result: "info",
      detail:
        input.clickId || input.code
          ? "nothing: the click id or code sent matched no referral, and no other click is inferred"
          : "nothing: no click id or code was sent and the customer has no earlier attribution",
    });
    return {
      status: "unattributed",
      referrer: null,
      code: null,
      click: null,
      channel: null,
      storyId: null,
      decision: steps,
    };
  }
  const referrer = await learnerById(ctx, candidate.code.learnerId);
  steps.push({
    rule: "referrer",
    result: referrer ? "pass" : "info",
    detail: referrer
      ? `referred by ${referrer.name ?? referrer.externalId} (learner ${referrer.externalId})`
      : `code ${candidate.code.code} belongs to no learner: attributed without a referrer reward`,
  });
  steps.push(decidedBy(candidate));
  return { status: "attributed", referrer, ...candidate, decision: steps };
}

/** The decision log's last attribution step when the sent click id or code decided. */
function decidedBy(candidate: Candidate): DecisionStep {
  return {
    rule: "decided-by",
    result: "info",
    detail: candidate.byEmail
      ? `email: the friend gave the customer's email before checkout (click ${candidate.click?.id})`
      : candidate.click?.source === "named"
        ? `named by the friend: the click id sent with the conversion (${candidate.click.id}) is the friend naming their referrer before checkout`
        : candidate.click
          ? `click id: the click id sent with the conversion (${candidate.click.id}); no other click is inferred`
          : candidate.coupon
            ? `by coupon code: the friend coupon code sent with the conversion (${candidate.coupon}), as no usable click id was sent`
            : `code: the referral code sent with the conversion (${candidate.code.code}), as no usable click id was sent`,
  };
}
