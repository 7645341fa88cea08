/**
 * The dashboard's charts and figures at phone, tablet and desktop widths: axis labels and bar
 * figures stay at body size (they once scaled with the SVG to three times body text at 1280 px)
 * and the revenue figure stays on one line (it once broke as "₹747,46 / 3.00"). A screenshot of
 * each width is written beside the test's temporary files for a person to look at.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversions } from "../../db/schema.ts";
import { insertClicks } from "../../server/services/click-writer.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { advocateFactory, type ClickRow, clickRow, conversionRow } from "../support/analytics-factories.ts";
import { browserUserAgent, distAssets, launchBrowser, seriousA11yViolations } from "../support/browser.ts";
import { workspaceFactory } from "../support/factories.ts";
import { type LiveServer, startLiveServer } from "../support/http-server.ts";
import { dashboardLink } from "../support/team.ts";

let browser: Browser;
let live: LiveServer;
let ws: CreatedWorkspace;
let advocateCode: string;
const shots = mkdtempSync(join(tmpdir(), "chorus-dashboard-layout-"));
const day = 86_400_000;

beforeAll(async () => {
  browser = await launchBrowser();
  live = await startLiveServer({ deps: { assets: distAssets } });
  ws = await workspaceFactory(live.db);
  const advocate = await advocateFactory(live.db, ws.id, { name: "Priya Sharma", externalId: "priya" });
  advocateCode = advocate.code;
  const now = Date.now();
  const rows: ClickRow[] = [];
  for (let i = 0; i < 40; i++)
    rows.push(
      clickRow(ws.id, {
        codeId: advocate.codeId,
        learnerId: advocate.learnerId,
        channel: i % 3 === 0 ? "whatsapp" : "linkedin",
        visitorHash: `visitor-${i}`,
        createdAt: now - (i % 20) * day - 1000 * i,
      }),
    );
  await insertClicks({ db: live.db }, { rows });
  await live.db.insert(conversions).values(
    conversionRow(ws.id, {
      type: "enrollment",
      customerId: "friend-1",
      clickId: rows[0]?.id,
      codeId: advocate.codeId,
      referrerId: advocate.learnerId,
      channel: "whatsapp",
      amount: 74_746_300, // ₹747,463.00: the figure that broke
      currency: "INR",
      occurredAt: now - 3 * day,
    }),
  );
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

/** An owner's one-time dashboard link, as `chorus member add` prints one. */
const ownerLink = () => dashboardLink({ db: live.db, clock: { now: () => new Date() } }, live.baseUrl, ws.id);

describe("dashboard layout", () => {
  for (const width of [360, 768, 1280]) {
    it(`keeps chart labels at body size and the revenue on one line at ${width} px`, async () => {
      const context = await browser.newContext({
        userAgent: browserUserAgent,
        locale: "en-US",
        viewport: { width, height: 900 },
      });
      const page = await context.newPage();
      await page.goto(await ownerLink());
      await page.getByRole("heading", { name: "Funnel" }).waitFor();
      await page.locator("chorus-chart[kind=line] svg").first().waitFor();
      await page.screenshot({ path: join(shots, `overview-${width}.png`), fullPage: true });

      const measured = await page.evaluate(() => {
        const body = Number.parseFloat(
          getComputedStyle(document.querySelector("chorus-dashboard") ?? document.body).fontSize,
        );
        const charts = [...document.querySelectorAll("chorus-dashboard")].flatMap((host) => {
          const found: Element[] = [];
          const walk = (root: Document | ShadowRoot) => {
            for (const element of root.querySelectorAll("*")) {
              if (element.shadowRoot) walk(element.shadowRoot);
              if (element.tagName === "CHORUS-CHART") found.push(element);
            }
          };
          if (host.shadowRoot) walk(host.shadowRoot);
          return found;
        });
        const labels = charts.flatMap((chart) =>
          [...(chart.shadowRoot?.querySelectorAll(".axis-label, .bars .label, .bars .value, svg text") ?? [])]
            .filter((label) => label.textContent?.trim())
            .map((label) => ({
              text: label.textContent?.trim(),
              fontSize: Number.parseFloat(getComputedStyle(label).fontSize),
              height: label.getBoundingClientRect().height,
            })),
        );
        return { body, labels };
      });
      expect(measured.labels.length).toBeGreaterThan(6);
      for (const label of measured.labels) {
        expect(label.fontSize, `${label.text} at ${width}px`).toBeLessThanOrEqual(measured.body);
        expect(label.fontSize, `${label.text} at ${width}px`).toBeGreaterThanOrEqual(11);
        // Rendered, not only declared: one line of text of that size.
        expect(label.height, `${label.text} at ${width}px`).toBeLessThan(label.fontSize * 2);
      }

      const revenue = page.locator('dd[data-figure="Revenue"]');
      expect(await revenue.textContent()).toContain("747,463.00");
      const box = await revenue.evaluate((dd) => ({
        height: dd.getBoundingClientRect().height,
        lineHeight: Number.parseFloat(getComputedStyle(dd).fontSize) * 1.6,
        overflows: dd.scrollWidth > dd.clientWidth,
      }));
      expect(box.height, `revenue at ${width}px`).toBeLessThan(box.lineHeight);
      expect(box.overflows, `revenue at ${width}px`).toBe(false);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await context.close();
    });
  }

  it("reviews a held case: evidence in plain words, a confirmed decision, and the audit trail shows it", async () => {
    // Priya refers herself: held for review.
    const posted = await fetch(`${live.baseUrl}/v1/conversions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        id: "order-self",
        type: "enrollment",
        customer: { id: "priya" },
        code: advocateCode,
        amount: 99_900,
        currency: "INR",
      }),
    });
    expect(posted.status).toBe(201);
    const context = await browser.newContext({
      userAgent: browserUserAgent,
      locale: "en-US",
      viewport: { width: 768, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(await ownerLink());
    await page.getByRole("heading", { name: "Funnel" }).waitFor();
    await page.getByRole("link", { name: "Review" }).click();
    await page.getByText("Self-referral: the customer is the referrer").waitFor();
    await page.getByLabel("Select case order-self").check();
    await page.getByRole("button", { name: "Void", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Void 1 case(s)?").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: "Yes, do it" }).click();
    await page.getByText("1 case(s) decided").waitFor();
    await page.getByText("Nothing to review.").waitFor();

    await page.getByRole("link", { name: "Audit" }).click();
    const row = page.locator('table[data-testid="audit"] tbody tr').first();
    await row.getByText("review.void").waitFor();
    // Who: the signed-in owner, by their address.
    expect(await row.textContent()).toContain("@");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });
});
