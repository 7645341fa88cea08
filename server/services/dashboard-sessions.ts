/**
 * Dashboard sessions: the secret key is exchanged once for a signed cookie, so the browser never
 * keeps the key. The cookie holds `workspace id . key id . session id . expiry` and an HMAC-SHA256
 * of them with the server secret, so a forged or altered cookie is refused without a read. The
 * session's row must also still exist: signing out deletes it, so a copied cookie stops working
 * then too (issue 15: a cookie stayed valid after sign-out). Revoking the key ends every session
 * made with it (checked on each request).
 */
import { and, eq, lte } from "drizzle-orm";
import { apiKeys, dashboardSessions, workspaces } from "../../db/schema.ts";
import { hmacSha256Hex, timingSafeEqual } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import { findKey } from "./api-keys.ts";
import { DomainError } from "./errors.ts";
import type { SecretContext, ServiceContext, Workspace } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

export const sessionCookie = "chorus_session";
/** Twelve hours: a working day, then the key again. */
export const sessionTtlMs = 12 * 60 * 60 * 1000;

const idPattern = /^[A-Za-z0-9_]{1,64}$/;

export type Session = { workspaceId: string; keyId: string; id: string; expiresAt: number };

const signedPart = (session: Session) => `${session.workspaceId}.${session.keyId}.${session.id}.${session.expiresAt}`;

/** The cookie value of a session: its fields and their HMAC with the server secret. */
export async function signSession({ secret }: SecretContext, session: Session): Promise<string> {
  const payload = signedPart(session);
  return `${payload}.${await hmacSha256Hex(secret, `dashboard-session|${payload}`)}`;
}

/** The session a cookie value stands for, or null when it is malformed, forged or expired. */
export async function readSession(
  { secret, clock }: Pick<ServiceContext, "clock"> & SecretContext,
  { value }: { value: string },
): Promise<Session | null> {
  const parts = value.split(".");
  if (parts.length !== 5) return null;
  const [workspaceId, keyId, id, expires, mac] = parts as [string, string, string, string, string];
  if (!idPattern.test(workspaceId) || !idPattern.test(keyId) || !idPattern.test(id) || !/^\d{1,15}$/.test(expires))
    return null;
  const session = { workspaceId, keyId, id, expiresAt: Number(expires) };
  const expected = await hmacSha256Hex(secret, `dashboard-session|${signedPart(session)}`);
  if (!timingSafeEqual(mac, expected)) return null;
  if (session.expiresAt <= clock.now().getTime()) return null;
  return session;
}

/**
 * The workspace of a valid session: it must not have been signed out, and its key must still be
 * a live secret key of that same workspace.
 */
export async function sessionWorkspace(
  { db }: Pick<ServiceContext, "db">,
  { session }: { session: Session },
): Promise<Workspace | null> {
  const [row] = await db
    .select({ key: apiKeys, workspace: workspaces })
    .from(dashboardSessions)
    .innerJoin(apiKeys, eq(apiKeys.id, dashboardSessions.keyId))
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(
      and(
        eq(dashboardSessions.id, session.id),
        eq(dashboardSessions.workspaceId, session.workspaceId),
        eq(dashboardSessions.keyId, session.keyId),
      ),
    );
  if (!row || row.key.revokedAt !== null || row.key.kind !== "secret") return null;
  if (row.key.workspaceId !== session.workspaceId) return null;
  return parseWorkspace(row.workspace);
}

/**
 * Signing in: a live secret key of a workspace for a session cookie of `sessionTtlMs`. Anything
 * else (a publishable key, a revoked or unknown key) is refused alike.
 */
export async function signIn(ctx: ServiceContext & SecretContext, { secretKey }: { secretKey: string }) {
  const found = secretKey.startsWith("sk_") ? await findKey(ctx, { key: secretKey }) : null;
  if (found?.status !== "valid" || found.kind !== "secret")
    throw new DomainError("unauthorized", "That is not a valid secret key");
  const now = ctx.clock.now().getTime();
  const session = {
    workspaceId: found.workspace.id,
    keyId: found.keyId,
    id: newId("ses"),
    expiresAt: now + sessionTtlMs,
  };
  // The workspace's expired sessions go as a new one starts, so the table holds live ones only.
  await ctx.db.batch([
    ctx.db
      .delete(dashboardSessions)
      .where(and(eq(dashboardSessions.workspaceId, session.workspaceId), lte(dashboardSessions.expiresAt, now))),
    ctx.db.insert(dashboardSessions).values({ ...session, createdAt: now }),
  ]);
  const cookie = await signSession(ctx, session);
  return { cookie, workspace: found.workspace, expiresAt: session.expiresAt };
}

/** Signing out: the session's row goes, so its cookie (wherever a copy is) opens nothing any more. */
export async function signOut(ctx: ServiceContext & SecretContext, { value }: { value: string }) {
  const session = await readSession(ctx, { value });
  if (!session) return;
  await ctx.db
    .delete(dashboardSessions)
    .where(and(eq(dashboardSessions.id, session.id), eq(dashboardSessions.workspaceId, session.workspaceId)));
}
