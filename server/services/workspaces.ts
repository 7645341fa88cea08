/** Workspaces: one provider's program, keys and data. Everything else hangs off a workspace id. */
import { asc, eq } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { defaultProgramSettings, ProgramSettings } from "../../db/program-settings.ts";
import { workspaces } from "../../db/schema.ts";
import { newId, newSecret } from "../lib/ids.ts";
import { validationDetails } from "../lib/validation.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { issueKey } from "./api-keys.ts";
import { DomainError } from "./errors.ts";
import type { Workspace } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

/** A new workspace with its credentials in clear: the caller shows them once. */
export type CreatedWorkspace = {
  id: string;
  name: string;
  publishableKey: string;
  secretKey: string;
  tokenSecret: string;
};

export async function createWorkspace(
  db: Db,
  input: { name: string; origins: string[]; isDemo?: boolean; settings?: Partial<ProgramSettings> },
  now: Date,
): Promise<CreatedWorkspace> {
  const id = newId("ws");
  const tokenSecret = newSecret("tks");
  const settings = ProgramSettings.parse({ ...defaultProgramSettings(input.origins), ...input.settings });
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
    const publishableKey = await issueKey(tx, id, "publishable", now);
    const secretKey = await issueKey(tx, id, "secret", now);
    return { id, name: input.name, publishableKey, secretKey, tokenSecret };
  });
}

export async function getWorkspace(db: Db, id: string): Promise<Workspace | null> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, id));
  return row ? parseWorkspace(row) : null;
}

export async function listWorkspaces(db: Db): Promise<Workspace[]> {
  const rows = await db.select().from(workspaces).orderBy(asc(workspaces.createdAt));
  return rows.map(parseWorkspace);
}

/**
 * Replaces the given top-level settings, merged into the settings as they stand inside the write
 * (not as the request's authentication read them), so two admins changing different settings at
 * the same moment both keep their change.
 */
export async function patchSettings(db: Db, id: string, patch: Record<string, unknown>): Promise<ProgramSettings> {
  return writeTransaction(db, async (tx) => {
    const [row] = await tx.select().from(workspaces).where(eq(workspaces.id, id));
    if (!row) throw new DomainError("not_found", "No such workspace");
    const parsed = ProgramSettings.safeParse({ ...parseWorkspace(row).settings, ...patch });
    if (!parsed.success)
      throw new DomainError("invalid_request", "The settings are invalid", validationDetails(parsed.error));
    await tx.update(workspaces).set({ settings: parsed.data }).where(eq(workspaces.id, id));
    return parsed.data;
  });
}

export async function updateSettings(db: Db, id: string, settings: ProgramSettings): Promise<void> {
  await db.update(workspaces).set({ settings }).where(eq(workspaces.id, id));
}
