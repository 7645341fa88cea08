/**
 * `npx tsx bench/wall.ts [--runs 20] [--no-build]`: time from navigation to a rendered story wall
 * in real Chromium (playwright-core driving /usr/bin/chromium), next to the same page without the
 * wall: a provider's course page on its own origin, the app (API and widget files) on another, as
 * in production. Each run is a fresh browser context (a first visit: empty cache), the four pages
 * take turns so load on the machine falls on all of them alike.
 *
 * Measured inside the page: performance.now() (milliseconds since navigation start) at the first
 * animation frame where the page's content is there: the last paragraph for the pages without a
 * wall, the first story card in the wall's shadow root for the page with it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { createApp } from "../server/app.ts";
import { openDatabase } from "../server/node-database.ts";
import { createWorkspace } from "../server/services/workspaces.ts";
import { browserUserAgent, launchBrowser, startHostSite } from "../tests/support/browser.ts";
import { buildWidgets } from "./support/build.ts";
import { report, summary } from "./support/report.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "20" }, "no-build": { type: "boolean", default: false } },
});
const runs = Number(values.runs);
const root = join(import.meta.dirname, "..");

if (!values["no-build"]) {
  process.stderr.write("vite build\n");
  buildWidgets();
}

// The app, as `npm start` runs it, over a scratch database.
const dir = mkdtempSync(join(tmpdir(), "chorus-bench-wall-"));
const { client, db } = await openDatabase({ url: `file:${join(dir, "wall.db")}` }, "apply");
const host = await startHostSite();
const ws = await createWorkspace(
  { db, clock: { now: () => new Date() } },
  { name: "Wall Bench", origins: [host.origin] },
);
const app = createApp({
  db,
  clock: { now: () => new Date() },
  config: { secret: "bench-secret-0123456789-0123456789-0123456789", bodyLimitBytes: 65536, trustProxy: false },
  clickRecorder: { exclusive: true },
  clientIp: (c) => getConnInfo(c).remote.address,
  assets: serveStatic({ root: join(root, "dist") }),
});
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
await new Promise<void>((resolve) => server.once("listening", () => resolve()));
const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// Twelve approved stories: the wall's first page.
const course = "data-analytics";
for (let i = 0; i < 12; i++) {
  const posted = await fetch(`${api}/v1/stories`, {
    method: "POST",
    headers: {
      "Chorus-Key": ws.publishableKey,
      Origin: host.origin,
      "User-Agent": `wall-bench-${i}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify({
      course,
      name: `Learner ${i}`,
      headline: `Story ${i}: from support desk to data analyst`,
      body: "The course gave me the SQL and dashboards I use every day now. Six months later I switched roles.",
      rating: 5,
      outcome: { type: "new_job", salaryIncreasePct: 20, monthsToOutcome: 4 },
      consent: { publish: true, name: true, photo: false, salary: true },
    }),
  });
  if (posted.status !== 201) throw new Error(`story not created: ${posted.status} ${await posted.text()}`);
  const { id } = (await posted.json()) as { id: string };
  const approved = await fetch(`${api}/v1/admin/stories/${id}`, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ status: "approved" }),
  });
  if (approved.status !== 200) throw new Error(`story not approved: ${await approved.text()}`);
}

// The README's snippet: the loader holds the first paint (blocking="render") so that the space the
// elements need is reserved before anything is painted (no layout shift).
const loader = `<script type="module" src="${api}/embed.js" data-key="${ws.publishableKey}" blocking="render"></script>`;
const page = (head: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Data Analytics course</title>${head}</head>
<body><main><h1>Data Analytics</h1><p>Twelve weeks, project-based, with a mentor.</p>${body}<p id="below">Course details</p></main></body></html>`;
const wallElement = (inside = "") =>
  `<chorus-story-wall course="${course}" course-name="Data Analytics">${inside}</chorus-story-wall>`;
// What a provider's server renders into the page (README: the wall's data, server-side), fetched
// once here as that server would, with its cache.
const firstPage = await fetch(`${api}/v1/stories?limit=12&course=${course}`, {
  headers: { "Chorus-Key": ws.publishableKey, Origin: host.origin },
});
if (firstPage.status !== 200) throw new Error(`stories not listed: ${firstPage.status}`);
const inline = `<script type="application/json">${(await firstPage.text()).replaceAll("<", "\\u003c")}</script>`;
host.pages.set("/plain", page("", ""));
host.pages.set("/loader", page(loader, ""));
host.pages.set("/wall", page(loader, wallElement()));
host.pages.set("/wall-inline", page(loader, wallElement(inline)));

const variants = [
  { path: "/plain", name: "course page, no Chorus", ready: "below" },
  { path: "/loader", name: "course page + loader, no wall", ready: "below" },
  { path: "/wall", name: "course page + loader + story wall", ready: "wall" },
  { path: "/wall-inline", name: "same, stories rendered in the page", ready: "wall" },
] as const;
const samples: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.path, []]));

const browser = await launchBrowser();
try {
  for (let run = -2; run < runs; run++) {
    if (run >= 0 && run % 5 === 0) process.stderr.write(`run ${run + 1}/${runs}\n`);
    for (const variant of variants) {
      const context = await browser.newContext({ userAgent: browserUserAgent });
      const tab = await context.newPage();
      await tab.goto(`${host.origin}${variant.path}`, { waitUntil: "commit" });
      const handle = await tab.waitForFunction(
        (ready) => {
          const done =
            ready === "wall"
              ? document.querySelector("chorus-story-wall")?.shadowRoot?.querySelector("article")
              : document.getElementById("below");
          return done ? performance.now() : false;
        },
        variant.ready,
        { polling: "raf", timeout: 15_000 },
      );
      const ms = (await handle.jsonValue()) as number;
      if (variant.ready === "wall") {
        const cards = await tab.evaluate(
          () => document.querySelector("chorus-story-wall")?.shadowRoot?.querySelectorAll("article").length ?? 0,
        );
        if (cards === 0) throw new Error("the wall rendered no story");
      }
      await context.close();
      // Two warm-up rounds (Chromium's first pages, the server's first requests) are not counted.
      if (run >= 0) samples[variant.path]?.push(ms);
    }
  }
} finally {
  await browser.close();
  await host.close();
  server.close();
  client.close();
  rmSync(dir, { recursive: true, force: true });
}

const plain = summary(samples["/plain"] ?? []);
const signed = (ms: number) => `${ms < 0 ? "-" : "+"}${Math.abs(ms).toFixed(1)} ms`;
for (const variant of variants) {
  const stats = summary(samples[variant.path] ?? []);
  const extra = variant.path === "/plain" ? {} : { ratio: Math.round((stats.median / plain.median) * 100) / 100 };
  console.log(
    `${variant.name.padEnd(36)} median ${stats.median.toFixed(1)} ms  p99 ${stats.p99.toFixed(1)} ms  (${signed(stats.median - plain.median)})`,
  );
  report({
    bench: "wall",
    name: `${variant.name}: navigation to content`,
    unit: "ms",
    ...stats,
    ...(variant.path === "/plain" ? {} : { ...extra, ratioOf: "median vs page without Chorus" }),
    ...(variant.ready === "wall" ? { target: "<= +40 ms", met: stats.median - plain.median <= 40 } : {}),
    note: variant.path === "/plain" ? `${runs} runs each` : `${signed(stats.median - plain.median)} median`,
  });
}
