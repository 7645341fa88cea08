/**
 * `npm run bench:analytics [-- --file F --runs 100]`: every analytics endpoint through the real app
 * (createApp, routing, auth, validation, JSON) against the seeded data set (1M clicks, 100k
 * conversions; taken from the seed cache, seeded first when missing, or --file); prints the median
 * and p99 per endpoint. Target: median <= 50 ms each.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { workspaces } from "../db/schema.ts";
import { createApp } from "../server/app.ts";
import { openDatabase } from "../server/node-database.ts";
import { issueKey } from "../server/services/api-keys.ts";
import { cachedAnalyticsSeed } from "./support/analytics-seed.ts";
import { report, summary } from "./support/report.ts";

const { values } = parseArgs({
  options: { file: { type: "string" }, runs: { type: "string", default: "100" } },
});
const runs = Number(values.runs);
const targetMs = 50;
let file = values.file;
if (file) {
  if (!existsSync(file)) throw new Error(`${file} does not exist: run npm run bench:seed -- --file ${file} first`);
} else {
  const seeded = await cachedAnalyticsSeed(undefined, (line) => process.stderr.write(`seed: ${line}\n`));
  file = seeded.file;
  report({
    bench: "analytics",
    name: seeded.cached ? "data set (cached seed)" : "data set (seeded now: 1M clicks, 100k conversions)",
    unit: "s",
    value: seeded.seconds,
    target: seeded.cached ? undefined : "<= 120 s",
    met: seeded.cached ? undefined : seeded.seconds <= 120,
    note: seeded.cached ? `seeded earlier in ${seeded.seconds} s` : undefined,
  });
}

const benchToday = new Date(Date.UTC(2026, 10, 28, 12));
const { client, db } = await openDatabase({ url: `file:${file}` }, "apply");
const [ws] = await db.select().from(workspaces).where(eq(workspaces.name, "Bench Academy"));
if (!ws) throw new Error("no Bench Academy workspace in that file");
const key = await issueKey({ db, clock: { now: () => benchToday } }, { workspaceId: ws.id, kind: "secret" });
const app = createApp({
  db,
  clock: { now: () => new Date(benchToday) },
  config: { secret: "bench-secret-0123456789-0123456789-0123456789", bodyLimitBytes: 65536, trustProxy: false },
});
const headers = { Authorization: `Bearer ${key}` };
const counts = await client.execute(
  `select (select count(*) from clicks) as clicks, (select count(*) from conversions) as conversions,
     (select count(*) from analytics_daily) as rollupRows`,
);
console.log(`data set: ${JSON.stringify(counts.rows[0])}`);

const year = "from=2025-11-29&to=2026-11-28";
const cases: [string, string][] = [
  ["funnel (30 days)", "/v1/analytics/funnel"],
  ["funnel (365 days)", `/v1/analytics/funnel?${year}`],
  ["funnel (365 days, one course)", `/v1/analytics/funnel?${year}&course=ux-design`],
  ["breakdown channel (365 d)", `/v1/analytics/breakdown?dimension=channel&${year}`],
  ["breakdown course (365 d)", `/v1/analytics/breakdown?dimension=course&${year}`],
  ["breakdown advocate (30 d)", "/v1/analytics/breakdown?dimension=advocate"],
  ["breakdown advocate (365 d)", `/v1/analytics/breakdown?dimension=advocate&${year}`],
  ["breakdown story (365 d)", `/v1/analytics/breakdown?dimension=story&${year}`],
  ["breakdown country (365 d)", `/v1/analytics/breakdown?dimension=country&${year}`],
  ["breakdown day (365 d)", `/v1/analytics/breakdown?dimension=day&${year}&limit=1000`],
  ["k-factor (365 d)", `/v1/analytics/k-factor?${year}`],
  ["time-to-convert (30 d)", "/v1/analytics/time-to-convert"],
  ["time-to-convert (365 d)", `/v1/analytics/time-to-convert?${year}`],
  ["advocates top 10 (365 d)", `/v1/analytics/advocates?${year}`],
  ["timeseries day (365 d)", `/v1/analytics/timeseries?${year}`],
  ["timeseries month (365 d)", `/v1/analytics/timeseries?${year}&interval=month`],
];

const quantile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
const format = (ms: number) => `${ms.toFixed(1)} ms`.padStart(9);

async function measure(path: string, read: (response: Response) => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const began = performance.now();
    const response = await app.request(`http://bench.local${path}`, { headers });
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    await read(response);
    if (i >= 3) times.push(performance.now() - began);
  }
  return times.sort((a, b) => a - b);
}

console.log(`${"endpoint".padEnd(34)}   median       p99   (${runs} runs each, sequential, in-process)`);
for (const [name, path] of cases) {
  process.stderr.write(`${name}\n`);
  const times = await measure(path, (response) => response.json());
  console.log(`${name.padEnd(34)} ${format(quantile(times, 0.5))} ${format(quantile(times, 0.99))}`);
  const { median, p99 } = summary(times);
  report({
    bench: "analytics",
    name,
    unit: "ms",
    median,
    p99,
    target: `median <= ${targetMs} ms`,
    met: median <= targetMs,
  });
}

// Exports stream: time to the first page of rows, then one whole export once.
const firstPage = async (response: Response) => {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let chunks = 0;
  while (chunks < 2 && !(await reader.read()).done) chunks++;
  await reader.cancel();
};
for (const dataset of ["clicks", "conversions", "rewards"]) {
  const times = await measure(`/v1/analytics/export.csv?dataset=${dataset}&${year}`, firstPage);
  console.log(
    `${`export ${dataset}: first 1,000 rows`.padEnd(34)} ${format(quantile(times, 0.5))} ${format(quantile(times, 0.99))}`,
  );
  report({ bench: "analytics", name: `export ${dataset}: first 1,000 rows`, unit: "ms", ...summary(times) });
}
const began = performance.now();
const whole = await app.request(`http://bench.local/v1/analytics/export.csv?dataset=conversions&${year}`, { headers });
const text = await whole.text();
const wholeSeconds = (performance.now() - began) / 1000;
report({
  bench: "analytics",
  name: "export conversions, whole (once)",
  unit: "s",
  value: Math.round(wholeSeconds * 100) / 100,
  note: `${(text.split("\r\n").length - 2).toLocaleString("en")} rows, peak RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
});
console.log(
  `export conversions, whole (${(text.split("\r\n").length - 2).toLocaleString("en")} rows, ${(text.length / 1e6).toFixed(1)} MB): ${((performance.now() - began) / 1000).toFixed(2)} s, peak RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
);
client.close();
