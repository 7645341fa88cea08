/**
 * Erasing one story's author, by the provider: for a story tied to no learner (an imported
 * testimonial, or a form story without a learner token), which learner erasure cannot reach and
 * whose author holds no edit token. The story is withdrawn and emptied exactly as learner erasure
 * empties a learner's stories (its name, text, photo and figures), its webhook payloads are
 * rewritten to the emptied story, and the row stays so clicks that name it keep their reference.
 * An imported story keeps its import key (a hash of the row), so importing the same file again
 * does not bring the erased story back.
 */
import { and, eq, sql } from "drizzle-orm";
import { stories, webhookEvents } from "../../db/schema.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { findStory, fullStory, withdrawnStory } from "./stories.ts";
import { deleteStoryPhoto } from "./story-photos.ts";
import type { WorkspaceContext } from "./types.ts";

export async function eraseStory(ctx: WorkspaceContext, input: { id: string }): Promise<void> {
  const story = await findStory(ctx, input);
  const workspaceId = ctx.workspace.id;
  const now = ctx.clock.now().getTime();
  const emptied = { ...story, ...withdrawnStory, updatedAt: now };
  await writeTransaction(ctx.db, async (tx) => {
    await tx
      .update(stories)
      .set({ ...withdrawnStory, updatedAt: now })
      .where(and(eq(stories.workspaceId, workspaceId), eq(stories.id, story.id)));
    await deleteStoryPhoto({ db: tx }, story);
    const events = await tx
      .select({ id: webhookEvents.id, payload: webhookEvents.payload })
      .from(webhookEvents)
      .where(
        and(
          eq(webhookEvents.workspaceId, workspaceId),
          eq(sql`json_extract(${webhookEvents.payload}, '$.data.story.id')`, story.id),
        ),
      );
    for (const event of events) {
      const payload = event.payload as { data?: Record<string, unknown> };
      await tx
        .update(webhookEvents)
        .set({ payload: { ...payload, data: { ...payload.data, story: fullStory(emptied) } } })
        .where(eq(webhookEvents.id, event.id));
    }
    await recordAudit(
      { ...ctx, tx },
      { action: "story.erase", targetId: story.id, after: { source: story.source }, learnerId: story.learnerId },
    );
  });
}
