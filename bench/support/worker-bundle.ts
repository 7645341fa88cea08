/**
 * What `wrangler deploy` would upload for Workers, and what of it a cold start loads: shared by
 * `npm run bench -- sizes` (its "worker" rows) and tests/process/worker-bundle.test.ts (which
 * enforces the budget). worker.build.ts (esbuild with code splitting) writes the entry and its
 * chunks and wrangler uploads them as they are; a cold start parses the entry and the chunks it
 * imports statically, the rest when a request first imports it. Each module is gzipped on its own
 * (level 9, as the upload is compressed per module) and the sizes summed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix, sep } from "node:path";
import { gzipSync } from "node:zlib";
import type { Metafile } from "esbuild";
import { repoRoot } from "../../tests/support/processes.ts";
import { wranglerBin, wranglerEnv } from "../../tests/support/wrangler-dev.ts";
import { workerBuildDir } from "../../worker.build.ts";

/** Issue 21's target for what a cold start loads. */
export const coldStartTargetBytes = 250 * 1024;

export type WorkerUpload = {
  /** The folder the dry run wrote (the caller removes it). */
  dir: string;
  dryRun: { status: number | null; output: string };
  /** Every uploaded module by its path under the output folder (`worker.js`, `chunks/…`). */
  modules: Map<string, string>;
  /** The entry and the modules it imports statically, transitively: what a cold start parses. */
  coldStart: string[];
  /** esbuild's metafile of the same build (which source file ended up in which module); null if the build failed. */
  meta: Metafile | null;
};

/** Runs `wrangler deploy --dry-run` (which runs worker.build.ts) into a temporary folder. */
export function buildWorkerUpload(): WorkerUpload {
  const dir = mkdtempSync(join(tmpdir(), "chorus-bundle-"));
  const args = [wranglerBin, "deploy", "--dry-run", "--outdir", join(dir, "upload")];
  const result = spawnSync(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...wranglerEnv, WRANGLER_LOG_PATH: join(dir, "logs") },
    encoding: "utf8",
    timeout: 60_000,
  });
  const dryRun = { status: result.status, output: `${result.stdout}${result.stderr}` };
  const modules = new Map<string, string>();
  if (dryRun.status === 0)
    for (const name of readdirSync(join(dir, "upload"), { recursive: true, encoding: "utf8" }))
      if (name.endsWith(".js")) modules.set(name.split(sep).join("/"), readFileSync(join(dir, "upload", name), "utf8"));
  // Written by the build the dry run ran, beside the modules it describes.
  const meta =
    dryRun.status === 0 ? (JSON.parse(readFileSync(join(workerBuildDir, "meta.json"), "utf8")) as Metafile) : null;
  return { dir, dryRun, modules, coldStart: staticClosure(modules, "worker.js"), meta };
}

/** The relative modules `code` imports: statically (`import … from "./x.js"`) or by `import("./x.js")`. */
export function importsOf(code: string) {
  const dynamic = [...code.matchAll(/\bimport\(\s*"(\.{1,2}\/[^"]+\.js)"\s*\)/g)].map((m) => m[1]!);
  // `from "./x.js"` or a bare `import "./x.js"`; `import("./x.js")` has a parenthesis. Each import
  // is classed where it occurs: a module imported both ways is still loaded at start.
  const statics = [...code.matchAll(/(?:\bfrom|\bimport)\s*"(\.{1,2}\/[^"]+\.js)"/g)].map((m) => m[1]!);
  return { static: statics, dynamic };
}

export const resolveModule = (from: string, specifier: string) =>
  posix.normalize(posix.join(posix.dirname(from), specifier));

function staticClosure(modules: Map<string, string>, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const specifier of importsOf(modules.get(path) ?? "").static) visit(resolveModule(path, specifier));
  };
  visit(entry);
  return [...seen];
}

export const gzipBytes = (upload: WorkerUpload, paths: string[]) =>
  paths.reduce((sum, path) => sum + gzipSync(upload.modules.get(path) ?? "", { level: 9 }).length, 0);

export const minifiedBytes = (upload: WorkerUpload, paths: string[]) =>
  paths.reduce((sum, path) => sum + (upload.modules.get(path)?.length ?? 0), 0);
