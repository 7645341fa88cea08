/**
 * API keys. A key is shown once, when made; the database keeps only its SHA-256 and a short
 * prefix to recognise it by. Publishable keys (`pk_`) identify a workspace from browsers on its
 * allowed origins; secret keys (`sk_`) authorise server-to-server calls.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { apiKeys, workspaces } from "../../db/schema.ts";
import { sha256Hex } from "../lib/crypto.ts";
import { newId, newSecret } from "../lib/ids.ts";
import { type Tx, writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { fixedClock } from "./clock.ts";
import type { Clock, ServiceContext, Workspace } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

export type KeyKind = "publishable" | "secret";

const prefixOf = { publishable: "pk", secret: "sk" } as const;

/**
 * Where a key is written: the database, or the write transaction that makes the workspace or
 * rotates its keys (there is no workspace row to hand yet, so not a TransactionContext).
 */
export type KeyWriteContext = { db: Db | Tx; clock: Clock };

export type KeyInput = { workspaceId: string; kind: KeyKind };

/** Inserts a new key and returns it in clear: the only time it exists outside the caller. */
export async function issueKey({ db, clock }: KeyWriteContext, { workspaceId, kind }: KeyInput): Promise<string> {
  const key = newSecret(prefixOf[kind]);
  await db.insert(apiKeys).values({
    id: newId("key"),
    workspaceId,
    kind,
    prefix: key.slice(0, 10),
    hash: await sha256Hex(key),
    createdAt: clock.now().getTime(),
  });
  return key;
}

/** Revokes every active key of that kind and issues a new one, in one write: never no key at all. */
export function rotateKey({ db, clock }: ServiceContext, { workspaceId, kind }: KeyInput): Promise<string> {
  const now = clock.now();
  const at = fixedClock(now);
  return writeTransaction(db, async (tx) => {
    const revoked = await tx
      .update(apiKeys)
      .set({ revokedAt: now.getTime() })
      .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.kind, kind), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    const key = await issueKey({ db: tx, clock: at }, { workspaceId, kind });
    // Keys are rotated from the CLI: the trail names the system as the actor, never the key itself.
    await recordAudit(
      { tx, clock: at, workspace: { id: workspaceId } },
      { action: "key.rotate", targetId: kind, before: { keys: revoked.map((row) => row.id) }, after: { kind } },
    );
    return key;
  });
}

export type KeyLookup =
  | { status: "valid"; keyId: string; kind: KeyKind; workspace: Workspace }
  | { status: "revoked" | "unknown" };

/** The key's workspace, when the key is one of ours and still live. */
export async function findKey({ db }: Pick<ServiceContext, "db">, { key }: { key: string }): Promise<KeyLookup> {
  const [row] = await db
    .select({ key: apiKeys, workspace: workspaces })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(eq(apiKeys.hash, await sha256Hex(key)));
  if (!row) return { status: "unknown" };
  if (row.key.revokedAt !== null) return { status: "revoked" };
  return { status: "valid", keyId: row.key.id, kind: row.key.kind, workspace: parseWorkspace(row.workspace) };
}
