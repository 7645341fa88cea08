/**
 * How much outbound work one story with a hostile credential sets off (issue 15: "credential
 * checking is an amplifier"). Each scenario posts one story through the real app, whose outbound
 * HTTP is mapped onto a local server that counts requests and answers every path with 1 MB. Reported
 * per scenario: requests the server received, megabytes it sent, wall time, and the peak resident
 * memory (rss) and heap of this process above its level before the request, sampled every 5 ms.
 *
 *   npx tsx --expose-gc bench/credential-amplification.ts [--entries 400]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../server/app.ts";
import { openDatabase } from "../server/node-database.ts";
import { createWorkspace } from "../server/services/workspaces.ts";
import { badge, didKeyIssuer, type Json } from "../tests/support/credentials.ts";

const arg = process.argv.indexOf("--entries");
const entries = Math.max(1, Number(arg > 0 ? process.argv[arg + 1] : 400));

const megabyte = Buffer.alloc(1024 * 1024, "a");
const published = new Map<string, string>();
let requests = 0;
let bytesSent = 0;
const lists = createServer((request, response) => {
  requests++;
  const body = published.get(request.url ?? "") ?? megabyte;
  bytesSent += Buffer.byteLength(body);
  response.writeHead(200, { "Content-Type": "application/json" }).end(body);
});
await new Promise<void>((resolve) => lists.listen(0, "127.0.0.1", resolve));
const local = `http://127.0.0.1:${(lists.address() as AddressInfo).port}`;
const host = "https://l.example";

const dir = mkdtempSync(join(tmpdir(), "chorus-bench-"));
// Opened as the Node server opens its file (pragmas on every pooled connection, migrations).
const { client, db } = await openDatabase({ url: `file:${join(dir, "bench.db")}` }, "apply");
const clock = { now: () => new Date() };
const secret = "bench-secret-0123456789-0123456789-0123";

const trusted = await didKeyIssuer("Trusted Academy");
const stranger = await didKeyIssuer("Diploma Mill");
const workspace = await createWorkspace(
  { db, clock },
  { name: "Bench", origins: [], settings: { credentialIssuers: [{ id: trusted.id, name: trusted.name }] } },
);
const app = createApp({
  db,
  clock,
  config: { secret, bodyLimitBytes: 65536, trustProxy: false },
  fetch: (url, init) => fetch(url.replace(host, local), init),
});

/** Entries as short as they can be, so that as many as possible fit in the 64 KB body. */
const entriesFor = (count: number, sameList: boolean) =>
  Array.from({ length: count }, (_, i) => ({
    type: "BitstringStatusListEntry",
    statusPurpose: "revocation",
    statusListIndex: String(i),
    statusListCredential: `${host}/${sameList ? "list" : i}`,
  }));

async function post(credential: Json, visitor: number) {
  const response = await app.request("/v1/stories", {
    method: "POST",
    headers: {
      "Chorus-Key": workspace.publishableKey,
      "Content-Type": "application/json",
      "X-Forwarded-For": `203.0.113.${visitor}`,
      "User-Agent": `bench-${visitor}`,
    },
    body: JSON.stringify({
      course: "data-analytics",
      name: "A learner",
      headline: "A headline",
      body: "A body",
      rating: 5,
      outcome: { type: "new_job" },
      consent: { publish: true, name: false, photo: false, salary: false },
      credential,
    }),
  });
  const body = (await response.json()) as { verification?: { checks: { check: string; detail: string }[] } };
  return {
    status: response.status,
    revocation:
      body.verification?.checks.find((c) => c.check === "revocation")?.detail ??
      JSON.stringify(body.verification?.checks ?? body),
    requestBytes: JSON.stringify(credential).length,
  };
}

async function measure(
  label: string,
  run: () => Promise<{ status: number; revocation: string; requestBytes: number }>,
) {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 5);
  requests = 0;
  bytesSent = 0;
  const start = performance.now();
  const result = await run();
  const ms = performance.now() - start;
  clearInterval(sampler);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
  console.log(
    `${label}: HTTP ${result.status}, story body ${result.requestBytes} B, ${requests} outbound requests, ` +
      `${mb(bytesSent)} MB served, ${ms.toFixed(0)} ms, peak rss +${mb(peakRss - before.rss)} MB ` +
      `(${mb(before.rss)} → ${mb(peakRss)} MB), peak heap +${mb(peakHeap - before.heapUsed)} MB\n` +
      `  revocation: ${result.revocation.slice(0, 160)}`,
  );
}

// Signed before measuring: signing is the attacker's cost, not the server's.
const untrusted = await stranger.sign(badge({ issuer: stranger, status: entriesFor(entries, false) }));
const genuine = await trusted.sign(badge({ issuer: trusted, status: entriesFor(entries, false) }));
const forged = await stranger.sign(badge({ issuer: trusted, status: entriesFor(entries, false) }));
await measure(`untrusted issuer, ${entries} entries, distinct lists`, () => post({ json: untrusted }, 1));
await measure(`trusted issuer, ${entries} entries, distinct lists`, () => post({ json: genuine }, 2));
await measure(`forged (claims the trusted issuer, bad proof), ${entries} entries`, () => post({ json: forged }, 3));
// The 190-byte request: the credential is fetched from a URL, and the URL's credential names
// as many status lists as fit in the 256 KB the credential may weigh.
const many = Math.floor((256 * 1024 - 2000) / 140);
published.set("/badge.json", JSON.stringify(badge({ issuer: stranger, status: entriesFor(many, false) })));
await measure(`credential by URL, ${many} entries, untrusted`, () => post({ url: `${host}/badge.json` }, 4));

lists.close();
client.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
