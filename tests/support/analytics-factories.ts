/**
 * Real rows for analytics tests: learners, codes, clicks, shares, conversions (with a decision
 * log), rewards and stories, written straight into the tables the services write (clicks through
 * insertClicks, as the redirect writes them), so the rollups see exactly what production writes. A small seeded generator builds a varied data set
 * whose expected figures a test computes itself from the same arrays.
 */

import type { Db } from "../../db/index.ts";
import {
  clicks,
  conversions,
  type DecisionStep,
  learners,
  referralCodes,
  type rewards,
  shareEvents,
  stories,
} from "../../db/schema.ts";
import { seededRandom } from "../../demo/random.ts";
import { type ClickRow, insertClicks } from "../../server/services/click-writer.ts";

export type { ClickRow };
export type ShareRow = typeof shareEvents.$inferInsert;
export type ConversionRow = typeof conversions.$inferInsert;
export type RewardRow = typeof rewards.$inferInsert;

let serial = 0;
const next = (prefix: string) => `${prefix}_${String(++serial).padStart(16, "0")}`;

/** A learner with a generated code for every course. */
export async function advocateFactory(
  db: Db,
  workspaceId: string,
  overrides: { externalId?: string; name?: string } = {},
) {
  const learnerId = next("lrn");
  const codeId = next("ref");
  const externalId = overrides.externalId ?? `learner-${serial}`;
  await db.insert(learners).values({
    id: learnerId,
    workspaceId,
    externalId,
    name: overrides.name ?? `Advocate ${serial}`,
    createdAt: Date.UTC(2026, 0, 1),
  });
  const code = `code${serial}`;
  await db.insert(referralCodes).values({ id: codeId, workspaceId, code, kind: "generated", learnerId, course: "" });
  return { learnerId, codeId, code, externalId };
}

export function clickRow(workspaceId: string, overrides: Partial<ClickRow> & { codeId: string }): ClickRow {
  return {
    id: next("clk"),
    workspaceId,
    learnerId: null,
    course: "data-analytics",
    channel: "whatsapp",
    visitorHash: `visitor-${serial}`,
    source: "redirect",
    createdAt: Date.UTC(2026, 9, 1),
    ...overrides,
  };
}

export function conversionRow(
  workspaceId: string,
  overrides: Partial<ConversionRow> & { type: ConversionRow["type"] },
): ConversionRow {
  const id = next("cnv");
  return {
    id,
    workspaceId,
    externalId: `order-${id}`,
    customerId: `customer-${serial}`,
    course: "data-analytics",
    status: "attributed",
    decision: [{ rule: "click", result: "info", detail: "test row" }] satisfies DecisionStep[],
    requestHash: `hash-${id}`,
    response: {},
    occurredAt: Date.UTC(2026, 9, 1),
    ...overrides,
  };
}

export function rewardRow(workspaceId: string, overrides: Partial<RewardRow> & { conversionId: string }): RewardRow {
  return {
    id: next("rwd"),
    workspaceId,
    side: "referrer",
    kind: "credit",
    amount: 500,
    currency: "INR",
    status: "pending",
    createdAt: Date.UTC(2026, 9, 1),
    ...overrides,
  };
}

/** Inserts in chunks (SQLite bounds the parameters of one statement). */
export async function insertAll<T extends Record<string, unknown>>(
  db: Db,
  table: typeof clicks | typeof shareEvents | typeof conversions | typeof rewards,
  rows: T[],
) {
  for (let i = 0; i < rows.length; i += 200) {
    const some = rows.slice(i, i + 200);
    // Clicks go through the click writer, which keeps their rollups; the other tables' triggers do.
    if (table === clicks) await insertClicks({ db }, { rows: some as never });
    else await db.insert(table).values(some as never);
  }
}

export async function storyRow(db: Db, workspaceId: string, overrides: Partial<typeof stories.$inferInsert> = {}) {
  const id = next("sty");
  await db.insert(stories).values({
    id,
    workspaceId,
    course: "data-analytics",
    name: "Meera Iyer",
    headline: "Analyst in six months",
    body: "It worked.",
    rating: 5,
    outcomeType: "new_job",
    consentPublish: true,
    consentName: true,
    consentPhoto: false,
    consentSalary: false,
    status: "pending",
    verificationLevel: "self_reported",
    editTokenHash: `edit-${id}`,
    createdAt: Date.UTC(2026, 9, 2),
    ...overrides,
  });
  return id;
}

export type Advocate = Awaited<ReturnType<typeof advocateFactory>>;

export type DataSet = {
  advocates: Advocate[];
  clicks: ClickRow[];
  shares: ShareRow[];
  conversions: ConversionRow[];
};

const day = 86_400_000;

/**
 * A varied data set: several advocates, courses, channels and countries over ~two months,
 * repeat visitors within a day and across courses, bots, shares, attributed and unattributed
 * conversions in two currencies, refunds and completions.
 */
export async function seedDataSet(db: Db, workspaceId: string, seed = 7): Promise<DataSet> {
  const rand = seededRandom(seed);
  const advocates: Advocate[] = [];
  for (let i = 0; i < 5; i++) advocates.push(await advocateFactory(db, workspaceId));
  const start = Date.UTC(2026, 8, 1);
  const courses = ["data-analytics", "ux-design", "cloud-basics"];
  const channels = ["whatsapp", "linkedin", "email", "x"];
  const countries = ["IN", "US", null];
  const clickRows: ClickRow[] = [];
  for (let i = 0; i < 400; i++) {
    const advocate = rand.pick(advocates);
    const dayIndex = rand.int(0, 60 - 1);
    clickRows.push(
      clickRow(workspaceId, {
        codeId: advocate.codeId,
        learnerId: advocate.learnerId,
        course: rand.pick(courses),
        channel: rand.pick(channels),
        country: rand.pick(countries),
        storyId: rand.int(0, 5 - 1) === 0 ? "sty_story00000000001" : null,
        // Few visitors per day: repeat visits and visitors on several courses or channels.
        visitorHash: `v-${dayIndex}-${rand.int(0, 6 - 1)}`,
        isBot: rand.int(0, 20 - 1) === 0,
        createdAt: start + dayIndex * day + rand.int(0, day - 1),
      }),
    );
  }
  const shareRows: ShareRow[] = [];
  for (let i = 0; i < 120; i++) {
    const advocate = rand.pick(advocates);
    shareRows.push({
      id: next("shr"),
      workspaceId,
      codeId: advocate.codeId,
      learnerId: advocate.learnerId,
      channel: rand.pick(channels),
      course: rand.pick(courses),
      createdAt: start + rand.int(0, 60 * day - 1),
    });
  }
  const conversionRows: ConversionRow[] = [];
  const humanClicks = clickRows.filter((click) => !click.isBot);
  for (let i = 0; i < 150; i++) {
    const click = rand.pick(humanClicks);
    const type = rand.pick(["signup", "enrollment", "enrollment", "completion", "refund"] as const);
    const attributed = rand.int(0, 6 - 1) !== 0;
    const currency = rand.pick(["INR", "USD"]);
    conversionRows.push(
      conversionRow(workspaceId, {
        type,
        course: click.course,
        clickId: attributed ? click.id : null,
        codeId: attributed ? click.codeId : null,
        referrerId: attributed ? click.learnerId : null,
        storyId: attributed ? click.storyId : null,
        channel: attributed ? click.channel : null,
        status: attributed ? "attributed" : "unattributed",
        amount: type === "enrollment" || type === "refund" ? 1000 + rand.int(0, 50 - 1) * 100 : null,
        currency: type === "enrollment" || type === "refund" ? currency : null,
        occurredAt: Number(click.createdAt) + rand.int(0, 5 * day - 1),
      }),
    );
  }
  await insertAll(db, clicks, clickRows);
  await insertAll(db, shareEvents, shareRows);
  await insertAll(db, conversions, conversionRows);
  return { advocates, clicks: clickRows, shares: shareRows, conversions: conversionRows };
}
