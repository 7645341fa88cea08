/**
 * The dashboard in real Chromium against the real server: sign in with the secret key, see the
 * funnel the API reports, moderate a story, handle a reward, read a decision log, sign out; at
 * phone width, under the strict CSP, without serious or critical axe findings.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { conversions, rewards } from "../../db/schema.ts";
import { insertClicks } from "../../server/services/click-writer.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import {
  advocateFactory,
  type ClickRow,
  clickRow,
  conversionRow,
  rewardRow,
  storyRow,
} from "../support/analytics-factories.ts";
import { browserUserAgent, distAssets, launchBrowser, seriousA11yViolations } from "../support/browser.ts";
import { workspaceFactory } from "../support/factories.ts";
import { type LiveServer, startLiveServer } from "../support/http-server.ts";

let browser: Browser;
let live: LiveServer;
let ws: CreatedWorkspace;
let context: BrowserContext;
let page: Page;
let storyId: string;
let rewardId: string;
const problems: string[] = [];

const hour = 3_600_000;

beforeAll(async () => {
  browser = await launchBrowser();
  live = await startLiveServer({ deps: { assets: distAssets } });
  ws = await workspaceFactory(live.db);
  const advocate = await advocateFactory(live.db, ws.id, { name: "Priya Sharma", externalId: "priya" });
  const now = Date.now();
  const rows: ClickRow[] = [];
  for (let i = 0; i < 9; i++)
    rows.push(
      clickRow(ws.id, {
        codeId: advocate.codeId,
        learnerId: advocate.learnerId,
        channel: i < 5 ? "whatsapp" : "linkedin",
        visitorHash: `visitor-${i % 7}`,
        createdAt: now - 2 * hour - i * 1000,
      }),
    );
  await insertClicks(live.db, rows);
  const enrolment = conversionRow(ws.id, {
    type: "enrollment",
    externalId: "order-4711",
    customerId: "friend-1",
    clickId: rows[0]?.id,
    codeId: advocate.codeId,
    referrerId: advocate.learnerId,
    channel: "whatsapp",
    amount: 399_900,
    currency: "INR",
    occurredAt: now - hour,
    decision: [
      { rule: "click", result: "pass", detail: "matched click from 1 hour ago via whatsapp" },
      { rule: "self_referral", result: "pass", detail: "not a self-referral" },
      { rule: "reward", result: "info", detail: "reward 500 INR pending until the hold ends" },
    ],
  });
  await live.db
    .insert(conversions)
    .values([
      enrolment,
      conversionRow(ws.id, { type: "signup", referrerId: advocate.learnerId, occurredAt: now - hour }),
    ]);
  const reward = rewardRow(ws.id, { conversionId: enrolment.id, learnerId: advocate.learnerId, createdAt: now - hour });
  rewardId = reward.id;
  await live.db.insert(rewards).values(reward);
  storyId = await storyRow(live.db, ws.id, { headline: "From support desk to data analyst", createdAt: now - hour });
});
afterAll(async () => {
  await browser.close();
  await live.close();
});
beforeEach(async () => {
  context = await browser.newContext({
    userAgent: browserUserAgent,
    locale: "en-US",
    viewport: { width: 375, height: 812 },
  });
  page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().includes("401")) problems.push(`console: ${message.text()}`);
  });
});
afterEach(() => context.close());

const api = async <T>(path: string): Promise<T> =>
  (await (await fetch(`${live.baseUrl}${path}`, { headers: { Authorization: `Bearer ${ws.secretKey}` } })).json()) as T;

async function signIn() {
  const response = await page.goto(`${live.baseUrl}/dashboard`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
  await page.getByLabel("Secret key").fill(ws.secretKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Funnel" }).waitFor();
}

async function expectNoOverflow() {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(375);
}

describe("/dashboard", () => {
  it("signs in, shows the API's funnel, fits a phone, passes axe", async () => {
    await signIn();
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === "chorus_session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(await page.evaluate(() => document.cookie)).toBe(""); // HttpOnly: scripts never see it

    const funnel = await api<Record<string, number>>("/v1/analytics/funnel");
    expect(funnel).toMatchObject({ clicks: 9, visitors: 7, enrollments: 1, signups: 1 });
    for (const [label, key] of [
      ["Clicks", "clicks"],
      ["Visitors", "visitors"],
      ["Sign-ups", "signups"],
      ["Enrolments", "enrollments"],
    ] as const) {
      const text = await page.locator(`dd[data-figure="${label}"]`).textContent();
      expect(text?.trim()).toBe((funnel[key] as number).toLocaleString("en-US"));
    }
    expect(await page.locator('dd[data-figure="Revenue"]').textContent()).toContain("3,999.00");
    // The charts' figures are in tables for screen readers; the button shows the table to everyone.
    await page.getByRole("button", { name: "Show table" }).first().click();
    await expect.poll(() => page.getByRole("row", { name: /Clicks 9/ }).count()).toBeGreaterThan(0);
    await expectNoOverflow();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("approves a story from the moderation queue", async () => {
    await signIn();
    await page.getByRole("link", { name: "Stories" }).click();
    await page.getByRole("heading", { name: "From support desk to data analyst" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    await page.getByText("Approved “From support desk to data analyst”.").waitFor();
    const stories = await api<{ items: { id: string; status: string }[] }>("/v1/admin/stories?status=approved");
    expect(stories.items.map((story) => [story.id, story.status])).toEqual([[storyId, "approved"]]);
    await expectNoOverflow();
  });

  it("approves a reward", async () => {
    await signIn();
    await page.getByRole("link", { name: "Rewards" }).click();
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    await page.getByText("Reward approved.").waitFor();
    const approved = await api<{ items: { id: string }[] }>("/v1/admin/rewards?status=approved");
    expect(approved.items.map((reward) => reward.id)).toContain(rewardId);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("shows an endpoint's delivery log and resends an event", async () => {
    const admin = { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" };
    const endpoint = await fetch(`${live.baseUrl}/v1/admin/webhooks`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ url: "https://hooks.academy.example/chorus" }),
    });
    expect(endpoint.status).toBe(201);
    // A story submitted and approved: two events, written to the outbox for this endpoint.
    const story = await fetch(`${live.baseUrl}/v1/stories`, {
      method: "POST",
      headers: { "Chorus-Key": ws.publishableKey, "Content-Type": "application/json", "User-Agent": "dashboard-test" },
      body: JSON.stringify({
        course: "data-analytics",
        name: "Kabir Rao",
        headline: "Analyst in four months",
        body: "The projects were close to my real work, and my manager noticed.",
        rating: 5,
        outcome: { type: "new_job" },
        consent: { publish: true, name: true, photo: false, salary: false },
      }),
    });
    const { id } = (await story.json()) as { id: string };
    await fetch(`${live.baseUrl}/v1/admin/stories/${id}`, {
      method: "PATCH",
      headers: admin,
      body: JSON.stringify({ status: "approved" }),
    });

    await signIn();
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("button", { name: "Delivery log of https://hooks.academy.example/chorus" }).click();
    const log = page.getByRole("table", { name: "Deliveries, newest first" });
    await expect
      .poll(() => log.getByRole("rowheader").allTextContents())
      .toEqual(["story.approved", "story.submitted"]);
    await log
      .getByRole("row", { name: /story\.approved/ })
      .getByRole("button", { name: "Resend" })
      .click();
    await page.getByText("Event story.approved will be sent again within a few seconds.").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await expectNoOverflow();
  });

  it("finds a conversion and reads its decision log", async () => {
    await signIn();
    await page.getByRole("link", { name: "Conversions" }).click();
    await page.getByLabel("Order or customer id").fill("order-47");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("heading", { name: /order-4711/ }).waitFor();
    await page.getByText("Decision log (3 steps)").click();
    const log = page.locator('[data-testid="decision-log"]');
    await expect.poll(() => log.textContent()).toContain("matched click from 1 hour ago via whatsapp");
    expect(await log.textContent()).toContain("reward 500 INR pending until the hold ends");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await expectNoOverflow();
  });

  it("shows helpful empty states, then signs out", async () => {
    await signIn();
    await page.getByRole("link", { name: "Stories" }).click();
    await page.getByRole("button", { name: "Rejected" }).click();
    await page.getByText("No rejected stories.").waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Chorus" }).waitFor();
    expect((await context.cookies()).find((cookie) => cookie.name === "chorus_session")).toBeUndefined();
    const status = await page.evaluate(async () => (await fetch("/v1/dashboard/session")).status);
    expect(status).toBe(401);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("refuses a wrong key with a clear message", async () => {
    await page.goto(`${live.baseUrl}/dashboard`);
    await page.getByLabel("Secret key").fill("sk_wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("That key was not accepted").waitFor();
  });

  it("ran without page errors or CSP violations", () => {
    expect(problems.filter((problem) => !problem.includes("Failed to load resource"))).toEqual([]);
  });
});
