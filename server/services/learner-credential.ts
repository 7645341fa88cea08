/**
 * LinkedIn's "add to profile" link for a learner's credential: from their latest story whose
 * credential was verified (and not withdrawn). Offered where a learner is told of their success:
 * the completion email and the hosted advocate page.
 */
import { and, desc, eq, ne } from "drizzle-orm";
import { stories } from "../../db/schema.ts";
import { addToLinkedInUrl } from "./credentials/linkedin.ts";
import type { DbOrTx } from "./outbox.ts";

export async function addToLinkedInForLearner(
  db: DbOrTx,
  input: { workspaceId: string; learnerId: string },
): Promise<string | null> {
  const [story] = await db
    .select({ verification: stories.verification })
    .from(stories)
    .where(
      and(
        eq(stories.workspaceId, input.workspaceId),
        eq(stories.learnerId, input.learnerId),
        eq(stories.verificationLevel, "credential_verified"),
        ne(stories.status, "withdrawn"),
      ),
    )
    .orderBy(desc(stories.createdAt))
    .limit(1);
  const receipt = story?.verification;
  return receipt?.credential && receipt.issuer ? addToLinkedInUrl(receipt.credential, receipt.issuer) : null;
}
