/**
 * What each bench reports to bench/run.ts: rows of figures, appended as JSON lines to the file
 * named by BENCH_RESULTS_FILE (set by the runner; a bench run on its own just prints).
 */
import { appendFileSync } from "node:fs";

export type BenchRow = {
  bench: string;
  name: string;
  /** Unit of median and p99 (ms), or of `value`. */
  unit: string;
  median?: number;
  p99?: number;
  /** A single exact figure (sizes, counts) instead of a distribution. */
  value?: number;
  /** Requests (or items) per second. */
  rate?: number;
  /** A ratio measured in the same run, and what it is a ratio of. */
  ratio?: number;
  ratioOf?: string;
  target?: string;
  met?: boolean;
  note?: string;
};

export function report(...rows: BenchRow[]): void {
  const file = process.env.BENCH_RESULTS_FILE;
  if (file) for (const row of rows) appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** The p-quantile of ascending `sorted` (nearest rank). */
export function quantile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
}

/** Median and p99 of samples, rounded to 0.1. */
export function summary(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { median: round(quantile(sorted, 0.5)), p99: round(quantile(sorted, 0.99)) };
}
