/**
 * Conversions ingested per second through the real app on a real @hono/node-server, over a
 * temporary database file: sequential (one client, one request at a time) and 20 concurrent
 * clients. Each conversion is attributed by code and earns both rewards, so every request does
 * the full work (insert, attribution, fraud checks, rewards, outbox events) in one transaction.
 *
 *   npx tsx bench/conversions.ts [--requests 2000]
 */
import { startConversionServer } from "./support/conversion-server.ts";
import { report, summary } from "./support/report.ts";

const arg = process.argv.indexOf("--requests");
const total = Math.min(20_000, Math.max(100, Number(arg > 0 ? process.argv[arg + 1] : 2000)));

const bench = await startConversionServer();
const { codes } = bench;
const url = `${bench.baseUrl}/v1/conversions`;

let sequence = 0;
async function postOne(): Promise<number> {
  const n = sequence++;
  const response = await fetch(url, {
    method: "POST",
    headers: { Authorization: `Bearer ${bench.secretKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      id: `bench-${n}`,
      type: "enrollment",
      customer: { id: `customer-${n}`, email: `customer-${n}@example.org` },
      course: "data-analytics",
      amount: 499_900,
      currency: "INR",
      code: codes[n % codes.length],
    }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function run(label: string, clients: number, requests: number, name?: string) {
  process.stderr.write(`${label}: ${requests} conversions\n`);
  const latencies: number[] = [];
  let errors = 0;
  let left = requests;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (left-- > 0) {
        const t0 = performance.now();
        const status = await postOne();
        latencies.push(performance.now() - t0);
        if (status !== 201) errors++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
  console.log(
    `${label.padEnd(24)} ${requests} conversions in ${seconds.toFixed(2)} s = ${Math.round(requests / seconds)} /s   p50 ${p(0.5)} ms  p99 ${p(0.99)} ms  errors ${errors}`,
  );
  if (name)
    report({
      bench: "conversions",
      name,
      unit: "ms",
      ...summary(latencies),
      rate: Math.round(requests / seconds),
      note: errors ? `${errors} errors` : undefined,
      met: errors === 0 ? undefined : false,
    });
}

await run("warm-up", 4, Math.min(200, Math.ceil(total / 5)));
await run("sequential (1 client)", 1, total, "ingest, sequential (1 client)");
await run("20 concurrent clients", 20, total, "ingest, 20 concurrent clients");

bench.close();
