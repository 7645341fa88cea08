/**
 * Brand names a workspace reserves (`/v1/admin/reserved-codes`): codes are one namespace across
 * the server, so without this any tenant could register `/r/skillbridge` first (issue 15). A
 * reserved name, and every code that reads like it (the same skeleton), can then be a vanity code
 * of the reserving workspace only. Reserving a name another workspace already uses is refused.
 */
import { and, asc, eq, ne } from "drizzle-orm";
import { referralCodes, reservedCodes } from "../../db/schema.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { reservedCodes as builtInReserved, codeSkeleton, normalizeCode } from "./codes.ts";
import { DomainError } from "./errors.ts";
import type { WorkspaceContext } from "./types.ts";

/** At most this many names per workspace: brands, not a land grab of the namespace. */
export const maxReservedCodes = 50;

const present = (row: typeof reservedCodes.$inferSelect) => ({
  name: row.name,
  createdAt: new Date(row.createdAt).toISOString(),
});

export async function listReservedCodes({ db, workspace }: WorkspaceContext) {
  const rows = await db
    .select()
    .from(reservedCodes)
    .where(eq(reservedCodes.workspaceId, workspace.id))
    .orderBy(asc(reservedCodes.name));
  return rows.map(present);
}

/**
 * Reserves `name` for the workspace (again: no change). Refused when the name is not a code, is
 * one of the server's own words, reads like a name another workspace reserved, or is (or reads
 * like) a vanity code of another workspace. The refusal never says which workspace.
 */
export async function reserveCode(ctx: WorkspaceContext, input: { name: string }) {
  const { db, clock, workspace } = ctx;
  const name = normalizeCode(input.name);
  if (!name) throw new DomainError("invalid_request", "A name is 3–32 characters of a-z, 0-9 and single hyphens");
  if (builtInReserved.has(name)) throw new DomainError("invalid_request", `"${name}" is reserved by the server`);
  const skeleton = codeSkeleton(name);
  return writeTransaction(db, async (tx) => {
    const [mine] = await tx
      .select()
      .from(reservedCodes)
      .where(and(eq(reservedCodes.workspaceId, workspace.id), eq(reservedCodes.name, name)));
    if (mine) return { created: false, reservation: present(mine) };
    const [taken] = await tx.select().from(reservedCodes).where(eq(reservedCodes.skeleton, skeleton));
    if (taken)
      throw new DomainError(
        "conflict",
        taken.workspaceId === workspace.id
          ? `"${name}" reads like "${taken.name}", which this workspace has reserved already`
          : `"${name}" is reserved by another workspace`,
      );
    const owned = await tx
      .select({ n: reservedCodes.name })
      .from(reservedCodes)
      .where(eq(reservedCodes.workspaceId, workspace.id));
    if (owned.length >= maxReservedCodes)
      throw new DomainError("invalid_request", `A workspace reserves at most ${maxReservedCodes} names`);
    // Any code of another workspace with exactly this name (generated codes too), then vanity
    // codes that read like it: providers make those by hand, so there are few to compare.
    const [exact] = await tx
      .select({ id: referralCodes.id })
      .from(referralCodes)
      .where(and(eq(referralCodes.code, name), ne(referralCodes.workspaceId, workspace.id)));
    const similar = exact
      ? []
      : (
          await tx
            .select({ code: referralCodes.code })
            .from(referralCodes)
            .where(and(eq(referralCodes.kind, "vanity"), ne(referralCodes.workspaceId, workspace.id)))
        ).filter((row) => codeSkeleton(row.code) === skeleton);
    if (exact || similar.length > 0)
      throw new DomainError("conflict", `"${name}" is already in use as a code of another workspace`);
    const [row] = await tx
      .insert(reservedCodes)
      .values({ workspaceId: workspace.id, name, skeleton, createdAt: clock.now().getTime() })
      .returning();
    await recordAudit(
      { ...ctx, tx },
      { action: "reserved_code.reserve", targetId: name, before: null, after: { name } },
    );
    return { created: true, reservation: present(row as typeof reservedCodes.$inferSelect) };
  });
}

/** Releases a name of the workspace; 404 when it has no such reservation. */
export async function releaseReservedCode(ctx: WorkspaceContext, input: { name: string }) {
  const { db, workspace } = ctx;
  const name = normalizeCode(input.name);
  if (!name) throw new DomainError("not_found", "This workspace has not reserved that name");
  await writeTransaction(db, async (tx) => {
    const removed = await tx
      .delete(reservedCodes)
      .where(and(eq(reservedCodes.workspaceId, workspace.id), eq(reservedCodes.name, name)))
      .returning({ name: reservedCodes.name });
    if (removed.length === 0) throw new DomainError("not_found", "This workspace has not reserved that name");
    await recordAudit(
      { ...ctx, tx },
      { action: "reserved_code.release", targetId: name, before: { name }, after: null },
    );
  });
}
