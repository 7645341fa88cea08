/**
 * Friend coupon codes: the code a referred friend types (or finds already applied) at checkout,
 * one per referral code and offer. `PRIYA-10-K7M4Q9X` reads as whose and what, and ends in seven
 * random symbols from a 31-symbol alphabet without look-alikes (34.7 bits), so codes cannot be
 * guessed from names. Typed codes are matched by couponKey: case, hyphens and look-alikes
 * (0/O, 1/I/L) do not matter. Where codes come from is the workspace's `friendCoupons.source`:
 * `generated` here, or drawn from a `pool` the provider uploaded (platforms whose coupons Chorus
 * cannot create).
 */
import { and, asc, count, eq, isNull, sql } from "drizzle-orm";
import { customAlphabet } from "nanoid";
import type { Db } from "../../db/index.ts";
import type { ProgramSettings } from "../../db/program-settings.ts";
import { friendCoupons, referralCodes, stripeAccounts } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { type Tx, writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { DomainError } from "./errors.ts";
import type { Workspace, WorkspaceContext } from "./types.ts";

export type FriendCouponRow = typeof friendCoupons.$inferSelect;
type ReferralCodeRow = typeof referralCodes.$inferSelect;

/** Upper-case referral-code alphabet: no 0/O, 1/I/L. 31^7 ≈ 2^34.7 codes per name and offer. */
const randomPart = customAlphabet("23456789ABCDEFGHJKMNPQRSTUVWXYZ", 7);

/** What a typed code is matched by: upper-case, only letters and digits, look-alikes folded. */
export function couponKey(code: string): string {
  return code
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "")
    .replace(/0/g, "O")
    .replace(/[1L]/g, "I");
}

/** Names one offer, so a changed offer gets new codes (and new Stripe coupons). */
export function offerKey(offer: FriendOffer): string {
  return offer.type === "percent" ? `p${offer.percent}` : `a${offer.amount}${offer.currency}`;
}

/** The offer as the code says it: `10` for 10 %, `500` for ₹500.00; '' when it is not a whole amount. */
function offerLabel(offer: FriendOffer): string {
  if (offer.type === "percent") return String(offer.percent);
  const digits = new Intl.NumberFormat("en", { style: "currency", currency: offer.currency }).resolvedOptions()
    .maximumFractionDigits;
  const major = offer.amount / 10 ** (digits ?? 2);
  return Number.isInteger(major) && major < 1_000_000 ? String(major) : "";
}

/** The referrer's first name in A–Z (accents dropped), at most 10 letters; FRIEND when nothing is left. */
function namePart(name: string | null | undefined): string {
  const first = (name ?? "").trim().split(/\s+/)[0] ?? "";
  const letters = first
    .normalize("NFKD")
    .replace(/[^A-Za-z]/g, "")
    .toUpperCase()
    .slice(0, 10);
  return letters.length >= 2 ? letters : "FRIEND";
}

/** A new code for a referrer and offer, such as `PRIYA-10-K7M4Q9X`. */
export function newFriendCouponCode(name: string | null | undefined, offer: FriendOffer): string {
  return [namePart(name), offerLabel(offer), randomPart()].filter(Boolean).join("-");
}

type FriendOffer = NonNullable<ProgramSettings["friendOffer"]>;

type CouponDb = { db: Db | Tx };

async function hasStripeKey({ db }: CouponDb, workspaceId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: stripeAccounts.workspaceId })
    .from(stripeAccounts)
    .where(eq(stripeAccounts.workspaceId, workspaceId));
  return Boolean(row);
}

/** The code's coupon for the workspace's current offer, if it has one. */
export async function couponOfCode(
  { db }: CouponDb,
  { workspace, referralCodeId }: { workspace: Workspace; referralCodeId: string },
): Promise<FriendCouponRow | null> {
  const offer = workspace.settings.friendOffer;
  if (!offer) return null;
  const [row] = await db
    .select()
    .from(friendCoupons)
    .where(
      and(
        eq(friendCoupons.workspaceId, workspace.id),
        eq(friendCoupons.referralCodeId, referralCodeId),
        eq(friendCoupons.offerKey, offerKey(offer)),
        isNull(friendCoupons.disabledAt),
      ),
    );
  return row ?? null;
}

/**
 * The referral code's friend coupon, made (or drawn from the pool) on first request; null when
 * the program has no friend offer, or its pool is empty. Safe under concurrent calls: the unique
 * index on (workspace, referral code, offer) lets one insert or claim win, and the rest read it.
 */
export async function couponForReferral(
  ctx: Pick<WorkspaceContext, "db" | "clock" | "workspace">,
  { code, learnerName }: { code: Pick<ReferralCodeRow, "id">; learnerName: string | null },
): Promise<FriendCouponRow | null> {
  const { db, clock, workspace } = ctx;
  const offer = workspace.settings.friendOffer;
  if (!offer) return null;
  const existing = await couponOfCode(ctx, { workspace, referralCodeId: code.id });
  if (existing) return existing;
  const settings = workspace.settings.friendCoupons;
  const now = clock.now().getTime();
  const key = offerKey(offer);
  if (settings.source === "pool") return drawFromPool(ctx, { referralCodeId: code.id, offerKey: key, now });
  const stripeStatus = (await hasStripeKey(ctx, workspace.id)) ? "pending" : "none";
  for (let attempt = 0; attempt < 5; attempt++) {
    const text = newFriendCouponCode(learnerName, offer);
    // Do nothing on conflict: a concurrent call made this referral's coupon (read below), or the
    // random part collided within the workspace (the loop tries another).
    await db
      .insert(friendCoupons)
      .values({
        id: newId("cpn"),
        workspaceId: workspace.id,
        code: text,
        matchKey: couponKey(text),
        source: "generated",
        referralCodeId: code.id,
        offerKey: key,
        stripeStatus,
        expiresAt: settings.expiresInDays === null ? null : now + settings.expiresInDays * 86_400_000,
        claimedAt: now,
        createdAt: now,
      })
      .onConflictDoNothing();
    const made = await couponOfCode(ctx, { workspace, referralCodeId: code.id });
    if (made) return made;
  }
  throw new Error("could not allocate a friend coupon code");
}

/** Claims the oldest unclaimed pool code for the referral (or a reward, offerKey `reward:…`), in one write transaction. */
export async function drawFromPool(
  { db, workspace }: Pick<WorkspaceContext, "db" | "workspace">,
  input: { referralCodeId: string; offerKey: string; now: number },
): Promise<FriendCouponRow | null> {
  const claim = async (tx: Tx) => {
    const [mine] = await tx
      .select()
      .from(friendCoupons)
      .where(
        and(
          eq(friendCoupons.workspaceId, workspace.id),
          eq(friendCoupons.referralCodeId, input.referralCodeId),
          eq(friendCoupons.offerKey, input.offerKey),
        ),
      );
    if (mine) return mine;
    const [free] = await tx
      .select({ id: friendCoupons.id })
      .from(friendCoupons)
      .where(unclaimed(workspace.id))
      // In upload order (rowid), so the provider's CSV order is the order codes are handed out.
      .orderBy(asc(friendCoupons.createdAt), sql`rowid`)
      .limit(1);
    if (!free) return null;
    const [claimed] = await tx
      .update(friendCoupons)
      .set({ referralCodeId: input.referralCodeId, offerKey: input.offerKey, claimedAt: input.now })
      .where(and(eq(friendCoupons.workspaceId, workspace.id), eq(friendCoupons.id, free.id)))
      .returning();
    return claimed ?? null;
  };
  // One IMMEDIATE transaction per claim: concurrent referrals never draw the same code.
  return writeTransaction(db, claim);
}

const unclaimed = (workspaceId: string) =>
  and(
    eq(friendCoupons.workspaceId, workspaceId),
    eq(friendCoupons.source, "pool"),
    isNull(friendCoupons.referralCodeId),
    isNull(friendCoupons.disabledAt),
  );

/** A provider's code as uploaded: 3–64 letters, digits, `-` or `_`. */
const poolCodePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{1,62}[A-Za-z0-9]$/;

export type PoolImport = { added: number; duplicates: number; invalid: { line: number; value: string }[] };

/**
 * Adds uploaded codes to the pool: one code per line, or the first column of a CSV (a header
 * line such as `code` is skipped as invalid only if it is not a code). A code already in the
 * workspace (whatever its case or look-alikes) is counted as a duplicate, never added twice.
 */
export async function importCouponPool(ctx: WorkspaceContext, input: { csv: string }): Promise<PoolImport> {
  const { db, clock, workspace } = ctx;
  const now = clock.now().getTime();
  const lines = input.csv.split(/\r?\n/);
  if (lines.length > 50_001) throw new DomainError("invalid_request", "At most 50,000 codes per upload");
  const invalid: PoolImport["invalid"] = [];
  const codes: string[] = [];
  lines.forEach((line, i) => {
    const value = (line.split(",")[0] ?? "").trim().replace(/^"(.*)"$/, "$1");
    if (value === "") return;
    if (i === 0 && /^(code|coupon|coupon[ _]code|promo[ _]code)$/i.test(value)) return;
    if (poolCodePattern.test(value)) codes.push(value);
    else if (invalid.length < 20) invalid.push({ line: i + 1, value: value.slice(0, 64) });
  });
  let added = 0;
  await writeTransaction(db, async (tx) => {
    for (let i = 0; i < codes.length; i += 200) {
      const rows = codes.slice(i, i + 200).map((code) => ({
        id: newId("cpn"),
        workspaceId: workspace.id,
        code,
        matchKey: couponKey(code),
        source: "pool" as const,
        createdAt: now,
      }));
      const inserted = await tx
        .insert(friendCoupons)
        .values(rows)
        .onConflictDoNothing()
        .returning({ id: friendCoupons.id });
      added += inserted.length;
    }
    await recordAudit(
      { ...ctx, tx },
      { action: "friend_coupons.import", before: null, after: { added, duplicates: codes.length - added } },
    );
  });
  return { added, duplicates: codes.length - added, invalid };
}

/** Pool and Stripe state for the dashboard: codes left (and whether that is low), Stripe creations pending or failed. */
export async function couponOverview({ db, workspace }: WorkspaceContext) {
  const settings = workspace.settings.friendCoupons;
  const [[available], [claimed], byStatus, failed] = await Promise.all([
    db.select({ n: count() }).from(friendCoupons).where(unclaimed(workspace.id)),
    db
      .select({ n: count() })
      .from(friendCoupons)
      .where(
        and(
          eq(friendCoupons.workspaceId, workspace.id),
          eq(friendCoupons.source, "pool"),
          sql`${friendCoupons.referralCodeId} is not null`,
        ),
      ),
    db
      .select({ status: friendCoupons.stripeStatus, n: count() })
      .from(friendCoupons)
      .where(eq(friendCoupons.workspaceId, workspace.id))
      .groupBy(friendCoupons.stripeStatus),
    db
      .select({ code: friendCoupons.code, error: friendCoupons.stripeError, attempts: friendCoupons.stripeAttempts })
      .from(friendCoupons)
      .where(and(eq(friendCoupons.workspaceId, workspace.id), eq(friendCoupons.stripeStatus, "failed")))
      .orderBy(asc(friendCoupons.createdAt))
      .limit(50),
  ]);
  const of = (status: string) => byStatus.find((row) => row.status === status)?.n ?? 0;
  const left = available?.n ?? 0;
  return {
    source: settings.source,
    checkout: settings.checkout,
    pool: { available: left, claimed: claimed?.n ?? 0, lowAt: settings.poolLowAt, low: left <= settings.poolLowAt },
    stripe: {
      connected: await hasStripeKey({ db }, workspace.id),
      pending: of("pending"),
      created: of("created"),
      failed: of("failed"),
      failures: failed.map((row) => ({ code: row.code, error: row.error ?? "unknown", attempts: row.attempts })),
    },
  };
}

/** The coupon a conversion's `code` names in this workspace, with its referral code (for attribution). */
export async function couponByCode(
  { tx, workspaceId }: { tx: Tx; workspaceId: string },
  code: string,
): Promise<{ coupon: FriendCouponRow; referralCode: ReferralCodeRow } | null> {
  const key = couponKey(code);
  if (key.length < 3) return null;
  const [row] = await tx
    .select({ coupon: friendCoupons, referralCode: referralCodes })
    .from(friendCoupons)
    .innerJoin(
      referralCodes,
      and(eq(referralCodes.workspaceId, friendCoupons.workspaceId), eq(referralCodes.id, friendCoupons.referralCodeId)),
    )
    .where(and(eq(friendCoupons.workspaceId, workspaceId), eq(friendCoupons.matchKey, key)));
  return row ?? null;
}

/** The coupon code behind a Stripe promotion code id (`promo_…`) created for this workspace. */
export async function couponByPromotionCode(
  { db, workspace }: Pick<WorkspaceContext, "db" | "workspace">,
  promotionCodeId: string,
): Promise<string | null> {
  const [row] = await db
    .select({ code: friendCoupons.code })
    .from(friendCoupons)
    .where(and(eq(friendCoupons.workspaceId, workspace.id), eq(friendCoupons.stripePromotionCodeId, promotionCodeId)));
  return row?.code ?? null;
}
