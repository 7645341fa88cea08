/**
 * The production server build (`npm run build`): the Node entry and the CLI as plain JavaScript in
 * `build/`, so `npm run start:prod` needs no TypeScript tooling at run time. Dependencies stay
 * imports of node_modules (vite's SSR build leaves them external); the migrations travel beside
 * the bundle, where db/migrate.ts looks for them (`./migrations` next to the module).
 */
import { cpSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = dirname(fileURLToPath(import.meta.url));
const outDir = join(root, "build");

/** Copies db/migrations to build/migrations: the bundle reads them at start, not the sources. */
function migrations(): Plugin {
  return {
    name: "chorus-server-migrations",
    apply: "build",
    closeBundle() {
      rmSync(join(outDir, "migrations"), { recursive: true, force: true });
      cpSync(join(root, "db", "migrations"), join(outDir, "migrations"), { recursive: true });
    },
  };
}

export default defineConfig({
  root,
  publicDir: false,
  plugins: [migrations()],
  // Every package stays an import of node_modules, installed by `npm ci` as for `npm start`.
  ssr: { external: true },
  build: {
    ssr: true,
    outDir,
    emptyOutDir: true,
    target: "node20",
    minify: false,
    // One flat directory: `build/node.js` finds the repository (dist/, demo/) one level up, as
    // server/node.ts does, and every chunk finds `./migrations` beside it.
    rolldownOptions: {
      input: { node: join(root, "server/node.ts"), cli: join(root, "server/cli.ts") },
      output: { format: "es", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js" },
    },
  },
});
