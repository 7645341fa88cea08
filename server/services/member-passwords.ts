/**
 * A member's own password: the last fallback for signing in where neither a passkey nor mail is
 * at hand. Only a signed-in member sets, changes or removes their own (the secret key cannot, and
 * nobody sets another's); each change is audited in the transaction that makes it and ends the
 * member's other sessions. Signing in with an address and a password refuses an unknown address,
 * a member without a password and a wrong password alike, and spends one hash on each so the time
 * taken does not tell them apart either. Hashing: server/lib/password-hash.ts.
 */
import { and, asc, eq, isNotNull } from "drizzle-orm";
import { teamMembers } from "../../db/schema.ts";
import { hashPassword, needsRehash, passwordProblem, verifyNothing, verifyPassword } from "../lib/password-hash.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { endOtherSessions, type Member, startSession } from "./dashboard-sessions.ts";
import { DomainError } from "./errors.ts";
import { emailKey, type TeamMember } from "./team-members.ts";
import type { ServiceContext, WorkspaceContext } from "./types.ts";

const ofMember = (member: Member) =>
  and(eq(teamMembers.id, member.id), eq(teamMembers.workspaceId, member.workspaceId));

/** Whether the member has a password (never the hash). */
export async function passwordStatus({ db }: ServiceContext, { member }: { member: Member }) {
  const [row] = await db.select({ hash: teamMembers.passwordHash }).from(teamMembers).where(ofMember(member));
  return { set: Boolean(row?.hash) };
}

/**
 * Sets or replaces the member's password; their other sessions end (`keepToken` is the session
 * making the change). Answers how many ended.
 */
export async function setPassword(
  ctx: WorkspaceContext,
  input: { member: Member; password: string; keepToken: string | null },
): Promise<{ endedSessions: number }> {
  const problem = passwordProblem(input.password, input.member.email);
  if (problem) throw new DomainError("invalid_request", problem, { field: "password" });
  // Hashed before the transaction: the write lock is not held through 16 MiB of scrypt.
  const hash = await hashPassword(input.password);
  return writeTransaction(ctx.db, async (tx) => {
    const [before] = await tx
      .select({ hash: teamMembers.passwordHash })
      .from(teamMembers)
      .where(ofMember(input.member));
    if (!before) throw new DomainError("not_found", "No such member in this workspace");
    await tx.update(teamMembers).set({ passwordHash: hash }).where(ofMember(input.member));
    const endedSessions = await endOtherSessions({ db: tx }, { member: input.member, keepToken: input.keepToken });
    await recordAudit(
      { ...ctx, tx },
      {
        action: before.hash ? "password.change" : "password.set",
        targetId: input.member.id,
        after: { otherSessionsEnded: endedSessions },
      },
    );
    return { endedSessions };
  });
}

/** Removes the member's password (they sign in with a passkey or a link from then on); other sessions end. */
export async function removePassword(
  ctx: WorkspaceContext,
  input: { member: Member; keepToken: string | null },
): Promise<{ endedSessions: number }> {
  return writeTransaction(ctx.db, async (tx) => {
    const removed = await tx
      .update(teamMembers)
      .set({ passwordHash: null })
      .where(and(ofMember(input.member), isNotNull(teamMembers.passwordHash)))
      .returning({ id: teamMembers.id });
    if (removed.length === 0) throw new DomainError("not_found", "You have no password to remove");
    const endedSessions = await endOtherSessions({ db: tx }, { member: input.member, keepToken: input.keepToken });
    await recordAudit(
      { ...ctx, tx },
      { action: "password.remove", targetId: input.member.id, after: { otherSessionsEnded: endedSessions } },
    );
    return { endedSessions };
  });
}

/** Every wrong answer is this one. */
const refused = () => new DomainError("unauthorized", "That address and password do not match", { reason: "password" });

/**
 * Signs in with an address and a password. An address may be a member of several workspaces,
 * each with its own password: the oldest membership whose password matches opens its workspace.
 * Removed members have no row, so nothing of theirs matches.
 */
export async function signInWithPassword(
  ctx: ServiceContext,
  input: { email: string; password: string },
): Promise<{ token: string; expiresAt: number; member: TeamMember }> {
  const candidates = await ctx.db
    .select()
    .from(teamMembers)
    .where(and(eq(teamMembers.emailKey, emailKey(input.email)), isNotNull(teamMembers.passwordHash)))
    .orderBy(asc(teamMembers.createdAt), asc(teamMembers.id));
  if (candidates.length === 0) {
    await verifyNothing(input.password);
    throw refused();
  }
  for (const member of candidates) {
    const stored = member.passwordHash ?? "";
    if (!(await verifyPassword(input.password, stored))) continue;
    // A hash made with weaker parameters than today's is replaced while the password is at hand.
    if (needsRehash(stored))
      await ctx.db
        .update(teamMembers)
        .set({ passwordHash: await hashPassword(input.password) })
        .where(and(eq(teamMembers.id, member.id), eq(teamMembers.passwordHash, stored)));
    const session = await startSession(ctx, { member });
    return { ...session, member };
  }
  throw refused();
}
