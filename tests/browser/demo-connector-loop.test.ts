/**
 * The word-of-mouth loop once through a connector, in real Chromium against `npm start`'s server:
 * a learner's link → the friend lands → the demo checkout, switched to act as Thinkific, sends
 * Thinkific's signed `order.created` with the referral code as its coupon → Chorus attributes the
 * enrolment and Priya's reward → the completion follows as `enrollment.completed` → the marketer
 * sees both events, recorded, on the dashboard's integrations page, which passes axe.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUserAgent, seriousA11yViolations, startInstallWithBrowser } from "../support/browser.ts";
import type { RunningServer } from "../support/processes.ts";

let server: RunningServer;
let browser: Browser;
let close: (() => Promise<void>) | undefined;
let secretKey: string;

beforeAll(async () => {
  ({ server, browser, close } = await startInstallWithBrowser("chorus-connector-"));
  secretKey = server.output().match(/Secret key\s+(sk_\w+)/)?.[1] ?? "";
}, 60_000);
afterAll(() => close?.());

const admin = (path: string) =>
  fetch(`${server.baseUrl}${path}`, { headers: { Authorization: `Bearer ${secretKey}` } }).then((r) => r.json());

describe("the demo provider selling through Thinkific", () => {
  it("carries the referral through the connector to an attributed enrolment, a reward and a completion", async () => {
    const learner = await (await browser.newContext({ userAgent: browserUserAgent })).newPage();
    await learner.goto(`${server.baseUrl}/demo/learn`);
    const card = learner.locator("chorus-referral-card");
    await card.getByRole("button", { name: "Copy" }).waitFor();
    const link = await card.getByLabel("Your referral link").inputValue();

    const friend = await (await browser.newContext({ userAgent: browserUserAgent })).newPage();
    await friend.goto(link);
    await expect
      .poll(() => friend.locator("chorus-referral-banner aside").textContent())
      .toContain("Priya invited you");
    await friend.getByLabel("Checkout acts as").selectOption("thinkific");
    await friend.getByRole("button", { name: "Enrol now" }).click();
    await friend.waitForURL(/enrolled=1&platform=thinkific/);

    const rewards = (await admin("/v1/admin/rewards?learner=demo-priya")) as {
      items: { side: string; status: string }[];
    };
    expect(rewards.items).toHaveLength(1);
    expect(rewards.items[0]).toMatchObject({ side: "referrer", status: "pending" });

    await friend.getByRole("button", { name: "Mark course completed" }).click();
    await friend.waitForURL(/completed=1/);

    const connectors = (await admin("/v1/admin/integrations")) as {
      items: { id: string; platform: string; signed: boolean }[];
    };
    const thinkific = connectors.items.find((item) => item.platform === "thinkific");
    expect(thinkific?.signed).toBe(true);
    const events = (await admin(`/v1/admin/integrations/${thinkific?.id}/events`)) as {
      items: { eventType: string; outcome: string; detail: string }[];
    };
    expect(events.items.map((event) => [event.eventType, event.outcome])).toEqual([
      ["enrollment.completed", "recorded"],
      ["order.created", "recorded"],
    ]);
    expect(events.items[1]?.detail).toMatch(/^enrollment attributed by code /);

    // The marketer reads the same on the integrations page.
    const marketer = await (
      await browser.newContext({ userAgent: browserUserAgent, viewport: { width: 1280, height: 900 } })
    ).newPage();
    // The demo owner's one-time link, as the server printed it at start.
    await marketer.goto(server.output().match(/Dashboard link\s+(\S+)/)?.[1] ?? "");
    await marketer.getByRole("heading", { name: "Funnel" }).waitFor();
    await marketer.getByRole("link", { name: "Integrations" }).click();
    await marketer.getByRole("button", { name: "Events of Demo thinkific checkout" }).click();
    const log = marketer.getByRole("table", { name: "Events of Demo thinkific checkout" });
    await expect.poll(() => log.getByRole("row").count()).toBe(3);
    expect(await log.getByRole("row").filter({ hasText: "order.created" }).textContent()).toContain("recorded");
    await marketer.getByRole("button", { name: "Test with the sample" }).last().click();
    await expect
      .poll(() => marketer.getByRole("status").filter({ hasText: "Would " }).first().textContent())
      .toMatch(/Would (record|ignore)/);
    expect(await seriousA11yViolations(marketer)).toEqual([]);
  });
});
