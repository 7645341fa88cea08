/**
 * `npm test`: type-check, lint, then every vitest project. Ends with one plain line,
 * `N passed, N failed` (and `, N skipped` when any), summed over everything that ran:
 * CI reads only that line. Type-check and lint count as one check each.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const resultsFile = join(root, ".vitest-results.json");

let passed = 0;
let failed = 0;
let skipped = 0;

function step(title: string, command: string, args: string[]): boolean {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  const ok = result.status === 0;
  console.log(ok ? `✔ ${title}` : `✘ ${title} (exit ${result.status})`);
  return ok;
}

for (const [title, command, args] of [
  ["Type-check (Node and Workers)", bin("tsc"), ["--noEmit"]],
  ["Type-check the Workers entry", bin("tsc"), ["--noEmit", "-p", "server/worker.tsconfig.json"]],
  ["Lint and format", bin("biome"), ["check", "."]],
] as const) {
  if (step(title, command, [...args])) passed++;
  else failed++;
}

/**
 * The vitest projects run in three phases rather than all at once: the three deployment targets
 * (servers, sqld, workerd) and real Chromium each want both cores, and timing-sensitive browser
 * tests sharing them with everything else would fail for reasons that are not theirs.
 */
const phases = [
  ["In-process API and processes", ["--project", "api", "--project", "process"]],
  ["The shared API suite on Node + file, Node + sqld and workerd", ["--project", "targets:*"]],
  ["Real Chromium", ["--project", "browser"]],
] as const;

for (const [title, projects] of phases) {
  rmSync(resultsFile, { force: true });
  const ok = step(title, bin("vitest"), [
    "run",
    ...projects,
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${resultsFile}`,
  ]);
  let counted = 0;
  if (existsSync(resultsFile)) {
    const results = JSON.parse(readFileSync(resultsFile, "utf8")) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
      testResults: { status: string; assertionResults: unknown[] }[];
    };
    passed += results.numPassedTests;
    failed += results.numFailedTests;
    skipped += results.numPendingTests + results.numTodoTests;
    // A test file that fails to load has no test results of its own: count it as a failure.
    const unloaded = results.testResults.filter(
      (file) => file.status === "failed" && file.assertionResults.length === 0,
    );
    failed += unloaded.length;
    counted = results.numFailedTests + unloaded.length;
    rmSync(resultsFile, { force: true });
  } else {
    failed++;
    counted = 1;
  }
  // A failing setup or teardown fails the run even when every test passed.
  if (!ok && counted === 0) failed++;
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
