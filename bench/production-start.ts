/**
 * Start time and idle memory of the two ways to run the Node server: `npm start`'s tsx (TypeScript
 * compiled at run time) and `npm run start:prod`'s compiled build. Each start is on the same
 * database with the demo workspace (made by a first, unmeasured start), from spawn to the banner;
 * RSS is read from /proc after the server has idled for a few seconds.
 *
 *   npm run build && npx tsx bench/production-start.ts [--runs 3]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const runs = Number(values.runs);
const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "chorus-start-bench-"));
const env = { ...process.env, DATABASE_URL: `file:${join(dir, "chorus.db")}`, HOST: "127.0.0.1", PORT: "0" };
const modes = {
  tsx: ["--import", "tsx", join(root, "server/node.ts")],
  compiled: [join(root, "build/node.js")],
} as const;

function rssMegabytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return Math.round(Number(line?.[1]) / 1024);
}

async function once(args: readonly string[]): Promise<{ startMs: number; rssMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Press Ctrl-C to stop.")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
  const startMs = Math.round(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const rssMb = rssMegabytes(child.pid!);
  child.kill("SIGINT");
  await new Promise((resolve) => child.on("exit", resolve));
  return { startMs, rssMb };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  await once(modes.compiled); // seeds the demo workspace, unmeasured
  for (const [name, args] of Object.entries(modes)) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await once(args));
    console.log(
      `${name.padEnd(9)} start ${median(results.map((r) => r.startMs))} ms (runs: ${results.map((r) => r.startMs).join(", ")}), ` +
        `idle RSS ${median(results.map((r) => r.rssMb))} MB (runs: ${results.map((r) => r.rssMb).join(", ")})`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
