/**
 * `npx tsx bench/memory.ts`: the server's memory as the operating system sees it, sampled from
 * outside the process (VmRSS and VmHWM in /proc/PID/status of the server child, every 20 ms):
 * its steady RSS with the 1M-click data set (bench/seed.ts) after every analytics endpoint ran
 * once, then its peak while a client streams the full export of the 100k conversions.
 * Target: peak RSS during the export <= 300 MB.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { cachedAnalyticsSeed } from "./support/analytics-seed.ts";
import { report } from "./support/report.ts";

const seed = await cachedAnalyticsSeed(undefined, (line) => process.stderr.write(`seed: ${line}\n`));
const dir = mkdtempSync(join(tmpdir(), "chorus-memory-"));
const file = join(dir, "memory.db");
copyFileSync(seed.file, file);
const port = 20_000 + Math.floor(Math.random() * 20_000);
const server = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "..", "server", "node.ts")], {
  env: { ...process.env, DATABASE_URL: `file:${file}`, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
  stdio: ["ignore", "pipe", "inherit"],
});
const base = `http://127.0.0.1:${port}`;
await new Promise<void>((resolve, reject) => {
  server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  const poll = () =>
    fetch(`${base}/healthz`)
      .then(() => resolve())
      .catch(() => setTimeout(poll, 100));
  poll();
});
server.stdout?.resume();

/** VmRSS and VmHWM (peak) of the server process, in MB. */
function memory(): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${server.pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb("VmRSS") / 1024), peak: Math.round(kb("VmHWM") / 1024) };
}

const headers = { Authorization: `Bearer ${seed.secretKey}` };
const year = "from=2025-11-29&to=2026-11-28";
for (const path of [
  `/v1/analytics/funnel?${year}`,
  `/v1/analytics/breakdown?dimension=advocate&${year}`,
  `/v1/analytics/breakdown?dimension=day&${year}&limit=1000`,
  `/v1/analytics/k-factor?${year}`,
  `/v1/analytics/time-to-convert?${year}`,
  `/v1/analytics/advocates?${year}`,
  `/v1/analytics/timeseries?${year}`,
]) {
  const response = await fetch(`${base}${path}`, { headers });
  if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
  await response.arrayBuffer();
}
const steady = memory();
console.log(
  `steady RSS with ${seed.clicks.toLocaleString("en")} clicks: ${steady.rss} MB (peak so far ${steady.peak} MB)`,
);

let sampledPeak = 0;
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, memory().rss);
}, 20);
const began = performance.now();
const response = await fetch(`${base}/v1/analytics/export.csv?dataset=conversions&${year}`, { headers });
let lines = 0;
const reader = (response.body as ReadableStream<Uint8Array>).getReader();
for (let part = await reader.read(); !part.done; part = await reader.read())
  for (const byte of part.value) if (byte === 10) lines++;
clearInterval(sampler);
const after = memory();
const seconds = (performance.now() - began) / 1000;
const load = loadavg()[0]?.toFixed(2);
console.log(
  `export of ${(lines - 1).toLocaleString("en")} conversions in ${seconds.toFixed(1)} s: server RSS peak ${Math.max(sampledPeak, after.rss)} MB sampled, VmHWM ${after.peak} MB (load ${load})`,
);
report(
  {
    bench: "memory",
    name: "server steady RSS, 1M clicks, after the analytics endpoints",
    unit: "MB",
    value: steady.rss,
    note: `load ${load}`,
  },
  {
    bench: "memory",
    name: `server peak RSS (VmHWM) streaming the export of ${(lines - 1).toLocaleString("en")} conversions`,
    unit: "MB",
    value: after.peak,
    target: "<= 300 MB",
    met: after.peak <= 300,
    note: `sampled VmRSS max ${Math.max(sampledPeak, after.rss)} MB, ${seconds.toFixed(1)} s`,
  },
);
server.kill("SIGTERM");
await new Promise((resolve) => server.once("exit", resolve));
rmSync(dir, { recursive: true, force: true });
