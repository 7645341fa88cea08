/**
 * The referrer's own Stripe customer, for credit rewards: Stripe checkouts name the paying
 * customer (`cus_…`) and their email; Chorus keeps the pair as (salted email hash → customer id),
 * so a learner with that email can be credited later. A learner whose provider id is itself a
 * Stripe customer id needs no look-up. Erased with the learner (learner-erasure.ts).
 */
import { and, eq, inArray } from "drizzle-orm";
import { stripeCustomers } from "../../db/schema.ts";
import { emailHash } from "./learners.ts";
import type { Learner, SecretContext, WorkspaceContext } from "./types.ts";

const customerIdPattern = /^cus_[A-Za-z0-9]{1,200}$/;

/** Records who paid a Stripe checkout; nothing without both a customer id and an email. */
export async function rememberStripeCustomer(
  ctx: WorkspaceContext & SecretContext,
  input: { customerId: string | null | undefined; email: string | undefined },
): Promise<void> {
  const { db, workspace, secret, clock } = ctx;
  if (!input.customerId || !customerIdPattern.test(input.customerId) || !input.email) return;
  const values = { customerId: input.customerId, updatedAt: clock.now().getTime() };
  await db
    .insert(stripeCustomers)
    .values({ workspaceId: workspace.id, emailHash: emailHash(secret, input.email), ...values })
    .onConflictDoUpdate({ target: [stripeCustomers.workspaceId, stripeCustomers.emailHash], set: values });
}

/** The learner's Stripe customer id, or null when Stripe has not named one for them. */
export async function stripeCustomerOf({ db, workspace }: WorkspaceContext, learner: Learner): Promise<string | null> {
  if (customerIdPattern.test(learner.externalId)) return learner.externalId;
  if (!learner.emailHash) return null;
  const [row] = await db
    .select({ customerId: stripeCustomers.customerId })
    .from(stripeCustomers)
    .where(and(eq(stripeCustomers.workspaceId, workspace.id), inArray(stripeCustomers.emailHash, [learner.emailHash])));
  return row?.customerId ?? null;
}
