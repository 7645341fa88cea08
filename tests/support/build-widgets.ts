/**
 * Builds the widgets once per run, exactly as `npm start` does (a separate process: inside vitest
 * NODE_ENV is "test", which would make Vite pick Lit's development build).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export default function setup() {
  const root = join(import.meta.dirname, "..", "..");
  execFileSync(join(root, "node_modules", ".bin", "vite"), ["build", "--logLevel", "warn"], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production" },
    stdio: "inherit",
  });
}
