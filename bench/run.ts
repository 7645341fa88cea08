/**
 * `npm run bench [-- NAME ...]`: every benchmark in turn (or only those named: sizes, wall,
 * layout-shift, redirect, conversions, analytics, batch, memory, webhooks), each in its own process, with a progress line (what runs,
 * for how long, its latest step). Then one summary table (median, p99, ratio or target, met or
 * missed) and the same as JSON in bench/results/latest.json, with the machine and its load, for
 * refreshing BENCHMARKS.md. Each bench's full output is kept in bench/results/NAME.log.
 *
 * Timing targets are reported here, never asserted in tests; size budgets are also enforced by
 * tests/browser/sizes.test.ts. Exits non-zero only when a bench fails to run.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { markdownReport } from "./support/markdown.ts";
import type { BenchRow } from "./support/report.ts";

const root = join(import.meta.dirname, "..");
const resultsDir = join(import.meta.dirname, "results");
const tsx = join(root, "node_modules", ".bin", "tsx");

type Bench = { name: string; title: string; script: string; args: (selected: Set<string>) => string[] };
const benches: Bench[] = [
  { name: "sizes", title: "widget weights gzip (builds the widgets)", script: "bench/sizes.ts", args: () => [] },
  {
    name: "wall",
    title: "navigation to a rendered story wall, real Chromium",
    script: "bench/wall.ts",
    // The sizes bench has just built the widgets.
    args: (selected) => ["--runs", "20", ...(selected.has("sizes") ? ["--no-build"] : [])],
  },
  {
    name: "layout-shift",
    title: "cumulative layout shift, demo pages and a plain page, two widths, cold and warm, real Chromium",
    script: "bench/layout-shift.ts",
    args: (selected) => ["--runs", "3", ...(selected.has("sizes") ? ["--no-build"] : [])],
  },
  {
    name: "redirect",
    title: "redirect vs hello-world, autocannon",
    script: "bench/redirect.ts",
    args: () => ["--seconds", "5"],
  },
  {
    name: "conversions",
    title: "conversion ingest, sequential and concurrent",
    script: "bench/conversions.ts",
    args: () => ["--requests", "500"],
  },
  {
    name: "analytics",
    title: "analytics endpoints at 1M clicks / 100k conversions (seeds or reuses the cached data set)",
    script: "bench/analytics.ts",
    // `npm run bench -- analytics --scale 10`: 10M clicks and 1M conversions.
    args: () => ["--runs", "50", ...scaleArgs],
  },
  {
    name: "batch",
    title: "conversion ingest through POST /v1/conversions/batch, 1,000 a batch",
    script: "bench/batch.ts",
    args: () => ["--conversions", "20000"],
  },
  {
    name: "memory",
    title: "server RSS from /proc: steady at 1M clicks, peak while streaming the 100k-conversion export",
    script: "bench/memory.ts",
    args: () => [],
  },
  {
    name: "webhooks",
    title: "webhook fairness: B's delivery with and without A's 100 hanging endpoints",
    script: "bench/webhooks.ts",
    args: () => ["--events", "30"],
  },
  {
    name: "mail",
    title: "email outbox: mails/s from the Node worker to a local SMTP server; template sizes",
    script: "bench/mail.ts",
    args: () => ["--messages", "1000"],
  },
];

const scaleAt = process.argv.indexOf("--scale");
const scaleArgs = scaleAt > 0 ? ["--scale", process.argv[scaleAt + 1] ?? "1"] : [];
const wanted = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith("-") && all[i - 1] !== "--scale");
const unknown = wanted.filter((name) => !benches.some((bench) => bench.name === name));
if (unknown.length > 0 || process.argv.includes("--help")) {
  console.error(`usage: npm run bench [-- ${benches.map((bench) => bench.name).join(" | ")} ...]`);
  process.exit(unknown.length > 0 ? 2 : 0);
}
const selected = new Set(wanted.length > 0 ? wanted : benches.map((bench) => bench.name));
const plan = benches.filter((bench) => selected.has(bench.name));

mkdirSync(resultsDir, { recursive: true });
const tty = process.stdout.isTTY === true;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const began = performance.now();
const startedAt = new Date();
const loadBefore = loadavg();

/** Runs one bench as a child process; resolves with its rows and exit code. */
function runBench(bench: Bench, index: number): Promise<{ rows: BenchRow[]; code: number; ms: number }> {
  const resultsFile = join(resultsDir, `${bench.name}.rows.jsonl`);
  const logFile = join(resultsDir, `${bench.name}.log`);
  rmSync(resultsFile, { force: true });
  const log = createWriteStream(logFile);
  const started = performance.now();
  const label = `[${index + 1}/${plan.length}] ${bench.name}`;
  let last = "starting";
  const status = () => `▶ ${label}  ${seconds(performance.now() - started).padStart(7)}  ${last}`.slice(0, 150);
  if (!tty) console.log(`▶ ${label}: ${bench.title}`);
  else process.stdout.write(`  ${bench.title}\n`);

  const child = spawn(tsx, [join(root, bench.script), ...bench.args(selected)], {
    cwd: root,
    env: { ...process.env, BENCH_RESULTS_FILE: resultsFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const onOutput = (chunk: Buffer) => {
    log.write(chunk);
    const lines = chunk
      .toString()
      .split(/[\r\n]+/)
      .map((line) => line.trim())
      .filter(Boolean);
    if (lines.length === 0) return;
    last = lines[lines.length - 1] as string;
    if (!tty) for (const line of lines) console.log(`    ${seconds(performance.now() - started).padStart(7)}  ${line}`);
  };
  child.stdout.on("data", onOutput);
  child.stderr.on("data", onOutput);
  const ticker = tty ? setInterval(() => process.stdout.write(`\r\x1b[2K${status()}`), 250) : null;

  return new Promise((resolve) => {
    child.on("exit", (code) => {
      if (ticker) clearInterval(ticker);
      log.end();
      const ms = performance.now() - started;
      const rows = existsSync(resultsFile)
        ? readFileSync(resultsFile, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line) as BenchRow)
        : [];
      const outcome = code === 0 ? "✔" : `✘ (exit ${code}, see bench/results/${bench.name}.log)`;
      const line = `${outcome} ${label} in ${seconds(ms)}, ${rows.length} figures`;
      console.log(tty ? `\r\x1b[2K${line}` : line);
      resolve({ rows, code: code ?? 1, ms });
    });
  });
}

const outcomes: { name: string; seconds: number; exitCode: number }[] = [];
const rows: BenchRow[] = [];
for (const [index, bench] of plan.entries()) {
  const result = await runBench(bench, index);
  outcomes.push({ name: bench.name, seconds: Math.round(result.ms / 100) / 10, exitCode: result.code });
  rows.push(...result.rows);
}
const totalMs = performance.now() - began;

// The summary table.
const number = (n: number | undefined, digits = 1) =>
  n === undefined ? "" : n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const table = rows.map((row) => ({
  bench: row.bench,
  case: row.name,
  "median / value":
    row.median !== undefined ? `${number(row.median)} ${row.unit}` : `${number(row.value, 2)} ${row.unit}`.trim(),
  p99: row.p99 !== undefined ? `${number(row.p99)} ${row.unit}` : "",
  rate: row.rate !== undefined ? `${number(row.rate, 0)}/s` : "",
  "ratio / target": [row.ratio !== undefined ? `${row.ratio}× (${row.ratioOf})` : "", row.target ?? ""]
    .filter(Boolean)
    .join("  target "),
  result: row.met === undefined ? "" : row.met ? "met" : "MISSED",
  note: row.note ?? "",
}));
const columns = Object.keys(table[0] ?? { bench: "" }) as (keyof (typeof table)[number])[];
const widths = columns.map((column) => Math.max(column.length, ...table.map((row) => String(row[column]).length)));
const line = (cells: string[]) =>
  cells
    .map((cell, i) => cell.padEnd(widths[i] as number))
    .join("  ")
    .trimEnd();
console.log(`\n${line(columns)}\n${line(widths.map((width) => "-".repeat(width)))}`);
for (const row of table) console.log(line(columns.map((column) => String(row[column]))));

const loadAfter = loadavg();
const machine = {
  cores: cpus().length,
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverageBefore: loadBefore.map((n) => Math.round(n * 100) / 100),
  loadAverageAfter: loadAfter.map((n) => Math.round(n * 100) / 100),
};
const missed = rows.filter((row) => row.met === false).length;
console.log(
  `\n${plan.length} benches, ${rows.length} figures, ${missed} targets missed, in ${seconds(totalMs)} on ${machine.cores} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverageBefore.join(" / ")} before, ${machine.loadAverageAfter.join(" / ")} after`,
);
const output = join(resultsDir, "latest.json");
const results = {
  startedAt: startedAt.toISOString(),
  totalSeconds: Math.round(totalMs / 100) / 10,
  machine,
  benches: outcomes,
  rows,
};
writeFileSync(output, `${JSON.stringify(results, null, 2)}\n`);
// The same as Markdown, to paste into BENCHMARKS.md.
writeFileSync(join(resultsDir, "latest.md"), markdownReport(results));
console.log(`written to ${output} and latest.md`);
process.exit(outcomes.some((outcome) => outcome.exitCode !== 0) ? 1 : 0);
