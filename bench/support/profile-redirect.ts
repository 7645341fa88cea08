/**
 * Where the redirect's time goes: runs bench/support/redirect-server.ts under `node --cpu-prof`,
 * loads it like bench/redirect.ts does for a few seconds, stops it, and prints the functions with
 * the most samples (self, then inclusive). The .cpuprofile stays in the output folder for Chrome
 * DevTools or speedscope.
 *
 *   npx tsx bench/support/profile-redirect.ts [new-visitor|same-visitor|hello] [--seconds 8] [--out DIR]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { benchUserAgent, newVisitorEachRequest } from "./visitors.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: "string", default: "8" }, out: { type: "string" } },
});
const mode = positionals[0] ?? "new-visitor";
const root = join(import.meta.dirname, "..", "..");
const out = values.out ?? mkdtempSync(join(tmpdir(), "chorus-profile-"));
const database = join(mkdtempSync(join(tmpdir(), "chorus-profile-db-")), "bench.db");

const child = spawn(
  process.execPath,
  ["--import", "tsx", "--cpu-prof", "--cpu-prof-dir", out, join(root, "bench/support/redirect-server.ts"), database],
  { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
);
const exited = new Promise((resolve) => child.on("exit", resolve));
const { port, code } = await new Promise<{ port: number; code: string }>((resolve) => {
  createInterface({ input: child.stdout }).once("line", (line) => resolve(JSON.parse(line)));
});
const url =
  mode === "hello" ? `http://127.0.0.1:${port}/bench/hello` : `http://127.0.0.1:${port}/r/${code}?ch=whatsapp`;
const result = (await autocannon({
  url,
  connections: 50,
  duration: Number(values.seconds),
  headers: { "User-Agent": benchUserAgent },
  requests: mode === "new-visitor" ? newVisitorEachRequest() : undefined,
})) as { requests: { average: number }; latency: { p50: number; p99: number } };
console.log(
  JSON.stringify({ mode, requestsPerSecond: Math.round(result.requests.average), p99ms: result.latency.p99 }),
);
child.kill("SIGINT");
await exited;

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };
// The main thread's profile is the first one written (tsx's loader thread writes a second).
const file = readdirSync(out)
  .filter((name) => name.endsWith(".cpuprofile"))
  .sort()[0];
if (!file) throw new Error(`no profile in ${out}`);
const profile = JSON.parse(readFileSync(join(out, file), "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const name = (node: Node) =>
  `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.replace(/.*node_modules\//, "").replace(root, ".")}:${node.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  total += delta;
  const node = byId.get(id);
  if (!node) return;
  self.set(name(node), (self.get(name(node)) ?? 0) + delta);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const key = name(byId.get(at) as Node).slice(0, 160);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
  }
});
const top = (map: Map<string, number>, count: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, time]) => `${((100 * time) / total).toFixed(1).padStart(5)}%  ${key.slice(0, 160)}`)
    .join("\n");
console.log(`profile: ${join(out, file)}\n--- self\n${top(self, 25)}\n--- inclusive\n${top(inclusive, 50)}`);
