/** The most common set-up of an API test: a fresh app with one workspace for each test. */
import { afterEach, beforeEach } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { workspaceFactory } from "./factories.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

/**
 * Before each test (of the file, or of the `describe` it is called in): a new app and a workspace
 * in it, handed to `ready`; after each, the app cleaned up.
 */
export function eachTestWorkspace(ready: (t: TestApp, ws: CreatedWorkspace) => void): void {
  let app: TestApp | undefined;
  beforeEach(async () => {
    app = await createTestApp();
    ready(app, await workspaceFactory(app.db));
  });
  afterEach(() => app?.cleanup());
}
