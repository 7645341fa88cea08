import { ProgramSettings } from "../../db/program-settings.ts";
import type { workspaces } from "../../db/schema.ts";
import type { Workspace } from "./types.ts";

/** Settings are validated on read too: a value stored by an older version gains new defaults. */
export function parseWorkspace(row: typeof workspaces.$inferSelect): Workspace {
  return { ...row, settings: ProgramSettings.parse(row.settings) };
}
