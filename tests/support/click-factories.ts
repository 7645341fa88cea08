/**
 * Referrers and their clicks as real rows: a learner through upsertLearner, their code through
 * codeForLearner, and clicks written through insertClicks as the redirect would write them.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { clicks, learnerSignals } from "../../db/schema.ts";
import { newId } from "../../server/lib/ids.ts";
import { insertClicks } from "../../server/services/click-writer.ts";
import type { LearnerClaims } from "../../server/services/learner-tokens.ts";
import { upsertLearner } from "../../server/services/learners.ts";
import { codeForLearner } from "../../server/services/referrals.ts";
import type { Learner } from "../../server/services/types.ts";
import { getWorkspace } from "../../server/services/workspaces.ts";
import { testConfig } from "./test-app.ts";

export type Referrer = { learner: Learner; code: string; codeId: string; workspaceId: string };

/** A learner with a referral code, as after their card first loaded. */
export async function referrerFactory(
  db: Db,
  workspaceId: string,
  claims: Partial<LearnerClaims> = {},
  options: { course?: string; now?: Date; secret?: string } = {},
): Promise<Referrer> {
  const workspace = await getWorkspace({ db }, { id: workspaceId });
  if (!workspace) throw new Error(`no workspace ${workspaceId}`);
  const now = options.now ?? new Date();
  const learner = await upsertLearner(
    { db, clock: { now: () => now }, secret: options.secret ?? testConfig.secret, workspace },
    {
      sub: claims.sub ?? `learner-${newId("lrn").slice(4, 12)}`,
      name: claims.name ?? "Priya Sharma",
      email: claims.email,
    },
  );
  const code = await codeForLearner(
    { db, workspace, clock: { now: () => now } },
    { learner, course: options.course ?? "" },
  );
  return { learner, code: code.code, codeId: code.id, workspaceId };
}

export type ClickOverrides = {
  at?: Date;
  channel?: string;
  visitorHash?: string;
  visitorId?: string | null;
  ipHash?: string | null;
  isBot?: boolean;
  course?: string;
  storyId?: string | null;
};

/** One click on the referrer's link, at `at` (default: now). */
export async function clickFactory(db: Db, referrer: Referrer, overrides: ClickOverrides = {}) {
  const id = newId("clk");
  // Through insertClicks, as the redirect writes them (it also keeps the click rollups).
  await insertClicks(
    { db },
    {
      rows: [
        {
          id,
          workspaceId: referrer.workspaceId,
          codeId: referrer.codeId,
          learnerId: referrer.learner.id,
          course: overrides.course ?? "",
          channel: overrides.channel ?? "whatsapp",
          storyId: overrides.storyId ?? null,
          visitorHash: overrides.visitorHash ?? `vh_${newId("clk")}`,
          ipHash: overrides.ipHash ?? null,
          visitorId: overrides.visitorId ?? null,
          source: "redirect",
          isBot: overrides.isBot ?? false,
          createdAt: (overrides.at ?? new Date()).getTime(),
        },
      ],
    },
  );
  const [row] = await db.select().from(clicks).where(eq(clicks.id, id));
  if (!row) throw new Error("click insert stored nothing");
  return row;
}

/** A signal from the referrer's own browser (what their card saw), for the self-referral rule. */
export async function learnerSignalFactory(
  db: Db,
  referrer: Referrer,
  kind: "ip_hash" | "visitor_id",
  value: string,
  at: Date = new Date(),
) {
  await db.insert(learnerSignals).values({
    workspaceId: referrer.workspaceId,
    learnerId: referrer.learner.id,
    kind,
    value,
    lastSeenAt: at.getTime(),
  });
}
