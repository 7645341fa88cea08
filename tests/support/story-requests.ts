/** A story request's one-time token for a tenant's learner, made as the outbox would (without sending the mail). */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { learners, storyRequestTokens } from "../../db/schema.ts";
import { mintStoryToken, storyTokenHash } from "../../server/services/story-request-tokens.ts";
import { testConfig } from "./test-app.ts";

export async function storyTokenFor(
  t: { db: Db; clock: { now(): Date } },
  tenant: { ws: { id: string }; learners: { sub: string }[] },
  course = "data-analytics",
): Promise<string> {
  const [learner] = await t.db
    .select()
    .from(learners)
    .where(and(eq(learners.workspaceId, tenant.ws.id), eq(learners.externalId, tenant.learners[0]!.sub)));
  if (!learner) throw new Error("the tenant has no learner");
  const id = `srq_test${Math.random().toString(36).slice(2, 12)}`;
  const token = mintStoryToken(testConfig.secret, id);
  await t.db.insert(storyRequestTokens).values({
    id,
    workspaceId: tenant.ws.id,
    tokenHash: await storyTokenHash(token),
    learnerId: learner.id,
    course,
    expiresAt: t.clock.now().getTime() + 30 * 86_400_000,
  });
  return token;
}
