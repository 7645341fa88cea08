/**
 * `vite build` as `npm start` runs it, for the benches and the tests that need `dist/`. NODE_ENV is
 * set to production: inside vitest it is "test", which would make Vite pick Lit's development build.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..");

export function buildWidgets(): void {
  const result = spawnSync(join(repoRoot, "node_modules", ".bin", "vite"), ["build", "--logLevel", "warn"], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: "production" },
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}

/** `vite build --config vite.server.config.ts` as `npm run build` runs it: the compiled server in `build/`. */
export function buildServer(): void {
  const result = spawnSync(
    join(repoRoot, "node_modules", ".bin", "vite"),
    ["build", "--config", "vite.server.config.ts", "--logLevel", "warn"],
    { cwd: repoRoot, env: { ...process.env, NODE_ENV: "production" }, encoding: "utf8", timeout: 120_000 },
  );
  if (result.status !== 0) throw new Error(`server build failed:\n${result.stdout}\n${result.stderr}`);
}
