/**
 * `npm run bench:analytics [-- --file F --runs 100 --scale 10]`: every analytics endpoint through the
 * real app (createApp, routing, auth, validation, JSON) against the seeded data set (1M clicks, 100k
 * conversions, 5,000 advocates, each times --scale; taken from the seed cache, seeded first when
 * missing, or --file); prints the median and p99 per endpoint. Target: median <= 50 ms each.
 * `npm run bench -- analytics --scale 10` runs it at 10M clicks and 1M conversions.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { workspaces } from "../db/schema.ts";
import { createApp } from "../server/app.ts";
import { openDatabase } from "../server/node-database.ts";
import { issueKey } from "../server/services/api-keys.ts";
import { cachedAnalyticsSeed, defaultSeedSizes, seedCacheDir } from "./support/analytics-seed.ts";
import { report, summary } from "./support/report.ts";

const { values } = parseArgs({
  options: {
    file: { type: "string" },
    runs: { type: "string", default: "100" },
    scale: { type: "string", default: "1" },
  },
});
const runs = Number(values.runs);
const scale = Math.max(1, Math.round(Number(values.scale) || 1));
const sizes = {
  clicks: defaultSeedSizes.clicks * scale,
  conversions: defaultSeedSizes.conversions * scale,
  advocates: defaultSeedSizes.advocates * scale,
};
/** Rows named by scale (e.g. "x10 funnel (30 days)"), so two scales can share one table. */
const label = (name: string) => (scale === 1 ? name : `x${scale} ${name}`);
const targetMs = 50;
let file = values.file;
if (file) {
  if (!existsSync(file)) throw new Error(`${file} does not exist: run npm run bench:seed -- --file ${file} first`);
} else {
  // Each scale has its own cache folder: the cache keeps one seed per folder.
  const dir = scale === 1 ? seedCacheDir : join(seedCacheDir, `x${scale}`);
  const seeded = await cachedAnalyticsSeed(sizes, (line) => process.stderr.write(`seed: ${line}\n`), dir);
  file = seeded.file;
  report({
    bench: "analytics",
    name: label(
      seeded.cached
        ? "data set (cached seed)"
        : `data set (seeded now: ${sizes.clicks / 1e6}M clicks, ${sizes.conversions / 1e3}k conversions)`,
    ),
    unit: "s",
    value: seeded.seconds,
    target: seeded.cached ? undefined : `<= ${120 * scale} s`,
    met: seeded.cached ? undefined : seeded.seconds <= 120 * scale,
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
    name: label(name),
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
  report({ bench: "analytics", name: label(`export ${dataset}: first 1,000 rows`), unit: "ms", ...summary(times) });
}
// Read as a stream and counted, never held: the server's memory is bench/memory.ts's measure.
const began = performance.now();
const whole = await app.request(`http://bench.local/v1/analytics/export.csv?dataset=conversions&${year}`, { headers });
let lines = 0;
let bytes = 0;
const reader = (whole.body as ReadableStream<Uint8Array>).getReader();
for (let part = await reader.read(); !part.done; part = await reader.read()) {
  bytes += part.value.length;
  for (const byte of part.value) if (byte === 10) lines++;
}
const wholeSeconds = (performance.now() - began) / 1000;
const rowCount = (lines - 1).toLocaleString("en");
report({
  bench: "analytics",
  name: label("export conversions, whole (once)"),
  unit: "s",
  value: Math.round(wholeSeconds * 100) / 100,
  note: `${rowCount} rows, ${(bytes / 1e6).toFixed(1)} MB`,
});
console.log(
  `export conversions, whole (${rowCount} rows, ${(bytes / 1e6).toFixed(1)} MB): ${wholeSeconds.toFixed(2)} s`,
);
client.close();
