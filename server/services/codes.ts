/**
 * Referral codes: lookup for the redirect (through a small in-process cache, because every
 * click needs it and codes rarely change) and vanity codes chosen by the provider.
 */
import { and, eq, isNotNull, ne } from "drizzle-orm";
import type { RateLimitGroup } from "../../db/program-settings.ts";
import { courses, learners, referralCodes, reservedCodes as reservations, workspaces } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { DomainError } from "./errors.ts";
import { couponOfCode } from "./friend-coupons.ts";
import type { ServiceContext, WorkspaceContext } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

/** What the redirect needs to know about a code, resolved once and cached. */
export type ResolvedCode = {
  codeId: string;
  code: string;
  workspaceId: string;
  learnerId: string | null;
  course: string;
  disabled: boolean;
  /** The code's own target, else its course's page, else the workspace default. */
  target: string | null;
  /** Where a disabled code sends visitors. */
  fallback: string | null;
  /** The workspace's click rate limits, so the redirect checks them without a database read. */
  clickLimits: RateLimitGroup;
  /**
   * The friend coupon the redirect adds to the target, in the query parameter of the workspace's
   * checkout platform (`friendCoupons.checkout`); null when none is set or the code has no coupon.
   */
  checkoutCoupon: { param: string; code: string } | null;
  /** The code's friend coupon for the current offer, as shown to friends (null: none yet, or Stripe refused it). */
  coupon: string | null;
};

/** The query parameter each checkout reads a coupon from (README "Friend offers"). */
export const checkoutCouponParams = {
  stripe: "prefilled_promo_code",
  teachable: "coupon_code",
  thinkific: "coupon",
} as const;

/** Codes are stored lower-case; any case in a link finds them. */
export const codePattern = /^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/;

export function normalizeCode(raw: string): string | null {
  const code = raw.toLowerCase();
  return codePattern.test(code) && !code.includes("--") ? code : null;
}

/** Look-alikes folded to one letter: what a reader cannot tell apart in a link. */
const lookAlikes: [RegExp, string][] = [
  [/rn/g, "m"],
  [/vv/g, "w"],
  [/0/g, "o"],
  [/[1il]/g, "l"],
  [/3/g, "e"],
  [/4/g, "a"],
  [/5/g, "s"],
  [/7/g, "t"],
  [/8/g, "b"],
];

/**
 * What a code reads as: hyphens dropped and look-alike characters folded, so `skill-bridge`,
 * `ski11bridge` and `skiIlbridge` all have the skeleton of `skillbridge`.
 */
export function codeSkeleton(code: string): string {
  return lookAlikes.reduce(
    (text, [pattern, letter]) => text.replace(pattern, letter),
    code.toLowerCase().replace(/-/g, ""),
  );
}

/** Words a vanity code may not be: they read as parts of the product or invite phishing. */
export const reservedCodes = new Set([
  "admin",
  "api",
  "app",
  "assets",
  "chorus",
  "dashboard",
  "demo",
  "docs",
  "embed",
  "help",
  "healthz",
  "login",
  "logout",
  "me",
  "null",
  "openapi",
  "r",
  "root",
  "settings",
  "signin",
  "signup",
  "static",
  "support",
  "undefined",
  "v1",
  "www",
  "official",
  "security",
  "billing",
  "account",
]);

/** A code (already normalised) with its workspace's settings, or null when there is none. */
export async function resolveCode(
  { db }: Pick<ServiceContext, "db">,
  { code }: { code: string },
): Promise<ResolvedCode | null> {
  const [row] = await db
    .select({ code: referralCodes, workspace: workspaces, courseUrl: courses.url })
    .from(referralCodes)
    .innerJoin(workspaces, eq(workspaces.id, referralCodes.workspaceId))
    .leftJoin(courses, and(eq(courses.workspaceId, referralCodes.workspaceId), eq(courses.slug, referralCodes.course)))
    .where(eq(referralCodes.code, code));
  if (!row) return null;
  const workspace = parseWorkspace(row.workspace);
  const { settings } = workspace;
  const checkout = settings.friendCoupons.checkout;
  const found = await couponOfCode({ db }, { workspace, referralCodeId: row.code.id });
  // A code Stripe refused would not work at checkout: neither shown nor applied.
  const coupon = found && found.stripeStatus !== "failed" ? found.code : null;
  return {
    codeId: row.code.id,
    code: row.code.code,
    workspaceId: row.code.workspaceId,
    learnerId: row.code.learnerId,
    course: row.code.course,
    disabled: row.code.disabledAt !== null,
    target: row.code.targetUrl ?? row.courseUrl ?? settings.defaultTargetUrl,
    fallback: settings.fallbackUrl,
    clickLimits: settings.rateLimits.clicks,
    checkoutCoupon: checkout && coupon ? { param: checkoutCouponParams[checkout], code: coupon } : null,
    coupon,
  };
}

/**
 * A bounded cache of resolved codes (misses too, so a flood of unknown codes cannot reach the
 * database each time). Changes made through this process clear it; the short TTL bounds how
 * long another process's change (the CLI, a second server) can go unseen.
 */
export class CodeCache {
  private entries = new Map<string, { value: ResolvedCode | null; expires: number }>();
  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** `now` is the caller's one reading of the clock for its request (ms), so the redirect reads it once. */
  async get(ctx: Pick<ServiceContext, "db">, code: string, now: number): Promise<ResolvedCode | null> {
    const hit = this.entries.get(code);
    if (hit && hit.expires > now) return hit.value;
    const value = await resolveCode(ctx, { code });
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(code, { value, expires: now + this.ttlMs });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The referrer as a friend sees them: a first name only, or a neutral word. */
export async function referrerName(
  { db }: Pick<ServiceContext, "db">,
  { workspaceId, learnerId }: { workspaceId: string; learnerId: string | null },
): Promise<string | null> {
  if (!learnerId) return null;
  const [row] = await db
    .select({ name: learners.name, erasedAt: learners.erasedAt })
    .from(learners)
    .where(and(eq(learners.workspaceId, workspaceId), eq(learners.id, learnerId)));
  if (!row?.name || row.erasedAt !== null) return null;
  return row.name.trim().split(/\s+/)[0] ?? null;
}

export type VanityInput = { code: string; learnerId?: string; course?: string; targetUrl?: string };

/**
 * Where this workspace's links may lead: its allowed origins, its course pages' origins and its
 * default target's origin. A code is one name across the server, so its target must be the
 * workspace's own: otherwise `/r/skillbridge` could lead anywhere (issue 15).
 */
async function ownOrigins({ db, workspace }: WorkspaceContext): Promise<Set<string>> {
  const pages = await db
    .select({ url: courses.url })
    .from(courses)
    .where(and(eq(courses.workspaceId, workspace.id), isNotNull(courses.url)));
  const { allowedOrigins, defaultTargetUrl } = workspace.settings;
  const urls = [...pages.map((page) => page.url), defaultTargetUrl].filter((url): url is string => !!url);
  return new Set([...allowedOrigins, ...urls.map((url) => new URL(url).origin)]);
}

/**
 * A provider-chosen code. Unique across the server, whatever the case; a name another workspace
 * reserved (or one reading like it, see codeSkeleton) is refused like a taken one.
 */
export async function createVanityCode(ctx: WorkspaceContext, input: VanityInput) {
  const { db, clock, workspace } = ctx;
  const workspaceId = workspace.id;
  const code = normalizeCode(input.code);
  if (!code) throw new DomainError("invalid_request", "A code is 3–32 characters of a-z, 0-9 and single hyphens");
  if (reservedCodes.has(code)) throw new DomainError("invalid_request", `"${code}" is reserved`);
  if (input.targetUrl && !(await ownOrigins(ctx)).has(new URL(input.targetUrl).origin)) {
    const message = "The target must be on one of this workspace's allowed origins or course pages";
    throw new DomainError("invalid_request", message, [{ path: "targetUrl", message }]);
  }
  let learnerId: string | null = null;
  if (input.learnerId) {
    const [learner] = await db
      .select({ id: learners.id })
      .from(learners)
      .where(and(eq(learners.workspaceId, workspaceId), eq(learners.externalId, input.learnerId)));
    if (!learner) throw new DomainError("not_found", `No learner ${input.learnerId} in this workspace`);
    learnerId = learner.id;
  }
  // One write: a reservation made meanwhile by another workspace cannot slip between check and insert.
  const row = await writeTransaction(db, async (tx) => {
    const [reserved] = await tx
      .select({ name: reservations.name })
      .from(reservations)
      .where(and(eq(reservations.skeleton, codeSkeleton(code)), ne(reservations.workspaceId, workspaceId)));
    if (reserved) throw new DomainError("conflict", `The code "${code}" is reserved by another workspace`);
    const [inserted] = await tx
      .insert(referralCodes)
      .values({
        id: newId("ref"),
        workspaceId,
        code,
        kind: "vanity",
        learnerId,
        course: input.course ?? "",
        targetUrl: input.targetUrl ?? null,
        createdAt: clock.now().getTime(),
      })
      .onConflictDoNothing()
      .returning();
    return inserted;
  });
  if (!row) throw new DomainError("conflict", `The code "${code}" is taken`);
  return row;
}
