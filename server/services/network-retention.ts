/**
 * Network keys (networkKey in visitors.ts) last across days, so they are kept only while they can
 * still decide a self-referral: the workspace's attribution window. Older ones are cleared from
 * clicks and dropped from learners' signals by the background tick.
 */
import { and, eq, isNotNull, lt } from "drizzle-orm";
import { clicks, learnerSignals } from "../../db/schema.ts";
import type { ServiceContext } from "./types.ts";
import { listWorkspaces } from "./workspaces.ts";

const dayMs = 86_400_000;

/** Clears every network key older than its workspace's attribution window; the number cleared. */
export async function forgetStaleNetworkKeys({ db, clock }: ServiceContext): Promise<number> {
  const now = clock.now().getTime();
  let forgotten = 0;
  for (const workspace of await listWorkspaces({ db })) {
    const cutoff = now - workspace.settings.attribution.windowDays * dayMs;
    const cleared = await db
      .update(clicks)
      .set({ networkKey: null })
      .where(and(eq(clicks.workspaceId, workspace.id), isNotNull(clicks.networkKey), lt(clicks.createdAt, cutoff)))
      .returning({ id: clicks.id });
    const dropped = await db
      .delete(learnerSignals)
      .where(
        and(
          eq(learnerSignals.workspaceId, workspace.id),
          eq(learnerSignals.kind, "network"),
          lt(learnerSignals.lastSeenAt, cutoff),
        ),
      )
      .returning({ value: learnerSignals.value });
    forgotten += cleared.length + dropped.length;
  }
  return forgotten;
}
