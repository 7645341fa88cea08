/**
 * `npx tsx bench/layout-shift.ts [--runs 3] [--no-build] [--verbose]`: cumulative layout shift
 * (CLS) in real Chromium, as Core Web Vitals counts it: every `layout-shift` entry without recent
 * input, summed, from navigation until every Chorus element on the page has rendered its data.
 * Pages: the demo's course page and learner page (`npm start`'s server), and a plain host page on
 * its own origin with the card, the wall and the statistics; each at 1280×900 and 390×844, with a
 * cold cache (a new browser context: no HTTP cache, no localStorage) and a warm one (the same
 * context, loaded a second time). The worst run of each case is reported: CLS is a layout
 * measure, so runs should agree.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import { browserUserAgent, launchBrowser, startHostSite } from "../tests/support/browser.ts";
import { startServer } from "../tests/support/processes.ts";
import { buildWidgets } from "./support/build.ts";
import { report } from "./support/report.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    "no-build": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
const target = 0.02;

if (!values["no-build"]) {
  process.stderr.write("vite build\n");
  buildWidgets();
}

/** Registered before any script of the page runs: shifts are summed from the first one. */
const observeShifts = () => {
  const record = { total: 0, shifts: [] as { value: number; sources: string[] }[] };
  (window as unknown as { __cls: typeof record }).__cls = record;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & {
      value: number;
      hadRecentInput: boolean;
      sources?: { node?: Node }[];
    })[]) {
      if (entry.hadRecentInput) continue;
      record.total += entry.value;
      // Inline (no helper function): tsx would wrap a named one in a helper the page does not have.
      const sources = (entry.sources ?? []).map(({ node }) =>
        node instanceof Element ? `${node.localName}${node.id ? `#${node.id}` : ""}` : String(node?.nodeName),
      );
      record.shifts.push({ value: Math.round(entry.value * 10000) / 10000, sources });
    }
  }).observe({ type: "layout-shift", buffered: true });
};

/** Every Chorus element on the page has its data on screen (or has nothing to show). */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("*")]
        .filter((element) => element.localName.startsWith("chorus-"))
        .every(
          (element) =>
            customElements.get(element.localName) &&
            element.shadowRoot &&
            !element.shadowRoot.querySelector("[aria-busy=true]") &&
            (element.hasAttribute("hidden") || element.shadowRoot.childElementCount > 0),
        ),
    undefined,
    { polling: "raf", timeout: 20_000 },
  );
  // Two frames: a shift caused by the last render is reported after it is painted.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

async function measure(page: Page, url: string) {
  await page.goto(url);
  await settled(page);
  return page.evaluate(() => (window as unknown as { __cls: { total: number; shifts: unknown[] } }).__cls);
}

const dir = mkdtempSync(join(tmpdir(), "chorus-bench-cls-"));
const server = await startServer({ DATABASE_URL: `file:${join(dir, "chorus.db")}` });
const host = await startHostSite();
let browser: Browser | undefined;
try {
  const key = server.output().match(/Publishable key\s+(pk_\w+)/)?.[1];
  const secret = server.output().match(/Secret key\s+(sk_\w+)/)?.[1];
  if (!key || !secret) throw new Error(`no keys in the banner:\n${server.output()}`);
  // The plain page's origin joins the demo workspace's allowed origins.
  const admin = { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" };
  const program = (await (await fetch(`${server.baseUrl}/v1/admin/program`, { headers: admin })).json()) as {
    allowedOrigins: string[];
  };
  const patched = await fetch(`${server.baseUrl}/v1/admin/program`, {
    method: "PATCH",
    headers: admin,
    body: JSON.stringify({ allowedOrigins: [...program.allowedOrigins, host.origin] }),
  });
  if (!patched.ok) throw new Error(`origin not allowed: ${await patched.text()}`);
  // The plain host page: no styles of its own, the elements one under another, text after them.
  host.pages.set(
    "/plain",
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A course</title><script type="module" src="${server.baseUrl}/embed.js" data-key="${key}" blocking="render"></script></head>
<body><h1>A course</h1><p>Introduction.</p>
<chorus-outcome-stats course="data-analytics"></chorus-outcome-stats>
<p>Between the statistics and the wall.</p>
<chorus-story-wall course="data-analytics" limit="6"></chorus-story-wall>
<p>After the wall.</p></body></html>`,
  );
  const pages = [
    { name: "demo course page", url: `${server.baseUrl}/demo/courses/data-analytics` },
    { name: "demo learner page", url: `${server.baseUrl}/demo/learn` },
    { name: "plain host page", url: `${host.origin}/plain` },
  ];
  const viewports = [
    { name: "1280×900", width: 1280, height: 900 },
    { name: "390×844", width: 390, height: 844 },
  ];
  browser = await launchBrowser();
  for (const page of pages)
    for (const viewport of viewports) {
      const worst = { cold: 0, warm: 0 };
      for (let run = 0; run < runs; run++) {
        const context = await browser.newContext({
          userAgent: browserUserAgent,
          viewport: { width: viewport.width, height: viewport.height },
        });
        await context.addInitScript(observeShifts);
        const tab = await context.newPage();
        const cold = await measure(tab, page.url);
        const warm = await measure(tab, page.url);
        await context.close();
        worst.cold = Math.max(worst.cold, cold.total);
        worst.warm = Math.max(worst.warm, warm.total);
        if (values.verbose) console.error(page.name, viewport.name, JSON.stringify({ cold, warm }));
      }
      for (const cache of ["cold", "warm"] as const) {
        const cls = Math.round(worst[cache] * 10000) / 10000;
        console.log(`${`${page.name}, ${viewport.name}, ${cache} cache`.padEnd(44)} CLS ${cls.toFixed(4)}`);
        report({
          bench: "layout-shift",
          name: `CLS, ${page.name}, ${viewport.name}, ${cache} cache`,
          unit: "",
          value: cls,
          target: `≤ ${target}`,
          met: cls <= target,
          note: `worst of ${runs} runs`,
        });
      }
    }
} finally {
  await browser?.close();
  await host.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
