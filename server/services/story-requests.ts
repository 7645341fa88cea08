/**
 * "Tell your story", days after a completion, when the program asks for it (`storyRequest` in
 * the program settings; off by default). The message is enqueued in the completion's
 * transaction, due `days` later (the outbox's claim honours the due time), and dropped at send
 * time if a story came meanwhile (mail-outbox.ts). Its link carries a one-time token
 * (story-request-tokens.ts) that lets exactly one story for that learner and course be posted
 * without a learner token signed by the provider: the token is consumed in the story's own
 * transaction, so two submissions at once make one story.
 */
import { and, eq, isNull } from "drizzle-orm";
import { courses, learners, storyRequestTokens } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import type { Tx } from "../lib/write-transaction.ts";
import { DomainError } from "./errors.ts";
import { enqueueMail } from "./mail-outbox.ts";
import { mintStoryToken, storyTokenDays, storyTokenHash } from "./story-request-tokens.ts";
import type { Learner, SecretContext, TransactionContext, WorkspaceContext } from "./types.ts";

const dayMs = 86_400_000;

/** Enqueues the story request of a completion, due later; once per learner and course. */
export async function enqueueStoryRequestMail(
  ctx: TransactionContext & SecretContext,
  input: { learner: Learner; course: string },
): Promise<void> {
  const { tx, workspace, clock, secret } = ctx;
  const { enabled, days } = workspace.settings.storyRequest;
  // The hosted advocate page needs no provider code, so it is preferred when the program has one.
  const { defaultTargetUrl: storyUrl, slug } = workspace.settings;
  const { learner, course } = input;
  if (!enabled || !(slug || storyUrl) || !course || !learner.email || !learner.emailHash) return;
  const due = clock.now().getTime() + days * dayMs;
  const tokenId = newId("srq");
  const [title] = await tx
    .select({ title: courses.title })
    .from(courses)
    .where(and(eq(courses.workspaceId, workspace.id), eq(courses.slug, course)));
  const written = await enqueueMail(ctx, {
    workspaceId: workspace.id,
    key: `story-request:${learner.id}:${course}`,
    category: "stories",
    template: "story-request",
    locale: workspace.settings.mailLocale,
    data: {
      firstName: learner.name?.trim().split(/\s+/)[0] || null,
      course: title?.title ?? course,
      storyUrl,
      slug,
      tokenId,
    },
    learnerId: learner.id,
    to: { name: learner.name, address: learner.email },
    toHash: learner.emailHash,
    notBefore: due,
  });
  if (!written) return;
  await tx.insert(storyRequestTokens).values({
    id: tokenId,
    workspaceId: workspace.id,
    tokenHash: await storyTokenHash(mintStoryToken(secret, tokenId)),
    learnerId: learner.id,
    course,
    expiresAt: due + storyTokenDays * dayMs,
    createdAt: clock.now().getTime(),
  });
}

/** A story token the caller sent, checked: its row and learner. */
export type StoryTokenGrant = { id: string; learner: Learner; course: string };

/**
 * The token's learner and course, if it may still post a story in this workspace. Unknown here
 * (another workspace's, forged, or its learner erased): not_found; used or expired: conflict,
 * with the reason as `details[0].message` (`used`, `expired`) so the form can say which.
 */
export async function checkStoryToken(
  { db, workspace, clock }: WorkspaceContext,
  { token }: { token: string },
): Promise<StoryTokenGrant> {
  const [row] = await db
    .select({ token: storyRequestTokens, learner: learners })
    .from(storyRequestTokens)
    .innerJoin(
      learners,
      and(eq(learners.id, storyRequestTokens.learnerId), eq(learners.workspaceId, storyRequestTokens.workspaceId)),
    )
    .where(
      and(
        eq(storyRequestTokens.workspaceId, workspace.id),
        eq(storyRequestTokens.tokenHash, await storyTokenHash(token)),
        isNull(learners.erasedAt),
      ),
    );
  if (!row)
    throw new DomainError("not_found", "This story link is not valid", [{ path: "storyToken", message: "unknown" }]);
  if (row.token.usedAt !== null)
    throw new DomainError("conflict", "This story link was already used: the story is in", [
      { path: "storyToken", message: "used" },
    ]);
  if (row.token.expiresAt <= clock.now().getTime())
    throw new DomainError("conflict", "This story link has expired", [{ path: "storyToken", message: "expired" }]);
  return { id: row.token.id, learner: row.learner, course: row.token.course };
}

/** What the story form is pre-filled with: the learner's name and the course. */
export async function storyPrefill(ctx: WorkspaceContext, input: { token: string }) {
  const grant = await checkStoryToken(ctx, input);
  return { name: grant.learner.name, course: grant.course };
}

/**
 * Uses the token up, inside the story's write transaction: of two submissions at once, the
 * second finds it used and its story is rolled back.
 */
export async function consumeStoryToken(
  tx: Tx,
  input: { grant: StoryTokenGrant; storyId: string; at: number },
): Promise<void> {
  const used = await tx
    .update(storyRequestTokens)
    .set({ usedAt: input.at, storyId: input.storyId })
    .where(
      and(
        eq(storyRequestTokens.id, input.grant.id),
        isNull(storyRequestTokens.usedAt),
        eq(storyRequestTokens.learnerId, input.grant.learner.id),
      ),
    )
    .returning({ id: storyRequestTokens.id });
  if (used.length === 0)
    throw new DomainError("conflict", "This story link was already used: the story is in", [
      { path: "storyToken", message: "used" },
    ]);
}
