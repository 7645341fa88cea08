/**
 * The friend's email, given on a page of the provider's before checkout, matched at purchase: course
 * platforms keep no URL parameters through their checkout, but every purchase they report names
 * the buyer's email. Only a salted hash is kept, tied to the click. To keep an advocate from
 * claiming strangers' addresses, an email is accepted only from the click's own browser (today's
 * visitor hash), once per click, and it is used only when a conversion sends no click id and no code.
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import { clicks, referralEmails } from "../../db/schema.ts";
import { DomainError } from "./errors.ts";
import { emailHash } from "./learners.ts";
import type { SecretContext, TransactionContext, Visitor, WorkspaceContext } from "./types.ts";
import { visitorHash } from "./visitors.ts";

export async function rememberFriendEmail(
  ctx: WorkspaceContext & SecretContext,
  input: { clickId: string; email: string; visitor: Visitor },
): Promise<void> {
  const { db, workspace, clock } = ctx;
  const now = clock.now();
  const [click] = await db
    .select({ visitorHash: clicks.visitorHash, isBot: clicks.isBot })
    .from(clicks)
    .where(and(eq(clicks.workspaceId, workspace.id), eq(clicks.id, input.clickId)));
  const sameBrowser =
    click && click.visitorHash === visitorHash(ctx, { workspaceId: workspace.id, visitor: input.visitor, now });
  // One answer for "no such click" and "not your click": neither says whether the id exists.
  if (!click || click.isBot || !sameBrowser)
    throw new DomainError("not_found", "No click with that id from this browser");
  await db
    .insert(referralEmails)
    .values({
      workspaceId: workspace.id,
      clickId: input.clickId,
      emailHash: emailHash(ctx.secret, input.email),
      createdAt: now.getTime(),
    })
    .onConflictDoNothing();
}

/** The newest click a friend gave one of these email hashes on, if any. */
export async function clickByEmail(
  { tx, workspace }: TransactionContext,
  emailHashes: string[],
): Promise<string | null> {
  if (emailHashes.length === 0) return null;
  const [row] = await tx
    .select({ clickId: referralEmails.clickId })
    .from(referralEmails)
    .where(and(eq(referralEmails.workspaceId, workspace.id), inArray(referralEmails.emailHash, emailHashes)))
    .orderBy(desc(referralEmails.createdAt))
    .limit(1);
  return row?.clickId ?? null;
}
