/** Share events from the referral card, and the signals that recognise a learner's own browser. */
import { and, eq, lt, sql } from "drizzle-orm";
import { learnerSignals, learners, referralCodes, shareEvents } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { DomainError } from "./errors.ts";
import type { Learner, ServiceContext, WorkspaceContext } from "./types.ts";

/**
 * The learner's own code by its text (learner by your id, the token's `sub`), or 404. Read before
 * anything is written, so a refused share stores nothing (not even the learner).
 */
export async function learnerShareCode(
  { db, workspace }: WorkspaceContext,
  { learnerExternalId, code }: { learnerExternalId: string; code: string },
) {
  const workspaceId = workspace.id;
  const [row] = await db
    .select({ id: referralCodes.id, course: referralCodes.course })
    .from(referralCodes)
    .innerJoin(learners, eq(learners.id, referralCodes.learnerId))
    .where(
      and(
        eq(referralCodes.workspaceId, workspaceId),
        eq(referralCodes.code, code.toLowerCase()),
        eq(learners.workspaceId, workspaceId),
        eq(learners.externalId, learnerExternalId),
      ),
    );
  if (!row) throw new DomainError("not_found", "That code is not this learner's");
  return row;
}

export type ShareInput = { learner: Learner; code: { id: string; course: string }; channel: string };

/** Stores that the learner shared one of their codes on a channel (in the learner's workspace). */
export async function recordShare({ db, clock }: ServiceContext, { learner, code, channel }: ShareInput) {
  await db.insert(shareEvents).values({
    id: newId("shr"),
    workspaceId: learner.workspaceId,
    codeId: code.id,
    learnerId: learner.id,
    channel,
    course: code.course,
    createdAt: clock.now().getTime(),
  });
}

export type LearnerSignalsInput = {
  learner: Learner;
  ipHash: string;
  networkKey: string | null;
  visitorId: string | null;
};

const dayMs = 86_400_000;

/**
 * Remembers the IP hash, network key and visitor id a learner's own card was seen with
 * (self-referral rule). A network key is kept only as long as the attribution window: older ones
 * of this learner are dropped here, when a fresh one is written.
 */
export async function rememberLearnerSignals({ db, clock, workspace }: WorkspaceContext, input: LearnerSignalsInput) {
  const { learner } = input;
  const rows: { kind: "ip_hash" | "visitor_id" | "network"; value: string }[] = [
    { kind: "ip_hash", value: input.ipHash },
  ];
  if (input.networkKey) rows.push({ kind: "network", value: input.networkKey });
  if (input.visitorId) rows.push({ kind: "visitor_id", value: input.visitorId });
  const lastSeenAt = clock.now().getTime();
  await db
    .delete(learnerSignals)
    .where(
      and(
        eq(learnerSignals.workspaceId, learner.workspaceId),
        eq(learnerSignals.learnerId, learner.id),
        eq(learnerSignals.kind, "network"),
        lt(learnerSignals.lastSeenAt, lastSeenAt - workspace.settings.attribution.windowDays * dayMs),
      ),
    );
  await db
    .insert(learnerSignals)
    .values(
      rows.map((row) => ({
        workspaceId: learner.workspaceId,
        learnerId: learner.id,
        ...row,
        lastSeenAt,
      })),
    )
    .onConflictDoUpdate({
      target: [learnerSignals.workspaceId, learnerSignals.learnerId, learnerSignals.kind, learnerSignals.value],
      set: { lastSeenAt: sql`excluded.last_seen_at` },
    });
}
