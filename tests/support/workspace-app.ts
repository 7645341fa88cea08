/** The most common set-up of an API test: a fresh app with one workspace for each test. */
import { afterEach, beforeEach } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { workspaceFactory } from "./factories.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

export type WorkspaceTest = { t: TestApp; ws: CreatedWorkspace };

/**
 * Before each test (of the file, or of the `describe` it is called in): a new app (made with
 * `options`) and a workspace in it, handed to `ready`; after each, the app cleaned up.
 */
export function eachTestWorkspace(
  ready: (test: WorkspaceTest) => void,
  options?: Parameters<typeof createTestApp>[0],
): void {
  let app: TestApp | undefined;
  beforeEach(async () => {
    app = await createTestApp(options);
    ready({ t: app, ws: await workspaceFactory(app.db) });
  });
  afterEach(() => app?.cleanup());
}
