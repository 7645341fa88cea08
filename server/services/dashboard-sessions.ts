/**
 * Dashboard sessions: the secret key is exchanged once for a signed cookie, so the browser never
 * keeps the key. The cookie holds `workspace id . key id . expiry` and an HMAC-SHA256 of them with
 * the server secret; nothing is stored server side, and revoking the key ends every session made
 * with it (checked on each request).
 */
import { eq } from "drizzle-orm";
import { apiKeys, workspaces } from "../../db/schema.ts";
import { hmacSha256Hex, timingSafeEqual } from "../lib/crypto.ts";
import { findKey } from "./api-keys.ts";
import { DomainError } from "./errors.ts";
import type { SecretContext, ServiceContext, Workspace } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

export const sessionCookie = "chorus_session";
/** Twelve hours: a working day, then the key again. */
export const sessionTtlMs = 12 * 60 * 60 * 1000;

const idPattern = /^[A-Za-z0-9_]{1,64}$/;

export type Session = { workspaceId: string; keyId: string; expiresAt: number };

/** The cookie value of a session: its fields and their HMAC with the server secret. */
export async function signSession({ secret }: SecretContext, session: Session): Promise<string> {
  const payload = `${session.workspaceId}.${session.keyId}.${session.expiresAt}`;
  return `${payload}.${await hmacSha256Hex(secret, `dashboard-session|${payload}`)}`;
}

/** The session a cookie value stands for, or null when it is malformed, forged or expired. */
export async function readSession(
  { secret, clock }: Pick<ServiceContext, "clock"> & SecretContext,
  { value }: { value: string },
): Promise<Session | null> {
  const parts = value.split(".");
  if (parts.length !== 4) return null;
  const [workspaceId, keyId, expires, mac] = parts as [string, string, string, string];
  if (!idPattern.test(workspaceId) || !idPattern.test(keyId) || !/^\d{1,15}$/.test(expires)) return null;
  const expected = await hmacSha256Hex(secret, `dashboard-session|${workspaceId}.${keyId}.${expires}`);
  if (!timingSafeEqual(mac, expected)) return null;
  const expiresAt = Number(expires);
  if (expiresAt <= clock.now().getTime()) return null;
  return { workspaceId, keyId, expiresAt };
}

/** The workspace of a valid session: its key must still be a live secret key of that same workspace. */
export async function sessionWorkspace(
  { db }: Pick<ServiceContext, "db">,
  { session }: { session: Session },
): Promise<Workspace | null> {
  const [row] = await db
    .select({ key: apiKeys, workspace: workspaces })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(eq(apiKeys.id, session.keyId));
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
  const expiresAt = ctx.clock.now().getTime() + sessionTtlMs;
  const cookie = await signSession(ctx, { workspaceId: found.workspace.id, keyId: found.keyId, expiresAt });
  return { cookie, workspace: found.workspace, expiresAt };
}
