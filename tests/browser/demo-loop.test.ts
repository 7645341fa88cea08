/**
 * The word-of-mouth loop on the demo provider, in real Chromium against `npm start`'s server:
 * a learner's link → a friend lands with the banner → enrols → the conversion is attributed and
 * the learner's reward is created → the friend completes. Screenshots go to test-results/.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUserAgent, launchBrowser, seriousA11yViolations } from "../support/browser.ts";
import { type RunningServer, repoRoot, startServer } from "../support/processes.ts";

const shots = join(repoRoot, "test-results", "demo-loop");
let dir: string;
let server: RunningServer;
let browser: Browser;
let secretKey: string;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), "chorus-demo-"));
  server = await startServer({ DATABASE_URL: `file:${join(dir, "chorus.db")}` });
  secretKey = server.output().match(/Secret key\s+(sk_\w+)/)?.[1] ?? "";
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const admin = (path: string) =>
  fetch(`${server.baseUrl}${path}`, { headers: { Authorization: `Bearer ${secretKey}` } }).then((r) => r.json());

describe("the demo provider", () => {
  it("carries a referral from a learner's link to an attributed enrolment and a reward", async () => {
    const learner = await (await browser.newContext({ userAgent: browserUserAgent })).newPage();
    await learner.goto(`${server.baseUrl}/demo/learn`);
    const card = learner.locator("chorus-referral-card");
    await card.getByRole("button", { name: "Copy" }).waitFor();
    await learner.screenshot({ path: join(shots, "1-learner-card.png"), fullPage: true });
    const link = (await card.getByLabel("Your referral link").inputValue()).replace("ch=copy", "ch=whatsapp");

    const friendContext = await browser.newContext({ userAgent: browserUserAgent });
    const friend = await friendContext.newPage();
    await friend.goto(link);
    expect(new URL(friend.url()).pathname).toBe("/demo/courses/data-analytics");
    await expect
      .poll(() => friend.locator("chorus-referral-banner aside").textContent())
      .toContain("Priya invited you: 10% off");
    await friend.screenshot({ path: join(shots, "2-friend-lands.png"), fullPage: true });

    await friend.getByRole("button", { name: "Enrol now" }).click();
    await friend.waitForURL(/enrolled=1/);
    await friend.screenshot({ path: join(shots, "3-friend-enrolled.png") });

    // The demo's history has rewards of its own (more than a page): count Priya's alone.
    const rewards = (await admin("/v1/admin/rewards?learner=demo-priya")) as {
      items: { side: string; learnerId: string; status: string; amount: number }[];
    };
    expect(rewards.items).toHaveLength(1);
    expect(rewards.items[0]).toMatchObject({
      side: "referrer",
      learnerId: "demo-priya",
      status: "pending",
      amount: 50_000,
    });

    await friend.getByRole("button", { name: "Mark course completed" }).click();
    await friend.waitForURL(/completed=1/);
    const after = (await admin("/v1/admin/rewards?learner=demo-priya")) as { items: unknown[] };
    // The program rewards on enrolment: completing adds no second reward for the same friend.
    expect(after.items.length).toBe(rewards.items.length);

    await learner.reload();
    await card.getByRole("button", { name: "Copy" }).waitFor();
    const figures = await card.locator("dd").allTextContents();
    expect(figures).toEqual(["1", "0", "1", "1"]);
    await friendContext.close();
  });

  it("has no serious accessibility violation on its pages", async () => {
    // bypassCSP only lets axe-core's own script in: the pages allow no inline script.
    const page = await (await browser.newContext({ userAgent: browserUserAgent, bypassCSP: true })).newPage();
    // The data-analytics page carries the demo's biggest wall and unsuppressed outcome figures.
    for (const path of ["/demo", "/demo/courses/data-analytics", "/demo/courses/python-for-ai", "/demo/learn"]) {
      await page.goto(`${server.baseUrl}${path}`);
      await page.evaluate(() => window.chorus?.ready);
      if (path === "/demo/courses/data-analytics") {
        await page.locator("chorus-story-wall article").first().waitFor();
        await page.screenshot({ path: join(shots, "4-course-stories.png"), fullPage: true });
      }
      expect(await seriousA11yViolations(page), path).toEqual([]);
    }
  });
});
