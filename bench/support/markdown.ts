/**
 * The figures of a run (bench/results/latest.json) as Markdown, for BENCHMARKS.md: the machine
 * line and one table. bench/run.ts writes it to bench/results/latest.md; on its own:
 *   npx tsx bench/support/markdown.ts [bench/results/latest.json]
 */
import { readFileSync } from "node:fs";
import type { BenchRow } from "./report.ts";

export type RunResults = {
  startedAt: string;
  totalSeconds: number;
  machine: {
    cores: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    platform: string;
    loadAverageBefore: number[];
    loadAverageAfter: number[];
  };
  benches: { name: string; seconds: number; exitCode: number }[];
  rows: BenchRow[];
};

const number = (n: number | undefined, digits = 1) =>
  n === undefined ? "" : n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function markdownMachine(results: RunResults): string {
  const { machine } = results;
  return `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, ${machine.platform}, Node ${machine.node}. Run started ${results.startedAt}, took ${results.totalSeconds} s (${results.benches.map((bench) => `${bench.name} ${bench.seconds} s`).join(", ")}). Load average (1/5/15 min) ${machine.loadAverageBefore.join(" / ")} before, ${machine.loadAverageAfter.join(" / ")} after.`;
}

export function markdownTable(rows: BenchRow[]): string {
  const lines = [
    "| bench | case | median | p99 | throughput | ratio / target | result |",
    "|---|---|---:|---:|---:|---|---|",
  ];
  for (const row of rows) {
    const median =
      row.median !== undefined ? `${number(row.median)} ${row.unit}` : `${number(row.value, 2)} ${row.unit}`;
    const ratio = [row.ratio !== undefined ? `${row.ratio}× ${row.ratioOf ?? ""}`.trim() : "", row.target ?? ""]
      .filter(Boolean)
      .join("; target ");
    const result = row.met === undefined ? "" : row.met ? "met" : "**missed**";
    const name = row.note ? `${row.name} (${row.note})` : row.name;
    lines.push(
      `| ${row.bench} | ${name} | ${median} | ${row.p99 !== undefined ? `${number(row.p99)} ${row.unit}` : ""} | ${row.rate !== undefined ? `${number(row.rate, 0)}/s` : ""} | ${ratio.replaceAll("|", "\\|")} | ${result} |`,
    );
  }
  return lines.join("\n");
}

export function markdownReport(results: RunResults): string {
  return `${markdownMachine(results)}\n\n${markdownTable(results.rows)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? "bench/results/latest.json";
  process.stdout.write(markdownReport(JSON.parse(readFileSync(file, "utf8")) as RunResults));
}
