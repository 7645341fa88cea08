/** Test factories: real rows through the real services, with overridable defaults. */
import type { Db } from "../../db/index.ts";
import type { ProgramSettingsInput } from "../../db/program-settings.ts";
import { type LearnerClaims, mintLearnerToken } from "../../server/services/learner-tokens.ts";
import { type CreatedWorkspace, createWorkspace } from "../../server/services/workspaces.ts";

export const testOrigin = "https://academy.example";

export async function workspaceFactory(
  db: Db,
  overrides: { name?: string; origins?: string[]; settings?: ProgramSettingsInput; now?: Date } = {},
): Promise<CreatedWorkspace> {
  return createWorkspace(
    { db, clock: { now: () => overrides.now ?? new Date() } },
    {
      name: overrides.name ?? "Test Academy",
      origins: overrides.origins ?? [testOrigin],
      // A landing page, as `chorus workspace create` sets one: without it no referral link is handed out.
      settings: { defaultTargetUrl: `${testOrigin}/`, ...overrides.settings },
    },
  );
}

export function learnerToken(
  workspace: CreatedWorkspace,
  claims: Partial<LearnerClaims> = {},
  options: { now?: Date; ttlSeconds?: number } = {},
): Promise<string> {
  return mintLearnerToken({
    claims: { sub: "learner-1", name: "Priya Sharma", ...claims },
    tokenSecret: workspace.tokenSecret,
    ...options,
  });
}
