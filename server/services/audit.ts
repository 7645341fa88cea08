/**
 * The audit trail: who changed what in a workspace, when, from which values to which. Services
 * record a change with `recordAudit` inside the transaction that makes it, so a change and its
 * row commit together or not at all. Rows are only ever inserted (db triggers refuse updates and
 * deletes, except erasure's masking); personal data is masked before it is stored.
 */
import { and, desc, eq, gte, inArray, like, lt, type SQL } from "drizzle-orm";
import { auditEvents, teamMembers } from "../../db/schema.ts";
import { csvLine } from "../lib/csv-line.ts";
import { decodeCursor } from "../lib/cursor.ts";
import { newId } from "../lib/ids.ts";
import { olderThan } from "../lib/newest-first.ts";
import { paginate } from "../lib/paginate.ts";
import type { DbOrTx } from "./outbox.ts";
import type { AuditSource, Clock, WorkspaceContext } from "./types.ts";

/** Where a change is recorded: the transaction making it, and who asked (absent: a job or the CLI). */
export type AuditStep = { tx: DbOrTx; workspace: { id: string }; clock: Clock; audit?: AuditSource };

export type AuditEntry = {
  /** `resource.verb`: `reward.approve`, `program.update`, `learner.erase`… */
  action: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  /** The learner the change is about (internal id), so erasure can mask the row. */
  learnerId?: string | null;
};

// Keys whose values are personal data (masked) or credentials (never written at all).
const personalKey = /(^|_|[a-z])(email|name|phone|payout|upi|iban|bank|account|address|customer)/i;
const secretKey = /(secret|token|password|apikey|api_key|signing)/i;

/** A copy of `value` with personal data and secrets masked, keeping its shape (so a diff still reads). */
export function maskPersonal(value: unknown, key = ""): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (key && secretKey.test(key)) return "[secret]";
  if (key && personalKey.test(key) && typeof value !== "object") return "[masked]";
  if (Array.isArray(value)) return value.map((item) => maskPersonal(item, key));
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, maskPersonal(inner, name)]));
  }
  if (typeof value === "string" && /[^\s@]+@[^\s@]+\.[^\s@]+/.test(value)) return "[masked]";
  return value;
}

/** Records one change; call it inside the transaction that makes the change. */
export async function recordAudit(step: AuditStep, entry: AuditEntry): Promise<void> {
  await step.tx.insert(auditEvents).values({
    id: newId("aud"),
    workspaceId: step.workspace.id,
    at: step.clock.now().getTime(),
    actorKind: step.audit?.actor.kind ?? "system",
    actorId: step.audit?.actor.id ?? "system",
    action: entry.action,
    targetId: entry.targetId ?? null,
    before: entry.before === undefined ? null : maskPersonal(entry.before),
    after: entry.after === undefined ? null : maskPersonal(entry.after),
    requestId: step.audit?.requestId ?? null,
    learnerId: entry.learnerId ?? null,
  });
}

export type AuditFilter = {
  actor?: string;
  /** An action, or a resource (`reward` matches `reward.approve`, `reward.void`…). */
  action?: string;
  /** Milliseconds, inclusive. */
  from?: number;
  /** Milliseconds, exclusive. */
  to?: number;
  cursor?: string;
  limit: number;
};

type AuditRow = typeof auditEvents.$inferSelect;

/** The API shape of an audit row; `email` names a team member still on the team (removed: the id alone). */
export function auditJson(row: AuditRow, email: string | null = null) {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: { kind: row.actorKind, id: row.actorId, email },
    action: row.action,
    targetId: row.targetId,
    before: row.before ?? null,
    after: row.after ?? null,
    requestId: row.requestId,
  };
}
export type AuditJson = ReturnType<typeof auditJson>;

function conditions(workspaceId: string, filter: Omit<AuditFilter, "limit" | "cursor">): (SQL | undefined)[] {
  const where: (SQL | undefined)[] = [eq(auditEvents.workspaceId, workspaceId)];
  if (filter.actor) where.push(eq(auditEvents.actorId, filter.actor));
  if (filter.action)
    where.push(
      filter.action.includes(".")
        ? eq(auditEvents.action, filter.action)
        : like(auditEvents.action, `${filter.action.replace(/[%_\\]/g, "")}.%`),
    );
  if (filter.from !== undefined) where.push(gte(auditEvents.at, filter.from));
  if (filter.to !== undefined) where.push(lt(auditEvents.at, filter.to));
  return where;
}

/** The workspace's audit rows, newest first, filtered by actor, action and time. */
export async function listAudit(ctx: WorkspaceContext, filter: AuditFilter) {
  const after = decodeCursor(filter.cursor, ["number", "string"]);
  const rows = await ctx.db
    .select()
    .from(auditEvents)
    .where(and(...conditions(ctx.workspace.id, filter), olderThan(auditEvents.at, auditEvents.id, after)))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(filter.limit + 1);
  const page = paginate(rows, filter.limit, (last) => [last.at, last.id]);
  const memberIds = [...new Set(page.items.filter((row) => row.actorKind === "member").map((row) => row.actorId))];
  const emails = new Map(
    memberIds.length === 0
      ? []
      : (
          await ctx.db
            .select({ id: teamMembers.id, email: teamMembers.email })
            .from(teamMembers)
            .where(and(eq(teamMembers.workspaceId, ctx.workspace.id), inArray(teamMembers.id, memberIds)))
        ).map((member) => [member.id, member.email] as const),
  );
  return {
    items: page.items.map((row) => auditJson(row, emails.get(row.actorId) ?? null)),
    nextCursor: page.nextCursor,
  };
}

const csvColumns = ["at", "actor_kind", "actor_id", "action", "target_id", "before", "after", "request_id"];

// Same rule as the analytics export: a cell a spreadsheet would run as a formula starts with '.
const defused = (text: string) => text.replace(/(^|[,;\t])(?=[=+\-@\t\r])/g, "$1'");

/** The filtered trail as CSV (newest first), page by page so a long trail never sits in memory. */
export function auditCsv(
  ctx: WorkspaceContext,
  filter: Omit<AuditFilter, "limit" | "cursor">,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let state: "header" | "rows" | "done" = "header";
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (state === "header") {
        state = "rows";
        controller.enqueue(encoder.encode(csvLine(csvColumns)));
        return;
      }
      const page = await listAudit(ctx, { ...filter, cursor, limit: 500 });
      const lines = page.items.map((row) =>
        csvLine(
          [
            row.at,
            row.actor.kind,
            row.actor.id,
            row.action,
            row.targetId ?? "",
            row.before === null ? "" : JSON.stringify(row.before),
            row.after === null ? "" : JSON.stringify(row.after),
            row.requestId ?? "",
          ].map(defused),
        ),
      );
      if (lines.length > 0) controller.enqueue(encoder.encode(lines.join("")));
      if (!page.nextCursor) {
        state = "done";
        controller.close();
      } else cursor = page.nextCursor;
    },
  });
}

/**
 * Erasure's one change to the trail: the learner's rows keep who did what and when, but their
 * values and target lose anything that named the learner (`learner_id` is cleared, so the
 * database lets this happen once per row).
 */
export async function maskLearnerAudit(
  step: { tx: DbOrTx; workspace: { id: string } },
  input: { learnerId: string },
): Promise<number> {
  const rows = await step.tx
    .update(auditEvents)
    .set({ targetId: "[erased learner]", before: null, after: null, learnerId: null })
    .where(and(eq(auditEvents.workspaceId, step.workspace.id), eq(auditEvents.learnerId, input.learnerId)))
    .returning({ id: auditEvents.id });
  return rows.length;
}
