/**
 * The Workers build (`wrangler.toml` [build] runs it before `wrangler deploy` and `wrangler dev`):
 * server/worker.ts bundled by esbuild with code splitting, into `build-worker/`. The entry module
 * holds only what every request needs; what few requests need (credential verification, passkeys,
 * Stripe, CSV parsing) is reached through `import()` and lands in chunks of its own, which
 * wrangler uploads beside the entry (`find_additional_modules`) and workerd evaluates only when a
 * request imports them. A cold start therefore parses the entry and its static imports, not the
 * whole upload (tests/process/worker-bundle.test.ts measures both).
 *
 * wrangler's own bundler cannot split (it inlines every `import()`): it bundles only the entry
 * again (keeping its dev middleware, which `no_bundle` would drop) and uploads the chunks as they
 * are, so the options below are copied from it: its build conditions, target and
 * minification (function names excepted, see `keepNames`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Metafile, type Plugin } from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));

/** Where the entry (`worker.js`) and its chunks are written; wrangler.toml's `main` and `base_dir`. */
export const workerBuildDir = join(root, "build-worker");

/**
 * Modules replaced by a stand-in wherever they are imported (as wrangler's [alias] would): each
 * stand-in says why its code is not needed on Workers. A relative specifier is replaced in every
 * importing file: the bundle test checks that only the intended package imports it.
 */
export const workerAliases: Record<string, string> = {
  // Passkeys ask for no attestation: the certificate-chain library @simplewebauthn imports for
  // other attestation formats stays out of the worker (server/lib/no-x509.ts says why).
  "@peculiar/x509": "./server/lib/no-x509.ts",
  // What only x509 needed: the Reflect.metadata polyfill.
  "reflect-metadata": "./server/lib/no-reflect-metadata.ts",
  // ...and the root certificates only such chains are checked against.
  "./defaultRootCerts/android-key.js": "./server/lib/no-attestation-roots.ts",
  "./defaultRootCerts/android-safetynet.js": "./server/lib/no-attestation-roots.ts",
  "./defaultRootCerts/apple.js": "./server/lib/no-attestation-roots.ts",
  "./defaultRootCerts/mds.js": "./server/lib/no-attestation-roots.ts",
  // zod's ~50 message locales; English, which zod registers itself, stays.
  "../locales/index.js": "./server/lib/zod-locales-en.ts",
  // zod's ahead-of-time compiler, which needs `new Function` (forbidden on Workers).
  "./compile.js": "./server/lib/zod-compile-runtime.ts",
  // zod's JSON Schema to zod conversion, never used.
  "./from-json-schema.js": "./server/lib/zod-no-from-json-schema.ts",
  // csv-parse's Node build, unused without Node's Buffer.
  "csv-parse/sync": "./server/lib/csv-parse-portable.ts",
  // X25519 private-key operations, never needed to verify a credential.
  tweetnacl: "./server/lib/no-tweetnacl.ts",
  // libSQL's WebSocket client: the worker speaks to its database over HTTP only.
  "@libsql/client": "./server/lib/libsql-client-http.ts",
};

/** Exact-specifier replacement, as wrangler's alias plugin does (resolved from the project root). */
function aliases(): Plugin {
  const escaped = Object.keys(workerAliases).map((key) => key.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  return {
    name: "chorus-worker-aliases",
    setup(build) {
      build.onResolve({ filter: new RegExp(`^(${escaped.join("|")})$`) }, (args) => {
        const target = workerAliases[args.path];
        return target ? { path: join(root, target) } : undefined;
      });
    },
  };
}

/**
 * Builds the worker into `outdir` and returns esbuild's metafile. Several `wrangler dev` may build
 * at once (the test suites run them side by side), each watching the folder: a file is written
 * only when its bytes change, through a temporary name and a rename, so no build reads another's
 * half-written file and an identical rebuild does not restart a running worker. Files of earlier
 * builds that this one did not make are removed (wrangler would upload them).
 */
export async function buildWorker(outdir = workerBuildDir): Promise<Metafile> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { worker: join(root, "server/worker.ts") },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2024",
    minify: true,
    // Unlike wrangler's default: keeping every function's name costs `__name()` calls worth 16 KB
    // gzip of the cold start, and nothing in Chorus or its libraries depends on a minified name.
    // Stack traces get their names back from the uploaded source maps (upload_source_maps).
    keepNames: false,
    sourcemap: true,
    metafile: true,
    write: false,
    // Chunks named by content: an unchanged chunk keeps its name from one deploy to the next.
    chunkNames: "chunks/[name]-[hash]",
    external: ["cloudflare:*"],
    define: {
      "process.env.NODE_ENV": '"production"',
      // workerd gives a module no `import.meta.url`, and the JSON-LD context packages
      // (@digitalbazaar/credentials-context and others) build `new URL("../contexts/….jsonld",
      // import.meta.url)` as they load: a TypeError ("Invalid URL string") that made every Open
      // Badges 3.0 verification answer 500 on Workers. The URL is only metadata (the context
      // itself is bundled), so any absolute base will do.
      "import.meta.url": '"file:///chorus-worker/worker.js"',
    },
    plugins: [aliases()],
    logLevel: "warning",
  });
  // Which source file went into which module: the bundle test and the BENCHMARKS.md profile read
  // it (not uploaded: only chunks/*.js are, by wrangler.toml's rule).
  const files = [
    ...result.outputFiles.map((file) => ({ path: file.path, bytes: file.contents })),
    { path: join(outdir, "meta.json"), bytes: new TextEncoder().encode(JSON.stringify(result.metafile)) },
  ];
  for (const { path, bytes } of files) writeIfChanged(path, bytes);
  const written = new Set(files.map((file) => file.path));
  for (const name of readdirSync(outdir, { recursive: true, encoding: "utf8" })) {
    const path = join(outdir, name);
    if (/\.js(\.map)?$/.test(name) && !written.has(path)) rmSync(path, { force: true });
  }
  return result.metafile;
}

function writeIfChanged(path: string, bytes: Uint8Array) {
  if (existsSync(path) && Buffer.compare(readFileSync(path), bytes) === 0) return;
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const meta = await buildWorker();
  const outputs = Object.keys(meta.outputs).filter((path) => path.endsWith(".js"));
  console.log(`worker built: ${outputs.length} modules in ${relative(root, workerBuildDir)}/`);
}
