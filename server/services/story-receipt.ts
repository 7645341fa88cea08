/**
 * A story's verification receipt as it is read: by the author at any status (story-authors.ts),
 * and by anyone at all for an approved story, from a plain link (`/v1/stories/{id}/receipt` and
 * its page). The receipt is public by design: it says how the story was checked, never who the
 * learner is (no email, no token, no credential body).
 */
import { eq } from "drizzle-orm";
import { stories } from "../../db/schema.ts";
import { addToLinkedInUrl } from "./credentials/linkedin.ts";
import { DomainError } from "./errors.ts";
import type { StoryRow } from "./stories.ts";
import type { ServiceContext } from "./types.ts";

export function receiptOf(story: StoryRow) {
  const receipt = story.verification;
  const linkedIn =
    story.verificationLevel === "credential_verified" && receipt?.credential && receipt.issuer
      ? addToLinkedInUrl(receipt.credential, receipt.issuer)
      : null;
  return {
    storyId: story.id,
    level: story.verificationLevel,
    checkedAt: receipt?.checkedAt ?? new Date(story.createdAt).toISOString(),
    checks: receipt?.checks ?? [],
    credentialHash: receipt?.credentialHash ?? null,
    issuer: receipt?.issuer ?? null,
    credential: receipt?.credential ?? null,
    addToLinkedIn: linkedIn,
  };
}

export type StoryReceipt = ReturnType<typeof receiptOf>;

/**
 * The receipt of an approved story, found by its id alone (ids are random and global, and the
 * story's workspace is its own row's): any other status is not found, as for the wall.
 */
export async function publicReceipt(
  ctx: ServiceContext,
  input: { id: string },
): Promise<StoryReceipt & { headline: string; course: string }> {
  const [story] = await ctx.db.select().from(stories).where(eq(stories.id, input.id)).limit(1);
  if (story?.status !== "approved") throw new DomainError("not_found", "No such approved story");
  return { ...receiptOf(story), headline: story.headline, course: story.course };
}
