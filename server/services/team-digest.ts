/**
 * The team's digest: what waits for a person (stories to moderate, rewards to approve, fraud
 * holds), mailed daily or weekly to the addresses in the program settings (`digest`). Enqueued by
 * the background tick (Node) or the cron trigger (Workers), once per period and recipient: the
 * outbox's unique key (`digest:PERIOD:ADDRESS-HASH`) makes a second process, a restart or the
 * next tick a no-op. Nothing is written when nothing waits. The items name no learner (course,
 * rating, amounts): a digest outlives an erasure in the outbox, and it goes to the team's inboxes.
 */
import { and, asc, count, eq, inArray } from "drizzle-orm";
import { mailMessages, rewards, stories } from "../../db/schema.ts";
import { isoDay, rewardValue } from "../lib/money.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { emailHash } from "./learners.ts";
import { enqueueMail } from "./mail-outbox.ts";
import type { DigestData, DigestSection } from "./mail-templates.ts";
import type { SecretContext, ServiceContext, Workspace } from "./types.ts";
import { listWorkspaces } from "./workspaces.ts";

const dayMs = 86_400_000;
/** Items listed per section; the rest are counted ("and 4 more"). */
const firstItems = 3;

/** The period a digest covers, by its first day (UTC): today, or this week's Monday. */
export function digestPeriod(frequency: DigestData["frequency"], now: Date): string {
  if (frequency === "daily") return isoDay(now.getTime());
  const sinceMonday = (now.getUTCDay() + 6) % 7;
  return isoDay(now.getTime() - sinceMonday * dayMs);
}

async function waiting({ db }: Pick<ServiceContext, "db">, workspace: Workspace) {
  const pendingStories = and(eq(stories.workspaceId, workspace.id), eq(stories.status, "pending"));
  const pendingRewards = (flagged: boolean) =>
    and(
      eq(rewards.workspaceId, workspace.id),
      eq(rewards.status, "pending"),
      eq(rewards.side, "referrer"),
      eq(rewards.flagged, flagged),
    );
  const [storyCount] = await db.select({ n: count() }).from(stories).where(pendingStories);
  const storyRows = await db
    .select({ course: stories.course, rating: stories.rating, outcome: stories.outcomeType })
    .from(stories)
    .where(pendingStories)
    .orderBy(asc(stories.createdAt))
    .limit(firstItems);
  const rewardSection = async (flagged: boolean): Promise<DigestSection> => {
    const [total] = await db.select({ n: count() }).from(rewards).where(pendingRewards(flagged));
    const rows = await db
      .select()
      .from(rewards)
      .where(pendingRewards(flagged))
      .orderBy(asc(rewards.createdAt))
      .limit(firstItems);
    return {
      count: total?.n ?? 0,
      items: rows.map((row) => `${rewardValue(row)} (${isoDay(row.createdAt)})`),
    };
  };
  return {
    stories: {
      count: storyCount?.n ?? 0,
      items: storyRows.map((row) => `${row.course}: ${row.rating}/5, ${row.outcome.replaceAll("_", " ")}`),
    },
    rewards: await rewardSection(false),
    holds: await rewardSection(true),
  };
}

/**
 * Enqueues the digest of every workspace whose period's digest is not written yet; answers how
 * many messages it wrote. `secret` hashes the team's addresses (suppression list, daily cap).
 */
export async function enqueueTeamDigests(ctx: ServiceContext & SecretContext): Promise<number> {
  const { db, clock, secret } = ctx;
  const now = clock.now();
  let written = 0;
  for (const workspace of await listWorkspaces(ctx)) {
    const { frequency, recipients } = workspace.settings.digest;
    if (frequency === "off" || recipients.length === 0) continue;
    const period = digestPeriod(frequency, now);
    const to = recipients.map((address) => ({
      address,
      hash: emailHash(secret, address),
    }));
    const keys = to.map((recipient) => `digest:${period}:${recipient.hash}`);
    const done = await db
      .select({ key: mailMessages.key })
      .from(mailMessages)
      .where(and(eq(mailMessages.workspaceId, workspace.id), inArray(mailMessages.key, keys)));
    if (done.length === keys.length) continue;
    const sections = await waiting(ctx, workspace);
    if (sections.stories.count + sections.rewards.count + sections.holds.count === 0) continue;
    const data: DigestData = { frequency, day: period, ...sections };
    written += await writeTransaction(db, async (tx) => {
      let n = 0;
      for (const [i, recipient] of to.entries()) {
        const wrote = await enqueueMail(
          { tx, clock },
          {
            workspaceId: workspace.id,
            key: keys[i] ?? "",
            category: "digest",
            template: "digest",
            locale: workspace.settings.mailLocale,
            data,
            learnerId: null,
            to: { name: null, address: recipient.address },
            toHash: recipient.hash,
          },
        );
        if (wrote) n++;
      }
      return n;
    });
  }
  return written;
}
