/**
 * No layout shift, and a wall that does not wait on its own code: a provider's page with the
 * outcome statistics and a story wall above its own text, in real Chromium, at a desktop and a
 * phone width, first visit (empty cache and storage) and the visit after. CLS is a layout
 * measure (not a timing): every `layout-shift` entry without recent input, summed until both
 * elements show their data.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { browserUserAgent } from "../support/browser.ts";
import { workspaceFactory } from "../support/factories.ts";
import { liveStories } from "../support/story-browser.ts";
import { startWidgetSites, type WidgetSites } from "../support/widget-sites.ts";

let { browser, host, live, close } = {} as WidgetSites;
let ws: CreatedWorkspace;
const course = "cls-course";

beforeAll(async () => {
  ({ browser, host, live, close } = await startWidgetSites());
  ws = await workspaceFactory(live.db, { origins: [host.origin] });
  const stories = liveStories(live, ws, host.origin);
  for (let i = 0; i < 4; i++)
    await stories.approved(course, { headline: `Story ${i}: a new job after the course`, photoUrl: undefined });
});
afterAll(() => close?.());

/** The README's snippet, elements above the page's own text. */
const hostPage = (wallInside = "") => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>A course</title>
<script type="module" src="${live.baseUrl}/embed.js" data-key="${ws.publishableKey}" blocking="render"></script></head>
<body><h1>A course</h1><chorus-outcome-stats course="${course}"></chorus-outcome-stats>
<chorus-story-wall course="${course}" limit="4">${wallInside}</chorus-story-wall>
<p id="below">Course details</p></body></html>`;

/** Sums layout shifts from the first one on (registered before any script of the page runs). */
function observeShifts() {
  const page = window as unknown as { __cls: number };
  page.__cls = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[])
      if (!entry.hadRecentInput) page.__cls += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
}

/** The page's CLS once the statistics and four stories are on screen (two frames later). */
async function clsOnceRendered(page: Page): Promise<number> {
  await page.locator("chorus-story-wall article").nth(3).waitFor();
  // Four stories are under the minimum sample: the statistics say so, under their title.
  await page.locator("chorus-outcome-stats h2").waitFor();
  return page.evaluate(
    () =>
      new Promise<number>((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => resolve((window as unknown as { __cls: number }).__cls)),
        ),
      ),
  );
}

describe("layout shift", () => {
  for (const viewport of [
    { width: 1280, height: 900 },
    { width: 390, height: 844 },
  ])
    it(`stays within 0.02 at ${viewport.width}×${viewport.height}, first visit and the next`, async () => {
      host.pages.set("/course", hostPage());
      const context = await browser.newContext({ userAgent: browserUserAgent, viewport });
      context.setDefaultTimeout(8000);
      await context.addInitScript(observeShifts);
      const page = await context.newPage();
      await page.goto(`${host.origin}/course`);
      expect(await clsOnceRendered(page)).toBeLessThanOrEqual(0.02);
      // The next visit reserves the heights this one rendered, remembered per page and width.
      const remembered = await page.evaluate(() => JSON.parse(localStorage.getItem("chorus.heights") ?? "{}"));
      expect(Object.keys(remembered).sort()).toEqual([
        `/course|chorus-outcome-stats|0|${viewport.width}`,
        `/course|chorus-story-wall|0|${viewport.width}`,
      ]);
      await page.reload();
      expect(await clsOnceRendered(page)).toBeLessThanOrEqual(0.02);
      await context.close();
    });
});

describe("the wall's first page", () => {
  it("is requested once, by the loader, while the wall's code loads, all of it at once", async () => {
    host.pages.set("/course", hostPage());
    const context = await browser.newContext({ userAgent: browserUserAgent });
    const page = await context.newPage();
    // What the page asked for and what had arrived, in order.
    const events: string[] = [];
    page.on("request", (request) => events.push(`asked ${request.url()}`));
    page.on("requestfinished", (request) => events.push(`got ${request.url()}`));
    await page.goto(`${host.origin}/course`);
    await page.locator("chorus-story-wall article").nth(3).waitFor();
    const at = (pattern: RegExp) => events.findIndex((event) => pattern.test(event));
    const stories = events.filter((event) => event.startsWith("asked") && event.includes("/v1/stories"));
    expect(stories).toEqual([`asked ${live.baseUrl}/v1/stories?limit=4&course=${course}`]);
    // The stories, and the elements' shared code the wall's chunk imports, are both asked for
    // before the wall's chunk has arrived: no waterfall behind it.
    const wallArrived = at(/^got .*\/assets\/story-wall-[^/]*\.js$/);
    expect(wallArrived).toBeGreaterThan(0);
    expect(at(/^asked .*\/v1\/stories/)).toBeLessThan(wallArrived);
    expect(at(/^asked .*\/assets\/chorus-core-/)).toBeLessThan(wallArrived);
    await context.close();
  });

  it("renders its cards without waiting on Intl's locale data (a fresh tab's first NumberFormat costs 10–20 ms)", async () => {
    host.pages.set("/wall-only", hostPage().replace(/<chorus-outcome-stats[^>]*><\/chorus-outcome-stats>/, ""));
    const context = await browser.newContext({ userAgent: browserUserAgent });
    // Counts every Intl.NumberFormat the page makes, from before any of its scripts runs.
    await context.addInitScript(() => {
      const page = window as unknown as { __numberFormats: number };
      page.__numberFormats = 0;
      Intl.NumberFormat = new Proxy(Intl.NumberFormat, {
        construct(target, args) {
          page.__numberFormats++;
          return Reflect.construct(target, args);
        },
        apply(target, self, args) {
          page.__numberFormats++;
          return Reflect.apply(target, self, args);
        },
      });
    });
    const page = await context.newPage();
    await page.goto(`${host.origin}/wall-only`);
    const first = page.locator("chorus-story-wall article").first();
    // The story's "30% higher salary · after 4 months", written without Intl.
    expect(await first.locator(".outcome").textContent()).toContain("30% higher salary · after 4 months");
    expect(await page.evaluate(() => (window as unknown as { __numberFormats: number }).__numberFormats)).toBe(0);
    await context.close();
  });

  it("comes from the page itself when the provider's server put it there, with no request", async () => {
    const answer = await fetch(`${live.baseUrl}/v1/stories?limit=4&course=${course}`, {
      headers: { "Chorus-Key": ws.publishableKey, Origin: host.origin },
    });
    const stories = (await answer.json()) as { items: { headline: string }[] };
    // As README says: the answer of GET /v1/stories, its "<" escaped so no text can end the script.
    const inline = `<script type="application/json">${JSON.stringify(stories).replaceAll("<", "\\u003c")}</script>`;
    host.pages.set("/rendered", hostPage(inline).replace("<h1>A course</h1>", "<h1>Rendered</h1>"));
    const context = await browser.newContext({ userAgent: browserUserAgent });
    const page = await context.newPage();
    const storyRequests: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/v1/stories") storyRequests.push(request.url());
    });
    await page.goto(`${host.origin}/rendered`);
    await page.locator("chorus-story-wall article").nth(3).waitFor();
    expect(await page.locator("chorus-story-wall article h3").allTextContents()).toEqual(
      stories.items.map((story) => story.headline),
    );
    expect(storyRequests).toEqual([]);
    await context.close();
  });
});
