/** Share events from the referral card, and the signals that recognise a learner's own browser. */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { learnerSignals, referralCodes, shareEvents } from "../../db/schema.ts";
import { ApiError } from "../errors.ts";
import { newId } from "../lib/ids.ts";
import type { Learner } from "../types.ts";

export async function recordShare(db: Db, learner: Learner, input: { code: string; channel: string }, now: Date) {
  const [code] = await db
    .select({ id: referralCodes.id, course: referralCodes.course })
    .from(referralCodes)
    .where(
      and(
        eq(referralCodes.workspaceId, learner.workspaceId),
        eq(referralCodes.code, input.code.toLowerCase()),
        eq(referralCodes.learnerId, learner.id),
      ),
    );
  if (!code) throw new ApiError("not_found", "That code is not this learner's");
  await db.insert(shareEvents).values({
    id: newId("shr"),
    workspaceId: learner.workspaceId,
    codeId: code.id,
    learnerId: learner.id,
    channel: input.channel,
    course: code.course,
    createdAt: now.getTime(),
  });
}

/** Remembers the IP hash and visitor id a learner's own card was seen with (self-referral rule). */
export async function rememberLearnerSignals(
  db: Db,
  learner: Learner,
  signals: { ipHash: string; visitorId: string | null },
  now: Date,
) {
  const rows: { kind: "ip_hash" | "visitor_id"; value: string }[] = [{ kind: "ip_hash", value: signals.ipHash }];
  if (signals.visitorId) rows.push({ kind: "visitor_id", value: signals.visitorId });
  await db
    .insert(learnerSignals)
    .values(
      rows.map((row) => ({
        workspaceId: learner.workspaceId,
        learnerId: learner.id,
        ...row,
        lastSeenAt: now.getTime(),
      })),
    )
    .onConflictDoUpdate({
      target: [learnerSignals.workspaceId, learnerSignals.learnerId, learnerSignals.kind, learnerSignals.value],
      set: { lastSeenAt: sql`excluded.last_seen_at` },
    });
}
