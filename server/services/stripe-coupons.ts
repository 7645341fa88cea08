/**
 * Friend coupons as Stripe promotion codes, through the official `stripe` package. The workspace's
 * Stripe API key is stored encrypted (server/lib/secret-box.ts) and is never answered back. Each
 * generated code becomes a promotion code of a Chorus coupon for the offer (percent or amount
 * off, once, limited to the course's Stripe products when settings.stripe.courses maps them),
 * restricted to first-time customers, expiring when the code does.
 *
 * Errors are never lost: a rate limit (429), a Stripe outage (5xx) or a network failure leaves
 * the code `pending` and it is tried again on the next background tick, up to `maxAttempts`; an
 * invalid request (400) or a refused key (401/403) marks it `failed` with Stripe's error code,
 * shown in the dashboard and `GET /v1/admin/friend-coupons`. Creation is idempotent (Stripe's
 * Idempotency-Key is the code's id), so a retry after a lost answer does not make a second one.
 */
import { and, asc, eq, isNull, lt, lte } from "drizzle-orm";
import type Stripe from "stripe";
import { friendCoupons, referralCodes, stripeAccounts } from "../../db/schema.ts";
import { jitteredBackoffMs } from "../lib/backoff.ts";
import { open, seal } from "../lib/secret-box.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { DomainError } from "./errors.ts";
import type { FriendCouponRow } from "./friend-coupons.ts";
import type { SecretContext, ServiceContext, Workspace, WorkspaceContext } from "./types.ts";
import { getWorkspace } from "./workspaces.ts";

/** Where the `stripe` package sends requests; absent, Stripe's own API (tests point it at a local server). */
export type StripeApiOptions = { host: string; port: number; protocol: "http" | "https" };

export type StripeApiContext = { stripeApi?: StripeApiOptions | undefined };

const purpose = "stripe-api-key";
/** Tries before a code whose creation keeps meeting rate limits or outages is marked failed. */
export const maxAttempts = 8;
/** Back-off between attempts at a code Stripe refused for now (429, 5xx, network): 30 s doubling, at most an hour. */
const retryBaseMs = 30_000;
const retryMaxMs = 3_600_000;

const apiKeyPattern = /^(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}$/;

/** `PUT /v1/admin/stripe/api-key`: stores the key encrypted; answers only its hint. */
export async function setStripeApiKey(ctx: WorkspaceContext & SecretContext, input: { apiKey: string }) {
  const { db, clock, secret, workspace } = ctx;
  if (!apiKeyPattern.test(input.apiKey))
    throw new DomainError("invalid_request", "The request body is invalid", [
      { path: "apiKey", message: "a Stripe secret or restricted key, sk_… or rk_…" },
    ]);
  const [, mode] = input.apiKey.split("_");
  const hint = `${input.apiKey.slice(0, 3)}${mode}_…${input.apiKey.slice(-4)}`;
  const apiKeyCiphertext = await seal({ secret, purpose, owner: workspace.id, plaintext: input.apiKey });
  const updatedAt = clock.now().getTime();
  await writeTransaction(db, async (tx) => {
    const [before] = await tx
      .select({ hint: stripeAccounts.apiKeyHint })
      .from(stripeAccounts)
      .where(eq(stripeAccounts.workspaceId, workspace.id));
    await tx
      .insert(stripeAccounts)
      .values({ workspaceId: workspace.id, apiKeyCiphertext, apiKeyHint: hint, updatedAt })
      .onConflictDoUpdate({
        target: stripeAccounts.workspaceId,
        set: { apiKeyCiphertext, apiKeyHint: hint, updatedAt },
      });
    // The hint only (sk_live_…1234): the key itself never enters the trail.
    await recordAudit(
      { ...ctx, tx },
      { action: "stripe_key.set", before: { hint: before?.hint ?? null }, after: { hint } },
    );
  });
  // Codes made before the key was set are created in Stripe now too.
  await db
    .update(friendCoupons)
    .set({ stripeStatus: "pending" })
    .where(
      and(
        eq(friendCoupons.workspaceId, workspace.id),
        eq(friendCoupons.source, "generated"),
        eq(friendCoupons.stripeStatus, "none"),
        isNull(friendCoupons.disabledAt),
      ),
    );
  return { connected: true, hint };
}

/** `DELETE /v1/admin/stripe/api-key`: forgets the key; codes still pending stay pending until a key is set again. */
export async function deleteStripeApiKey(ctx: WorkspaceContext) {
  const { db, workspace } = ctx;
  await writeTransaction(db, async (tx) => {
    const removed = await tx
      .delete(stripeAccounts)
      .where(eq(stripeAccounts.workspaceId, workspace.id))
      .returning({ hint: stripeAccounts.apiKeyHint });
    await recordAudit(
      { ...ctx, tx },
      { action: "stripe_key.delete", before: { hint: removed[0]?.hint ?? null }, after: { hint: null } },
    );
  });
  return { connected: false, hint: null };
}

/** The workspace's Stripe client (its key opened), or null without a key; `quick` for a request that waits on it. */
export async function stripeClient(
  ctx: ServiceContext & SecretContext & StripeApiContext,
  workspaceId: string,
  quick: boolean,
) {
  const [row] = await ctx.db.select().from(stripeAccounts).where(eq(stripeAccounts.workspaceId, workspaceId));
  if (!row) return null;
  const apiKey = await open({ secret: ctx.secret, purpose, owner: workspaceId, sealed: row.apiKeyCiphertext });
  if (!apiKey) return null;
  // The package (~250 KB minified) is loaded by the first Stripe call, not at start-up: on Workers
  // it is a chunk of its own that a cold start does not parse (worker.build.ts).
  const { default: Stripe } = await import("stripe");
  return new Stripe(apiKey, {
    // fetch, so the same code runs on Workers; retries (5xx, 409, network) are the package's own.
    // A request that waits on it (the card) tries once, briefly: the background run does the rest.
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: quick ? 0 : 2,
    timeout: quick ? 5_000 : 10_000,
    ...(ctx.stripeApi ?? {}),
  });
}

/** The Stripe coupon id for an offer (and course): deterministic, so it is created once and reused. */
function couponId(workspace: Workspace, coupon: FriendCouponRow, course: string, products: string[]) {
  const scope = products.length > 0 ? course : "all";
  const expiry = coupon.expiresAt === null ? "" : `-${workspace.settings.friendCoupons.expiresInDays}d`;
  return `chorus-${workspace.id}-${coupon.offerKey}-${scope}${expiry}`.slice(0, 200);
}

/** The course's Stripe products from settings.stripe.courses (product ids mapped to its slug). */
function productsOf(workspace: Workspace, course: string): string[] {
  if (!course) return [];
  const mapped = workspace.settings.stripe?.courses ?? {};
  return Object.entries(mapped)
    .filter(([id, slug]) => slug === course && id.startsWith("prod_"))
    .map(([id]) => id);
}

export type StripeFailure = { retry: boolean; error: string };

/** What a Stripe error means for the code: retry later, or failed for good (its class and Stripe's code, never its text). */
export function classifyStripeError(error: unknown): StripeFailure {
  const err = error as { type?: string; statusCode?: number; code?: string; rawType?: string };
  const status = err.statusCode;
  const code = err.code ? ` ${err.code}` : "";
  if (status === 429) return { retry: true, error: `rate limited (429)${code}` };
  if (status !== undefined && status >= 500) return { retry: true, error: `Stripe unavailable (${status})` };
  if (status === 401 || status === 403) return { retry: false, error: `key refused (${status})${code}` };
  if (status !== undefined) return { retry: false, error: `invalid request (${status})${code}` };
  return { retry: true, error: "network" };
}

/** Creates one code's promotion code in Stripe (and the offer's coupon, the first time). */
async function createPromotionCode(stripe: Stripe, workspace: Workspace, coupon: FriendCouponRow, course: string) {
  const offer = workspace.settings.friendOffer;
  if (!offer) throw Object.assign(new Error("no offer"), { statusCode: 400, code: "no_friend_offer" });
  const products = productsOf(workspace, course);
  const id = couponId(workspace, coupon, course, products);
  try {
    await stripe.coupons.create(
      {
        id,
        name: offer.type === "percent" ? `Friend offer: ${offer.percent}% off` : "Friend offer",
        duration: "once",
        ...(offer.type === "percent"
          ? { percent_off: offer.percent }
          : { amount_off: offer.amount, currency: offer.currency.toLowerCase() }),
        ...(products.length > 0 ? { applies_to: { products } } : {}),
        metadata: { chorus_workspace: workspace.id, chorus_offer: coupon.offerKey },
      },
      { idempotencyKey: `chorus-coupon-${id}` },
    );
  } catch (error) {
    // Made by an earlier code of the same offer: use it.
    if ((error as { code?: string }).code !== "resource_already_exists") throw error;
  }
  const promotion = await stripe.promotionCodes.create(
    {
      promotion: { type: "coupon", coupon: id },
      code: coupon.code,
      restrictions: { first_time_transaction: true },
      ...(coupon.expiresAt === null ? {} : { expires_at: Math.floor(coupon.expiresAt / 1000) }),
      metadata: { chorus_workspace: workspace.id, chorus_coupon: coupon.id },
    },
    { idempotencyKey: `chorus-promotion-${coupon.id}` },
  );
  return promotion.id;
}

export type StripeSyncReport = { created: number; retrying: number; failed: number };

/**
 * Creates the pending codes' promotion codes (oldest first, at most `limit`): each one ends
 * `created`, stays `pending` to be tried again (429, 5xx, network) or is `failed` (4xx, or
 * `maxAttempts` tries). `workspaceId` limits the run to one workspace (the card's own request).
 */
export async function syncStripePromotionCodes(
  ctx: ServiceContext & SecretContext & StripeApiContext,
  input: { workspaceId?: string; couponId?: string; limit?: number; quick?: boolean } = {},
): Promise<StripeSyncReport> {
  const { db } = ctx;
  const now = ctx.clock.now().getTime();
  const report: StripeSyncReport = { created: 0, retrying: 0, failed: 0 };
  const pending = await db
    .select({ coupon: friendCoupons, course: referralCodes.course })
    .from(friendCoupons)
    .innerJoin(
      referralCodes,
      and(eq(referralCodes.workspaceId, friendCoupons.workspaceId), eq(referralCodes.id, friendCoupons.referralCodeId)),
    )
    // Only workspaces with a key: codes waiting for one (it was removed) must not fill the batch.
    .innerJoin(stripeAccounts, eq(stripeAccounts.workspaceId, friendCoupons.workspaceId))
    .where(
      and(
        eq(friendCoupons.stripeStatus, "pending"),
        lt(friendCoupons.stripeAttempts, maxAttempts),
        // The card's own first attempt (couponId) goes at once; retries wait out their back-off.
        input.couponId ? undefined : lte(friendCoupons.stripeNextAttemptAt, now),
        input.workspaceId ? eq(friendCoupons.workspaceId, input.workspaceId) : undefined,
        input.couponId ? eq(friendCoupons.id, input.couponId) : undefined,
        isNull(friendCoupons.disabledAt),
      ),
    )
    .orderBy(asc(friendCoupons.createdAt))
    .limit(input.limit ?? 50);
  const clients = new Map<string, { workspace: Workspace; stripe: Stripe } | null>();
  for (const { coupon, course } of pending) {
    if (!clients.has(coupon.workspaceId)) {
      const [workspace, stripe] = await Promise.all([
        getWorkspace({ db }, { id: coupon.workspaceId }),
        stripeClient(ctx, coupon.workspaceId, input.quick ?? false),
      ]);
      clients.set(coupon.workspaceId, workspace && stripe ? { workspace, stripe } : null);
    }
    const client = clients.get(coupon.workspaceId);
    if (!client) continue; // no key (removed): the code waits until one is set
    const mine = and(eq(friendCoupons.workspaceId, coupon.workspaceId), eq(friendCoupons.id, coupon.id));
    try {
      const promotionId = await createPromotionCode(client.stripe, client.workspace, coupon, course);
      await db
        .update(friendCoupons)
        .set({
          stripeStatus: "created",
          stripePromotionCodeId: promotionId,
          stripeAttempts: coupon.stripeAttempts + 1,
          stripeError: null,
        })
        .where(mine);
      report.created++;
    } catch (error) {
      const failure = classifyStripeError(error);
      const attempts = coupon.stripeAttempts + 1;
      const failed = !failure.retry || attempts >= maxAttempts;
      await db
        .update(friendCoupons)
        .set({
          stripeStatus: failed ? "failed" : "pending",
          stripeAttempts: attempts,
          stripeError: failure.error,
          stripeNextAttemptAt: now + jitteredBackoffMs(attempts, retryBaseMs, retryMaxMs, Math.random),
        })
        .where(mine);
      if (failed) report.failed++;
      else report.retrying++;
    }
  }
  return report;
}

/** `POST /v1/admin/friend-coupons/retry`: failed codes go back to pending with fresh attempts (after fixing the key or offer). */
export async function retryFailedPromotionCodes(ctx: WorkspaceContext) {
  const { db, workspace } = ctx;
  const rows = await writeTransaction(db, async (tx) => {
    const requeued = await tx
      .update(friendCoupons)
      .set({ stripeStatus: "pending", stripeAttempts: 0, stripeNextAttemptAt: 0 })
      .where(and(eq(friendCoupons.workspaceId, workspace.id), eq(friendCoupons.stripeStatus, "failed")))
      .returning({ id: friendCoupons.id });
    await recordAudit(
      { ...ctx, tx },
      { action: "friend_coupons.retry", before: { failed: requeued.length }, after: { requeued: requeued.length } },
    );
    return requeued;
  });
  return { requeued: rows.length };
}
