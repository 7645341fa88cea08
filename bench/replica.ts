/**
 * The embedded replica under the redirect bench's load (a new visitor each request, so every
 * redirect writes a click): the real Node server with DATABASE_URL=file:… and DATABASE_SYNC_URL
 * at a real sqld, against the same server on a plain file. Reports redirect throughput and
 * latency of both, and the replica's lag: a probe writes a timestamp on the primary every 200 ms
 * (as another writer would) and reads the server's local file until it shows up.
 * (Acknowledged writes need no lag figure: libSQL answers them only once the primary has them.)
 *
 *   npx tsx bench/replica.ts [--seconds 10] [--connections 50]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "@libsql/client";
import autocannon from "autocannon";
import { runCli, startServer } from "../tests/support/processes.ts";
import { startSqld } from "../tests/support/sqld.ts";
import { benchUserAgent, newVisitorEachRequest } from "./support/visitors.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "10" }, connections: { type: "string", default: "50" } },
});
const duration = Number(values.seconds);
const connections = Number(values.connections);
const dir = mkdtempSync(join(tmpdir(), "chorus-replica-bench-"));
const sqld = await startSqld();
const secret = "replica-bench-secret-0123456789abcdefghij";

type Result = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  statusCodeStats: Record<string, { count: number }>;
};

async function load(name: string, env: Record<string, string>, probe?: () => Promise<number[]>) {
  const server = await startServer({ CHORUS_DEMO: "0", TRUST_PROXY: "1", CHORUS_SECRET: secret, ...env });
  const cli = env.DATABASE_SYNC_URL ? { ...env } : { DATABASE_URL: env.DATABASE_URL! };
  const ws = JSON.parse(
    runCli(["workspace", "create", "--name", name, "--origin", "https://academy.example", "--json"], cli).stdout,
  ) as { secretKey: string };
  // The server reads the CLI's workspace from its replica within a sync interval.
  let created = 0;
  while (created !== 201) {
    created = (
      await fetch(`${server.baseUrl}/v1/codes`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ code: "bench-code", targetUrl: "https://academy.example/c" }),
      })
    ).status;
    if (created === 409) break;
    if (created !== 201) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const lags = probe ? probe() : Promise.resolve([]);
  const result = (await autocannon({
    url: `${server.baseUrl}/r/bench-code?ch=whatsapp`,
    connections,
    duration,
    headers: { "User-Agent": benchUserAgent },
    requests: newVisitorEachRequest(),
  })) as Result;
  stopProbe = true;
  const measured = await lags;
  await server.stop("SIGINT");
  // Every answered redirect of a new visitor is a click: counted where it must be (the primary for a replica).
  const counter = createClient({ url: env.DATABASE_SYNC_URL ?? env.DATABASE_URL! });
  const clicks = Number((await counter.execute("select count(*) from clicks")).rows[0]?.[0]);
  counter.close();
  return { result, lags: measured, clicks };
}

let stopProbe = false;
/** Writes a timestamp on the primary every 200 ms and times its arrival in the local file. */
function lagProbe(localFile: string) {
  return async () => {
    const primary = createClient({ url: sqld.url });
    await primary.execute("create table if not exists bench_probe (at integer)");
    const local = createClient({ url: `file:${localFile}` });
    const lags: number[] = [];
    while (!stopProbe) {
      const at = Date.now();
      await primary.execute({ sql: "insert into bench_probe (at) values (?)", args: [at] });
      while (!stopProbe) {
        const seen = await local
          .execute({ sql: "select 1 from bench_probe where at = ?", args: [at] })
          .catch(() => null);
        if (seen && seen.rows.length > 0) {
          lags.push(Date.now() - at);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    primary.close();
    local.close();
    return lags;
  };
}

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
try {
  const loadBefore = loadavg()[0]!.toFixed(2);
  const file = await load("plain file", { DATABASE_URL: `file:${join(dir, "plain.db")}` });
  stopProbe = false;
  const replicaFile = join(dir, "replica.db");
  const replica = await load(
    "replica",
    { DATABASE_URL: `file:${replicaFile}`, DATABASE_SYNC_URL: sqld.url },
    lagProbe(replicaFile),
  );
  const line = (name: string, run: { result: Result; clicks: number }) =>
    `${name.padEnd(26)} ${Math.round(run.result.requests.average)} redirects/s, p50 ${run.result.latency.p50} ms, ` +
    `p99 ${run.result.latency.p99} ms, statuses ${JSON.stringify(run.result.statusCodeStats)}, clicks stored ${run.clicks}`;
  console.log(line("plain file", file));
  console.log(line("embedded replica (sqld)", replica));
  const lags = replica.lags;
  console.log(
    `replica lag (primary write → server's local file, sync interval 1 s), ${lags.length} probes: ` +
      `median ${quantile(lags, 0.5)} ms, p90 ${quantile(lags, 0.9)} ms, max ${Math.max(...lags)} ms`,
  );
  console.log(`load average before/after: ${loadBefore} / ${loadavg()[0]!.toFixed(2)}`);
} finally {
  await sqld.stop();
  rmSync(dir, { recursive: true, force: true });
}
