/**
 * Six weeks of history for the demo workspace, made once when `npm start` creates it, so the
 * story walls, outcome statistics and dashboard have something true to show. Everything goes
 * through the real services (learners, codes, conversions with attribution, fraud checks and
 * rewards, stories with their verification) with the clock set in the past; only clicks and share
 * events are inserted as rows, exactly as the redirect and the card would write them (clicks
 * through insertClicks, which keeps their rollups, as the redirect's writer does).
 *
 * Deterministic: one seeded PRNG decides every figure, so each fresh demo tells the same story
 * (ids and codes are still random, as they are in production). The demo learner `demo-priya`
 * only has her own past enrolment and completion: the browser test counts her referrals from zero.
 */
import { and, asc, eq, lt } from "drizzle-orm";
import { demoCatalog } from "../demo/catalog.ts";
import { newClickId, newId } from "../server/lib/ids.ts";
import { type ClickRow, insertClicks } from "../server/services/click-writer.ts";
import type { ConversionInput } from "../server/services/conversion-input.ts";
import { recordConversion } from "../server/services/conversions.ts";
import { upsertLearner } from "../server/services/learners.ts";
import { codeForLearner } from "../server/services/referrals.ts";
import { approveDueRewards, changeReward } from "../server/services/rewards.ts";
import { createStory, moderateStory, type OutcomeType } from "../server/services/stories.ts";
import type { Learner, Workspace } from "../server/services/types.ts";
import { ipHash, visitorHash } from "../server/services/visitors.ts";
import type { Db } from "./index.ts";
import { rewards, shareEvents } from "./schema.ts";

const dayMs = 86_400_000;
const historyDays = 42;

/** mulberry32: small, fast and good enough to make believable numbers repeatably. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const weighted = <T extends string>(weights: Readonly<Record<T, number>>): T => {
    const entries = Object.entries(weights) as [T, number][];
    let roll = next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll <= 0) return value;
    }
    return entries[entries.length - 1]![0];
  };
  return { next, int, pick, weighted };
}
type Random = ReturnType<typeof seededRandom>;

type Channel = "whatsapp" | "linkedin" | "x" | "facebook" | "telegram" | "email" | "sms" | "copy" | "qr" | "direct";
const indiaChannels: Record<Channel, number> = {
  whatsapp: 38,
  linkedin: 18,
  copy: 10,
  telegram: 7,
  x: 5,
  facebook: 6,
  email: 5,
  sms: 4,
  qr: 3,
  direct: 4,
};
const globalChannels: Record<Channel, number> = {
  linkedin: 30,
  whatsapp: 16,
  x: 12,
  email: 12,
  copy: 10,
  facebook: 7,
  telegram: 4,
  sms: 2,
  qr: 3,
  direct: 4,
};

type Advocate = {
  sub: string;
  name: string;
  email: string;
  course: string;
  /** Relative share of the program's clicks: a few advocates bring most of them. */
  pull: number;
  /** Where their friends are. */
  countries: Record<string, number>;
  channels: Record<Channel, number>;
};

const advocates: Advocate[] = [
  ["sb-ananya", "Ananya Iyer", "data-analytics", 20, { IN: 90, AE: 5, US: 5 }, indiaChannels],
  ["sb-rohan", "Rohan Mehta", "data-analytics", 14, { IN: 85, GB: 5, SG: 5, US: 5 }, indiaChannels],
  ["sb-fatima", "Fatima Sheikh", "digital-marketing", 11, { IN: 70, AE: 20, SA: 10 }, indiaChannels],
  ["sb-arjun", "Arjun Reddy", "python-for-ai", 10, { IN: 80, US: 15, DE: 5 }, indiaChannels],
  ["sb-meera", "Meera Krishnan", "data-analytics", 9, { IN: 95, SG: 5 }, indiaChannels],
  ["sb-daniel", "Daniel Okafor", "data-analytics", 8, { NG: 60, GB: 20, KE: 10, IN: 10 }, globalChannels],
  ["sb-sofia", "Sofia Martínez", "digital-marketing", 6, { ES: 40, MX: 30, US: 20, IN: 10 }, globalChannels],
  ["sb-kabir", "Kabir Singh", "python-for-ai", 6, { IN: 85, CA: 15 }, indiaChannels],
  ["sb-aisha", "Aisha Rahman", "data-analytics", 5, { AE: 55, IN: 35, GB: 10 }, indiaChannels],
  ["sb-wei", "Wei Chen", "python-for-ai", 4, { SG: 60, MY: 20, IN: 20 }, globalChannels],
  ["sb-neha", "Neha Gupta", "digital-marketing", 4, { IN: 100 }, indiaChannels],
  ["sb-tom", "Tom Whitaker", "data-analytics", 3, { GB: 70, IE: 15, IN: 15 }, globalChannels],
].map(([sub, name, course, pull, countries, channels]) => ({
  sub: sub as string,
  name: name as string,
  email: `${(name as string)
    .normalize("NFD")
    .replace(/[^\x20-\x7e]/g, "")
    .toLowerCase()
    .replace(" ", ".")}@example.com`,
  course: course as string,
  pull: pull as number,
  countries: countries as Record<string, number>,
  channels: channels as Record<Channel, number>,
}));

type StorySeed = {
  course: string;
  /** An advocate's sub (their completion makes the story provider-attested), or a name. */
  author: string;
  headline: string;
  body: string;
  rating: number;
  outcome: OutcomeType;
  pct?: number;
  months?: number;
  consentName?: boolean;
  consentSalary?: boolean;
  featured?: boolean;
  status?: "approved" | "pending";
  /** Posted with a learner token (the learner exists, but no completion was reported). */
  linked?: boolean;
};

const storySeeds: StorySeed[] = [
  {
    course: "data-analytics",
    author: "sb-ananya",
    headline: "Promoted to Senior Analyst within four months",
    body: "I was the person who built the monthly Excel reports by hand. After the SQL and Power BI modules I automated all of it, and my manager asked me to lead our analytics for the warehouse network. The capstone on delivery delays became the first dashboard our operations head opens every morning.",
    rating: 5,
    outcome: "promotion",
    pct: 28,
    months: 4,
    featured: true,
  },
  {
    course: "data-analytics",
    author: "sb-rohan",
    headline: "From accounts executive to data analyst at a fintech",
    body: "Three years of reconciliations taught me the data; this course taught me what to do with it. I showed my capstone portfolio in every interview and got two offers. The mock stakeholder presentations helped more than I expected.",
    rating: 5,
    outcome: "new_job",
    pct: 45,
    months: 3,
  },
  {
    course: "data-analytics",
    author: "sb-meera",
    headline: "I left teaching for analytics, and I still get to explain things",
    body: "I taught maths for nine years. Evenings and weekends for twelve weeks were hard with two children, but the mentors replied the same day every time. I now analyse learning data for an ed-tech company.",
    rating: 5,
    outcome: "career_switch",
    pct: 60,
    months: 6,
    featured: true,
  },
  {
    course: "data-analytics",
    author: "sb-daniel",
    headline: "A raise after automating our sales reporting",
    body: "I work remotely for a distribution company. The SQL modules were practical from week one: I rebuilt our weekly sales report so it refreshes itself, and it was mentioned in my review.",
    rating: 4,
    outcome: "salary_increase",
    pct: 22,
    months: 2,
  },
  {
    course: "data-analytics",
    author: "sb-aisha",
    headline: "New role in Dubai as a business intelligence analyst",
    body: "The Power BI projects were what recruiters asked about. I would have liked more on Python, but for a BI role this was exactly right.",
    rating: 4,
    outcome: "new_job",
    pct: 35,
    months: 5,
    consentSalary: false,
  },
  {
    course: "data-analytics",
    author: "sb-tom",
    headline: "Now leading the reporting team I joined two years ago",
    body: "I knew spreadsheets well but not how to tell a story with data. The storytelling module changed how I present to our directors, and that is what got me the team lead role.",
    rating: 5,
    outcome: "promotion",
    pct: 18,
    months: 3,
  },
  {
    course: "data-analytics",
    author: "Sneha Patil",
    headline: "A 30% raise after taking over our retail dashboards",
    body: "My company paid for the course. I now own the dashboards for forty stores, and my appraisal reflected it.",
    rating: 5,
    outcome: "salary_increase",
    pct: 30,
    months: 4,
    linked: true,
  },
  {
    course: "data-analytics",
    author: "Vikram Nair",
    headline: "Hired as a junior data analyst after a year of trying",
    body: "I had applied for months without replies. The portfolio projects gave me something concrete to show, and the interview preparation sessions made the difference.",
    rating: 4,
    outcome: "new_job",
    pct: 40,
    months: 4,
  },
  {
    course: "data-analytics",
    author: "Lucas Ferreira",
    headline: "Promoted to analytics lead for our logistics team",
    body: "The course is demanding but well organised. Modelling data properly in SQL saved our team hours every week.",
    rating: 4,
    outcome: "promotion",
    pct: 15,
    months: 5,
  },
  {
    course: "data-analytics",
    author: "Pooja Desai",
    headline: "I started my own analytics consultancy for small businesses",
    body: "Three local retailers now pay me to build and maintain their sales dashboards. The course gave me the skills and the confidence to charge for them.",
    rating: 5,
    outcome: "started_business",
    pct: 50,
    months: 6,
    linked: true,
  },
  {
    course: "data-analytics",
    author: "Hannah Schmidt",
    headline: "Finally comfortable with SQL",
    body: "I took the course to stop depending on our data team for every question. I can now answer most of them myself.",
    rating: 4,
    outcome: "skills",
    months: 1,
    consentName: false,
  },
  {
    course: "data-analytics",
    author: "Imran Qureshi",
    headline: "A raise for building our first customer churn analysis",
    body: "I applied the cohort analysis from the course to our subscription data. Leadership used it to change our renewal offers, and I was rewarded for it.",
    rating: 5,
    outcome: "salary_increase",
    pct: 25,
    months: 3,
  },
  {
    course: "digital-marketing",
    author: "sb-fatima",
    headline: "Promoted to performance marketing manager",
    body: "I ran our social accounts without really measuring anything. After the funnel and paid search modules I cut our cost per lead by a third, and I now manage the whole paid budget.",
    rating: 5,
    outcome: "promotion",
    pct: 20,
    months: 3,
    featured: true,
  },
  {
    course: "digital-marketing",
    author: "Karthik Rao",
    headline: "Launched a small digital agency for local restaurants",
    body: "I now run search and social campaigns for six restaurants in Hyderabad. The course templates for campaign plans are still what I use with every new client.",
    rating: 4,
    outcome: "started_business",
    months: 4,
  },
  {
    course: "python-for-ai",
    author: "sb-arjun",
    headline: "Machine learning engineer at a health-tech startup",
    body: "I was a backend developer curious about ML. Deploying a model behind an API in the final project was exactly what my new team needed, and I talked about it in every interview.",
    rating: 5,
    outcome: "new_job",
    pct: 55,
    months: 5,
  },
  {
    course: "python-for-ai",
    author: "Grace Mwangi",
    headline: "From lab technician to data scientist",
    body: "Python felt impossible at first. The exercises build up slowly and the forum is friendly. I switched careers six months after finishing.",
    rating: 5,
    outcome: "career_switch",
    pct: 40,
    months: 6,
  },
  {
    course: "data-analytics",
    author: "Nikhil Bose",
    headline: "Better at Excel and SQL than I ever was",
    body: "Good course. I use the pivot table and SQL tricks every week at work.",
    rating: 4,
    outcome: "skills",
    status: "pending",
  },
  {
    course: "python-for-ai",
    author: "Olivia Brown",
    headline: "My first model in production",
    body: "Our team now uses a classifier I trained on the course to route support tickets.",
    rating: 5,
    outcome: "skills",
    months: 2,
    status: "pending",
  },
];

const firstNames = [
  "Aarav",
  "Diya",
  "Ishaan",
  "Kavya",
  "Vihaan",
  "Saanvi",
  "Aditya",
  "Anika",
  "Rahul",
  "Shreya",
  "Siddharth",
  "Tanvi",
  "Varun",
  "Nisha",
  "Amit",
  "Lakshmi",
  "Harpreet",
  "Zoya",
  "Farhan",
  "Divya",
  "Manoj",
  "Riya",
  "Suresh",
  "Gayatri",
  "James",
  "Emma",
  "Chinedu",
  "Amara",
  "Carlos",
  "Lucía",
  "Mei",
  "Omar",
  "Noura",
  "Liam",
  "Chloe",
  "Yusuf",
];
const lastNames = [
  "Sharma",
  "Verma",
  "Patel",
  "Nair",
  "Menon",
  "Joshi",
  "Kulkarni",
  "Banerjee",
  "Chatterjee",
  "Das",
  "Pillai",
  "Agarwal",
  "Kapoor",
  "Malhotra",
  "Bhat",
  "Hegde",
  "Khan",
  "Ali",
  "Smith",
  "Johnson",
  "Adeyemi",
  "García",
  "Tan",
  "Lim",
  "Haddad",
  "O'Brien",
];

const ascii = (text: string) =>
  text
    .normalize("NFD")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();

const userAgents = [
  "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
];

export type DemoDataSummary = {
  learners: number;
  clicks: number;
  shares: number;
  conversions: number;
  stories: number;
};

type Planned = { at: number; input: ConversionInput };

/** Fills a newly made demo workspace with six weeks of believable, fully attributed history. */
export async function createDemoData(
  db: Db,
  options: { workspace: Workspace; secret: string; now: Date },
): Promise<DemoDataSummary> {
  const { workspace, secret } = options;
  const end = options.now.getTime();
  const start = end - historyDays * dayMs;
  const random = seededRandom(7_2026);
  const price = new Map(demoCatalog.map((course) => [course.slug, course.price]));
  const when = (at: number) => new Date(at);
  let conversionCount = 0;
  const post = async (at: number, input: ConversionInput) => {
    conversionCount++;
    // The provider's server reports a conversion a few seconds after it happens.
    return recordConversion(db, secret, workspace, input, when(Math.min(at + 5_000, end)));
  };

  // Priya, the demo's signed-in learner, finished Data Analytics a while ago (her own purchase,
  // referred by nobody): her story is provider-attested. She has referred no one yet.
  const priya = { id: "demo-priya", name: "Priya Sharma", email: "priya@example.com" };
  const priyaJoined = start - 150 * dayMs;
  await post(priyaJoined, {
    id: "sb-priya-order",
    type: "enrollment",
    customer: priya,
    course: "data-analytics",
    amount: price.get("data-analytics"),
    currency: "INR",
    occurredAt: when(priyaJoined).toISOString(),
  });
  await post(priyaJoined + 95 * dayMs, {
    id: "sb-priya-done",
    type: "completion",
    customer: priya,
    course: "data-analytics",
    occurredAt: when(priyaJoined + 95 * dayMs).toISOString(),
  });

  // Advocates: alumni who finished a course months ago (the provider reported it then), so
  // their stories are provider-attested, and who share their links now.
  const learnerBySub = new Map<string, Learner>();
  const codeBySub = new Map<string, { id: string; code: string; course: string; learnerId: string }>();
  for (const [index, advocate] of advocates.entries()) {
    const joined = start - random.int(120, 320) * dayMs;
    const learner = await upsertLearner(
      db,
      secret,
      workspace,
      { sub: advocate.sub, name: advocate.name, email: advocate.email },
      when(joined),
    );
    learnerBySub.set(advocate.sub, learner);
    const weeks = demoCatalog.find((course) => course.slug === advocate.course)?.weeks ?? 10;
    const customer = { id: advocate.sub, name: advocate.name, email: advocate.email };
    const alumni: Planned[] = [
      { at: joined, input: { id: `sb-alum-${index}-signup`, type: "signup", customer } },
      {
        at: joined + dayMs,
        input: {
          id: `sb-alum-${index}-order`,
          type: "enrollment",
          customer,
          course: advocate.course,
          amount: price.get(advocate.course),
          currency: "INR",
        },
      },
      {
        at: joined + (weeks * 7 + random.int(3, 20)) * dayMs,
        input: { id: `sb-alum-${index}-done`, type: "completion", customer, course: advocate.course },
      },
    ];
    for (const { at, input } of alumni) await post(at, { ...input, occurredAt: when(at).toISOString() });
    const code = await codeForLearner(db, workspace, learner, advocate.course, when(start - random.int(1, 3) * dayMs));
    codeBySub.set(advocate.sub, {
      id: code.id,
      code: code.code,
      course: code.course,
      learnerId: learner.id,
    });
  }

  // Stories, told and approved during the six weeks. An advocate's story can be shared with
  // their link (`?s=`), so some clicks below carry it.
  const storyBySub = new Map<string, { id: string; approvedAt: number }>();
  let storyCount = 0;
  for (const [index, seed] of storySeeds.entries()) {
    const advocate = advocates.find((item) => item.sub === seed.author);
    const name = advocate?.name ?? seed.author;
    const createdAt = advocate
      ? start + random.int(1, 12) * dayMs + random.int(0, 12) * 3_600_000
      : start + random.int(2, historyDays - 3) * dayMs;
    let learner: Learner | null = advocate ? (learnerBySub.get(advocate.sub) ?? null) : null;
    if (!learner && seed.linked) {
      learner = await upsertLearner(
        db,
        secret,
        workspace,
        { sub: `sb-alumni-${index}`, name, email: `${ascii(name)}@example.com` },
        when(createdAt),
      );
    }
    const { story } = await createStory(db, {
      workspace,
      learner,
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
      visitorHash: visitorHash(secret, workspace.id, `198.51.100.${index + 10}`, userAgents[0]!, when(createdAt)),
      // No credential is attached, so nothing is fetched.
      fetch: () => Promise.reject(new Error("the demo data fetches nothing")),
      now: when(createdAt),
    });
    storyCount++;
    if (seed.status === "pending") continue;
    const approvedAt = Math.min(createdAt + random.int(3, 30) * 3_600_000, end - 3_600_000);
    await moderateStory(
      db,
      workspace.id,
      story.id,
      { status: "approved", featured: seed.featured ?? false },
      when(approvedAt),
    );
    if (advocate) storyBySub.set(advocate.sub, { id: story.id, approvedAt });
  }

  // Clicks and shares, day by day: the program grows over the six weeks, weekends are quieter,
  // and most visits come in the Indian evening.
  const clickRows: (ClickRow & { id: string })[] = [];
  const shareRows: (typeof shareEvents.$inferInsert)[] = [];
  const planned: Planned[] = [];
  let customerNumber = 1000;
  const totalPull = advocates.reduce((sum, advocate) => sum + advocate.pull, 0);
  for (let day = 0; day < historyDays; day++) {
    const dayStart = start + day * dayMs;
    const weekday = new Date(dayStart).getUTCDay();
    const volume = Math.round(
      (8 + day * 0.45) * (weekday === 0 || weekday === 6 ? 0.7 : 1) * (0.8 + random.next() * 0.4),
    );
    for (let n = 0; n < volume; n++) {
      const advocate = advocates[pickIndex(random, totalPull)]!;
      const code = codeBySub.get(advocate.sub)!;
      const at = dayStart + visitTime(random);
      if (at >= end) continue;
      const channel = random.weighted(advocate.channels);
      const story = storyBySub.get(advocate.sub);
      const storyId = story && story.approvedAt < at && random.next() < 0.25 ? story.id : null;
      const ip = `203.0.${113 + (n % 3)}.${random.int(1, 254)}`;
      const userAgent = random.pick(userAgents);
      const clickId = newClickId(at);
      // The loader's first-party visitor id, for the browsers that allowed storage.
      const visitorId = random.next() < 0.6 ? `v_${crypto.randomUUID().replaceAll("-", "")}` : null;
      clickRows.push({
        id: clickId,
        workspaceId: workspace.id,
        codeId: code.id,
        learnerId: code.learnerId,
        course: code.course,
        channel,
        storyId,
        visitorHash: visitorHash(secret, workspace.id, ip, userAgent, when(at)),
        ipHash: ipHash(secret, workspace.id, ip, when(at)),
        visitorId,
        country: random.weighted(advocate.countries),
        source: visitorId && random.next() < 0.15 ? "beacon" : "redirect",
        isBot: false,
        createdAt: at,
      });
      if (channel !== "direct" && random.next() < 0.3) {
        shareRows.push({
          id: newId("shr"),
          workspaceId: workspace.id,
          codeId: code.id,
          learnerId: code.learnerId,
          channel: channel === "copy" && random.next() < 0.3 ? "native" : channel,
          course: code.course,
          createdAt: at - random.int(10, 300) * 60_000,
        });
      }
      planFriend(random, planned, {
        clickId,
        code: code.code,
        course: advocate.course,
        at,
        end,
        price,
        customerNumber,
      });
      customerNumber++;
    }
  }
  for (let i = 0; i < clickRows.length; i += 500) await insertClicks(db, clickRows.slice(i, i + 500));
  for (let i = 0; i < shareRows.length; i += 200) await db.insert(shareEvents).values(shareRows.slice(i, i + 200));

  // Learners who found the courses on their own: unattributed, as most enrolments are.
  for (let n = 0; n < 30; n++) {
    const at = start + random.int(0, historyDays * 24 - 2) * 3_600_000;
    const course = random.pick(demoCatalog).slug;
    const customer = friendCustomer(random, customerNumber++);
    planned.push({ at, input: { id: `sb-org-${n}-signup`, type: "signup", customer } });
    if (random.next() < 0.4) {
      const enrolledAt = Math.min(at + random.int(1, 96) * 3_600_000, end - 60_000);
      planned.push({
        at: enrolledAt,
        input: {
          id: `sb-org-${n}-order`,
          type: "enrollment",
          customer,
          course,
          amount: price.get(course),
          currency: "INR",
        },
      });
    }
  }

  // Two that the fraud rules catch: Rohan enrolling a second account with his own email, and a
  // throwaway address on Ananya's link. Both stay attributed, with rewards held for review.
  const rohan = advocates[1]!;
  const rohanClick = clickRows.find(
    (row) => row.learnerId === codeBySub.get(rohan.sub)?.learnerId && row.createdAt > start + 20 * dayMs,
  );
  if (rohanClick) {
    const at = rohanClick.createdAt + 2 * 3_600_000;
    planned.push({
      at,
      input: {
        id: "sb-selfref-order",
        type: "enrollment",
        customer: { id: "sb-cust-rohan2", name: "Rohan M", email: rohan.email },
        course: rohan.course,
        amount: price.get(rohan.course),
        currency: "INR",
        clickId: rohanClick.id,
      },
    });
  }
  const ananyaCode = codeBySub.get(advocates[0]!.sub)!;
  planned.push({
    at: end - 4 * dayMs,
    input: {
      id: "sb-throwaway-signup",
      type: "signup",
      customer: { id: "sb-cust-throwaway", email: "freecourse@mailinator.com" },
      code: ananyaCode.code,
    },
  });

  // In time order, as the provider would have reported them: attribution is sticky and rewards
  // are one set per friend, so the order matters.
  planned.sort((a, b) => a.at - b.at);
  const enrolmentIds: string[] = [];
  for (const { at, input } of planned) {
    const result = await post(at, { ...input, occurredAt: when(at).toISOString() });
    if (input.type === "enrollment" && result.body.attribution.status === "attributed" && at < end - 20 * dayMs)
      enrolmentIds.push(input.id);
  }

  // One referred friend asked for a refund a week later: the refund voids the rewards it caused.
  const refunded = enrolmentIds[Math.floor(enrolmentIds.length / 2)];
  if (refunded) {
    const original = planned.find((item) => item.input.id === refunded)!;
    const at = original.at + 6 * dayMs;
    await post(at, {
      id: `${refunded}-refund`,
      type: "refund",
      customer: original.input.customer,
      course: original.input.course,
      amount: original.input.amount,
      currency: "INR",
      refundOf: refunded,
      occurredAt: when(at).toISOString(),
    });
  }

  // Rewards whose hold ended are approved; those approved long ago were paid out.
  await approveDueRewards(db, options.now, workspace.id);
  const old = await db
    .select({ id: rewards.id })
    .from(rewards)
    .where(
      and(
        eq(rewards.workspaceId, workspace.id),
        eq(rewards.status, "approved"),
        lt(rewards.createdAt, end - 24 * dayMs),
      ),
    )
    .orderBy(asc(rewards.createdAt), asc(rewards.side));
  for (const row of old) {
    if (random.next() < 0.7)
      await changeReward(db, workspace.id, row.id, "issue", when(end - random.int(1, 5) * dayMs));
  }

  return {
    learners: learnerBySub.size,
    clicks: clickRows.length,
    shares: shareRows.length,
    conversions: conversionCount,
    stories: storyCount,
  };
}

function pickIndex(random: Random, total: number): number {
  let roll = random.next() * total;
  for (const [index, advocate] of advocates.entries()) {
    roll -= advocate.pull;
    if (roll <= 0) return index;
  }
  return advocates.length - 1;
}

/** Milliseconds into a UTC day, most of them in the Indian evening (13:00–18:00 UTC). */
function visitTime(random: Random): number {
  const hour = random.next() < 0.6 ? random.int(12, 17) : random.int(3, 20);
  return hour * 3_600_000 + random.int(0, 3_599_999);
}

function friendCustomer(random: Random, number: number) {
  const first = random.pick(firstNames);
  const last = random.pick(lastNames);
  return {
    id: `sb-cust-${number}`,
    name: `${first} ${last}`,
    email: `${ascii(first)}.${ascii(last)}${number}@example.com`,
  };
}

/** What became of one click: most friends only look; some sign up, fewer enrol, fewer finish. */
function planFriend(
  random: Random,
  planned: Planned[],
  visit: {
    clickId: string;
    code: string;
    course: string;
    at: number;
    end: number;
    price: Map<string, number>;
    customerNumber: number;
  },
) {
  if (random.next() >= 0.17) return;
  const customer = friendCustomer(random, visit.customerNumber);
  // Most checkouts pass the click id on; a few friends typed the code instead.
  const referral = random.next() < 0.88 ? { clickId: visit.clickId } : { code: visit.code };
  const signedUp = visit.at + random.int(5, 60 * 48) * 60_000;
  if (signedUp >= visit.end) return;
  const id = `sb-f${visit.customerNumber}`;
  planned.push({ at: signedUp, input: { id: `${id}-signup`, type: "signup", customer, ...referral } });
  if (random.next() >= 0.48) return;
  const enrolled = signedUp + random.int(1, 24 * 9) * 3_600_000;
  if (enrolled >= visit.end) return;
  const amount = Math.round(((visit.price.get(visit.course) ?? 0) * 0.9) / 100) * 100;
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
  if (completed >= visit.end || random.next() >= 0.7) return;
  planned.push({ at: completed, input: { id: `${id}-done`, type: "completion", customer, course: visit.course } });
}
