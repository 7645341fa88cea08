/** Workspaces: one provider's program, keys and data. Everything else hangs off a workspace id. */
import { asc, eq } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { defaultProgramSettings, ProgramSettings } from "../../db/program-settings.ts";
import { workspaces } from "../../db/schema.ts";
import { newId, newSecret } from "../lib/ids.ts";
import type { Workspace } from "../types.ts";
import { issueKey } from "./api-keys.ts";
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
  await db.insert(workspaces).values({
    id,
    name: input.name,
    tokenSecret,
    settings,
    isDemo: input.isDemo ?? false,
    createdAt: now.getTime(),
  });
  const publishableKey = await issueKey(db, id, "publishable", now);
  const secretKey = await issueKey(db, id, "secret", now);
  return { id, name: input.name, publishableKey, secretKey, tokenSecret };
}

export async function getWorkspace(db: Db, id: string): Promise<Workspace | null> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, id));
  return row ? parseWorkspace(row) : null;
}

export async function listWorkspaces(db: Db): Promise<Workspace[]> {
  const rows = await db.select().from(workspaces).orderBy(asc(workspaces.createdAt));
  return rows.map(parseWorkspace);
}

export async function updateSettings(db: Db, id: string, settings: ProgramSettings): Promise<void> {
  await db.update(workspaces).set({ settings }).where(eq(workspaces.id, id));
}
