/**
 * Following a referral link: what `GET /r/:code` redirects to (and whether that visit is a click),
 * and the loader's side of a landing (`POST /v1/clicks`, `GET /v1/referrals/{code}`). The routes
 * keep only HTTP (headers, the 302, the 404 page); every decision about the visit is here.
 *
 * Rate limits (`rateLimits.clicks`, shared with the beacon, and the server's per-address limit
 * CLICKS_PER_ADDRESS_PER_MINUTE): a visitor, address or workspace over its limit
 * is still redirected, with `via=CODE` but no click id, and no click is recorded. A person who
 * follows a link must never be stranded on an error page (a 429 here would be a dead link in a
 * chat), and a script gains nothing from the redirect but the target URL, which it can read
 * anyway. The loader then sends the beacon, which answers 429 under the same limit.
 */
import type { RateLimits } from "../lib/rate-limiter.ts";
import { type ClickChannel, type ClickRecorder, clickChannels, isAutomated } from "./clicks.ts";
import { type CodeCache, normalizeCode, type ResolvedCode, referrerName } from "./codes.ts";
import { DomainError, primaryAway } from "./errors.ts";
import { couponForReferral } from "./friend-coupons.ts";
import type { ServiceContext, Visitor, WorkspaceContext } from "./types.ts";

/**
 * What following a link needs beside the database and the clock: the app's code cache, click
 * recorder and rate limiters (one per app, kept in memory), and on Workers the request's
 * `waitUntil`. Defined here because only the link services use it.
 */
export type LinkContext = ServiceContext & {
  codes: CodeCache;
  clicks: ClickRecorder;
  rateLimits: RateLimits;
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
};

export type FollowLinkInput = {
  /** The code as it stands in the link (any case). */
  code: string;
  /** HEAD requests follow the redirect but are not counted. */
  method: string;
  visitor: Visitor;
  /** `?ch=`: the channel the link was shared on, as sent. */
  channel: string | undefined;
  /** `?s=`: the story the link was shared with, as sent. */
  story: string | undefined;
  /** The server's fallback page for unknown codes (and disabled ones without their own). */
  fallbackUrl: string | null | undefined;
  /** Names the request in the log line of a click that could not be recorded. */
  requestId: string;
};

const storyIdPattern = /^sty_[A-Za-z0-9]{16}$/;

/**
 * Where a visitor who follows the link goes, or null for the "link not found" page. Records the
 * click when the visit counts (a person, GET, within the rate limits).
 */
export async function followLink(ctx: LinkContext, input: FollowLinkInput): Promise<string | null> {
  const code = normalizeCode(input.code);
  const now = ctx.clock.now();
  const resolved = code ? await ctx.codes.get(ctx, code, now.getTime()) : null;
  if (!resolved) return input.fallbackUrl ?? null;
  if (resolved.disabled) return resolved.fallback ?? input.fallbackUrl ?? null;
  if (!resolved.target) return null;

  const { visitor } = input;
  const coupon = resolved.checkoutCoupon;
  if (input.method === "HEAD" || isAutomated(visitor.userAgent))
    return referralUrl(resolved.target, resolved.code, null, coupon);
  const limits = ctx.rateLimits;
  const visitorKey = limits.visitorKey(resolved.workspaceId, visitor.ip, visitor.userAgent ?? "");
  const addressKey = limits.addressKey(resolved.workspaceId, visitor.ip);
  if (limits.take("clicks", resolved.clickLimits, resolved.workspaceId, visitorKey, now.getTime(), addressKey))
    return referralUrl(resolved.target, resolved.code, null, coupon);

  // A channel outside the list is kept as "other": a mangled link must still reach the friend.
  const ch = input.channel?.toLowerCase();
  const channel: ClickChannel =
    ch === undefined ? "direct" : (clickChannels as readonly string[]).includes(ch) ? (ch as ClickChannel) : "other";
  const story = input.story;
  let clickId: string | null = null;
  try {
    ({ clickId } = await ctx.clicks.record({
      code: resolved,
      channel,
      storyId: story && storyIdPattern.test(story) ? story : null,
      visitor,
      visitorId: null,
      source: "redirect",
      now,
      waitUntil: ctx.waitUntil,
    }));
  } catch (error) {
    // The friend still lands; without a click id the loader records the visit by beacon instead.
    console.error(`[${input.requestId}] click not recorded`, error);
  }
  return referralUrl(resolved.target, resolved.code, clickId, coupon);
}

/** The code a QR image may be drawn for: it exists and is not disabled. */
export async function shareableCode(ctx: LinkContext, input: { code: string }): Promise<ResolvedCode | null> {
  const code = normalizeCode(input.code);
  const resolved = code ? await ctx.codes.get(ctx, code, ctx.clock.now().getTime()) : null;
  return resolved && !resolved.disabled ? resolved : null;
}

/**
 * The target with the referral added to its own query, and the friend coupon in the parameter the
 * workspace's checkout platform reads (`checkoutCoupon`, see codes.ts), so it is applied for them.
 */
export function referralUrl(
  target: string,
  code: string,
  clickId: string | null,
  coupon: ResolvedCode["checkoutCoupon"] = null,
): string {
  if (clickId && clickIdPattern.test(clickId)) {
    // Hot path: the target with `via` set, parsed once per (target, code), then the click id
    // appended: what setting it last would serialize to, when it was not there and there is no #.
    const key = coupon ? `${code} ${coupon.param}=${coupon.code} ${target}` : `${code} ${target}`;
    let base = referralBases.get(key);
    if (base === undefined) {
      const url = new URL(target);
      url.searchParams.set("via", code);
      if (coupon) url.searchParams.set(coupon.param, coupon.code);
      base = url.hash || url.searchParams.has("chorus_cid") ? null : url.toString();
      if (referralBases.size >= 10_000) referralBases.clear();
      referralBases.set(key, base);
    }
    if (base !== null) return `${base}&chorus_cid=${clickId}`;
  }
  const url = new URL(target);
  url.searchParams.set("via", code);
  if (coupon) url.searchParams.set(coupon.param, coupon.code);
  if (clickId) url.searchParams.set("chorus_cid", clickId);
  return url.toString();
}
const referralBases = new Map<string, string | null>();
/** Characters a query keeps as they are, so appending needs no encoding. */
const clickIdPattern = /^[A-Za-z0-9_-]+$/;

/** The code, if it exists, is active and belongs to the caller's workspace. */
async function activeCode(ctx: LinkContext & WorkspaceContext, raw: string): Promise<ResolvedCode> {
  const code = normalizeCode(raw);
  const resolved = code ? await ctx.codes.get(ctx, code, ctx.clock.now().getTime()) : null;
  if (!resolved || resolved.disabled || resolved.workspaceId !== ctx.workspace.id) {
    throw new DomainError("not_found", "No active referral code by that name");
  }
  return resolved;
}

/**
 * Who invited the visitor, the friend's offer, its coupon code (made now if the referrer has none
 * yet, so a link shared before coupons existed gets one too) and the workspace's attribution rule.
 * The coupon usually comes with the cached code, so a landing costs no extra read.
 */
async function describe(ctx: LinkContext & WorkspaceContext, code: ResolvedCode) {
  const { settings } = ctx.workspace;
  const name = await referrerName(ctx, { workspaceId: code.workspaceId, learnerId: code.learnerId });
  if (code.coupon === null) {
    // Making the coupon is a write: while an embedded replica's primary is away the friend still
    // lands and their click is kept (node-click-spool.ts); the coupon comes with a later landing.
    const made = await couponForReferral(ctx, { code: { id: code.codeId }, learnerName: name }).catch((error) => {
      if (primaryAway(error)) return null;
      throw error;
    });
    // The cached code learns its coupon, so the next landings on it cost no read (a code Stripe
    // refused would not work at checkout: it stays unshown, and is looked for again).
    if (made && made.stripeStatus !== "failed") code.coupon = made.code;
  }
  return {
    referrer: { name },
    offer: settings.friendOffer,
    coupon: code.coupon,
    attribution: settings.attribution,
  };
}

/** `GET /v1/referrals/{code}`: who invited the visitor and what the offer is. */
export async function referralInfo(ctx: LinkContext & WorkspaceContext, input: { code: string }) {
  const code = await activeCode(ctx, input.code);
  return { code: code.code, ...(await describe(ctx, code)) };
}

export type LandingInput = {
  code: string;
  channel?: ClickChannel | undefined;
  storyId?: string | undefined;
  visitorId?: string | undefined;
  visitor: Visitor;
};

/**
 * `POST /v1/clicks`: a landing that arrived with `?via=CODE` but no click id. `created` says
 * whether a new click was stored (a repeat within the hour gets its first click id back; bots
 * get none and are not counted).
 */
export async function recordLanding(ctx: LinkContext & WorkspaceContext, input: LandingInput) {
  const code = await activeCode(ctx, input.code);
  const info = await describe(ctx, code);
  if (isAutomated(input.visitor.userAgent)) return { created: false, answer: { clickId: null, ...info } };
  const { clickId, created } = await ctx.clicks.record({
    code,
    channel: input.channel ?? "direct",
    storyId: input.storyId ?? null,
    visitor: input.visitor,
    visitorId: input.visitorId ?? null,
    source: "beacon",
    now: ctx.clock.now(),
    waitUntil: ctx.waitUntil,
  });
  return { created, answer: { clickId, ...info } };
}
