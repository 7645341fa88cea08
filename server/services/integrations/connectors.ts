/**
 * Connectors, for the program admin: create (the URL token is shown once), list, change the
 * course map, currency, mapping or signing, rotate the token, delete, and read the last events.
 * Every query is scoped by the caller's workspace.
 */
import { and, desc, eq } from "drizzle-orm";
import { integrationConnectors, integrationEvents } from "../../../db/schema.ts";
import { sha256Hex } from "../../lib/crypto.ts";
import { newId, newSecret } from "../../lib/ids.ts";
import { seal } from "../../lib/secret-box.ts";
import { writeTransaction } from "../../lib/write-transaction.ts";
import { recordAudit } from "../audit.ts";
import { DomainError } from "../errors.ts";
import type { SecretContext, WorkspaceContext } from "../types.ts";
import type { CustomMapping, SignatureScheme } from "./custom-mapping.ts";

/** What the signing secrets are sealed for (server/lib/secret-box.ts): their own key, bound to the workspace. */
export const signingSecretPurpose = "connector-signing-secret";

const sealSigningSecret = (secret: string, workspaceId: string, plaintext: string) =>
  seal({ secret, purpose: signingSecretPurpose, owner: workspaceId, plaintext });

export type ConnectorPlatform = (typeof integrationConnectors.$inferSelect)["platform"];
type Row = typeof integrationConnectors.$inferSelect;

/** At most this many connectors per workspace. */
export const connectorLimit = 20;

export type ConnectorJson = {
  id: string;
  platform: ConnectorPlatform;
  name: string;
  /** The path to paste into the platform, without the token (`?token=` is shown once). */
  path: string;
  signed: boolean;
  signature: SignatureScheme | null;
  mapping: CustomMapping | null;
  courses: Record<string, string>;
  currency: string | null;
  createdAt: string;
};

export function connectorPath(row: { platform: string; id: string }) {
  return `/v1/integrations/${row.platform}/${row.id}`;
}

function toJson(row: Row): ConnectorJson {
  return {
    id: row.id,
    platform: row.platform,
    name: row.name,
    path: connectorPath(row),
    signed: row.signingSecret !== null,
    signature: (row.signature as SignatureScheme | null) ?? null,
    mapping: (row.mapping as CustomMapping | null) ?? null,
    courses: row.courses,
    currency: row.currency,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export type ConnectorSettings = {
  name?: string;
  signingSecret?: string | null;
  signature?: SignatureScheme | null;
  mapping?: CustomMapping | null;
  courses?: Record<string, string>;
  currency?: string | null;
};

/** Thinkific always signs; a custom endpoint's signature needs its secret and the reverse. */
function checkSigning(
  platform: ConnectorPlatform,
  row: { signingSecret: unknown; signature: unknown; mapping: unknown },
) {
  if (platform === "thinkific" && !row.signingSecret)
    throw new DomainError("invalid_request", "Thinkific signs every webhook: give its signing secret", [
      { path: "signingSecret", message: "required for thinkific" },
    ]);
  if (platform === "custom" && Boolean(row.signingSecret) !== Boolean(row.signature))
    throw new DomainError("invalid_request", "A signed custom endpoint needs both `signature` and `signingSecret`", [
      { path: row.signature ? "signingSecret" : "signature", message: "required with the other" },
    ]);
  if (platform === "custom" && !row.mapping)
    throw new DomainError("invalid_request", "A custom endpoint needs a mapping", [
      { path: "mapping", message: "required for custom" },
    ]);
  if (platform !== "custom" && (row.mapping || row.signature))
    throw new DomainError("invalid_request", "Only custom endpoints take a mapping or a signature scheme", [
      { path: row.mapping ? "mapping" : "signature", message: "only for custom" },
    ]);
}

export async function createConnector(
  ctx: WorkspaceContext & SecretContext,
  input: ConnectorSettings & { platform: ConnectorPlatform },
): Promise<ConnectorJson & { token: string }> {
  const { db, workspace, secret } = ctx;
  const existing = await db
    .select({ id: integrationConnectors.id })
    .from(integrationConnectors)
    .where(eq(integrationConnectors.workspaceId, workspace.id));
  if (existing.length >= connectorLimit)
    throw new DomainError("conflict", `At most ${connectorLimit} connectors per workspace`);
  const signingSecret = input.signingSecret ? await sealSigningSecret(secret, workspace.id, input.signingSecret) : null;
  checkSigning(input.platform, { signingSecret, signature: input.signature ?? null, mapping: input.mapping ?? null });
  const token = newSecret("ict");
  const [row] = await writeTransaction(db, async (tx) => {
    const inserted = await tx
      .insert(integrationConnectors)
      .values({
        id: newId("icn"),
        workspaceId: workspace.id,
        platform: input.platform,
        name: input.name ?? input.platform,
        tokenHash: await sha256Hex(token),
        signingSecret,
        signature: input.signature ?? null,
        mapping: input.mapping ?? null,
        courses: input.courses ?? {},
        currency: input.currency ?? null,
        createdAt: ctx.clock.now().getTime(),
      })
      .returning();
    await recordAudit(
      { ...ctx, tx },
      {
        action: "integration.create",
        targetId: inserted[0]?.id,
        before: null,
        after: inserted[0] ? toJson(inserted[0]) : null,
      },
    );
    return inserted;
  });
  return { ...toJson(row!), token };
}

async function ownRow({ db, workspace }: WorkspaceContext, id: string): Promise<Row> {
  const [row] = await db
    .select()
    .from(integrationConnectors)
    .where(and(eq(integrationConnectors.workspaceId, workspace.id), eq(integrationConnectors.id, id)));
  if (!row) throw new DomainError("not_found", `No connector ${id} in this workspace`);
  return row;
}

export async function listConnectors(ctx: WorkspaceContext): Promise<{ items: ConnectorJson[]; nextCursor: null }> {
  const rows = await ctx.db
    .select()
    .from(integrationConnectors)
    .where(eq(integrationConnectors.workspaceId, ctx.workspace.id))
    .orderBy(integrationConnectors.createdAt, integrationConnectors.id);
  return { items: rows.map(toJson), nextCursor: null };
}

export async function updateConnector(
  ctx: WorkspaceContext & SecretContext,
  input: ConnectorSettings & { id: string },
): Promise<ConnectorJson> {
  const row = await ownRow(ctx, input.id);
  const changes = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.signingSecret !== undefined
      ? {
          signingSecret:
            input.signingSecret === null
              ? null
              : await sealSigningSecret(ctx.secret, ctx.workspace.id, input.signingSecret),
        }
      : {}),
    ...(input.signature !== undefined ? { signature: input.signature } : {}),
    ...(input.mapping !== undefined ? { mapping: input.mapping } : {}),
    ...(input.courses !== undefined ? { courses: input.courses } : {}),
    ...(input.currency !== undefined ? { currency: input.currency } : {}),
  };
  checkSigning(row.platform, { ...row, ...changes });
  const [updated] = await writeTransaction(ctx.db, async (tx) => {
    const changed = await tx
      .update(integrationConnectors)
      .set(changes)
      .where(and(eq(integrationConnectors.workspaceId, ctx.workspace.id), eq(integrationConnectors.id, row.id)))
      .returning();
    await recordAudit(
      { ...ctx, tx },
      {
        action: "integration.update",
        targetId: row.id,
        before: toJson(row),
        after: changed[0] ? toJson(changed[0]) : null,
      },
    );
    return changed;
  });
  return toJson(updated!);
}

/** A new URL token; the old one stops working at once. */
export async function rotateConnectorToken(
  ctx: WorkspaceContext,
  input: { id: string },
): Promise<ConnectorJson & { token: string }> {
  const row = await ownRow(ctx, input.id);
  const token = newSecret("ict");
  const tokenHash = await sha256Hex(token);
  await writeTransaction(ctx.db, async (tx) => {
    await tx
      .update(integrationConnectors)
      .set({ tokenHash })
      .where(and(eq(integrationConnectors.workspaceId, ctx.workspace.id), eq(integrationConnectors.id, row.id)));
    await recordAudit(
      { ...ctx, tx },
      { action: "integration.rotate_token", targetId: row.id, before: null, after: null },
    );
  });
  return { ...toJson(row), token };
}

export async function deleteConnector(ctx: WorkspaceContext, input: { id: string }): Promise<void> {
  const row = await ownRow(ctx, input.id);
  const scope = eq(integrationEvents.workspaceId, ctx.workspace.id);
  await writeTransaction(ctx.db, async (tx) => {
    await tx.delete(integrationEvents).where(and(scope, eq(integrationEvents.connectorId, row.id)));
    await tx
      .delete(integrationConnectors)
      .where(and(eq(integrationConnectors.workspaceId, ctx.workspace.id), eq(integrationConnectors.id, row.id)));
    await recordAudit(
      { ...ctx, tx },
      { action: "integration.delete", targetId: row.id, before: toJson(row), after: null },
    );
  });
}

export type IntegrationEventJson = {
  id: string;
  eventType: string;
  eventId: string | null;
  outcome: (typeof integrationEvents.$inferSelect)["outcome"];
  detail: string;
  conversionId: string | null;
  receivedAt: string;
};

/** The connector's last events, newest first (the log keeps the last `eventLogSize`). */
export async function listConnectorEvents(
  ctx: WorkspaceContext,
  input: { id: string },
): Promise<{ items: IntegrationEventJson[]; nextCursor: null }> {
  const row = await ownRow(ctx, input.id);
  const rows = await ctx.db
    .select()
    .from(integrationEvents)
    .where(and(eq(integrationEvents.workspaceId, ctx.workspace.id), eq(integrationEvents.connectorId, row.id)))
    .orderBy(desc(integrationEvents.receivedAt), desc(integrationEvents.id))
    .limit(100);
  return {
    items: rows.map((event) => ({
      id: event.id,
      eventType: event.eventType,
      eventId: event.eventId,
      outcome: event.outcome,
      detail: event.detail,
      conversionId: event.conversionId,
      receivedAt: new Date(event.receivedAt).toISOString(),
    })),
    nextCursor: null,
  };
}
