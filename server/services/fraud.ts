/**
 * Fraud rules, each switchable in `settings.fraud`. A rule that fails flags the conversion:
 * it stays attributed (the funnel is honest) but its rewards are held for a person to review.
 */

import { and, eq, gt, gte, inArray, lte, ne, sql } from "drizzle-orm";
import type { DecisionStep } from "../../db/schema.ts";
import { conversions, disposableDomains, learnerSignals } from "../../db/schema.ts";
import type { Attribution } from "./attribution.ts";
import { blockListStep } from "./block-lists.ts";
import { remembered } from "./transaction-memo.ts";
import type { TransactionContext } from "./types.ts";

/**
 * Whether the address's domain, or a domain it is under, is a known throwaway-mail service
 * (db/disposable-domains.ts loads the list); "unknown" when no list is loaded, which the
 * decision log says rather than passing the rule in silence.
 */
async function disposableVerdict({ tx, memo }: TransactionContext, domain: string) {
  const labels = domain.split(".");
  const candidates = labels.slice(0, -1).map((_, i) => labels.slice(i).join("."));
  if (candidates.length === 0) return "no";
  const [hit] = await tx
    .select({ domain: disposableDomains.domain })
    .from(disposableDomains)
    .where(inArray(disposableDomains.domain, candidates))
    .limit(1);
  if (hit) return "yes";
  const loaded = await remembered(memo, "disposable-domains-loaded", async () => {
    const [any] = await tx.select({ domain: disposableDomains.domain }).from(disposableDomains).limit(1);
    return any !== undefined;
  });
  return loaded ? "no" : "unknown";
}

const dayMs = 86_400_000;

/**
 * `emailHashes`: the hash of the customer's mailbox (normalised address), then, when it differs,
 * the hash of the address as sent: a referrer whose hash was stored before addresses were
 * normalised still matches the exact spelling until their next token refreshes it.
 */
export type Customer = { id: string; email?: string; emailHashes: string[] };

async function selfReferral({ tx, workspace }: TransactionContext, { attribution, customer, occurredAt }: FraudInput) {
  const referrer = attribution.referrer;
  if (!referrer) return { result: "skip" as const, detail: "no referrer to compare with" };
  if (customer.id === referrer.externalId)
    return {
      result: "fail" as const,
      detail: `self-referral: customer id ${customer.id} is the referrer's own learner id`,
    };
  if (referrer.emailHash && customer.emailHashes.includes(referrer.emailHash))
    return {
      result: "fail" as const,
      detail: "self-referral: the customer's email is the referrer's email (same mailbox under its provider's rules)",
    };
  const click = attribution.click;
  // The network key is the same on every day, so it is looked for only among the referrer's
  // signals seen inside the attribution window before the conversion.
  const windowStart = occurredAt - workspace.settings.attribution.windowDays * dayMs;
  const signals = [
    click?.visitorId ? { kind: "visitor_id" as const, value: click.visitorId, label: "browser (visitor id)" } : null,
    click?.ipHash ? { kind: "ip_hash" as const, value: click.ipHash, label: "IP address" } : null,
    click?.networkKey
      ? {
          kind: "network" as const,
          value: click.networkKey,
          label: `network, seen with their own card within the ${workspace.settings.attribution.windowDays}-day window (a shared network such as a campus can also be a genuine friend: review before paying)`,
        }
      : null,
  ].filter((signal) => signal !== null);
  for (const signal of signals) {
    const [seen] = await tx
      .select({ kind: learnerSignals.kind })
      .from(learnerSignals)
      .where(
        and(
          eq(learnerSignals.workspaceId, workspace.id),
          eq(learnerSignals.learnerId, referrer.id),
          eq(learnerSignals.kind, signal.kind),
          eq(learnerSignals.value, signal.value),
          signal.kind === "network" ? gte(learnerSignals.lastSeenAt, windowStart) : undefined,
        ),
      );
    if (seen)
      return {
        result: "fail" as const,
        detail: `self-referral: click ${click?.id} came from the referrer's own ${signal.label}`,
      };
  }
  const checked = [
    "customer id",
    ...(customer.emailHashes.length > 0 && referrer.emailHash ? ["email"] : []),
    ...signals.map((signal) => signal.label),
  ].join(", ");
  return { result: "pass" as const, detail: `not self-referral (checked ${checked})` };
}

/** Referred customers in the 24 hours up to this conversion (by when they happened, so imports are judged in their own time). */
async function velocity({ tx, workspace }: TransactionContext, input: FraudInput) {
  const { attribution, occurredAt: at } = input;
  const customerId = input.customer.id;
  const limit = workspace.settings.fraud.velocityPerDay;
  const referrer = attribution.referrer;
  if (limit === null) return { result: "skip" as const, detail: "velocity rule is off" };
  if (!referrer) return { result: "skip" as const, detail: "no referrer to count for" };
  const [row] = await tx
    .select({ n: sql<number>`count(distinct ${conversions.customerId})` })
    .from(conversions)
    .where(
      and(
        eq(conversions.workspaceId, workspace.id),
        eq(conversions.referrerId, referrer.id),
        inArray(conversions.status, ["attributed"]),
        ne(conversions.type, "refund"),
        ne(conversions.customerId, customerId),
        gt(conversions.occurredAt, at - dayMs),
        lte(conversions.occurredAt, at),
      ),
    );
  const count = (row?.n ?? 0) + 1;
  if (count > limit)
    return {
      result: "fail" as const,
      detail: `velocity: ${count} referred customers for this referrer in 24 hours (limit ${limit})`,
    };
  return {
    result: "pass" as const,
    detail: `velocity: ${count} referred customer${count === 1 ? "" : "s"} in 24 hours (limit ${limit})`,
  };
}

export type FraudInput = { attribution: Attribution; customer: Customer; occurredAt: number };

/** Runs every rule on an attributed conversion; any failure flags it. */
export async function checkFraud(
  ctx: TransactionContext,
  input: FraudInput,
): Promise<{ flagged: boolean; steps: DecisionStep[]; banned: boolean }> {
  const { attribution, customer } = input;
  const rules = ctx.workspace.settings.fraud;
  const steps: DecisionStep[] = [];

  if (rules.selfReferral) steps.push({ rule: "self-referral", ...(await selfReferral(ctx, input)) });
  else steps.push({ rule: "self-referral", result: "skip", detail: "self-referral rule is off" });

  if (!rules.disposableEmail)
    steps.push({ rule: "disposable-email", result: "skip", detail: "disposable-email rule is off" });
  else if (!customer.email) steps.push({ rule: "disposable-email", result: "skip", detail: "no customer email given" });
  else {
    const domain = customer.email.slice(customer.email.lastIndexOf("@") + 1).toLowerCase();
    const verdict = await disposableVerdict(ctx, domain);
    if (verdict === "yes")
      steps.push({
        rule: "disposable-email",
        result: "fail",
        detail: `email domain ${domain} is a disposable-email service`,
      });
    else if (verdict === "unknown")
      steps.push({
        rule: "disposable-email",
        result: "skip",
        detail: "the disposable-email domain list is not loaded (run `chorus db migrate`)",
      });
    else
      steps.push({
        rule: "disposable-email",
        result: "pass",
        detail: "email domain is not a disposable-email service",
      });
  }

  steps.push({ rule: "velocity", ...(await velocity(ctx, input)) });

  const click = attribution.click;
  if (!rules.botClicks) steps.push({ rule: "bot-click", result: "skip", detail: "bot-click rule is off" });
  else if (!click) steps.push({ rule: "bot-click", result: "skip", detail: "no click to check" });
  else if (click.isBot)
    steps.push({ rule: "bot-click", result: "fail", detail: `click ${click.id} was made by a bot` });
  else steps.push({ rule: "bot-click", result: "pass", detail: `click ${click.id} was made by a person, not a bot` });

  // The workspace's own list (the review queue's blocks and bans): always on, it is the admin's decision.
  const blocked = await blockListStep(ctx, { attribution, customer });
  steps.push(blocked.step);

  const flagged = steps.some((step) => step.result === "fail");
  steps.push({
    rule: "fraud",
    result: flagged ? "fail" : "pass",
    detail: flagged ? "flagged for review: rewards are held until a person approves them" : "no fraud rule failed",
  });
  return { flagged, steps, banned: blocked.banned };
}
