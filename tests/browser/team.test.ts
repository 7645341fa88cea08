/**
 * A team in real Chromium against the real server on `http://localhost` (a secure context with a
 * real relying-party id, which WebAuthn needs; PUBLIC_URL names the same origin): the first owner,
 * made as `chorus member add` makes one, registers a passkey with Chromium's virtual authenticator
 * (DevTools protocol), signs out and back in with it, then sets a password and signs in with that;
 * invites a moderator, whose invitation arrives at a real SMTP server; the moderator signs in from
 * another browser and approves a story; the
 * audit trail names both by address; a finance member gets no analytics export (hidden, and 403
 * in the envelope, which the trail shows the owner). Screenshots of the Team page and the review
 * queue go to test-results/ (the README's docs/team-page.png and docs/review-queue.png are copies).
 */
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberPasskeys } from "../../db/schema.ts";
import type { Role } from "../../server/lib/permissions.ts";
import { dashboardLinkUrl } from "../../server/services/magic-link-token.ts";
import { sendDueMail } from "../../server/services/mail-outbox.ts";
import { cliLinkTtlMs, createLink } from "../../server/services/member-links.ts";
import { addMember } from "../../server/services/team-members.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { browserUserAgent, distAssets, launchBrowser, seriousA11yViolations } from "../support/browser.ts";
import { type Referrer, referrerFactory } from "../support/click-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { type LiveServer, startLiveServer } from "../support/http-server.ts";
import { repoRoot } from "../support/processes.ts";
import { freePort, mailOptionsFor, type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { submitLiveStory } from "../support/stories.ts";
import { testConfig } from "../support/test-app.ts";

let browser: Browser;
let live: LiveServer;
let sink: SmtpSink;
let ws: CreatedWorkspace;
let priya: Referrer;
let owner: { context: BrowserContext; page: Page };
const problems: string[] = [];
const clock = { now: () => new Date() };
const shots = join(repoRoot, "test-results");

beforeAll(async () => {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  [browser, sink, live] = await Promise.all([
    launchBrowser(),
    startSmtpSink(),
    startLiveServer({ port, host: "localhost", config: { publicUrl: origin }, deps: { assets: distAssets } }),
  ]);
  ws = await workspaceFactory(live.db, {
    name: "Kaveri Academy",
    settings: { fraud: { selfReferral: true, disposableEmail: true, botClicks: true, velocityPerDay: 20 } },
  });
  priya = await referrerFactory(live.db, ws.id, { sub: "priya", name: "Priya Sharma", email: "priya@example.com" });
  owner = await newBrowser();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([live?.close(), sink?.close()]);
});

/** A context of its own (its own cookies): one person's browser. */
async function newBrowser() {
  const context = await browser.newContext({
    userAgent: browserUserAgent,
    locale: "en-US",
    viewport: { width: 1280, height: 800 },
  });
  // A step that never happens fails at that step, well inside the test's own time.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !/\b(401|403)\b/.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  return { context, page };
}

/** A member and their one-time link, made as `chorus member add` makes them. */
async function cliMember(email: string, role: Role): Promise<string> {
  const ctx = { db: live.db, clock, secret: testConfig.secret };
  const member = await addMember(ctx, { workspaceId: ws.id, email, role, joined: false });
  const { linkId } = await createLink(ctx, { member, purpose: "sign-in", ttlMs: cliLinkTtlMs });
  return dashboardLinkUrl(live.baseUrl, { secret: testConfig.secret, linkId });
}

/** Sends the outbox to the SMTP sink as the Node mail worker would, with links to this server. */
async function deliverMail() {
  await sendDueMail({ db: live.db, clock }, { ...mailOptionsFor(sink), publicUrl: live.baseUrl });
}

const funnel = (page: Page) => page.getByRole("heading", { name: "Funnel" }).waitFor();

describe("a team in the dashboard", () => {
  it("lets the first owner add a passkey, sign out, and sign in again with it", async () => {
    const { context, page } = owner;
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });

    await page.goto(await cliMember("owner@kaveri.example", "owner"));
    await funnel(page);
    await page.getByRole("link", { name: "Team" }).click();
    await page.getByText("No passkeys yet.").waitFor();
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByText("Passkey added.").waitFor();
    await page.getByText(/Added .*, never used/).waitFor();
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.isResidentCredential).toBe(true);
    expect(credentials[0]?.rpId).toBe("localhost");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Chorus" }).waitFor();
    expect((await context.cookies()).some((cookie) => cookie.name === "chorus_session")).toBe(false);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    // Signed in again, on the page the owner left (the Team page, #/team).
    await page.getByText("owner@kaveri.example · Owner").waitFor();
    const session = (await context.cookies()).find((cookie) => cookie.name === "chorus_session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    // The server keeps the authenticator's signature counter (a clone would show an older one).
    const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    const [stored] = await live.db.select().from(memberPasskeys);
    expect(after.credentials[0]?.signCount).toBeGreaterThan(credentials[0]?.signCount ?? 0);
    expect(stored?.counter).toBe(after.credentials[0]?.signCount);
    await page.getByText(/Added .*, last used/).waitFor();
  });

  it("lets the owner set a password on the Team page and sign in with it, the fallback to passkeys and links", async () => {
    const { context, page } = owner;
    await page.getByText("No password: you sign in with a passkey or an email link.").waitFor();
    await page.getByLabel("New password (at least 12 characters)").fill("the kaveri runs east");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByText("Password saved. Sessions ended elsewhere: 0.").waitFor();
    await page.getByText("You have a password.").waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Or sign in with a password" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel("Email", { exact: true }).fill("owner@kaveri.example");
    await page.getByLabel("Password", { exact: true }).fill("the kaveri runs west");
    await page.getByRole("button", { name: "Sign in with password" }).click();
    await page.getByRole("alert").getByText("That address and password do not match.").waitFor();
    await page.getByLabel("Password", { exact: true }).fill("the kaveri runs east");
    await page.getByRole("button", { name: "Sign in with password" }).click();
    await page.getByText("owner@kaveri.example · Owner").waitFor();
    expect((await context.cookies()).find((cookie) => cookie.name === "chorus_session")).toMatchObject({
      httpOnly: true,
      sameSite: "Strict",
    });
  });

  it("invites a moderator by mail, who signs in from another browser and approves a story", async () => {
    const { page } = owner;
    const story = await submitLiveStory(live.baseUrl, ws.publishableKey, browserUserAgent, {
      name: "Meera Iyer",
      headline: "From support desk to data analyst",
      body: "The SQL module got me the interview.",
      outcome: { type: "new_job" },
    });
    expect(story.status).toBe(201);

    await page.getByLabel("Email", { exact: true }).fill("mod@kaveri.example");
    await page.getByRole("combobox", { name: "Role", exact: true }).selectOption("moderator");
    await page.getByRole("button", { name: "Send invitation" }).click();
    await page.getByText("Invitation sent to mod@kaveri.example").waitFor();
    await page
      .getByRole("row", { name: /mod@kaveri\.example/ })
      .getByText("Invited")
      .waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, "team-page.png"), fullPage: true });

    await deliverMail();
    const mail = sink.received.find((m) => m.envelope.to.includes("mod@kaveri.example"));
    const link = mail?.parsed.text?.match(/http:\/\/localhost:\d+\/dashboard#link=[\w-]+/)?.[0];
    expect(link?.startsWith(`${live.baseUrl}/dashboard#link=`)).toBe(true);

    const moderator = await newBrowser();
    await moderator.page.goto(link as string);
    await funnel(moderator.page);
    await moderator.page.getByText("mod@kaveri.example · Moderator").waitFor();
    await moderator.page.getByRole("link", { name: "Stories" }).click();
    await moderator.page.getByRole("heading", { name: "From support desk to data analyst" }).waitFor();
    await moderator.page.getByRole("button", { name: "Approve", exact: true }).click();
    await moderator.page.getByText("Approved “From support desk to data analyst”.").waitFor();
    // A used invitation opens nothing a second time.
    const again = await newBrowser();
    await again.page.goto(link as string);
    await again.page.getByText("This sign-in link has expired or was already used").waitFor();
    await Promise.all([moderator.context.close(), again.context.close()]);

    const approved = await fetch(`${live.baseUrl}/v1/admin/stories?status=approved`, {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    const { items } = (await approved.json()) as { items: { id: string }[] };
    expect(items.map((item) => item.id)).toEqual([((await story.json()) as { id: string }).id]);
  });

  it("shows both in the audit trail, named by address", async () => {
    const { page } = owner;
    await page.getByRole("link", { name: "Audit" }).click();
    const rows = page.locator('table[data-testid="audit"] tbody tr');
    const invite = rows.filter({ hasText: "member.invite" });
    const moderation = rows.filter({ hasText: "story.moderate" });
    await invite.first().waitFor();
    await moderation.first().waitFor();
    expect(await invite.count()).toBe(1);
    expect(await invite.textContent()).toContain("owner@kaveri.example");
    expect(await moderation.count()).toBe(1);
    expect(await moderation.textContent()).toContain("mod@kaveri.example");
    expect(await moderation.textContent()).toContain("approved");
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("shows held cases in the review queue", async () => {
    const held = async (id: string, email: string) => {
      const response = await fetch(`${live.baseUrl}/v1/conversions`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          id,
          type: "enrollment",
          customer: { id: `customer-${id}`, email },
          code: priya.code,
          course: "data-analytics",
          amount: 499_900,
          currency: "INR",
        }),
      });
      expect(response.status).toBe(201);
    };
    await held("order-1041", "friend@mailinator.com");
    await held("order-1042", "PRIYA@example.com");
    await held("order-1043", "deals@guerrillamail.com");
    const { page } = owner;
    await page.getByRole("link", { name: "Review" }).click();
    await page.getByText("Disposable (throwaway) email address").first().waitFor();
    await page.getByText("Self-referral: the customer's email is the referrer's own (normalised)").waitFor();
    expect(await page.getByRole("checkbox", { name: /Select case order-/ }).count()).toBe(3);
    // Each case's checkbox sits on the line of its title, a small box rather than a text field's.
    const box = await page.getByRole("checkbox", { name: "Select case order-1041" }).boundingBox();
    const title = await page.getByText("enrollment order-1041").boundingBox();
    const middle = (b: { y: number; height: number } | null) => (b ? b.y + b.height / 2 : Number.NaN);
    expect(box?.height).toBeLessThan(30);
    expect(Math.abs(middle(box) - middle(title))).toBeLessThan(8);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, "review-queue.png"), fullPage: true });
  });

  it("offers a finance member no analytics export, and the export answers 403 in the envelope", async () => {
    const finance = await newBrowser();
    await finance.page.goto(await cliMember("money@kaveri.example", "finance"));
    await funnel(finance.page);
    expect(await finance.page.getByText("Export CSV").count()).toBe(0);
    const answer = await finance.page.evaluate(async () => {
      const response = await fetch("/v1/analytics/export.csv?dataset=clicks");
      return { status: response.status, body: await response.json() };
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ code: "forbidden", details: { reason: "role", role: "finance" } });
    expect(typeof answer.body.error.requestId).toBe("string");
    await finance.page.getByRole("link", { name: "Team" }).click();
    await finance.page.getByText("Only owners change the team.").waitFor();
    await finance.context.close();
    // The owner sees the refused try in the trail, by the finance member's address.
    await owner.page.getByRole("link", { name: "Audit" }).click();
    const refused = owner.page.locator('table[data-testid="audit"] tbody tr').filter({ hasText: "access.refused" });
    await refused.first().waitFor();
    expect(await refused.first().textContent()).toContain("money@kaveri.example");
  });

  it("ran without page errors or CSP violations", async () => {
    await owner.context.close();
    expect(problems.filter((problem) => !problem.includes("Failed to load resource"))).toEqual([]);
  });
});
