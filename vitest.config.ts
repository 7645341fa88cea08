import { defineConfig } from "vitest/config";
import { sharedApiProjects } from "./tests/shared-api/targets.ts";

/** One project per kind of test; each has a unique name (vitest requires it). */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "api",
          include: ["tests/api/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/support/global-setup.ts"],
        },
      },
      {
        test: {
          name: "browser",
          include: ["tests/browser/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/support/global-setup.ts", "tests/support/build-widgets.ts"],
          testTimeout: 30_000,
          // One Chromium at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "process",
          include: ["tests/process/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/support/build-server.ts"],
          testTimeout: 60_000,
        },
      },
      // The shared API suite, once per target: Node + file, Node + sqld, workerd + sqld.
      ...sharedApiProjects,
    ],
  },
});
