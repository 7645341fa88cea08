/**
 * The demo history's visits, day by day: the program grows over the six weeks, weekends are
 * quieter, most visits come in the Indian evening, and some friends go on to sign up, enrol and
 * finish. Planned here in memory (every figure from the seeded PRNG, in a fixed order), then
 * stored through the services by demo/history.ts.
 */
import { newClickId } from "../server/lib/ids.ts";
import type { ClickRow } from "../server/services/click-writer.ts";
import type { ConversionInput } from "../server/services/conversion-input.ts";
import type { Learner, Workspace } from "../server/services/types.ts";
import { ipHash, visitorHash } from "../server/services/visitors.ts";
import { advocates, friendCustomer, pickIndex, userAgents } from "./advocates.ts";
import type { Random } from "./random.ts";

export const dayMs = 86_400_000;
export const historyDays = 42;

/** What every part of the history shares: where it happens, its six weeks, and the one PRNG. */
export type HistoryContext = {
  workspace: Workspace;
  secret: string;
  random: Random;
  /** The history's first and last moment (ms); `end` is the seed's "now". */
  start: number;
  end: number;
  /** Each course's list price, in paise. */
  price: Map<string, number>;
};

/** An advocate's learner and referral code. */
export type AdvocateLink = { learner: Learner; codeId: string; code: string; course: string };
/** An approved story of an advocate, which their later clicks may carry. */
export type AdvocateStory = { id: string; approvedAt: number };
/** A conversion the provider's server will report, at `at`. */
export type Planned = { at: number; input: ConversionInput };
export type PlannedShare = { learner: Learner; code: { id: string; course: string }; channel: string; at: number };

export type Visits = {
  clicks: (ClickRow & { id: string })[];
  shares: PlannedShare[];
  /** What the friends who clicked went on to do. */
  planned: Planned[];
  /** The next free customer number (friends are numbered from 1000). */
  nextCustomer: number;
};

/** Milliseconds into a UTC day, most of them in the Indian evening (13:00–18:00 UTC). */
function visitTime(random: Random): number {
  const hour = random.next() < 0.6 ? random.int(12, 17) : random.int(3, 20);
  return hour * 3_600_000 + random.int(0, 3_599_999);
}

/** Every visit of the six weeks, with the share that preceded some and what each friend did next. */
export function planVisits(
  h: HistoryContext,
  links: Map<string, AdvocateLink>,
  stories: Map<string, AdvocateStory>,
): Visits {
  const { random, workspace, secret } = h;
  const visits: Visits = { clicks: [], shares: [], planned: [], nextCustomer: 1000 };
  const totalPull = advocates.reduce((sum, advocate) => sum + advocate.pull, 0);
  for (let day = 0; day < historyDays; day++) {
    const dayStart = h.start + day * dayMs;
    const weekday = new Date(dayStart).getUTCDay();
    const volume = Math.round(
      (8 + day * 0.45) * (weekday === 0 || weekday === 6 ? 0.7 : 1) * (0.8 + random.next() * 0.4),
    );
    for (let n = 0; n < volume; n++) {
      const advocate = advocates[pickIndex(random, totalPull)]!;
      const link = links.get(advocate.sub)!;
      const at = dayStart + visitTime(random);
      if (at >= h.end) continue;
      const channel = random.weighted(advocate.channels);
      const story = stories.get(advocate.sub);
      const storyId = story && story.approvedAt < at && random.next() < 0.25 ? story.id : null;
      const ip = `203.0.${113 + (n % 3)}.${random.int(1, 254)}`;
      const userAgent = random.pick(userAgents);
      const clickId = newClickId(at);
      // The loader's first-party visitor id, for the browsers that allowed storage.
      const visitorId = random.next() < 0.6 ? `v_${crypto.randomUUID().replaceAll("-", "")}` : null;
      visits.clicks.push({
        id: clickId,
        workspaceId: workspace.id,
        codeId: link.codeId,
        learnerId: link.learner.id,
        course: link.course,
        channel,
        storyId,
        visitorHash: visitorHash(
          { secret },
          { workspaceId: workspace.id, visitor: { ip, userAgent }, now: new Date(at) },
        ),
        ipHash: ipHash({ secret }, { workspaceId: workspace.id, visitor: { ip, userAgent }, now: new Date(at) }),
        visitorId,
        country: random.weighted(advocate.countries),
        source: visitorId && random.next() < 0.15 ? "beacon" : "redirect",
        isBot: false,
        createdAt: at,
      });
      if (channel !== "direct" && random.next() < 0.3) {
        visits.shares.push({
          learner: link.learner,
          code: { id: link.codeId, course: link.course },
          channel: channel === "copy" && random.next() < 0.3 ? "native" : channel,
          at: at - random.int(10, 300) * 60_000,
        });
      }
      planFriend(h, visits.planned, { clickId, code: link.code, course: advocate.course, at }, visits.nextCustomer);
      visits.nextCustomer++;
    }
  }
  return visits;
}

/** What became of one click: most friends only look; some sign up, fewer enrol, fewer finish. */
function planFriend(
  h: HistoryContext,
  planned: Planned[],
  visit: { clickId: string; code: string; course: string; at: number },
  customerNumber: number,
) {
  const { random } = h;
  if (random.next() >= 0.17) return;
  const customer = friendCustomer(random, customerNumber);
  // Most checkouts pass the click id on; a few friends typed the code instead.
  const referral = random.next() < 0.88 ? { clickId: visit.clickId } : { code: visit.code };
  const signedUp = visit.at + random.int(5, 60 * 48) * 60_000;
  if (signedUp >= h.end) return;
  const id = `sb-f${customerNumber}`;
  planned.push({ at: signedUp, input: { id: `${id}-signup`, type: "signup", customer, ...referral } });
  if (random.next() >= 0.48) return;
  const enrolled = signedUp + random.int(1, 24 * 9) * 3_600_000;
  if (enrolled >= h.end) return;
  const amount = Math.round(((h.price.get(visit.course) ?? 0) * 0.9) / 100) * 100;
  planned.push({
    at: enrolled,
    input: {
      id: `${id}-order`,
      type: "enrollment",
      customer,
      course: visit.course,
      amount,
      currency: "INR",
      ...referral,
    },
  });
  // A friend who enrolled early enough may already have finished (the fast track takes 3–5 weeks).
  const completed = enrolled + random.int(21, 35) * dayMs;
  if (completed >= h.end || random.next() >= 0.7) return;
  planned.push({ at: completed, input: { id: `${id}-done`, type: "completion", customer, course: visit.course } });
}

/** Learners who found the courses on their own: unattributed, as most enrolments are. */
export function planOrganicLearners(h: HistoryContext, visits: Visits, catalog: readonly { slug: string }[]) {
  const { random } = h;
  for (let n = 0; n < 30; n++) {
    const at = h.start + random.int(0, historyDays * 24 - 2) * 3_600_000;
    const course = random.pick(catalog).slug;
    const customer = friendCustomer(random, visits.nextCustomer++);
    visits.planned.push({ at, input: { id: `sb-org-${n}-signup`, type: "signup", customer } });
    if (random.next() < 0.4) {
      const enrolledAt = Math.min(at + random.int(1, 96) * 3_600_000, h.end - 60_000);
      visits.planned.push({
        at: enrolledAt,
        input: {
          id: `sb-org-${n}-order`,
          type: "enrollment",
          customer,
          course,
          amount: h.price.get(course),
          currency: "INR",
        },
      });
    }
  }
}

/**
 * Two that the fraud rules catch: Rohan enrolling a second account with his own email, and a
 * throwaway address on Ananya's link. Both stay attributed, with rewards held for review.
 */
export function planFraudCases(h: HistoryContext, visits: Visits, links: Map<string, AdvocateLink>) {
  const rohan = advocates[1]!;
  const rohanLearner = links.get(rohan.sub)?.learner.id;
  const rohanClick = visits.clicks.find(
    (row) => row.learnerId === rohanLearner && row.createdAt > h.start + 20 * dayMs,
  );
  if (rohanClick) {
    visits.planned.push({
      at: rohanClick.createdAt + 2 * 3_600_000,
      input: {
        id: "sb-selfref-order",
        type: "enrollment",
        customer: { id: "sb-cust-rohan2", name: "Rohan M", email: rohan.email },
        course: rohan.course,
        amount: h.price.get(rohan.course),
        currency: "INR",
        clickId: rohanClick.id,
      },
    });
  }
  visits.planned.push({
    at: h.end - 4 * dayMs,
    input: {
      id: "sb-throwaway-signup",
      type: "signup",
      customer: { id: "sb-cust-throwaway", email: "freecourse@mailinator.com" },
      code: links.get(advocates[0]!.sub)!.code,
    },
  });
}
