/**
 * A workspace for the dashboard's story breakdown and CSV exports: two approved stories shared
 * with an advocate's link (one brings a sign-up and an enrolment, the other only more clicks),
 * one click without a story, and a reward for the enrolment. Every row is today (UTC), so the
 * dashboard's default period holds all of them.
 */
import type { Db } from "../../db/index.ts";
import { conversions, rewards } from "../../db/schema.ts";
import { insertClicks } from "../../server/services/click-writer.ts";
import { advocateFactory, clickRow, conversionRow, rewardRow, storyRow } from "./analytics-factories.ts";
import { workspaceFactory } from "./factories.ts";

export async function seedStoryWorkspace(db: Db, now = Date.now()) {
  const workspace = await workspaceFactory(db, { name: "Story Academy" });
  const advocate = await advocateFactory(db, workspace.id, { name: "Meera Iyer", externalId: "meera" });
  // Early in the UTC day: two hours ago, unless that was yesterday.
  const dayStart = now - (now % 86_400_000);
  const at = Math.max(dayStart, now - 2 * 3_600_000);
  const story = (name: string, headline: string) =>
    storyRow(db, workspace.id, { name, headline, status: "approved", approvedAt: at, createdAt: at });
  const toldId = await story("Meera Iyer", "Promoted to lead analyst");
  const quietId = await story("Arjun Mehta", "Ten hours a week, one new career");
  const click = (i: number, storyId: string | null, visitor: string) =>
    clickRow(workspace.id, {
      codeId: advocate.codeId,
      learnerId: advocate.learnerId,
      storyId,
      visitorHash: visitor,
      createdAt: at + i * 1000,
    });
  const clicks = [
    // Four clicks on the told story from three visitors, five on the quiet one from five, one without a story.
    ...[0, 1, 2, 3].map((i) => click(i, toldId, `told-${i % 3}`)),
    ...[4, 5, 6, 7, 8].map((i) => click(i, quietId, `quiet-${i}`)),
    click(9, null, "plain"),
  ];
  await insertClicks({ db }, { rows: clicks });
  const first = clicks[0] as (typeof clicks)[number];
  const attributed = { clickId: first.id, codeId: advocate.codeId, referrerId: advocate.learnerId, storyId: toldId };
  const enrolment = conversionRow(workspace.id, {
    type: "enrollment",
    ...attributed,
    amount: 250_000,
    currency: "INR",
    occurredAt: at + 20_000,
  });
  const signup = conversionRow(workspace.id, { type: "signup", ...attributed, occurredAt: at + 15_000 });
  await db.insert(conversions).values([signup, enrolment]);
  const reward = rewardRow(workspace.id, {
    conversionId: enrolment.id,
    learnerId: advocate.learnerId,
    createdAt: at + 20_000,
  });
  await db.insert(rewards).values(reward);
  return {
    workspace,
    toldId,
    quietId,
    clickIds: clicks.map((row) => row.id),
    conversionIds: [signup.id, enrolment.id],
    rewardId: reward.id,
  };
}
