/** The built static files (`dist/`): Workers assets need the directory, the Node server serves it. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildServer, buildWidgets } from "../../bench/support/build.ts";
import { repoRoot } from "./processes.ts";

export const distDir = join(repoRoot, "dist");

/**
 * Runs `vite build` (as `npm start` does) once per test run: the marker lives in the environment
 * of the vitest main process, shared by every global setup. With `onlyIfMissing`, only when
 * `dist/` is missing.
 */
export function buildAssets(options: { onlyIfMissing?: boolean } = {}): void {
  if (process.env.CHORUS_TEST_ASSETS_BUILT === "1") return;
  if (options.onlyIfMissing && existsSync(join(distDir, "embed.js"))) return;
  buildWidgets();
  process.env.CHORUS_TEST_ASSETS_BUILT = "1";
}

/** Compiles the server (`build/`, as `npm run build` does) once per test run, as buildAssets does. */
export function buildCompiledServer(): void {
  if (process.env.CHORUS_TEST_SERVER_BUILT === "1") return;
  buildServer();
  process.env.CHORUS_TEST_SERVER_BUILT = "1";
}
