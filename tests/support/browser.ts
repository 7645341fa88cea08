/**
 * Real Chromium (Debian's build, driven by playwright-core) against the real app on one origin
 * and a provider's pages on another, as in production: the widgets cross origins and CORS for real.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { type Browser, chromium, type Page } from "playwright-core";
import { type RunningServer, repoRoot, startServer } from "./processes.ts";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A real phone browser's user agent: headless Chromium's own says "HeadlessChrome", a known bot. */
export const browserUserAgent =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

/** Real Chromium; `args` adds command-line switches (e.g. a host mapping for a plain-http site). */
export function launchBrowser(args: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      ...args,
    ],
  });
}

/** The built widgets, served by the app as `npm start` serves them. */
/**
 * `npm start`'s server on a new database file in a temporary directory (`prefix` names it), and
 * Chromium: a whole install as a person runs it. `close` takes down both and the directory.
 */
export async function startInstallWithBrowser(
  prefix: string,
): Promise<{ server: RunningServer; browser: Browser; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    server = await startServer({ DATABASE_URL: `file:${join(dir, "chorus.db")}` });
    browser = await launchBrowser();
    return { server, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export const distAssets = serveStatic({ root: join(repoRoot, "dist") });

export type HostSite = { origin: string; pages: Map<string, string>; close: () => Promise<void> };

/** A provider's site on its own origin: `pages` maps a path to its HTML. */
export async function startHostSite(headers: Record<string, string> = {}): Promise<HostSite> {
  const pages = new Map<string, string>();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const body = pages.get(path);
    response.writeHead(body ? 200 : 404, { "Content-Type": "text/html; charset=utf-8", ...headers });
    response.end(body ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    // "localhost" vs the API's "127.0.0.1": two origins, so every widget call is cross-origin.
    origin: `http://localhost:${port}`,
    pages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const axeSource = readFileSync(join(repoRoot, "node_modules", "axe-core", "axe.min.js"), "utf8");

/**
 * axe-core's serious and critical findings on the page (shadow DOM included). axe is evaluated
 * through the DevTools protocol, which a page's Content-Security-Policy does not govern: pages
 * under a strict CSP are checked as they are.
 */
export async function seriousA11yViolations(page: Page) {
  await page.evaluate(`${axeSource}\n;undefined`);
  const violations = await page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string; nodes: { target: unknown }[] }[] };
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<Result> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** The page's cumulative layout shift so far. */
export function layoutShift(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
            if (!entry.hadRecentInput) total += entry.value;
          }
        }).observe({ type: "layout-shift", buffered: true });
        setTimeout(() => resolve(total), 200);
      }),
  );
}
