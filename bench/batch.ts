/**
 * Conversions ingested per second through `POST /v1/conversions/batch` on the real app and a real
 * @hono/node-server, over a temporary database file: batches of 1,000, one client, each
 * conversion attributed by code and earning both rewards (the same work as bench/conversions.ts).
 *
 *   npx tsx bench/batch.ts [--conversions 20000]
 */
import { loadavg } from "node:os";
import { startConversionServer } from "./support/conversion-server.ts";
import { report, summary } from "./support/report.ts";

const arg = process.argv.indexOf("--conversions");
const total = Math.min(200_000, Math.max(1000, Number(arg > 0 ? process.argv[arg + 1] : 20_000)));
const batchSize = 1000;

const bench = await startConversionServer();
const { codes } = bench;
const url = `${bench.baseUrl}/v1/conversions/batch`;

function conversion(n: number) {
  return {
    id: `batch-${n}`,
    type: "enrollment",
    customer: { id: `customer-${n}`, email: `customer-${n}@example.org` },
    course: "data-analytics",
    amount: 499_900,
    currency: "INR",
    code: codes[n % codes.length],
  };
}

/** Posts conversions [from, from + count) as one batch; returns how many were recorded. */
async function postBatch(from: number, count: number): Promise<{ recorded: number; replayed: number }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { Authorization: `Bearer ${bench.secretKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ conversions: Array.from({ length: count }, (_, i) => conversion(from + i)) }),
  });
  if (response.status !== 200) throw new Error(`batch answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { recorded: number; replayed: number };
}

const load = loadavg()[0]?.toFixed(2);
await postBatch(total, batchSize); // warm-up, outside the measured range
const latencies: number[] = [];
let recorded = 0;
// Work counted, not only time: this process runs both the client and the server, so its CPU per
// conversion (JSON on both sides included) compares runs made at different loads.
const cpuStart = process.cpuUsage();
const statementsStart = bench.statements();
const start = performance.now();
for (let from = 0; from < total; from += batchSize) {
  const t0 = performance.now();
  recorded += (await postBatch(from, batchSize)).recorded;
  latencies.push(performance.now() - t0);
  process.stderr.write(`${from + batchSize} / ${total}\n`);
}
const seconds = (performance.now() - start) / 1000;
const rate = Math.round(total / seconds);
const cpu = process.cpuUsage(cpuStart);
const cpuPerConversion = Math.round((cpu.user + cpu.system) / total);
const statementsPerConversion = (bench.statements() - statementsStart) / total;
// The same batches again: every item is a replay, nothing is written twice.
const replayStart = performance.now();
let replayed = 0;
for (let from = 0; from < total; from += batchSize) replayed += (await postBatch(from, batchSize)).replayed;
const replayRate = Math.round(total / ((performance.now() - replayStart) / 1000));
const lost = total - recorded + (total - replayed);
console.log(
  `${total} conversions in batches of ${batchSize}: ${seconds.toFixed(2)} s = ${rate} /s (replayed again at ${replayRate} /s), load ${load}, ${lost} not recorded or not replayed`,
);
console.log(
  `CPU ${cpuPerConversion} µs and ${statementsPerConversion.toFixed(1)} statements per conversion; first batch ${latencies[0]?.toFixed(0)} ms, last ${latencies.at(-1)?.toFixed(0)} ms; load ${loadavg()[0]?.toFixed(2)} at the end`,
);
report(
  {
    bench: "batch",
    name: `ingest, batches of ${batchSize} (ms per batch)`,
    unit: "ms",
    ...summary(latencies),
    rate,
    target: "≥ 2,000/s",
    met: rate >= 2000 && lost === 0,
    note: `${total} conversions, ${cpuPerConversion} µs CPU and ${statementsPerConversion.toFixed(1)} statements each, load ${load}${lost ? `, ${lost} missing` : ""}`,
  },
  { bench: "batch", name: "the same batches again (all replays)", unit: "", rate: replayRate },
);

bench.close();
