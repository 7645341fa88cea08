/**
 * One-click unsubscribe (RFC 8058): the link's token names a workspace, a category and an
 * address hash and is signed with the server secret (mail-outbox.ts unsubscribeToken), so it
 * cannot be guessed or altered to unsubscribe someone else. Unsubscribing adds the hash to the
 * workspace's suppression list and suppresses that recipient's queued mail of the category.
 */
import { and, eq } from "drizzle-orm";
import { mailMessages, mailSuppressions, workspaces } from "../../db/schema.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { type mailCategories, readUnsubscribeToken } from "./mail-outbox.ts";
import type { SecretContext, ServiceContext } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

/**
 * Checks a token without acting on it (the confirm page of a GET): its category, and the
 * language the workspace's emails are written in, for the page to answer in.
 */
export async function checkUnsubscribeToken(ctx: ServiceContext & SecretContext, { token }: { token: string }) {
  const { workspaceId, category } = readUnsubscribeToken(ctx.secret, token);
  return { category: category as (typeof mailCategories)[number], locale: await mailLocaleOf(ctx, workspaceId) };
}

async function mailLocaleOf({ db }: ServiceContext, workspaceId: string): Promise<"en" | "hi"> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  return row ? parseWorkspace(row).settings.mailLocale : "en";
}

/** Unsubscribes the token's address from its category; doing it twice is the same as once. */
export async function unsubscribe(ctx: ServiceContext & SecretContext, { token }: { token: string }) {
  const { workspaceId, category, addressHash } = readUnsubscribeToken(ctx.secret, token);
  const now = ctx.clock.now().getTime();
  await writeTransaction(ctx.db, async (tx) => {
    await tx
      .insert(mailSuppressions)
      .values({ workspaceId, addressHash, category, createdAt: now })
      .onConflictDoNothing();
    await tx
      .update(mailMessages)
      .set({ status: "suppressed", reason: `unsubscribed from ${category}`, toAddress: null, leaseUntil: null })
      .where(
        and(
          eq(mailMessages.workspaceId, workspaceId),
          eq(mailMessages.toHash, addressHash),
          eq(mailMessages.category, category),
          eq(mailMessages.status, "queued"),
        ),
      );
  });
  return { category: category as (typeof mailCategories)[number], locale: await mailLocaleOf(ctx, workspaceId) };
}
