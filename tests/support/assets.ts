/** The built static files (`dist/`): Workers assets need the directory, the Node server serves it. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./processes.ts";

export const distDir = join(repoRoot, "dist");

/**
 * Runs `vite build` once per test run (the marker lives in the environment of the vitest main
 * process, shared by every global setup), or only when `dist/` is missing if `onlyIfMissing`.
 * It builds as `npm start` does: inside vitest NODE_ENV is "test", which would make Vite pick
 * Lit's development build.
 */
export function buildAssets(options: { onlyIfMissing?: boolean } = {}): void {
  if (process.env.CHORUS_TEST_ASSETS_BUILT === "1") return;
  if (options.onlyIfMissing && existsSync(join(distDir, "embed.js"))) return;
  const result = spawnSync(join(repoRoot, "node_modules", ".bin", "vite"), ["build", "--logLevel", "warn"], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: "production" },
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
  process.env.CHORUS_TEST_ASSETS_BUILT = "1";
}
