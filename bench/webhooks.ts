/**
 * Webhook fairness (issue 15): how long workspace B waits for its webhook while workspace A's
 * 100 endpoints point at a server that accepts connections and never answers. The real app on a
 * real HTTP server over a temporary database file, the background worker as `npm start` runs
 * it (a tick every second, the default delivery options: 10 s timeout, 5 in flight per
 * workspace, 2 per endpoint), and real receivers on 127.0.0.1. B's latency is from its
 * `POST /v1/conversions` answering (the event is committed) to its receiver reading the
 * `conversion.attributed` delivery. First B alone, then with A's endpoints hanging and A adding
 * conversions (each one a delivery to each of its 100 endpoints per event) throughout.
 *
 *   npx tsx bench/webhooks.ts [--events 30]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createApp } from "../server/app.ts";
import { openDatabase } from "../server/node-database.ts";
import { startBackgroundWorker } from "../server/services/background.ts";
import { upsertLearner } from "../server/services/learners.ts";
import { codeForLearner } from "../server/services/referrals.ts";
import { createWorkspace, getWorkspace } from "../server/services/workspaces.ts";
import { quantile, report, summary } from "./support/report.ts";

const arg = process.argv.indexOf("--events");
const events = Math.min(200, Math.max(10, Number(arg > 0 ? process.argv[arg + 1] : 30)));
const spacingMs = 400;
const targetMs = 5000;

const dir = mkdtempSync(join(tmpdir(), "chorus-bench-"));
// Opened as the Node server opens its file (pragmas on every pooled connection, migrations).
const { client, db } = await openDatabase({ url: `file:${join(dir, "bench.db")}` }, "apply");
const clock = { now: () => new Date() };
const secret = "bench-secret-0123456789-0123456789-0123";
const config = { secret, bodyLimitBytes: 65536, trustProxy: false, webhookEndpointLimit: 100 };
const app = createApp({ db, clock, config });
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
await new Promise((resolve) => server.once("listening", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function listen(server: Server) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// B's receiver: when each conversion's delivery arrived.
const arrived = new Map<string, number>();
const receiver = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => {
    body += chunk;
  });
  request.on("end", () => {
    const externalId = JSON.parse(body)?.data?.conversion?.externalId;
    if (typeof externalId === "string" && !arrived.has(externalId)) arrived.set(externalId, performance.now());
    response.end("ok");
  });
});
const receiverUrl = await listen(receiver);

// A's target: takes every request and never answers.
let hangingRequests = 0;
const sockets = new Set<Socket>();
const hanging = createServer(() => {
  hangingRequests++;
});
hanging.on("connection", (socket) => {
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
});
const hangingUrl = await listen(hanging);

async function tenant(name: string) {
  const created = await createWorkspace({ db, clock }, { name, origins: [], settings: { holdDays: 14 } });
  const workspace = (await getWorkspace({ db }, { id: created.id }))!;
  const learner = await upsertLearner({ db, clock, secret, workspace }, { sub: `${name}-advocate`, name });
  const { code } = await codeForLearner({ db, workspace, clock }, { learner, course: "" });
  const call = async (path: string, body: unknown) => {
    const response = await fetch(base + path, {
      method: "POST",
      headers: { Authorization: `Bearer ${created.secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`${path} answered ${response.status}`);
  };
  let n = 0;
  /** One attributed enrolment; answers its id once committed. */
  const convert = async () => {
    const id = `${name}-${n++}`;
    await call("/v1/conversions", { id, type: "enrollment", customer: { id: `c-${id}` }, code });
    return id;
  };
  return { call, convert };
}

const b = await tenant("b");
// The receivers listen on 127.0.0.1, so each endpoint opts in to private targets (self-hosting).
await b.call("/v1/admin/webhooks", {
  url: `${receiverUrl}/b`,
  events: ["conversion.attributed"],
  allowPrivateNetwork: true,
});
const a = await tenant("a");
for (let i = 0; i < 100; i++)
  await a.call("/v1/admin/webhooks", { url: `${hangingUrl}/a/${i}`, allowPrivateNetwork: true });

const worker = startBackgroundWorker({ db, clock }, { intervalMs: 1000 });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** B sends `events` conversions, one every `spacingMs`; answers each one's delivery latency. */
async function measureB(label: string, alongside?: () => Promise<unknown>): Promise<number[]> {
  process.stderr.write(`${label}: ${events} events from B, one every ${spacingMs} ms\n`);
  const committed = new Map<string, number>();
  for (let i = 0; i < events; i++) {
    const id = await b.convert();
    committed.set(id, performance.now());
    if (alongside && i % 5 === 0) await alongside();
    await pause(spacingMs);
  }
  // Wait for the stragglers, at most 30 s (a delivery still missing then counts as 30 s).
  const deadline = performance.now() + 30_000;
  while ([...committed.keys()].some((id) => !arrived.has(id)) && performance.now() < deadline) await pause(50);
  return [...committed].map(([id, at]) => (arrived.get(id) ?? performance.now()) - at);
}

function row(name: string, latencies: number[], extra: string) {
  const sorted = [...latencies].sort((x, y) => x - y);
  const p95 = Math.round(quantile(sorted, 0.95));
  const missing = latencies.filter((ms) => ms >= 30_000).length;
  console.log(
    `${name.padEnd(44)} p50 ${Math.round(quantile(sorted, 0.5))} ms  p95 ${p95} ms  max ${Math.round(sorted.at(-1) ?? 0)} ms  ${extra}`,
  );
  report({
    bench: "webhooks",
    name,
    unit: "ms",
    ...summary(latencies),
    target: "p95 < 5 s",
    met: p95 < targetMs && missing === 0,
    note: `p95 ${p95} ms, ${latencies.length} events${missing ? `, ${missing} never delivered` : ""}${extra ? `; ${extra}` : ""}`,
  });
}

row("B's delivery, alone", await measureB("B alone"), "");
// A: 3 events per conversion, each to its 100 hanging endpoints; more keep coming.
for (let i = 0; i < 3; i++) await a.convert();
const queued = await client.execute("select count(*) as n from webhook_deliveries where status = 'pending'");
const withA = await measureB("B with A's 100 endpoints hanging", () => a.convert());
const pending = await client.execute("select count(*) as n from webhook_deliveries where status = 'pending'");
row(
  "B's delivery, A's 100 endpoints hanging",
  withA,
  `A queued ${queued.rows[0]?.n}+ deliveries (${pending.rows[0]?.n} still pending), its target got ${hangingRequests} requests`,
);

hanging.close();
for (const socket of sockets) socket.destroy();
await worker.stop();
receiver.close();
server.close();
client.close();
rmSync(dir, { recursive: true, force: true });
