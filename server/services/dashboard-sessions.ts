/**
 * Dashboard sessions of team members. The cookie holds 256 random bits; the database keeps only
 * their SHA-256, so a copy of the database opens nothing. A session ends on sign-out, when its
 * member is removed (their rows go with them), after `sessionIdleMs` without a request and after
 * `sessionMaxMs` in any case. The member's role is read on every request, so a change of role
 * applies to the next one. No shared secret signs anyone in: sessions start only from a passkey,
 * a one-time link or a member's own password (member-links.ts, passkeys.ts, member-passwords.ts).
 */
import { and, eq, lte, ne, or } from "drizzle-orm";
import { memberSessions, teamMembers, workspaces } from "../../db/schema.ts";
import { sha256Hex } from "../lib/crypto.ts";
import { newId, secretToken } from "../lib/ids.ts";
import type { Role } from "../lib/permissions.ts";
import type { DbOrTx } from "./outbox.ts";
import type { ServiceContext, Workspace } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

export const sessionCookie = "chorus_session";
/** A session ends after two hours without a request… */
export const sessionIdleMs = 2 * 60 * 60 * 1000;
/** …and twelve hours after sign-in in any case: a working day, then a passkey or link again. */
export const sessionMaxMs = 12 * 60 * 60 * 1000;
/** `last_seen_at` is written at most this often (not on every request). */
const touchEveryMs = 60_000;

/** The signed-in person, as routes and the audit trail read it from `c.var.member`. */
export type Member = { id: string; email: string; role: Role; workspaceId: string };

const tokenHash = (token: string) => sha256Hex(`member-session:${token}`);

/** Starts a session for a member; answers the cookie's value (shown once, never stored). */
export async function startSession(
  { db, clock }: Pick<ServiceContext, "db" | "clock">,
  { member }: { member: Pick<Member, "id" | "workspaceId"> },
): Promise<{ token: string; expiresAt: number }> {
  const now = clock.now().getTime();
  const token = secretToken();
  const expiresAt = now + sessionMaxMs;
  await db.batch([
    // The workspace's ended sessions go as a new one starts, so the table holds live ones only.
    db
      .delete(memberSessions)
      .where(
        and(
          eq(memberSessions.workspaceId, member.workspaceId),
          or(lte(memberSessions.expiresAt, now), lte(memberSessions.lastSeenAt, now - sessionIdleMs)),
        ),
      ),
    db.insert(memberSessions).values({
      id: newId("ses"),
      workspaceId: member.workspaceId,
      memberId: member.id,
      tokenHash: await tokenHash(token),
      lastSeenAt: now,
      expiresAt,
      createdAt: now,
    }),
  ]);
  return { token, expiresAt };
}

/**
 * The member and workspace a cookie stands for, or null (malformed, unknown, signed out, idle too
 * long, past its absolute expiry, or its member removed). A request keeps the session alive.
 */
export async function sessionMember(
  { db, clock }: Pick<ServiceContext, "db" | "clock">,
  { token }: { token: string },
): Promise<{ member: Member; workspace: Workspace; expiresAt: number } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const now = clock.now().getTime();
  const [row] = await db
    .select({ session: memberSessions, member: teamMembers, workspace: workspaces })
    .from(memberSessions)
    .innerJoin(teamMembers, eq(teamMembers.id, memberSessions.memberId))
    .innerJoin(workspaces, eq(workspaces.id, teamMembers.workspaceId))
    .where(eq(memberSessions.tokenHash, await tokenHash(token)));
  if (!row || row.member.workspaceId !== row.session.workspaceId) return null;
  if (row.session.expiresAt <= now || row.session.lastSeenAt <= now - sessionIdleMs) return null;
  if (now - row.session.lastSeenAt >= touchEveryMs)
    await db.update(memberSessions).set({ lastSeenAt: now }).where(eq(memberSessions.id, row.session.id));
  const { id, email, role, workspaceId } = row.member;
  return {
    member: { id, email, role, workspaceId },
    workspace: parseWorkspace(row.workspace),
    expiresAt: row.session.expiresAt,
  };
}

/** Signing out: the session's row goes, so a copy of the cookie opens nothing either. */
export async function endSession({ db }: Pick<ServiceContext, "db">, { token }: { token: string }): Promise<void> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return;
  await db.delete(memberSessions).where(eq(memberSessions.tokenHash, await tokenHash(token)));
}

/**
 * Ends every session of the member but the one making the request (`keepToken`; none: all of
 * them): after a password change, whoever knew the old one is signed out.
 */
export async function endOtherSessions(
  { db }: { db: DbOrTx },
  { member, keepToken }: { member: Pick<Member, "id" | "workspaceId">; keepToken: string | null },
): Promise<number> {
  const ofMember = and(eq(memberSessions.workspaceId, member.workspaceId), eq(memberSessions.memberId, member.id));
  const ended = await db
    .delete(memberSessions)
    .where(keepToken ? and(ofMember, ne(memberSessions.tokenHash, await tokenHash(keepToken))) : ofMember)
    .returning({ id: memberSessions.id });
  return ended.length;
}
