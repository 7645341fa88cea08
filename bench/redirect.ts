/**
 * Redirect throughput and latency next to a Hono hello-world route on the same server, in the
 * same run (ratios, not absolutes, carry across machines). The server runs in its own process.
 * Every redirect comes from a new visitor, so every answered redirect must leave exactly one
 * click row: the run counts them after the server has stopped.
 *
 *   npx tsx bench/redirect.ts [--seconds 5] [--connections 50]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { report } from "./support/report.ts";
import { benchUserAgent, newVisitorEachRequest } from "./support/visitors.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "5" }, connections: { type: "string", default: "50" } },
});
const duration = Number(values.seconds);
const connections = Number(values.connections);
const root = join(import.meta.dirname, "..");
const loadAtStart = Number(loadavg()[0]?.toFixed(2));

const dir = mkdtempSync(join(tmpdir(), "chorus-bench-"));
const file = join(dir, "bench.db");
const child = spawn(join(root, "node_modules", ".bin", "tsx"), [join(root, "bench/support/redirect-server.ts"), file], {
  stdio: ["ignore", "pipe", "inherit"],
});
const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
const nextLine = async () => JSON.parse((await lines.next()).value as string);
const { port, code } = (await nextLine()) as { port: number; code: string };
const base = `http://127.0.0.1:${port}`;

type Result = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  "3xx"?: number;
  statusCodeStats: Record<string, { count: number }>;
};

async function serverCpu(): Promise<number> {
  const { user, system } = (await (await fetch(`${base}/bench/cpu`)).json()) as { user: number; system: number };
  return user + system;
}

async function run(title: string, path: string, newVisitors: boolean): Promise<Result & { cpuUs: number }> {
  process.stderr.write(`${title}: ${duration} s, ${connections} connections\n`);
  const cpuBefore = await serverCpu();
  const result = (await autocannon({
    url: base + path,
    connections,
    duration,
    headers: { "User-Agent": benchUserAgent },
    requests: newVisitors ? newVisitorEachRequest() : undefined,
  })) as Result;
  const cpu = (await serverCpu()) - cpuBefore;
  const line = {
    title,
    requestsPerSecond: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    // Server CPU (user + system) per answered request, in microseconds.
    serverCpuUs: Math.round(cpu / Math.max(1, result.requests.total)),
  };
  console.log(JSON.stringify(line));
  return { ...result, cpuUs: line.serverCpuUs };
}

await run("warm-up", "/bench/hello", false);
const hello = await run("hello-world", "/bench/hello", false);
await run("hello-world, varied headers", "/bench/hello", true);
const sameVisitor = await run("redirect, the same visitor again (deduplicated)", `/r/${code}?ch=whatsapp`, false);
const redirect = await run("redirect, a new visitor each request", `/r/${code}?ch=whatsapp`, true);

child.kill("SIGINT");
// The server's own count, after its last flush: every click id a redirect handed out, checked
// against the stored rows one by one.
const {
  answeredClickIds: answered,
  storedClicks: stored,
  lostClicks,
} = (await nextLine()) as {
  answeredClickIds: number;
  storedClicks: number;
  lostClicks: number;
};
await exited;
const ratio = Number((redirect.requests.average / hello.requests.average).toFixed(2));
console.log(
  JSON.stringify({
    redirectToHelloRatio: ratio,
    sameVisitorToHelloRatio: Number((sameVisitor.requests.average / hello.requests.average).toFixed(2)),
    // Other work on the machine moves every figure: the 1-minute load average before and after.
    loadAverage: [loadAtStart, Number(loadavg()[0]?.toFixed(2))],
    answeredRedirects: answered,
    storedClicks: stored,
    lostClicks,
  }),
);
const row = (name: string, result: Result & { cpuUs: number }) => ({
  bench: "redirect",
  name,
  unit: "ms",
  median: result.latency.p50,
  p99: result.latency.p99,
  rate: Math.round(result.requests.average),
  // CPU of the server process (user + system) per answered request: steadier than req/s on a shared machine.
  note: `server CPU ${result.cpuUs} µs/request, load average ${loadAtStart}`,
});
report(
  row("hello-world route (same server)", hello),
  row("redirect, same visitor again", sameVisitor),
  {
    ...row("redirect, new visitor each request", redirect),
    ratio,
    ratioOf: "req/s vs hello-world",
    target: ">= 0.5, p99 <= 5 ms",
    met: ratio >= 0.5 && redirect.latency.p99 <= 5,
  },
  {
    bench: "redirect",
    name: `lost clicks (${answered.toLocaleString("en")} click ids answered, ${stored.toLocaleString("en")} stored)`,
    unit: "clicks",
    value: lostClicks,
    target: "0",
    met: lostClicks === 0,
  },
);
rmSync(dir, { recursive: true, force: true });
