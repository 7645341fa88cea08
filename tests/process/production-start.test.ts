/**
 * The production start: `npm run build` compiles the Node entry and the CLI to plain JavaScript in
 * `build/`, and `npm run start:prod` runs it on node alone. Nothing in the build may need
 * TypeScript tooling at run time; its migrations travel with it; its CLI works the same.
 * (The shared API suite runs against this build too: the node-file target.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { buildCompiledServer } from "../support/assets.ts";
import { compiledServer, repoRoot, runCliAsync, startServer } from "../support/processes.ts";

let dir: string;
beforeAll(() => buildCompiledServer());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-prod-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("npm run start:prod runs build/node.js on plain node, and the build imports no TypeScript and no tsx", () => {
  const scripts = (
    JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts;
  expect(scripts["start:prod"]).toBe("node build/node.js");
  expect(scripts.build).toContain("vite build --config vite.server.config.ts");
  const build = join(repoRoot, "build");
  const modules = readdirSync(build).filter((name) => name.endsWith(".js"));
  expect(modules).toEqual(expect.arrayContaining(["node.js", "cli.js"]));
  for (const name of modules) {
    const code = readFileSync(join(build, name), "utf8");
    const imports = [...code.matchAll(/\bfrom\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1] ?? m[2]);
    expect(
      imports.filter((path) => /\.ts$|^tsx/.test(path!)),
      name,
    ).toEqual([]);
  }
  // The migrations the bundle reads at start, beside it.
  expect(readdirSync(join(build, "migrations")).filter((name) => name.endsWith(".sql")).length).toBeGreaterThan(0);
});

it("the compiled server migrates a new database, serves, stops cleanly, and the compiled CLI backs it up", async () => {
  const url = `file:${join(dir, "chorus.db")}`;
  const server = await startServer({ DATABASE_URL: url, CHORUS_DEMO: "0" }, { compiled: true });
  expect(server.process.spawnargs).toEqual([process.execPath, compiledServer]);
  expect(server.output()).toContain("migrations applied at start");
  const health = await fetch(`${server.baseUrl}/healthz`);
  expect(await health.json()).toMatchObject({ status: "ok", database: "ok" });
  const backup = await runCliAsync(["db", "backup", join(dir, "backup.db")], { DATABASE_URL: url }, { compiled: true });
  expect(backup.stderr).toBe("");
  expect(backup.stdout).toContain("Backup complete");
  expect(await server.stop("SIGINT")).toBe(0);
  expect(server.output()).toContain("Stopped cleanly.");
});
