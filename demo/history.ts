/**
 * Six weeks of history for the demo workspace, made once when `npm start` creates it, so the
 * story walls, outcome statistics and dashboard have something true to show. Everything goes
 * through the real services (learners, codes, clicks with their rollups, shares, conversions with
 * attribution, fraud checks and rewards, stories with their verification) with the clock set in
 * the past.
 *
 * Deterministic: one seeded PRNG decides every figure, drawn in a fixed order by the steps below,
 * so each fresh demo tells the same story (ids and codes are still random, as they are in
 * production). The demo learner `demo-priya` only has her own past enrolment and completion: the
 * browser test counts her referrals from zero.
 */
import type { Db } from "../db/index.ts";
import { insertClicks } from "../server/services/click-writer.ts";
import { fixedClock } from "../server/services/clock.ts";
import type { ConversionInput } from "../server/services/conversion-input.ts";
import { recordConversion } from "../server/services/conversions.ts";
import { upsertLearner } from "../server/services/learners.ts";
import { unconfiguredMediaStore } from "../server/services/media-store.ts";
import { codeForLearner } from "../server/services/referrals.ts";
import { approveDueRewards, changeReward, listRewards, type RewardJson } from "../server/services/rewards.ts";
import { recordShare } from "../server/services/shares.ts";
import { createStory, moderateStory } from "../server/services/stories.ts";
import type { Learner, SecretContext, Workspace, WorkspaceContext } from "../server/services/types.ts";
import { advocates, ascii, userAgents } from "./advocates.ts";
import { demoCatalog } from "./catalog.ts";
import type { DemoIssuer } from "./credentials.ts";
import { seededRandom } from "./random.ts";
import { storySeeds } from "./story-seeds.ts";
import {
  type AdvocateLink,
  type AdvocateStory,
  dayMs,
  type HistoryContext,
  historyDays,
  type Planned,
  planFraudCases,
  planOrganicLearners,
  planVisits,
  type Visits,
} from "./visits.ts";

export type DemoHistorySummary = {
  learners: number;
  clicks: number;
  shares: number;
  conversions: number;
  stories: number;
};

/** The history being written: the shared context, the database, and what was reported so far. */
type History = HistoryContext & { db: Db; conversions: number };

/** Fills a newly made demo workspace with six weeks of believable, fully attributed history. */
export async function createDemoHistory(
  db: Db,
  options: { workspace: Workspace; secret: string; now: Date; issuer?: DemoIssuer; origin?: string },
): Promise<DemoHistorySummary> {
  const end = options.now.getTime();
  const h: History = {
    db,
    workspace: options.workspace,
    secret: options.secret,
    random: seededRandom(7_2026),
    start: end - historyDays * dayMs,
    end,
    price: new Map(demoCatalog.map((course) => [course.slug, course.price])),
    conversions: 0,
  };
  await priyasOwnCourse(h);
  const links = await advocatesWithCodes(h);
  const stories = await storiesTold(h, links, options.issuer, options.origin ?? "");
  const visits = planVisits(h, links, stories);
  await storeVisits(h, visits);
  planOrganicLearners(h, visits, demoCatalog);
  planFraudCases(h, visits, links);
  await reportConversions(h, visits.planned);
  await settleRewards(h);
  return {
    learners: links.size,
    clicks: visits.clicks.length,
    shares: visits.shares.length,
    conversions: h.conversions,
    stories: storySeeds.length,
  };
}

/** The demo workspace's services with the clock set to `at`. */
function servicesAt(h: History, at: number): WorkspaceContext & SecretContext {
  return { db: h.db, workspace: h.workspace, secret: h.secret, clock: fixedClock(at) };
}

/** The provider's server reports a conversion a few seconds after it happens. */
function report(h: History, at: number, input: ConversionInput) {
  h.conversions++;
  return recordConversion(servicesAt(h, Math.min(at + 5_000, h.end)), input);
}

/**
 * Priya, the demo's signed-in learner, finished Data Analytics a while ago (her own purchase,
 * referred by nobody): her story is provider-attested. She has referred no one yet.
 */
async function priyasOwnCourse(h: History) {
  const customer = { id: "demo-priya", name: "Priya Sharma", email: "priya@example.com" };
  const joined = h.start - 150 * dayMs;
  const done = joined + 95 * dayMs;
  const course = "data-analytics";
  await report(h, joined, {
    id: "sb-priya-order",
    type: "enrollment",
    customer,
    course,
    amount: h.price.get(course),
    currency: "INR",
    occurredAt: new Date(joined).toISOString(),
  });
  await report(h, done, {
    id: "sb-priya-done",
    type: "completion",
    customer,
    course,
    occurredAt: new Date(done).toISOString(),
  });
}

/**
 * Advocates: alumni who finished a course months ago (the provider reported it then), so their
 * stories are provider-attested, and who share their links now.
 */
async function advocatesWithCodes(h: History): Promise<Map<string, AdvocateLink>> {
  const { db, workspace, random } = h;
  const links = new Map<string, AdvocateLink>();
  for (const [index, advocate] of advocates.entries()) {
    const joined = h.start - random.int(120, 320) * dayMs;
    const learner = await upsertLearner(servicesAt(h, joined), {
      sub: advocate.sub,
      name: advocate.name,
      email: advocate.email,
    });
    const weeks = demoCatalog.find((course) => course.slug === advocate.course)?.weeks ?? 10;
    const customer = { id: advocate.sub, name: advocate.name, email: advocate.email };
    const { course } = advocate;
    const alumni: Planned[] = [
      { at: joined, input: { id: `sb-alum-${index}-signup`, type: "signup", customer } },
      {
        at: joined + dayMs,
        input: {
          id: `sb-alum-${index}-order`,
          type: "enrollment",
          customer,
          course,
          amount: h.price.get(course),
          currency: "INR",
        },
      },
      {
        at: joined + (weeks * 7 + random.int(3, 20)) * dayMs,
        input: { id: `sb-alum-${index}-done`, type: "completion", customer, course },
      },
    ];
    for (const { at, input } of alumni) await report(h, at, { ...input, occurredAt: new Date(at).toISOString() });
    const madeAt = new Date(h.start - random.int(1, 3) * dayMs);
    const code = await codeForLearner({ db, workspace, clock: fixedClock(madeAt) }, { learner, course });
    links.set(advocate.sub, { learner, codeId: code.id, code: code.code, course: code.course });
  }
  return links;
}

/**
 * Stories, told and approved during the six weeks. An advocate's story can be shared with their
 * link (`?s=`), so some of their clicks carry it.
 */
/** The demo's stories carry no photo: nothing is stored, and a write would be refused. */
const noMedia = unconfiguredMediaStore("the demo data keeps no media");

async function storiesTold(
  h: History,
  links: Map<string, AdvocateLink>,
  issuer: DemoIssuer | undefined,
  origin: string,
): Promise<Map<string, AdvocateStory>> {
  const { db, secret, workspace, random } = h;
  // Each story is told, and approved, at its own moment of the history.
  const told = new Map<string, AdvocateStory>();
  for (const [index, seed] of storySeeds.entries()) {
    const advocate = advocates.find((item) => item.sub === seed.author);
    const name = advocate?.name ?? seed.author;
    const createdAt = advocate
      ? h.start + random.int(1, 12) * dayMs + random.int(0, 12) * 3_600_000
      : h.start + random.int(2, historyDays - 3) * dayMs;
    let learner: Learner | null = advocate ? (links.get(advocate.sub)?.learner ?? null) : null;
    let email = advocate?.email;
    if (!learner && seed.linked) {
      const identity = { sub: `sb-alumni-${index}`, name, email: `${ascii(name)}@example.com` };
      email = identity.email;
      learner = await upsertLearner(servicesAt(h, createdAt), identity);
    }
    // The provider's own certificate, issued to the author's email a few days before the story.
    const credential =
      issuer && seed.credential && email
        ? await issuer.issue({
            email,
            achievement: demoCatalog.find((course) => course.slug === seed.course)?.title ?? seed.course,
            course: seed.course,
            awardedAt: new Date(createdAt - 3 * dayMs),
            origin,
          })
        : null;
    const { story } = await createStory(
      // A credential from the demo's did:key issuer is checked offline: nothing is fetched.
      {
        db,
        secret,
        workspace,
        media: noMedia,
        clock: fixedClock(createdAt),
        fetch: () => Promise.reject(new Error("the demo data fetches nothing")),
      },
      {
        learner,
        learnerEmail: credential ? email : undefined,
        ...(credential ? { credential: { json: credential } } : {}),
        fields: {
          course: seed.course,
          name,
          headline: seed.headline,
          body: seed.body,
          rating: seed.rating,
          outcome: { type: seed.outcome, salaryIncreasePct: seed.pct ?? null, monthsToOutcome: seed.months ?? null },
          consent: {
            publish: true,
            name: seed.consentName ?? true,
            photo: false,
            salary: seed.pct !== undefined && (seed.consentSalary ?? true),
          },
        },
        visitor: { ip: `198.51.100.${index + 10}`, userAgent: userAgents[0]!, country: null },
      },
    );
    if (seed.status === "pending") continue;
    const approvedAt = Math.min(createdAt + random.int(3, 30) * 3_600_000, h.end - 3_600_000);
    const decision = { status: "approved" as const, featured: seed.featured ?? false };
    // No photo consent, so approval fetches nothing.
    const fetchNothing = () => Promise.reject(new Error("the demo data fetches nothing"));
    await moderateStory(
      { db, workspace, clock: fixedClock(approvedAt), fetch: fetchNothing, media: noMedia },
      { id: story.id, ...decision },
    );
    if (advocate) told.set(advocate.sub, { id: story.id, approvedAt });
  }
  return told;
}

/** Clicks as the redirect's writer stores them (with their rollups), and shares as the card does. */
async function storeVisits(h: History, visits: Visits) {
  for (let i = 0; i < visits.clicks.length; i += 500)
    await insertClicks({ db: h.db }, { rows: visits.clicks.slice(i, i + 500) });
  for (const share of visits.shares)
    await recordShare(
      { db: h.db, clock: fixedClock(share.at) },
      { learner: share.learner, code: share.code, channel: share.channel },
    );
}

/**
 * Every planned conversion in time order, as the provider would have reported them (attribution
 * is sticky and rewards are one set per friend, so the order matters); then one referred friend
 * asks for a refund a week later, which voids the rewards it caused.
 */
async function reportConversions(h: History, planned: Planned[]) {
  planned.sort((a, b) => a.at - b.at);
  const enrolmentIds: string[] = [];
  for (const { at, input } of planned) {
    const result = await report(h, at, { ...input, occurredAt: new Date(at).toISOString() });
    if (input.type === "enrollment" && result.body.attribution.status === "attributed" && at < h.end - 20 * dayMs)
      enrolmentIds.push(input.id);
  }
  const refunded = enrolmentIds[Math.floor(enrolmentIds.length / 2)];
  const original = planned.find((item) => item.input.id === refunded);
  if (!refunded || !original) return;
  const at = original.at + 6 * dayMs;
  await report(h, at, {
    id: `${refunded}-refund`,
    type: "refund",
    customer: original.input.customer,
    course: original.input.course,
    amount: original.input.amount,
    currency: "INR",
    refundOf: refunded,
    occurredAt: new Date(at).toISOString(),
  });
}

/** Rewards whose hold ended are approved; most of those approved long ago were paid out. */
async function settleRewards(h: History) {
  const { workspace, random } = h;
  const atEnd = servicesAt(h, h.end);
  await approveDueRewards(atEnd, { workspaceId: workspace.id });
  const approved: RewardJson[] = [];
  let cursor: string | null = null;
  do {
    const page = await listRewards(atEnd, { status: "approved", cursor: cursor ?? undefined, limit: 500 });
    approved.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const old = approved
    .filter((reward) => Date.parse(reward.createdAt) < h.end - 24 * dayMs)
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.side.localeCompare(b.side));
  for (const reward of old) {
    if (random.next() < 0.7)
      await changeReward(servicesAt(h, h.end - random.int(1, 5) * dayMs), { rewardId: reward.id, action: "issue" });
  }
}
