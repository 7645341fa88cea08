/**
 * The publishable key the hosted advocate page hands its elements. Keys are stored only as
 * hashes, so the server cannot read back a key it issued; this one is derived from its own row
 * id with the server secret, so the server can make it again on every page view while the table
 * still holds only its hash. It is an ordinary publishable key: the page's origin is Chorus's
 * own, which every publishable key accepts. Rotating the publishable key revokes it too; the
 * next page view issues a new one.
 */
import { and, eq, isNull } from "drizzle-orm";
import { apiKeys } from "../../db/schema.ts";
import { hmacSha256Hex, sha256Hex } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import type { SecretContext, WorkspaceContext } from "./types.ts";

const derive = (secret: string, keyId: string) =>
  `pk_${hmacSha256Hex(secret, `hosted-page-key:${keyId}`).slice(0, 40)}`;

export async function hostedPageKey({
  db,
  clock,
  secret,
  workspace,
}: WorkspaceContext & SecretContext): Promise<string> {
  const live = await db
    .select({ id: apiKeys.id, hash: apiKeys.hash })
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspace.id), eq(apiKeys.kind, "publishable"), isNull(apiKeys.revokedAt)));
  for (const row of live) {
    const key = derive(secret, row.id);
    if ((await sha256Hex(key)) === row.hash) return key;
  }
  const id = newId("key");
  const key = derive(secret, id);
  await db.insert(apiKeys).values({
    id,
    workspaceId: workspace.id,
    kind: "publishable",
    prefix: key.slice(0, 10),
    hash: await sha256Hex(key),
    createdAt: clock.now().getTime(),
  });
  return key;
}
