/**
 * The hosted advocate page in real Chromium against the real server, for a provider with no
 * server code (its learner is known only from a conversion it reported): the learner asks for a
 * link, the test reads it from the real SMTP server in this process, opens it in another browser
 * at phone width, copies their referral link (read back from the clipboard), tells their story,
 * and once a friend enrols through their link sees the reward and why it is held. Under the
 * page's strict CSP, in English and Hindi, without serious or critical axe findings.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSmtpTransport } from "../../server/node-mail.ts";
import { sendDueMail } from "../../server/services/mail-outbox.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { signInLinkOf } from "../support/advocate-page.ts";
import { browserUserAgent, distAssets, launchBrowser, seriousA11yViolations } from "../support/browser.ts";
import { recordViolations, type Violation } from "../support/csp.ts";
import { workspaceFactory } from "../support/factories.ts";
import { type LiveServer, startLiveServer } from "../support/http-server.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { testConfig } from "../support/test-app.ts";

let browser: Browser;
let live: LiveServer;
let sink: SmtpSink;
let ws: CreatedWorkspace;
const problems: string[] = [];
/** Answers of 400 and above the pages' own loads got (status and path). */
const failed: string[] = [];
/** Content-Security-Policy violations on every page of the run. */
const violations: Violation[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  sink = await startSmtpSink();
  live = await startLiveServer({ deps: { assets: distAssets } });
  ws = await workspaceFactory(live.db, {
    settings: {
      slug: "acme",
      brand: { name: "Acme Academy", logoUrl: null, color: "#0f766e" },
      defaultTargetUrl: "https://acme.example/courses",
      milestones: [{ count: 3, bonus: { amount: 100_000, currency: "INR" } }],
    },
  });
  // The provider's only integration: it reported Priya's enrolment (with her email) from its checkout.
  const reported = await api("/v1/conversions", {
    id: "order-priya",
    type: "completion",
    customer: { id: "cust-priya", email: "priya@learners.example", name: "Priya Sharma" },
    course: "data-analytics",
  });
  expect(reported.status).toBe(201);
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
  await sink?.close();
});

function api(path: string, body: unknown) {
  return fetch(`${live.baseUrl}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** The outbox sent as the Node worker sends it, to the SMTP server in this process, with links to the live server. */
function drainMail() {
  return sendDueMail(
    { db: live.db, clock: { now: () => new Date() } },
    {
      transport: createSmtpTransport(sink.url, { timeoutMs: 2000 }),
      from: { name: null, address: "hello@chorus.example" },
      secret: testConfig.secret,
      publicUrl: live.baseUrl,
    },
  );
}

async function phone(locale = "en-US"): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    userAgent: browserUserAgent,
    locale,
    viewport: { width: 390, height: 844 },
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: live.baseUrl });
  const recorded = await recordViolations(context);
  context.on("close", () => violations.push(...recorded));
  // A step that does not happen fails at that step, well within the test's time.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // Failed loads are told by URL below, where the expected ones can be told apart.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      problems.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    if (response.status() >= 400 && path !== "/favicon.ico") failed.push(`${response.status()} ${path}`);
  });
  return { context, page };
}

async function expectFitsPhone(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
}

describe("the hosted advocate page", () => {
  it("signs a learner in by magic link, copies their link, takes their story and shows their rewards with reasons", async () => {
    // First browser: asks for the link.
    const first = await phone();
    const asked = await first.page.goto(`${live.baseUrl}/p/acme`);
    expect(asked?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await first.page.getByRole("heading", { name: "Acme Academy: your referrals" }).waitFor();
    expect(await seriousA11yViolations(first.page)).toEqual([]);
    await expectFitsPhone(first.page);
    await first.page.getByLabel("Email address").fill("priya@learners.example");
    await first.page.getByRole("button", { name: "Send me a sign-in link" }).click();
    await first.page.getByRole("heading", { name: "Check your email" }).waitFor();
    await first.context.close();

    expect(await drainMail()).toMatchObject({ sent: 1 });
    const link = signInLinkOf(sink.received[0]!.parsed, live.baseUrl);

    // Another browser (the phone's mail app): the link's page, then its button.
    const { context, page } = await phone();
    await page.goto(link.toString());
    await page.getByRole("button", { name: "Sign in" }).click();
    // Known from a conversion only: Chorus has no name for her (conversions keep none).
    await page.getByRole("heading", { name: "Hello", exact: true }).waitFor();
    const session = (await context.cookies()).find((cookie) => cookie.name === "chorus_advocate");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/p/acme" });

    // The referral card, as on a provider's page: copy the link and read it back from the clipboard.
    const card = page.locator("chorus-referral-card");
    const field = card.getByLabel("Your referral link");
    await expect.poll(() => field.inputValue()).toMatch(/\/r\/[a-z0-9]+\?ch=copy$/);
    const shown = await field.inputValue();
    await card.getByRole("button", { name: "Copy" }).click();
    await card.getByText("Copied").waitFor();
    // What is copied is the share text: the friend's code and the link (issue 18).
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain(shown);
    expect(copied).toMatch(/Use my code FRIEND-10-[A-Z0-9]+ at checkout/);
    const code = shown.match(/\/r\/([a-z0-9]+)\?/)?.[1] ?? "";

    // The story form, for the course she completed.
    const form = page.locator("chorus-story-form");
    await form.getByLabel(/^Your name/).fill("Priya Sharma");
    await form.getByLabel(/^Headline/).fill("From support desk to data analyst");
    await form.getByLabel(/^Your story/).fill("The course gave me the SQL I needed for my new job.");
    await form.getByRole("radio", { name: "5 out of 5" }).check();
    await form.getByLabel(/^What changed/).selectOption("new_job");
    await form.getByRole("checkbox", { name: /^Publish my story/ }).check();
    await form.getByRole("button", { name: "Send my story" }).click();
    await form.getByRole("heading", { name: "Thank you! We received your story." }).waitFor();
    expect(await form.getByText("Verification: Completion confirmed").count()).toBe(1);

    // A friend enrols through her link; the page then lists the reward and why it waits.
    const friend = await api("/v1/conversions", {
      id: "order-friend",
      type: "enrollment",
      customer: { id: "cust-friend", email: "friend@elsewhere.example" },
      course: "data-analytics",
      amount: 2_499_900,
      currency: "INR",
      code,
    });
    expect(friend.status).toBe(201);
    await page.reload();
    const rewards = page.getByRole("region", { name: "Your rewards" });
    await rewards.getByText("500.00 INR credit").waitFor();
    expect(await rewards.textContent()).toMatch(/On hold until \d{4}-\d{2}-\d{2}, in case the purchase is refunded/);
    expect(await page.getByText("1 of 3 rewarded referrals: reach 3 for a bonus of 1000.00 INR.").count()).toBe(1);

    await expectFitsPhone(page);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The link worked once: opening it again says so.
    await page.goto(link.toString());
    await page.getByRole("heading", { name: "This link no longer works" }).waitFor();

    // In Hindi, the page and the elements on it.
    await page.goto(`${live.baseUrl}/p/acme?lang=hi`);
    await page.getByRole("heading", { name: "नमस्ते", exact: true }).waitFor();
    await page
      .getByRole("region", { name: "आपके इनाम" })
      .getByText(/रिफ़ंड की स्थिति के लिए/)
      .waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Sign-out ends it.
    await page.getByRole("button", { name: "साइन आउट करें" }).click();
    await page.getByRole("button", { name: "मुझे साइन-इन लिंक भेजें" }).waitFor();
    await context.close();
    expect(problems).toEqual([]);
    expect(violations).toEqual([]);
    // The only refusal: the used link opened again.
    expect(failed).toEqual(["410 /p/acme/link"]);
  }, 90_000);
});
