/**
 * A learner as the provider sees them (`GET /v1/learners/:id`), and erasure of their personal
 * data (`DELETE /v1/learners/:id`): what identifies the person goes, what was counted stays.
 *
 * Erased: the learner's name, email, email hash and provider id (replaced by a tombstone, so the
 * id finds nothing afterwards and a later token with that `sub` starts a new learner); their
 * browser signals (IP hashes, visitor ids) and the hashes of clicks made from that browser
 * (see forgetBrowser for exactly which); their vanity codes, whose names are usually their own
 * (`priya-learns`): renamed to a tombstone, so the link answers like a code that never existed
 * (the server's FALLBACK_URL, else the "link not found" page) and the name can be chosen again;
 * their stories (withdrawn, text, photo, video, poster, transcript, figures, receipt and submitter
 * hash blanked; the video and poster deleted from the media store); the email
 * hash of conversions where they were the customer; their name and id inside the decision logs,
 * stored answers and webhook payloads of the conversions, rewards and stories they were part of;
 * connector events still waiting for their sale with their customer id.
 * Their generated codes are disabled, so old links land on the workspace's fallback page.
 * The one-time links of their story request emails are deleted, so a link still in a mailbox
 * finds nothing. So are "Who referred you?" answers that named them and wait for the friend's
 * confirmation: a friend confirming afterwards is credited to nobody. Their payout method and
 * the Stripe customer their email named are deleted, and the coupon codes delivered to them as
 * rewards erased.
 *
 * Kept, so every aggregate stays exactly the same: the rows themselves (clicks, shares,
 * conversions, rewards keep their internal `lrn_` learner id, which no longer leads to a person),
 * the analytics rollups, and conversions' own ids and customer ids (the provider's business
 * records: refunds and reward rules need them; a customer id is the provider's to erase).
 */
import { and, count, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import {
  clicks,
  conversions,
  friendCoupons,
  integrationEvents,
  learnerSessions,
  learnerSignals,
  learners,
  magicLinks,
  mailMessages,
  payoutMethods,
  referralCodes,
  referralEmails,
  referredByAnswers,
  rewards,
  shareEvents,
  stories,
  storyRequestTokens,
  stripeCustomers,
  webhookEvents,
} from "../../db/schema.ts";
import { type Tx, writeTransaction } from "../lib/write-transaction.ts";
import { maskLearnerAudit, recordAudit } from "./audit.ts";
import { forgetBlocks } from "./block-lists.ts";
import { fixedClock } from "./clock.ts";
import { DomainError } from "./errors.ts";
import type { MediaContext } from "./media-store.ts";
import { referralStats } from "./referrals.ts";
import { forgetReviewNotes } from "./review-queue.ts";
import { fullStory, withdrawnStory } from "./stories.ts";
import { deleteStoryPhoto, forgetPhotoCopies } from "./story-photos.ts";
import { deleteStoryVideo } from "./story-videos.ts";
import type { Learner, WorkspaceContext } from "./types.ts";

async function findLearner(db: Db, workspaceId: string, externalId: string): Promise<Learner> {
  const [row] = await db
    .select()
    .from(learners)
    .where(and(eq(learners.workspaceId, workspaceId), eq(learners.externalId, externalId), isNull(learners.erasedAt)));
  if (!row) throw new DomainError("not_found", "No learner with that id in this workspace");
  return row;
}

/** The learner's record: who they are to Chorus, their codes and what their sharing brought. */
export async function learnerRecord(
  ctx: WorkspaceContext,
  { externalId, publicBase }: { externalId: string; publicBase: string },
) {
  const { db } = ctx;
  const workspaceId = ctx.workspace.id;
  const learner = await findLearner(db, workspaceId, externalId);
  const codes = await db
    .select()
    .from(referralCodes)
    .where(and(eq(referralCodes.workspaceId, workspaceId), eq(referralCodes.learnerId, learner.id)))
    .orderBy(referralCodes.createdAt);
  const [stats, [shares], [storyCount], [rewardCount]] = await Promise.all([
    referralStats(ctx, { learnerId: learner.id }),
    db
      .select({ n: count() })
      .from(shareEvents)
      .where(and(eq(shareEvents.workspaceId, workspaceId), eq(shareEvents.learnerId, learner.id))),
    db
      .select({ n: count() })
      .from(stories)
      .where(and(eq(stories.workspaceId, workspaceId), eq(stories.learnerId, learner.id))),
    db
      .select({ n: count() })
      .from(rewards)
      .where(and(eq(rewards.workspaceId, workspaceId), eq(rewards.learnerId, learner.id))),
  ]);
  return {
    id: learner.id,
    externalId: learner.externalId,
    name: learner.name,
    email: learner.email,
    createdAt: new Date(learner.createdAt).toISOString(),
    codes: codes.map((code) => ({
      code: code.code,
      link: `${publicBase}/r/${code.code}`,
      kind: code.kind,
      course: code.course || null,
      disabled: code.disabledAt !== null,
      createdAt: new Date(code.createdAt).toISOString(),
    })),
    counts: { ...stats, shares: shares?.n ?? 0, stories: storyCount?.n ?? 0, rewards: rewardCount?.n ?? 0 },
  };
}

const erasedText = "[erased]";
const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Replaces the learner inside stored JSON (decision logs, answers, webhook payloads): a value that
 * is their id becomes the tombstone, a value that is their name becomes null, and inside text
 * both become "[erased]" (the id only where it stands alone, not inside another word or id).
 */
function scrubber(externalId: string, tombstone: string, name: string | null, codes: string[] = []) {
  // Whole words only, so erasing "Al" leaves "Also" alone; ids may hold dots, @ and hyphens.
  const word = (value: string, inner: string) =>
    new RegExp(`(?<![\\p{L}\\p{N}${inner}])${escapeRegExp(value)}(?![\\p{L}\\p{N}${inner}])`, "gu");
  // A short or all-digit id ("42") would also match amounts and counts in the text: such ids are
  // replaced only where they are a whole value.
  const idInText = externalId.length >= 4 && !/^\d+$/.test(externalId);
  const patterns = [
    ...(idInText ? [word(externalId, "_@-")] : []),
    ...(name?.trim() ? [word(name.trim(), "")] : []),
    // Friend coupon codes start with the first name (PRIYA-10-…): each one is erased as a whole.
    ...codes.map((code) => word(code, "-")),
  ];
  const scrub = (value: unknown): unknown => {
    if (typeof value === "string") {
      if (value === externalId) return tombstone;
      if (name && value === name) return null;
      return patterns.reduce((text, pattern) => text.replace(pattern, erasedText), value);
    }
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, scrub(inner)]));
    return value;
  };
  return scrub;
}

export type ErasureReceipt = {
  erasedAt: string;
  codesDisabled: number;
  vanityCodesErased: number;
  storiesWithdrawn: number;
  signalsDeleted: number;
  clicksScrubbed: number;
  conversionsScrubbed: number;
  webhookEventsScrubbed: number;
  /** Their messages still queued in the email outbox, now suppressed. */
  mailSuppressed: number;
  /** Connector events that waited for their sale (holding their customer id and email), deleted. */
  connectorEventsDropped: number;
  /** Their friend coupon codes (made from their name), erased and stopped. */
  friendCouponsErased: number;
};

/** One erasure in progress: whose data, in which workspace, when, and how their text is scrubbed. */
type Erasure = {
  tx: Tx;
  workspaceId: string;
  learner: Learner;
  at: number;
  scrub: (value: unknown) => unknown;
};

/**
 * Their vanity codes lose their name (personal data: it is usually theirs): the row stays, so the
 * clicks and conversions that point at it keep their counts, but `erased:` can never be typed in
 * a link (codes are a-z, 0-9 and hyphens), so the old link finds nothing.
 */
function eraseVanityCodes({ tx, workspaceId, learner, at }: Erasure) {
  return tx
    .update(referralCodes)
    .set({ code: sql`'erased:' || ${referralCodes.id}`, disabledAt: sql`coalesce(${referralCodes.disabledAt}, ${at})` })
    .where(
      and(
        eq(referralCodes.workspaceId, workspaceId),
        eq(referralCodes.learnerId, learner.id),
        eq(referralCodes.kind, "vanity"),
      ),
    )
    .returning({ id: referralCodes.id });
}

/**
 * Their friend coupon codes: made from their first name (`PRIYA-10-…`), so each loses its text
 * (`erased:` can never be typed, so it matches no conversion again) and stops working. Returns the
 * codes as they were, so decision logs and webhook payloads lose them too.
 */
async function eraseFriendCoupons({ tx, workspaceId, learner, at }: Omit<Erasure, "scrub">) {
  const mine = and(
    eq(friendCoupons.workspaceId, workspaceId),
    inArray(
      friendCoupons.referralCodeId,
      tx
        .select({ id: referralCodes.id })
        .from(referralCodes)
        .where(and(eq(referralCodes.workspaceId, workspaceId), eq(referralCodes.learnerId, learner.id))),
    ),
  );
  const rows = await tx.select({ code: friendCoupons.code }).from(friendCoupons).where(mine);
  await tx
    .update(friendCoupons)
    .set({
      code: sql`'erased:' || ${friendCoupons.id}`,
      matchKey: sql`'erased:' || ${friendCoupons.id}`,
      disabledAt: sql`coalesce(${friendCoupons.disabledAt}, ${at})`,
    })
    .where(mine);
  return rows.map((row) => row.code);
}

/** Their generated codes stop referring anyone: links land on the workspace's fallback URL. */
function disableCodes({ tx, workspaceId, learner, at }: Erasure) {
  return tx
    .update(referralCodes)
    .set({ disabledAt: at })
    .where(
      and(
        eq(referralCodes.workspaceId, workspaceId),
        eq(referralCodes.learnerId, learner.id),
        isNull(referralCodes.disabledAt),
      ),
    )
    .returning({ id: referralCodes.id });
}

/** Their stories' videos and posters, read before the columns are cleared: the store deletes them after the commit. */
function storyMedia({ tx, workspaceId, learner }: Erasure) {
  return tx
    .select({
      workspaceId: stories.workspaceId,
      id: stories.id,
      videoHash: stories.videoHash,
      posterHash: stories.posterHash,
    })
    .from(stories)
    .where(and(eq(stories.workspaceId, workspaceId), eq(stories.learnerId, learner.id), isNotNull(stories.videoHash)));
}

/** Stories: withdrawn (off every wall, list and statistic) and emptied of everything personal. */
function withdrawStories({ tx, workspaceId, learner, at }: Erasure) {
  return tx
    .update(stories)
    .set({
      ...withdrawnStory,
      consentName: false,
      consentPhoto: false,
      consentSalary: false,
      verification: null,
      visitorHash: null,
      updatedAt: at,
    })
    .where(and(eq(stories.workspaceId, workspaceId), eq(stories.learnerId, learner.id)))
    .returning();
}

/**
 * The learner's own browser: its signals, and the hashes of the clicks it made. The click rows
 * stay, so click counts do not change.
 *
 * "The clicks it made" means exactly the clicks carrying one of the learner's first-party visitor
 * ids: a random id that only their browser held. An IP hash is not theirs alone: everyone behind
 * the same campus, office or mobile-network address shares it, so matching clicks by it wiped
 * hundreds of other visitors' hashes (issue 15) and broke those visitors' dedup and attribution.
 * A click the learner made without a visitor id keeps its address hash, which, once their IP
 * signal is deleted here, no longer links to them any more than to anyone else at that address.
 */
async function forgetBrowser({ tx, workspaceId, learner }: Erasure) {
  const signals = await tx
    .delete(learnerSignals)
    .where(and(eq(learnerSignals.workspaceId, workspaceId), eq(learnerSignals.learnerId, learner.id)))
    .returning({ kind: learnerSignals.kind, value: learnerSignals.value });
  const visitorIds = signals.filter((s) => s.kind === "visitor_id").map((s) => s.value);
  const clicksScrubbed =
    visitorIds.length === 0
      ? []
      : await tx
          .update(clicks)
          .set({ visitorHash: sql`'erased:' || ${clicks.id}`, ipHash: null, networkKey: null, visitorId: null })
          .where(and(eq(clicks.workspaceId, workspaceId), inArray(clicks.visitorId, visitorIds)))
          .returning({ id: clicks.id });
  return { signals, clicksScrubbed };
}

/**
 * Conversions they brought (as referrer) or made (as customer, linked by id or email hash).
 * Only JSON text and the email hash change: the rollup triggers watch none of these columns.
 */
async function scrubConversions({ tx, workspaceId, learner, scrub }: Erasure) {
  const asCustomer = or(
    eq(conversions.customerId, learner.externalId),
    learner.emailHash ? eq(conversions.customerEmailHash, learner.emailHash) : undefined,
  );
  const touched = await tx
    .select({ id: conversions.id, decision: conversions.decision, response: conversions.response })
    .from(conversions)
    .where(and(eq(conversions.workspaceId, workspaceId), or(eq(conversions.referrerId, learner.id), asCustomer)));
  for (const row of touched) {
    await tx
      .update(conversions)
      .set({ decision: scrub(row.decision) as typeof row.decision, response: scrub(row.response) })
      .where(eq(conversions.id, row.id));
  }
  await tx
    .update(conversions)
    .set({ customerEmailHash: null })
    .where(and(eq(conversions.workspaceId, workspaceId), asCustomer));
  return touched.map((row) => row.id);
}

/** Webhook payloads about those conversions, the learner's rewards and their (now withdrawn) stories. */
async function scrubWebhookEvents(
  erasure: Erasure,
  about: { conversionIds: string[]; withdrawn: (typeof stories.$inferSelect)[] },
) {
  const { tx, workspaceId, learner, scrub } = erasure;
  const { conversionIds, withdrawn } = about;
  const rewardIds = (
    await tx
      .select({ id: rewards.id })
      .from(rewards)
      .where(
        and(
          eq(rewards.workspaceId, workspaceId),
          or(
            eq(rewards.learnerId, learner.id),
            conversionIds.length ? inArray(rewards.conversionId, conversionIds) : undefined,
          ),
        ),
      )
  ).map((row) => row.id);
  const storyById = new Map(withdrawn.map((story) => [story.id, story]));
  const conditions = [
    conversionIds.length
      ? inArray(sql`json_extract(${webhookEvents.payload}, '$.data.conversion.id')`, conversionIds)
      : undefined,
    rewardIds.length ? inArray(sql`json_extract(${webhookEvents.payload}, '$.data.id')`, rewardIds) : undefined,
    storyById.size
      ? inArray(sql`json_extract(${webhookEvents.payload}, '$.data.story.id')`, [...storyById.keys()])
      : undefined,
  ].filter((condition) => condition !== undefined);
  // No condition must never mean "every event of the workspace".
  if (conditions.length === 0) return [];
  const events = await tx
    .select({ id: webhookEvents.id, payload: webhookEvents.payload })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.workspaceId, workspaceId), or(...conditions)));
  for (const event of events) {
    const payload = event.payload as { data?: { story?: { id?: string } } };
    const story = payload.data?.story?.id ? storyById.get(payload.data.story.id) : undefined;
    const next = story ? { ...payload, data: { ...payload.data, story: fullStory(story) } } : scrub(payload);
    await tx.update(webhookEvents).set({ payload: next }).where(eq(webhookEvents.id, event.id));
  }
  return events;
}

/**
 * Nothing more is mailed to them: their queued messages are suppressed, and every message about
 * them loses its address, name and contents (the row stays, so the outbox's counts do).
 */
async function dropMail({ tx, workspaceId, learner }: Erasure) {
  const about = and(eq(mailMessages.workspaceId, workspaceId), eq(mailMessages.learnerId, learner.id));
  const dropped = await tx
    .update(mailMessages)
    .set({ status: "suppressed", reason: "learner erased", leaseUntil: null })
    .where(and(about, eq(mailMessages.status, "queued")))
    .returning({ id: mailMessages.id });
  await tx
    .update(mailMessages)
    .set({ toAddress: null, toName: null, toHash: `erased:${learner.id}`, data: {} })
    .where(about);
  return dropped;
}

/**
 * A refund or completion a connector keeps until its sale arrives holds the customer's id and,
 * for a completion, their email: it goes (the sale, if it comes, is recorded without it). So
 * does the hash of an email they gave on a referral banner.
 */
async function dropPendingConnectorEvents({ tx, workspaceId, learner }: Erasure) {
  const ids = [learner.externalId, ...(learner.emailHash ? [`email:${learner.emailHash}`] : [])];
  if (learner.email) ids.push(learner.email);
  // The email they gave on a referral banner, if they were once a referred friend.
  if (learner.emailHash)
    await tx
      .delete(referralEmails)
      .where(and(eq(referralEmails.workspaceId, workspaceId), eq(referralEmails.emailHash, learner.emailHash)));
  return tx
    .delete(integrationEvents)
    .where(
      and(
        eq(integrationEvents.workspaceId, workspaceId),
        eq(integrationEvents.outcome, "pending"),
        inArray(integrationEvents.customerId, ids),
      ),
    )
    .returning({ id: integrationEvents.id });
}

/**
 * "Who referred you?" answers that named them (by their codes), confirmed or not: the row is the
 * only link between a friend's browser and this referrer that is not a click.
 */
async function forgetReferredBy({ tx, workspaceId, learner }: Erasure) {
  const theirCodes = tx
    .select({ id: referralCodes.id })
    .from(referralCodes)
    .where(and(eq(referralCodes.workspaceId, workspaceId), eq(referralCodes.learnerId, learner.id)));
  await tx
    .delete(referredByAnswers)
    .where(and(eq(referredByAnswers.workspaceId, workspaceId), inArray(referredByAnswers.codeId, theirCodes)));
}

/** Their story links die with them: the token rows (learner and course) are deleted. */
function forgetStoryRequests({ tx, workspaceId, learner }: Erasure) {
  return tx
    .delete(storyRequestTokens)
    .where(and(eq(storyRequestTokens.workspaceId, workspaceId), eq(storyRequestTokens.learnerId, learner.id)));
}

/**
 * The hosted advocate page lets them in no more: their sessions end, their magic links go (by
 * the learner they sign in, or by their address), and sign-in mail to their address that is
 * still queued is dropped, its link id and address blanked like every message about them.
 */
async function endSignIns({ tx, workspaceId, learner }: Erasure) {
  await tx
    .delete(learnerSessions)
    .where(and(eq(learnerSessions.workspaceId, workspaceId), eq(learnerSessions.learnerId, learner.id)));
  const theirs = learner.emailHash
    ? or(eq(magicLinks.subject, learner.externalId), eq(magicLinks.emailHash, learner.emailHash))
    : eq(magicLinks.subject, learner.externalId);
  await tx.delete(magicLinks).where(and(eq(magicLinks.workspaceId, workspaceId), theirs));
  if (!learner.emailHash) return;
  const signIns = and(
    eq(mailMessages.workspaceId, workspaceId),
    eq(mailMessages.toHash, learner.emailHash),
    eq(mailMessages.category, "sign-in"),
  );
  await tx
    .update(mailMessages)
    .set({ status: "suppressed", reason: "learner erased", leaseUntil: null })
    .where(and(signIns, eq(mailMessages.status, "queued")));
  await tx
    .update(mailMessages)
    .set({ toAddress: null, toName: null, toHash: `erased:${learner.id}`, data: {} })
    .where(signIns);
}

/**
 * Where they wanted cash paid goes (the sealed payout method), and so does the Stripe customer
 * their email named. Coupon codes delivered to them as rewards are made from their first name
 * (`PRIYA-500-…`): the rewards lose them, and the codes are returned so payloads lose them too.
 * Payout batches already paid keep their sealed file: it is the provider's record of a payment made.
 */
async function forgetPayoutDetails({ tx, workspaceId, learner }: Omit<Erasure, "scrub">): Promise<string[]> {
  await tx
    .delete(payoutMethods)
    .where(and(eq(payoutMethods.workspaceId, workspaceId), eq(payoutMethods.learnerId, learner.id)));
  if (learner.emailHash)
    await tx
      .delete(stripeCustomers)
      .where(and(eq(stripeCustomers.workspaceId, workspaceId), eq(stripeCustomers.emailHash, learner.emailHash)));
  const theirs = and(
    eq(rewards.workspaceId, workspaceId),
    eq(rewards.learnerId, learner.id),
    isNotNull(rewards.deliveredCode),
  );
  // Read before the update: RETURNING would answer the erased value.
  const delivered = await tx.select({ code: rewards.deliveredCode }).from(rewards).where(theirs);
  await tx.update(rewards).set({ deliveredCode: erasedText }).where(theirs);
  return delivered.map((row) => row.code).filter((code): code is string => code !== null && code !== erasedText);
}

/** Erases the learner's personal data in one transaction; a second call finds no learner (404). */
export async function eraseLearner(
  ctx: WorkspaceContext & MediaContext,
  { externalId }: { externalId: string },
): Promise<ErasureReceipt> {
  const { db, clock, workspace } = ctx;
  const workspaceId = workspace.id;
  const now = clock.now();
  let videos: Awaited<ReturnType<typeof storyMedia>> = [];
  const photoCopies: string[] = [];
  const receipt = await writeTransaction(db, async (tx) => {
    const [learner] = await tx
      .select()
      .from(learners)
      .where(
        and(eq(learners.workspaceId, workspaceId), eq(learners.externalId, externalId), isNull(learners.erasedAt)),
      );
    if (!learner) throw new DomainError("not_found", "No learner with that id in this workspace");
    const tombstone = `erased:${learner.id}`;
    const friendCodes = await eraseFriendCoupons({ tx, workspaceId, learner, at: now.getTime() });
    const coupons = [...friendCodes, ...(await forgetPayoutDetails({ tx, workspaceId, learner, at: now.getTime() }))];
    const erasure: Erasure = {
      tx,
      workspaceId,
      learner,
      at: now.getTime(),
      scrub: scrubber(learner.externalId, tombstone, learner.name, coupons),
    };
    const vanity = await eraseVanityCodes(erasure);
    const disabled = await disableCodes(erasure);
    videos = await storyMedia(erasure);
    const withdrawn = await withdrawStories(erasure);
    // Chorus's copies of their photos go with the stories (withdrawnStory clears only the columns).
    // Their bytes leave the media store once this write commits (below).
    for (const story of withdrawn) photoCopies.push(...(await deleteStoryPhoto({ db: tx }, story)));
    const { signals, clicksScrubbed } = await forgetBrowser(erasure);
    const conversionIds = await scrubConversions(erasure);
    const events = await scrubWebhookEvents(erasure, { conversionIds, withdrawn });
    const mail = await dropMail(erasure);
    const pending = await dropPendingConnectorEvents(erasure);
    await forgetStoryRequests(erasure);
    await forgetReferredBy(erasure);
    await endSignIns(erasure);
    // The review queue's notes and blocks about them go; the audit trail keeps who did what and
    // when, without the values that named them.
    await forgetReviewNotes({ tx, workspaceId }, { conversionIds });
    await forgetBlocks({ tx, workspaceId }, { learnerId: learner.id, emailHash: learner.emailHash });
    const auditMasked = await maskLearnerAudit({ tx, workspace }, { learnerId: learner.id });
    await recordAudit(
      { ...ctx, tx, clock: fixedClock(now) },
      { action: "learner.erase", targetId: tombstone, before: null, after: { auditRowsMasked: auditMasked } },
    );
    await tx
      .update(learners)
      .set({ externalId: tombstone, name: null, email: null, emailHash: null, erasedAt: erasure.at })
      .where(eq(learners.id, learner.id));
    return {
      erasedAt: now.toISOString(),
      codesDisabled: disabled.length,
      vanityCodesErased: vanity.length,
      storiesWithdrawn: withdrawn.length,
      signalsDeleted: signals.length,
      clicksScrubbed: clicksScrubbed.length,
      conversionsScrubbed: conversionIds.length,
      webhookEventsScrubbed: events.length,
      mailSuppressed: mail.length,
      connectorEventsDropped: pending.length,
      friendCouponsErased: friendCodes.length,
    };
  });
  // Their videos and posters leave the media store once the erasure is committed (the store is
  // not transactional; the columns that named them are already cleared, so nothing serves them).
  for (const story of videos) await deleteStoryVideo(ctx, story);
  await forgetPhotoCopies(ctx, photoCopies);
  return receipt;
}
