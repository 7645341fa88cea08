/**
 * A workspace's team: who may use its dashboard and in which role (server/lib/permissions.ts).
 * Removing a member deletes their sessions, passkeys and links in the same batch, so an open
 * session stops working at its next request. The last owner cannot be removed or demoted: a
 * workspace always has someone who can manage it without the secret key. Each change is checked,
 * made and audited in one write transaction: its audit row commits with it or not at all, and the
 * last-owner check reads the team as the change finds it.
 */
import { and, asc, eq } from "drizzle-orm";
import { memberLinks, memberPasskeys, memberSessions, teamMembers } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { type Role, roles } from "../lib/permissions.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { DomainError } from "./errors.ts";
import { isSendableAddress } from "./mail-outbox.ts";
import type { DbOrTx } from "./outbox.ts";
import type { Clock, ServiceContext, WorkspaceContext } from "./types.ts";

export type TeamMember = typeof teamMembers.$inferSelect;

/** The lowercased address: one member per address and workspace, whatever the capitals. */
export const emailKey = (email: string) => email.trim().toLowerCase();

function checkedEmail(email: string): string {
  const trimmed = email.trim();
  if (/[^\u0021-\u007e]/.test(trimmed) || !isSendableAddress(trimmed))
    throw new DomainError("invalid_request", "That is not an email address we can send to", { field: "email" });
  return trimmed;
}

function checkedRole(role: string): Role {
  if (!(roles as readonly string[]).includes(role))
    throw new DomainError("invalid_request", `The role must be one of ${roles.join(", ")}`, { field: "role" });
  return role as Role;
}

/** Adds a member (joined: the CLI's first owner) or an invited one (`joined: false`). */
export async function addMember(
  { db, clock }: { db: DbOrTx; clock: Clock },
  input: { workspaceId: string; email: string; role: string; joined: boolean },
): Promise<TeamMember> {
  const email = checkedEmail(input.email);
  const role = checkedRole(input.role);
  const now = clock.now().getTime();
  const [row] = await db
    .insert(teamMembers)
    .values({
      id: newId("mbr"),
      workspaceId: input.workspaceId,
      email,
      emailKey: emailKey(email),
      role,
      joinedAt: input.joined ? now : null,
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new DomainError("conflict", "This address is already a member of the workspace", { field: "email" });
  return row;
}

/** The member with this address, made (as joined) when there is none: the demo workspace's owner. */
export async function ensureMember(
  ctx: ServiceContext,
  input: { workspaceId: string; email: string; role: string },
): Promise<TeamMember> {
  const [existing] = await ctx.db
    .select()
    .from(teamMembers)
    .where(and(eq(teamMembers.workspaceId, input.workspaceId), eq(teamMembers.emailKey, emailKey(input.email))));
  return existing ?? addMember(ctx, { ...input, joined: true });
}

/** A workspace's reads and writes, on its database or inside a transaction. */
type InWorkspace = Pick<WorkspaceContext, "workspace"> & { db: DbOrTx };

/** The workspace's members, oldest first. */
export async function listMembers({ db, workspace }: InWorkspace): Promise<TeamMember[]> {
  return db
    .select()
    .from(teamMembers)
    .where(eq(teamMembers.workspaceId, workspace.id))
    .orderBy(asc(teamMembers.createdAt), asc(teamMembers.id));
}

async function memberOf(ctx: InWorkspace, id: string): Promise<TeamMember> {
  const [row] = await ctx.db
    .select()
    .from(teamMembers)
    .where(and(eq(teamMembers.id, id), eq(teamMembers.workspaceId, ctx.workspace.id)));
  if (!row) throw new DomainError("not_found", "No such member in this workspace");
  return row;
}

async function refuseLastOwner(ctx: InWorkspace, member: TeamMember) {
  if (member.role !== "owner") return;
  const owners = (await listMembers(ctx)).filter((m) => m.role === "owner" && m.joinedAt !== null);
  if (owners.length <= 1 && member.joinedAt !== null)
    throw new DomainError("conflict", "A workspace keeps at least one owner: make someone else owner first");
}

/** A new role; it applies from the member's next request (sessions read the role each time). */
export async function changeRole(ctx: WorkspaceContext, input: { id: string; role: string }): Promise<TeamMember> {
  const role = checkedRole(input.role);
  return writeTransaction(ctx.db, async (tx) => {
    const inTx = { ...ctx, db: tx };
    const member = await memberOf(inTx, input.id);
    if (role !== "owner") await refuseLastOwner(inTx, member);
    const [row] = await tx
      .update(teamMembers)
      .set({ role })
      .where(and(eq(teamMembers.id, member.id), eq(teamMembers.workspaceId, ctx.workspace.id)))
      .returning();
    if (!row) throw new DomainError("not_found", "No such member in this workspace");
    await recordAudit(
      { ...ctx, tx },
      { action: "member.role", targetId: member.id, before: { role: member.role }, after: { role: row.role } },
    );
    return row;
  });
}

/** Removes a member with everything that lets them in: sessions, passkeys, unused links. */
export async function removeMember(ctx: WorkspaceContext, { id }: { id: string }): Promise<void> {
  const { workspace } = ctx;
  await writeTransaction(ctx.db, async (tx) => {
    const member = await memberOf({ ...ctx, db: tx }, id);
    await refuseLastOwner({ ...ctx, db: tx }, member);
    await tx
      .delete(memberSessions)
      .where(and(eq(memberSessions.workspaceId, workspace.id), eq(memberSessions.memberId, member.id)));
    await tx
      .delete(memberPasskeys)
      .where(and(eq(memberPasskeys.workspaceId, workspace.id), eq(memberPasskeys.memberId, member.id)));
    await tx
      .delete(memberLinks)
      .where(and(eq(memberLinks.workspaceId, workspace.id), eq(memberLinks.memberId, member.id)));
    await tx.delete(teamMembers).where(and(eq(teamMembers.id, member.id), eq(teamMembers.workspaceId, workspace.id)));
    // The trail keeps what a removed member did (their id stays in its rows) and says who removed them.
    await recordAudit(
      { ...ctx, tx },
      { action: "member.remove", targetId: member.id, before: { email: member.email, role: member.role } },
    );
  });
}
