/**
 * What the referral card asks for (`<chorus-referral-card>`, with the learner's token): the
 * learner's referral (`POST /v1/referrals/me`) and the shares it reports (`POST /v1/events`).
 */

import { and, eq, isNotNull } from "drizzle-orm";
import { courses } from "../../db/schema.ts";
import { DomainError } from "./errors.ts";
import { couponForReferral } from "./friend-coupons.ts";
import type { LearnerClaims } from "./learner-tokens.ts";
import { upsertLearner } from "./learners.ts";
import { codeForLearner, learnerRewards, referralStats, shareLinks } from "./referrals.ts";
import { announcedReward } from "./reward-rule-amounts.ts";
import { learnerShareCode, recordShare, rememberLearnerSignals } from "./shares.ts";
import { type StripeApiContext, syncStripePromotionCodes } from "./stripe-coupons.ts";
import type { SecretContext, Visitor, WorkspaceContext } from "./types.ts";
import { ipHash, networkKey } from "./visitors.ts";

export type MyReferralInput = {
  /** The learner as their verified token names them. */
  claims: LearnerClaims;
  /** The card's caller: their address is remembered (hashed) as the learner's own (self-referral rule). */
  visitor: Visitor;
  /** The loader's first-party visitor id: a friend's click from this browser is a self-referral. */
  visitorId?: string | undefined;
  /** A course's slug for a code that links to that course; none for all courses. */
  course?: string | undefined;
  /** The card's language: the share texts friends receive are written in it. */
  lang?: "en" | "hi" | undefined;
  /** The base of the links Chorus prints (PUBLIC_URL, else the request's origin). */
  publicBase: string;
};

/**
 * `POST /v1/referrals/me`, the referral card: the learner (made or refreshed from the token),
 * the signals of their own browser remembered, their code (made on the first call), the share
 * links and texts in the card's language, what their sharing brought and the program's offer.
 */
export async function myReferral(ctx: WorkspaceContext & SecretContext & StripeApiContext, input: MyReferralInput) {
  const { workspace } = ctx;
  const now = ctx.clock.now();
  await requireLandingPage(ctx, { course: input.course ?? "", lang: input.lang });
  const learner = await upsertLearner(ctx, input.claims);
  await rememberLearnerSignals(ctx, {
    learner,
    ipHash: ipHash(ctx, { workspaceId: workspace.id, visitor: input.visitor, now }),
    networkKey: networkKey(ctx, { workspaceId: workspace.id, ip: input.visitor.ip }),
    visitorId: input.visitorId ?? null,
  });
  const code = await codeForLearner(ctx, { learner, course: input.course ?? "" });
  const link = `${input.publicBase}/r/${code.code}`;
  const coupon = await friendCoupon(ctx, code, learner.name);
  const message = shareMessage(workspace.name, coupon?.code ?? null, input.lang);
  const [stats, rewards] = await Promise.all([
    referralStats(ctx, { learnerId: learner.id }),
    learnerRewards(ctx, { learnerId: learner.id }),
  ]);
  const reward = announcedReward(workspace.settings.rewardRules.rules, input.course ?? null);
  return {
    code: code.code,
    link,
    shareLinks: shareLinks({ link, message }),
    shareText: message,
    stats,
    rewards: rewards.map((reward) => ({ ...reward, createdAt: new Date(reward.createdAt).toISOString() })),
    offer: workspace.settings.friendOffer,
    coupon,
    reward: reward && { ...reward, trigger: workspace.settings.trigger },
  };
}

/**
 * A learner's generated code lands on its course's page, else on the workspace's landing page
 * (`defaultTargetUrl`). With neither, every click on the link would answer "This referral link
 * does not work": refused here, before anything is written, with what to set, in the card's
 * language (the card shows this message in place of the link).
 */
async function requireLandingPage(
  { db, workspace }: WorkspaceContext,
  { course, lang }: { course: string; lang: "en" | "hi" | undefined },
): Promise<void> {
  if (workspace.settings.defaultTargetUrl) return;
  if (course) {
    const [page] = await db
      .select({ url: courses.url })
      .from(courses)
      .where(and(eq(courses.workspaceId, workspace.id), eq(courses.slug, course), isNotNull(courses.url)));
    if (page?.url) return;
  }
  const message =
    lang === "hi"
      ? "रेफ़रल लिंक अभी तैयार नहीं है: साइट के मालिक को Chorus में लैंडिंग पेज (defaultTargetUrl) सेट करना होगा।"
      : "Referral links are not set up yet: the site's owner needs to set a landing page (defaultTargetUrl) in Chorus.";
  throw new DomainError("conflict", message, [
    {
      path: "settings.defaultTargetUrl",
      message: `not set, and ${course ? `course "${course}" has no URL` : "no course was given"}: set defaultTargetUrl (PATCH /v1/admin/program or chorus workspace create --target) or give the course a URL`,
    },
  ]);
}

/** The text shared before the link: with the friend coupon code when there is one, so a friend who never clicks can still type it. */
function shareMessage(workspaceName: string, coupon: string | null, lang: "en" | "hi" | undefined): string {
  if (lang === "hi")
    return coupon
      ? `मैं ${workspaceName} के साथ सीख रहा/रही हूँ। चेकआउट पर मेरा कोड ${coupon} लगाएँ, या मेरे लिंक से जुड़ें:`
      : `मैं ${workspaceName} के साथ सीख रहा/रही हूँ। मेरे लिंक से जुड़ें:`;
  return coupon
    ? `I'm learning with ${workspaceName}. Use my code ${coupon} at checkout, or join with my link:`
    : `I'm learning with ${workspaceName}. Join with my link:`;
}

/**
 * The referral's friend coupon (made or drawn on first request; a new one is created in Stripe
 * now, a failure there is retried by the background work). Null without an offer, with an empty
 * pool, or when Stripe refused it (a code Stripe does not know would not work at checkout).
 */
async function friendCoupon(
  ctx: WorkspaceContext & SecretContext & StripeApiContext,
  code: Parameters<typeof couponForReferral>[1]["code"],
  learnerName: string | null,
) {
  let coupon = await couponForReferral(ctx, { code, learnerName });
  if (coupon?.stripeStatus === "pending" && coupon.stripeAttempts === 0) {
    await syncStripePromotionCodes(ctx, { workspaceId: ctx.workspace.id, couponId: coupon.id, quick: true });
    coupon = await couponForReferral(ctx, { code, learnerName });
  }
  if (!coupon || coupon.stripeStatus === "failed") return null;
  return { code: coupon.code, expiresAt: coupon.expiresAt === null ? null : new Date(coupon.expiresAt).toISOString() };
}

/**
 * `POST /v1/events` with `type: "share"`: the learner (from the token) shared `code`, or without
 * one their own code for all courses. A named code is checked before anything is written: a
 * refused share stores nothing.
 */
export async function recordShareEvent(
  ctx: WorkspaceContext & SecretContext,
  input: { claims: LearnerClaims; channel: string; code?: string | undefined },
) {
  const named = input.code
    ? await learnerShareCode(ctx, { learnerExternalId: input.claims.sub, code: input.code })
    : null;
  const learner = await upsertLearner(ctx, input.claims);
  const code = named ?? (await codeForLearner(ctx, { learner, course: "" }));
  await recordShare(ctx, { learner, code, channel: input.channel });
}
