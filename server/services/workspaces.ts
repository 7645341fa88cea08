/** Workspaces: one provider's program, keys and data. Everything else hangs off a workspace id. */
import { and, asc, eq, ne, sql } from "drizzle-orm";
import {
  defaultProgramSettings,
  type ProgramSettings,
  type ProgramSettingsInput,
  ProgramSettingsWrite,
  programSettingsInputShape,
} from "../../db/program-settings.ts";
import { workspaces } from "../../db/schema.ts";
import { newId, newSecret } from "../lib/ids.ts";
import { validationDetails } from "../lib/validation.ts";
import { type Tx, writeTransaction } from "../lib/write-transaction.ts";
import { issueKey } from "./api-keys.ts";
import { recordAudit } from "./audit.ts";
import { fixedClock } from "./clock.ts";
import { DomainError } from "./errors.ts";
import type { ServiceContext, Workspace, WorkspaceContext } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

/** A new workspace with its credentials in clear: the caller shows them once. */
export type CreatedWorkspace = {
  id: string;
  name: string;
  publishableKey: string;
  secretKey: string;
  tokenSecret: string;
};

export type NewWorkspace = { name: string; origins: string[]; isDemo?: boolean; settings?: ProgramSettingsInput };

export async function createWorkspace({ db, clock }: ServiceContext, input: NewWorkspace): Promise<CreatedWorkspace> {
  const now = clock.now();
  const at = fixedClock(now);
  const id = newId("ws");
  const tokenSecret = newSecret("tks");
  const settings = ProgramSettingsWrite.parse({ ...defaultProgramSettings(input.origins), ...input.settings });
  // One write, so a workspace never exists without its keys, and a busy database is waited for.
  return writeTransaction(db, async (tx) => {
    await tx.insert(workspaces).values({
      id,
      name: input.name,
      tokenSecret,
      settings,
      isDemo: input.isDemo ?? false,
      createdAt: now.getTime(),
    });
    const publishableKey = await issueKey({ db: tx, clock: at }, { workspaceId: id, kind: "publishable" });
    const secretKey = await issueKey({ db: tx, clock: at }, { workspaceId: id, kind: "secret" });
    return { id, name: input.name, publishableKey, secretKey, tokenSecret };
  });
}

export async function getWorkspace(
  { db }: Pick<ServiceContext, "db">,
  { id }: { id: string },
): Promise<Workspace | null> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, id));
  return row ? parseWorkspace(row) : null;
}

export async function listWorkspaces({ db }: Pick<ServiceContext, "db">): Promise<Workspace[]> {
  const rows = await db.select().from(workspaces).orderBy(asc(workspaces.createdAt));
  return rows.map(parseWorkspace);
}

/**
 * Replaces the given top-level settings, merged into the settings as they stand inside the write
 * (not as the request's authentication read them), so two admins changing different settings at
 * the same moment both keep their change.
 */
export async function patchSettings(
  ctx: WorkspaceContext,
  { patch }: { patch: Record<string, unknown> },
): Promise<ProgramSettings> {
  const { db, workspace } = ctx;
  const id = workspace.id;
  return writeTransaction(db, async (tx) => {
    const [row] = await tx.select().from(workspaces).where(eq(workspaces.id, id));
    if (!row) throw new DomainError("not_found", "No such workspace");
    const parsed = ProgramSettingsWrite.safeParse({ ...parseWorkspace(row).settings, ...patch });
    if (!parsed.success)
      throw new DomainError("invalid_request", "The settings are invalid", validationDetails(parsed.error));
    await claimSlug(tx, { workspaceId: id, slug: parsed.data.slug });
    await tx.update(workspaces).set({ settings: parsed.data }).where(eq(workspaces.id, id));
    const old = parseWorkspace(row).settings as Record<string, unknown>;
    const next = parsed.data as Record<string, unknown>;
    const changed = Object.keys(patch).filter((key) => JSON.stringify(old[key]) !== JSON.stringify(next[key]));
    await recordAudit(
      { ...ctx, tx },
      {
        action: "program.update",
        targetId: id,
        before: Object.fromEntries(changed.map((key) => [key, old[key] ?? null])),
        after: Object.fromEntries(changed.map((key) => [key, next[key] ?? null])),
      },
    );
    return parsed.data;
  });
}

/**
 * A hosted page's slug names one workspace across the server: one already taken is refused here
 * (in the write, so the check and the change see the same rows), and the unique index on it
 * (db/schema.ts) holds even against another process.
 */
async function claimSlug(tx: Tx, { workspaceId, slug }: { workspaceId: string; slug: string | null }) {
  if (!slug) return;
  const [taken] = await tx
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(and(sql`(${workspaces.settings} ->> '$.slug') = ${slug}`, ne(workspaces.id, workspaceId)));
  if (taken)
    throw new DomainError("conflict", `The slug ${slug} is taken by another workspace: choose another`, {
      field: "slug",
    });
}

/** Replaces the settings whole (the demo seed, tests), without the merge of patchSettings. */
export async function updateSettings(
  { db }: Pick<ServiceContext, "db">,
  { workspaceId, settings }: { workspaceId: string; settings: ProgramSettings },
): Promise<void> {
  await db.update(workspaces).set({ settings }).where(eq(workspaces.id, workspaceId));
}

/**
 * The Stripe signing secret is write-only: reads show its last four characters, so a dashboard
 * or a log of API answers never holds it. Sending the masked value back keeps the stored secret.
 */
const maskSecret = (secret: string) => `whsec_…${secret.slice(-4)}`;

function forReading(settings: ProgramSettings): ProgramSettings {
  if (!settings.stripe) return settings;
  return { ...settings, stripe: { ...settings.stripe, webhookSecret: maskSecret(settings.stripe.webhookSecret) } };
}

function keepMaskedSecret(patch: Record<string, unknown>, stored: ProgramSettings): Record<string, unknown> {
  const stripe = patch.stripe as { webhookSecret?: unknown } | null | undefined;
  if (stored.stripe && stripe && stripe.webhookSecret === maskSecret(stored.stripe.webhookSecret)) {
    return { ...patch, stripe: { ...stripe, webhookSecret: stored.stripe.webhookSecret } };
  }
  return patch;
}

/** `GET /v1/admin/program`: the workspace's program settings as an admin may read them (secrets masked). */
export function programSettings({ workspace }: Pick<WorkspaceContext, "workspace">): ProgramSettings {
  return forReading(workspace.settings);
}

/**
 * `PATCH /v1/admin/program`: the given top-level settings replace the stored ones (unknown names
 * refused, a masked Stripe secret sent back keeps the stored one); answers them as read.
 */
export async function changeProgramSettings(
  ctx: WorkspaceContext,
  { patch }: { patch: Record<string, unknown> },
): Promise<ProgramSettings> {
  const unknown = Object.keys(patch).filter((key) => !(key in programSettingsInputShape));
  if (unknown.length > 0) throw new DomainError("invalid_request", `Unknown settings: ${unknown.join(", ")}`);
  const settings = await patchSettings(ctx, { patch: keepMaskedSecret(patch, ctx.workspace.settings) });
  return forReading(settings);
}
