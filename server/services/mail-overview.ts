/** The workspace's email outbox as the admin sees it: whether mail is on, counts, and the latest messages. */
import { count, desc, eq } from "drizzle-orm";
import { mailMessages } from "../../db/schema.ts";
import type { WorkspaceContext } from "./types.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** `enabled` is the server's (a mail transport configured); the rest is this workspace's only. */
export async function mailOverview({ db, workspace }: WorkspaceContext, { enabled }: { enabled: boolean }) {
  const mine = eq(mailMessages.workspaceId, workspace.id);
  const totals = await db
    .select({ status: mailMessages.status, n: count() })
    .from(mailMessages)
    .where(mine)
    .groupBy(mailMessages.status);
  const rows = await db.select().from(mailMessages).where(mine).orderBy(desc(mailMessages.createdAt)).limit(50);
  const counts = { queued: 0, sent: 0, failed: 0, suppressed: 0 };
  for (const total of totals) counts[total.status] = total.n;
  return {
    enabled,
    counts,
    items: rows.map((row) => ({
      id: row.id,
      category: row.category,
      template: row.template,
      status: row.status,
      reason: row.reason,
      attempts: row.attempts,
      nextAttemptAt: row.status === "queued" ? iso(row.nextAttemptAt) : null,
      sentAt: row.status === "sent" ? iso(row.sentAt) : null,
      createdAt: new Date(row.createdAt).toISOString(),
    })),
  };
}
