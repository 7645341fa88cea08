/**
 * The word-of-mouth loop on the demo provider, in real Chromium against `npm start`'s server:
 * a learner's link → a friend lands with the banner and its coupon code → enrols with the code
 * applied → the learner's card shows the reward pending, then paid → the dashboard shows the attributed
 * enrolment and the pending reward → the friend completes (the reward follows the program: one per
 * friend, on enrolment) → the learner tells her story → the marketer approves it → it is on the
 * course's wall as provider-attested. Screenshots of the key screens go to test-results/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUserAgent, seriousA11yViolations, startInstallWithBrowser } from "../support/browser.ts";
import { type RunningServer, repoRoot } from "../support/processes.ts";

const shots = join(repoRoot, "test-results", "demo-loop");
let server: RunningServer;
let browser: Browser;
let close: (() => Promise<void>) | undefined;
let secretKey: string;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  ({ server, browser, close } = await startInstallWithBrowser("chorus-demo-"));
  secretKey = server.output().match(/Secret key\s+(sk_\w+)/)?.[1] ?? "";
}, 60_000);
afterAll(() => close?.());

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
    // The banner shows Priya's friend coupon code; the redirect brought it to the checkout as
    // Teachable's `coupon_code` parameter, and the demo checkout applies it (issue 18).
    const coupon = (await friend.locator('chorus-referral-banner [part="coupon"]').textContent())?.trim() ?? "";
    expect(coupon).toMatch(/^PRIYA-10-[A-Z0-9]+$/);
    expect(new URL(friend.url()).searchParams.get("coupon_code")).toBe(coupon);
    // ₹24,999 less 10%.
    await friend.getByText(`Coupon ${coupon} applied: 10% off, ₹22,499`).waitFor();
    await friend.screenshot({ path: join(shots, "2-friend-lands.png"), fullPage: true });

    await friend.getByRole("button", { name: "Enrol now" }).click();
    await friend.waitForURL(/enrolled=1/);
    await friend.getByText("You paid ₹22,499.").waitFor();
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
    const figures = await card.locator('[part="stats"] dd').allTextContents();
    expect(figures).toEqual(["1", "0", "1", "1"]);

    // Priya opens her earnings (loaded on demand): the reward waits out its hold, in plain words.
    const earnings = card.locator("chorus-referral-earnings");
    await card.getByText("Earnings and payouts").click();
    await expect.poll(() => earnings.locator("ul").textContent()).toMatch(/₹500\.00 · Pending/);
    await learner.screenshot({ path: join(shots, "4-learner-earnings-pending.png"), fullPage: true });
    // Finance approves and issues it; her card then says it is paid.
    const rewardId = (rewards.items[0] as unknown as { id: string }).id;
    for (const action of ["approve", "issue"])
      expect(
        (
          await fetch(`${server.baseUrl}/v1/admin/rewards/${rewardId}/${action}`, {
            method: "POST",
            headers: { Authorization: `Bearer ${secretKey}` },
          })
        ).status,
      ).toBe(200);
    await learner.reload();
    await card.getByText("Earnings and payouts").click();
    await expect.poll(() => earnings.locator("ul").textContent()).toMatch(/₹500\.00 · Paid/);

    // The marketer sees the attributed enrolment, its decision log, and Priya's pending reward.
    const marketer = await (
      await browser.newContext({ userAgent: browserUserAgent, viewport: { width: 1280, height: 900 } })
    ).newPage();
    // The demo owner's one-time link, as the server printed it at start.
    await marketer.goto(server.output().match(/Dashboard link\s+(\S+)/)?.[1] ?? "");
    await marketer.getByRole("heading", { name: "Funnel" }).waitFor();
    await marketer.screenshot({ path: join(shots, "5-dashboard-overview.png"), fullPage: true });
    const friendId = (await friendContext.cookies()).find((cookie) => cookie.name === "demo_customer")?.value ?? "";
    expect(friendId).toMatch(/^friend-/);
    await marketer.getByRole("link", { name: "Conversions" }).click();
    await marketer.getByLabel("Order or customer id").fill(friendId);
    await marketer.getByLabel("Type").selectOption("enrollment");
    await marketer.getByRole("button", { name: "Search" }).click();
    const enrolment = marketer.getByRole("article").filter({ hasText: `Customer ${friendId}` });
    await expect.poll(() => enrolment.getByRole("heading").textContent()).toMatch(/enrollment\s+attributed/);
    await enrolment.getByText(/Decision log/).click();
    await expect.poll(() => enrolment.locator('[data-testid="decision-log"]').textContent()).toMatch(/via whatsapp/);
    await marketer.screenshot({ path: join(shots, "6-dashboard-decision-log.png"), fullPage: true });
    await marketer.getByRole("link", { name: "Rewards" }).click();
    await marketer.getByRole("button", { name: "Approve", exact: true }).first().waitFor();

    // Priya tells her story; she finished the course, so it is attested by the provider.
    const headline = "From spreadsheets to leading our analytics team";
    await learner.goto(`${server.baseUrl}/demo/learn`);
    const form = learner.locator("chorus-story-form");
    await form.getByLabel(/^Your name/).fill("Priya Sharma");
    await form.getByLabel(/^Headline/).fill(headline);
    await form
      .getByLabel(/^Your story/)
      .fill("The SQL and dashboard projects were my daily work within weeks. Promoted in five months.");
    await form.getByRole("radio", { name: "5 out of 5" }).check();
    await form.getByLabel(/^What changed/).selectOption("promotion");
    await form.getByRole("checkbox", { name: /^Publish my story/ }).check();
    await form.getByRole("checkbox", { name: /^Show my name/ }).check();
    await form.getByRole("button", { name: "Send my story" }).click();
    await form.getByRole("heading", { name: "Thank you! We received your story." }).waitFor();
    expect(await form.getByText("Verification: Completion confirmed").count()).toBe(1);

    // The marketer approves it from the moderation queue; it appears on the course's wall.
    await marketer.getByRole("link", { name: "Stories" }).click();
    const pending = marketer.getByRole("article").filter({ hasText: headline });
    await pending.getByRole("button", { name: "Approve", exact: true }).click();
    await marketer.getByText(`Approved “${headline}”.`).waitFor();

    await friend.goto(`${server.baseUrl}/demo/courses/data-analytics`);
    const story = friend.locator("chorus-story-wall").getByRole("article").filter({ hasText: headline });
    await story.waitFor();
    expect(await story.getByRole("button", { name: "Completion confirmed: how this was checked" }).count()).toBe(1);
    await story.scrollIntoViewIfNeeded();
    await friend.screenshot({ path: join(shots, "7-story-on-the-wall.png") });
    await friendContext.close();
  });

  it("lets a visitor open the receipt of a credential-verified demo story from a plain link", async () => {
    const stories = (await admin("/v1/admin/stories?status=approved&limit=100")) as {
      items: { id: string; verificationLevel: string }[];
    };
    const verified = stories.items.find((story) => story.verificationLevel === "credential_verified");
    expect(verified).toBeDefined();
    // A fresh visitor with no key, no cookie: only the link.
    const page = await (await browser.newContext({ userAgent: browserUserAgent })).newPage();
    await page.goto(`${server.baseUrl}/stories/${verified?.id}/receipt`);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("How this story was checked");
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain("Verified by a credential issued to the author");
    // The issuer's own name from the credential, with the provider's label beside it.
    expect(text).toContain(
      "Skillbridge Academy (listed by the provider as Skillbridge Academy (our own certificates))",
    );
    expect(text).toMatch(/proof: passed\. eddsa-rdfc-2022 proof verified with did:key:z6Mk/);
    await page.screenshot({ path: join(shots, "8-credential-receipt.png"), fullPage: true });
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The machines' copy is one link away.
    await page.getByRole("link", { name: "This receipt as JSON" }).click();
    await expect.poll(() => page.locator("body").textContent()).toContain('"level":"credential_verified"');
  });

  it("has no serious accessibility violation on its pages", async () => {
    const page = await (await browser.newContext({ userAgent: browserUserAgent })).newPage();
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
