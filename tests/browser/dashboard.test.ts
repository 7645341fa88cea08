/**
 * The dashboard in real Chromium against the real server: sign in with the secret key, see the
 * funnel the API reports, moderate a story, handle a reward, read a decision log, sign out; at
 * phone width, under the strict CSP, without serious or critical axe findings.
 */
import { readFile } from "node:fs/promises";
import { crc32, deflateSync } from "node:zlib";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { conversions, rewards } from "../../db/schema.ts";
import { sha256Hex } from "../../server/lib/crypto.ts";
import { writeTransaction } from "../../server/lib/write-transaction.ts";
import { insertClicks } from "../../server/services/click-writer.ts";
import { enqueueMail } from "../../server/services/mail-outbox.ts";
import { deliverDueWebhooks } from "../../server/services/webhooks.ts";
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
import { exportHeaders, parseCsv } from "../support/csv.ts";
import { testOrigin, workspaceFactory } from "../support/factories.ts";
import { type LiveServer, startLiveServer } from "../support/http-server.ts";
import { submitLiveStory } from "../support/stories.ts";
import { seedStoryWorkspace } from "../support/story-dashboard.ts";
import { dashboardLink } from "../support/team.ts";
import { webmFile } from "../support/video-files.ts";

let browser: Browser;
let live: LiveServer;
let ws: CreatedWorkspace;
let context: BrowserContext;
let page: Page;
let storyId: string;
let rewardId: string;
const problems: string[] = [];

const hour = 3_600_000;

/** A real 48×48 PNG (one colour), decodable by the browser. */
function solidPng(side: number): Uint8Array<ArrayBuffer> {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(side * 3, 0x5a)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: side }, () => row)));
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(
    Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", pixels), chunk("IEND", Buffer.alloc(0))]),
  );
}
const remotePhoto = "https://images.example/meera.png";
// What the server fetched (story photos): the browser itself must never ask the remote host.
const serverFetched: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  live = await startLiveServer({
    deps: {
      assets: distAssets,
      fetch: async (url) => {
        serverFetched.push(url);
        if (url !== remotePhoto) return new Response("not here", { status: 404 });
        return new Response(solidPng(48), { headers: { "Content-Type": "image/png" } });
      },
    },
  });
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
  await insertClicks({ db: live.db }, { rows: rows });
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

const apiAs = async <T>(secretKey: string, path: string): Promise<T> =>
  (await (await fetch(`${live.baseUrl}${path}`, { headers: { Authorization: `Bearer ${secretKey}` } })).json()) as T;
const api = <T>(path: string) => apiAs<T>(ws.secretKey, path);

/** Follows a download link as the marketer would: the file's rows and its suggested name. */
async function download(link: Locator): Promise<[string[][], string]> {
  const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const path = await file.path();
  return [parseCsv(await readFile(path, "utf8")), file.suggestedFilename()];
}

/** Opens the dashboard with an owner's one-time link (as `chorus member add` prints it) of `workspace`. */
async function signIn(workspace: { id: string } = ws) {
  const link = await dashboardLink({ db: live.db, clock: { now: () => new Date() } }, live.baseUrl, workspace.id);
  const response = await page.goto(link);
  expect(response?.status()).toBe(200);
  expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
  await page.getByRole("heading", { name: "Funnel" }).waitFor();
  // The link's token is gone from the address bar once used.
  expect(page.url()).not.toContain("#link=");
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

  it("reaches every story in a long moderation queue", async () => {
    const busy = await workspaceFactory(live.db, { name: "Busy Academy" });
    for (let n = 0; n < 105; n++)
      await storyRow(live.db, busy.id, { headline: `Queued story ${n}`, createdAt: Date.now() - n * 60_000 });
    await signIn(busy);
    await page.getByRole("link", { name: "Stories" }).click();
    const queued = page.getByRole("heading", { name: /^Queued story \d+$/ });
    await expect.poll(() => queued.count()).toBe(100);
    await page.getByRole("button", { name: "Show more stories" }).click();
    await expect.poll(() => queued.count()).toBe(105);
    expect(await page.getByRole("button", { name: "Show more stories" }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Queued story 104" }).count()).toBe(1);
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

  it("shows a story's photo and name as they will be published, from Chorus, never the author's URL", async () => {
    const photos = await workspaceFactory(live.db, { name: "Photo Academy" });
    const id = await storyRow(live.db, photos.id, {
      headline: "A photo to moderate",
      consentName: false,
      consentPhoto: true,
      photoUrl: remotePhoto,
      createdAt: Date.now(),
    });
    const browserAsked: string[] = [];
    page.on("request", (request) => browserAsked.push(request.url()));
    await signIn(photos);
    await page.getByRole("link", { name: "Stories" }).click();
    await page.getByRole("heading", { name: "A photo to moderate" }).waitFor();
    const photo = page.getByRole("img", { name: "Photo as published" });
    expect(await photo.getAttribute("src")).toBe(`${live.baseUrl}/v1/admin/stories/${id}/photo`);
    await expect.poll(() => photo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(48);
    const shownAs = page.locator("article", { hasText: "A photo to moderate" }).locator("small");
    expect((await shownAs.textContent())?.replace(/\s+/g, " ")).toContain(
      "Shown as A learner (name not shared: Meera Iyer)",
    );
    expect(serverFetched).toEqual([remotePhoto]);
    expect(browserAsked.filter((url) => url.includes("images.example"))).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("imports a CSV of testimonials: the preview names each bad row and column, then the import sums up", async () => {
    const shop = await workspaceFactory(live.db, { name: "Import Academy" });
    const course = await fetch(`${live.baseUrl}/v1/admin/courses/data-analytics`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${shop.secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ title: "Data analytics", url: "https://academy.example/data" }),
    });
    expect(course.status).toBe(200);
    await signIn(shop);
    await page.getByRole("link", { name: "Stories" }).click();
    await page.getByLabel("CSV file (UTF-8)").setInputFiles({
      name: "old-testimonials.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        "name,headline,body,rating,date,course,outcome,consent_publish,consent_name,consent_photo\r\n" +
          "Asha Rao,Promoted in six months,The projects were real,5,2024-02-01,data-analytics,promotion,yes,yes,no\r\n" +
          "Ravi K,New job,Worth every rupee,9,2024-02-03,data-analytics,new_job,yes,yes,no\r\n" +
          "=cmd,Switched careers,I can code now,4,2024-02-05,data-analytics,career_switch,yes,yes,no\r\n",
      ),
    });
    await page.getByRole("button", { name: "Check the file" }).click();
    await page.getByText("3 rows: 2 ready, 1 refused, 0 already imported").waitFor();
    const refused = page.getByRole("row", { name: /^3 rating must be a whole number from 1 to 5/ });
    expect(await refused.count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The progress bar shows from the moment the import starts (out of the file's 3 rows): seen
    // by an observer in the element's shadow root, not by a race with a 3-row import.
    await page.locator("chorus-story-import").evaluate((element) => {
      const root = element.shadowRoot;
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = root?.querySelector("progress");
        if (bar) seen.push(`${bar.getAttribute("aria-label")} max ${bar.max}`);
      }).observe(root as ShadowRoot, { subtree: true, childList: true, attributes: true });
    });
    await page.getByRole("button", { name: "Import 2 stories" }).click();
    await page.getByText("Done: 2 imported, 0 skipped as already imported, 1 refused.").waitFor();
    expect(await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen[0])).toBe(
      "Import progress max 3",
    );
    // The queue reloads with the imported stories, marked as such; the formula cell is plain text.
    await page.getByRole("heading", { name: "Switched careers" }).waitFor();
    expect(await page.getByText("imported from old-testimonials.csv").count()).toBe(2);
    await expectNoOverflow();
  });

  it("shows a video story's video to watch before approving, and lets the moderator correct its transcript", async () => {
    const videos = await workspaceFactory(live.db, { name: "Video Academy" });
    const id = await storyRow(live.db, videos.id, {
      headline: "A video to moderate",
      transcript: "Helo, I learned SQL.",
      editTokenHash: await sha256Hex("edit_video-author"),
      createdAt: Date.now(),
    });
    const uploaded = await fetch(`${live.baseUrl}/v1/stories/${id}/video?durationMs=1000`, {
      method: "PUT",
      body: webmFile() as BodyInit,
      headers: { "Chorus-Key": videos.publishableKey, Origin: testOrigin, "Chorus-Edit-Token": "edit_video-author" },
    });
    expect(uploaded.status).toBe(200);
    await signIn(videos);
    await page.getByRole("link", { name: "Stories" }).click();
    await page.getByRole("heading", { name: "A video to moderate" }).waitFor();
    const video = page.getByLabel("Video of “A video to moderate”");
    expect(await video.getAttribute("preload")).toBe("none");
    expect(await video.getAttribute("controls")).not.toBeNull();
    expect(await video.locator("source").getAttribute("src")).toBe(`${live.baseUrl}/v1/admin/stories/${id}/video`);
    await page.getByLabel(/^Transcript/).fill("Hello, I learned SQL.");
    await page.getByRole("button", { name: "Save transcript" }).click();
    await page.getByText("Transcript saved for “A video to moderate”.").waitFor();
    const row = await live.client.execute({ sql: "select transcript, status from stories where id = ?", args: [id] });
    expect(row.rows[0]).toMatchObject({ transcript: "Hello, I learned SQL.", status: "pending" });
    expect(await seriousA11yViolations(page)).toEqual([]);
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
    const story = await submitLiveStory(live.baseUrl, ws.publishableKey, "dashboard-test", {
      name: "Kabir Rao",
      headline: "Analyst in four months",
      body: "The projects were close to my real work, and my manager noticed.",
      outcome: { type: "new_job" },
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

  it("reserves a brand name in the settings, says why another cannot be, and releases it", async () => {
    const other = await workspaceFactory(live.db, { name: "Other Academy" });
    const taken = await fetch(`${live.baseUrl}/v1/codes`, {
      method: "POST",
      headers: { Authorization: `Bearer ${other.secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ code: "other-brand" }),
    });
    expect(taken.status).toBe(201);
    await signIn();
    await page.getByRole("link", { name: "Settings" }).click();
    const panel = page.getByRole("form", { name: "Reserved brand names" });
    await panel.getByText("No names reserved yet.").waitFor();
    await panel.getByLabel(/Name to reserve/).fill("Acme-Brand");
    await panel.getByRole("button", { name: "Reserve" }).click();
    await panel.getByText('"acme-brand" is reserved for this workspace.').waitFor();
    expect(await api<{ items: { name: string }[] }>("/v1/admin/reserved-codes")).toMatchObject({
      items: [{ name: "acme-brand" }],
    });
    await panel.getByLabel(/Name to reserve/).fill("other-brand");
    await panel.getByRole("button", { name: "Reserve" }).click();
    await panel.getByText(/Could not change "other-brand": .*another workspace/).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The panel fits a phone (the settings' JSON textareas above it are 50 columns wide already).
    expect((await panel.boundingBox())?.width).toBeLessThanOrEqual(375);
    await panel.getByRole("button", { name: "Release acme-brand" }).click();
    await panel.getByText('"acme-brand" is released.').waitFor();
    expect(await api<{ items: unknown[] }>("/v1/admin/reserved-codes")).toEqual({ items: [] });
  });

  it("refuses a private webhook target unless the admin ticks the self-hosting box (issue 15, SSRF)", async () => {
    await signIn();
    await page.getByRole("link", { name: "Webhooks" }).click();
    const form = page.getByRole("form", { name: "Add an endpoint" });
    await form.getByLabel("Endpoint URL").fill("http://127.0.0.1:9/hooks");
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await form.getByText(/not a public address/).waitFor();
    await form.getByLabel("Endpoint URL").fill("http://127.0.0.1:9/hooks");
    await form.getByLabel(/Allow private network addresses/).check();
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await form.getByText(/signing secret, shown only now: whsec_/).waitFor();
    await page.getByRole("row", { name: /127\.0\.0\.1:9\/hooks.*private network allowed/ }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await expectNoOverflow();
  });

  it("shows a paused endpoint with its reason, and resumes it", async () => {
    const admin = { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" };
    const url = "https://hooks.academy.example/paused";
    const created = await fetch(`${live.baseUrl}/v1/admin/webhooks`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ url, events: ["story.submitted"] }),
    });
    const endpoint = (await created.json()) as { id: string };
    await submitLiveStory(live.baseUrl, ws.publishableKey, "dashboard-test", {
      name: "Meera Iyer",
      headline: "Data engineer after the bootcamp",
      body: "The capstone became the first thing my interviewer asked about.",
      outcome: { type: "new_job" },
    });
    // The worker, with a receiver that answers 503 and a pause after the first failure.
    await deliverDueWebhooks(
      { db: live.db, clock: { now: () => new Date() } },
      {
        pauseAfterFailures: 1,
        fetch: async (target) => new Response("", { status: String(target) === url ? 503 : 200 }),
      },
    );

    await signIn();
    await page.getByRole("link", { name: "Webhooks" }).click();
    const row = page.getByRole("row", { name: new RegExp(url) });
    await row.getByText("1 failed deliveries in a row; the last: HTTP 503", { exact: false }).waitFor();
    await row.getByRole("button", { name: `Resume deliveries to ${url}` }).click();
    await page.getByText(`Deliveries to ${url} resume within a few seconds.`).waitFor();
    const list = (await (await fetch(`${live.baseUrl}/v1/admin/webhooks`, { headers: admin })).json()) as {
      items: { id: string; status: string }[];
    };
    expect(list.items.find((item) => item.id === endpoint.id)?.status).toBe("active");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await expectNoOverflow();
  });

  it("says mail is off and shows the outbox with why a message was not sent", async () => {
    const base = {
      workspaceId: ws.id,
      category: "rewards" as const,
      template: "reward-earned" as const,
      locale: "en" as const,
      data: { firstName: "Priya", reward: "500.00 INR credit", holdUntil: null, shareCode: null },
      learnerId: null,
      toHash: "dashboard-test",
    };
    const clock = { now: () => new Date() };
    await writeTransaction(live.db, async (tx) => {
      await enqueueMail(
        { tx, clock },
        { ...base, key: "dash:1", to: { name: "Priya", address: "priya@learners.example" } },
      );
      await enqueueMail({ tx, clock }, { ...base, key: "dash:2", to: { name: "Ravi", address: "a@b" } });
    });
    await signIn();
    await page.getByRole("link", { name: "Email" }).click();
    await page.getByText("Mail is off: this server has no SMTP_URL and MAIL_FROM.", { exact: false }).waitFor();
    const outbox = page.getByRole("table", { name: "Latest messages, newest first" });
    await expect.poll(() => outbox.getByRole("row", { name: /Suppressed.*invalid address/ }).count()).toBe(1);
    expect(await outbox.getByRole("row", { name: /Queued/ }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await expectNoOverflow();
  });

  it("sets up the hosted advocate page: its address and who may sign in, with what is wrong said per field", async () => {
    await workspaceFactory(live.db, { name: "Other Academy", settings: { slug: "taken-slug" } });
    await signIn();
    await page.getByRole("link", { name: "Settings" }).click();
    const form = page.getByRole("form", { name: "Hosted advocate page" });
    await form.getByLabel(/^Address/).fill("Not A Slug");
    await form.getByRole("radio", { name: /Also anyone at the domains/ }).check();
    await form.getByRole("button", { name: "Save hosted page" }).click();
    await form.getByRole("alert").getByText("Please fix 2 problem(s) below.").waitFor();
    expect(await form.getByText("Use 3 to 40 lower-case letters").count()).toBe(1);
    expect(await form.getByText("List at least one domain, or choose another rule.").count()).toBe(1);
    expect(await form.getByRole("textbox", { name: /^Address/ }).getAttribute("aria-invalid")).toBe("true");
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Another workspace's address comes back from the server, beside the field.
    await form.getByLabel(/^Address/).fill("taken-slug");
    await form.getByLabel(/^Domains/).fill("acme.example\nLearners.Acme.example");
    await form.getByRole("button", { name: "Save hosted page" }).click();
    await form
      .getByText(/taken-slug/)
      .first()
      .waitFor();
    expect(await form.getByRole("textbox", { name: /^Address/ }).getAttribute("aria-invalid")).toBe("true");

    await form.getByLabel(/^Address/).fill("acme-hosted");
    await form.getByRole("button", { name: "Save hosted page" }).click();
    await form.getByRole("status").getByText(`Saved. The page is at ${live.baseUrl}/p/acme-hosted`).waitFor();
    expect(await api<Record<string, unknown>>("/v1/admin/program")).toMatchObject({
      slug: "acme-hosted",
      advocateSignIn: { policy: "domains", domains: ["acme.example", "learners.acme.example"] },
    });
    expect(await form.getByRole("link", { name: "Open the page" }).getAttribute("href")).toBe(
      `${live.baseUrl}/p/acme-hosted`,
    );
  });

  it("sets the auto-approve rule for stories with a form, saying what is wrong beside its field", async () => {
    await signIn();
    await page.getByRole("link", { name: "Settings" }).click();
    const form = page.getByRole("form", { name: "Auto-approve stories" });
    await form.getByRole("checkbox", { name: /^Approve stories that meet/ }).check();
    await form.getByLabel(/^Lowest rating/).fill("7");
    await form.getByRole("button", { name: "Save auto-approve" }).click();
    await form.getByRole("alert").getByText("Please fix 1 problem(s) below.").waitFor();
    expect(await form.getByRole("textbox", { name: /^Lowest rating/ }).getAttribute("aria-invalid")).toBe("true");
    expect(await seriousA11yViolations(page)).toEqual([]);

    await form.getByLabel(/^Lowest rating/).fill("4");
    await form.getByRole("checkbox", { name: "Only stories verified by a credential" }).check();
    await form.getByLabel(/^Blocked words/).fill("scam\n refund now \nscam");
    await form.getByRole("button", { name: "Save auto-approve" }).click();
    await form.getByRole("status").getByText("Saved. Stories that meet the conditions are approved").waitFor();
    expect((await api<{ autoApprove: unknown }>("/v1/admin/program")).autoApprove).toEqual({
      enabled: true,
      requireCredential: true,
      minRating: 4,
      blockedWords: ["scam", "refund now"],
    });
    // Later tests share this workspace: every story waits for a moderator again.
    await form.getByRole("checkbox", { name: /^Approve stories that meet/ }).uncheck();
    await form.getByRole("button", { name: "Save auto-approve" }).click();
    await form.getByRole("status").getByText("Saved. Every story waits for a moderator.").waitFor();
  });

  it("edits the reward rules with a form, not JSON, saying what is wrong beside each field", async () => {
    const before = await api<{ rewardRules: unknown }>("/v1/admin/program");
    await signIn();
    await page.getByRole("link", { name: "Settings" }).click();
    const form = page.getByRole("form", { name: "Reward rules" });
    const all = form.getByRole("group", { name: "Rule for all courses" });
    expect(await all.getByLabel(/^Amount/).inputValue()).toBe("500.00");
    await all.getByLabel(/^Amount/).fill("12.345");
    await form.getByRole("button", { name: "Add a rule" }).click();
    const added = form.getByRole("group", { name: "Rule for all courses" }).nth(1);
    await added.getByLabel(/^Course/).fill("data-analytics");
    const course = form.getByRole("group", { name: "Rule for data-analytics" });
    await course.getByRole("radio", { name: "A percentage of the amount paid" }).check();
    await course.getByLabel(/^Percentage/).fill("7.555");
    await form.getByRole("button", { name: "Save reward rules" }).click();
    await form.getByRole("alert").getByText("Please fix 2 problem(s) below.").waitFor();
    expect(await all.getByText("Enter an amount with at most 2 decimals, like 500 or 499.50.").count()).toBe(1);
    expect(await course.getByText("Enter a percentage from 0.01 to 100, with at most two decimals.").count()).toBe(1);
    expect(await course.getByRole("textbox", { name: /^Percentage/ }).getAttribute("aria-invalid")).toBe("true");
    expect(await seriousA11yViolations(page)).toEqual([]);

    await all.getByLabel(/^Amount/).fill("750.50");
    await course.getByLabel(/^Percentage/).fill("12.5");
    await course.getByLabel(/^At most/).fill("2000");
    await course.getByRole("radio", { name: "Reward each payment, up to" }).check();
    await course.getByLabel("Number of payments").fill("3");
    await form.getByRole("button", { name: "Save reward rules" }).click();
    await form.getByRole("status").getByText("Reward rules saved.").waitFor();
    const saved = await api<{ rewardRules: { rules: unknown[] } }>("/v1/admin/program");
    expect(saved.rewardRules.rules).toEqual([
      expect.objectContaining({ course: null, reward: { type: "fixed", amount: 75_050, currency: "INR" } }),
      expect.objectContaining({
        course: "data-analytics",
        reward: { type: "percent", percent: 12.5, cap: { amount: 200_000, currency: "INR" } },
        payments: { upTo: 3 },
      }),
    ]);
    // The form fits a phone (the settings' JSON textareas above it are 50 columns wide already).
    expect((await form.boundingBox())?.width).toBeLessThanOrEqual(375);
    // Later tests share this workspace: its rules go back as they were.
    await fetch(`${live.baseUrl}/v1/admin/program`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ rewardRules: before.rewardRules }),
    });
  });

  it("edits the email settings with a form that says what is wrong, field by field", async () => {
    await signIn();
    await page.getByRole("link", { name: "Email" }).click();
    const form = page.getByRole("form", { name: "Email settings" });
    await form.getByLabel("Sender and heading name").fill("Acme Academy");
    await form.getByLabel("Logo URL").fill("http://acme.example/logo.png");
    await form.getByLabel("Ask learners for their story").check();
    await form.getByLabel("Days after the completion").fill("0");
    await form.getByLabel("Team addresses").fill("team@acme.example\nnot-an-address");
    await form.getByRole("button", { name: "Save email settings" }).click();
    await form.getByRole("alert").getByText("Please fix 3 problem(s)").waitFor();
    await expect
      .poll(() => form.getByRole("textbox", { name: /Team addresses/ }).getAttribute("aria-invalid"))
      .toBe("true");
    expect(await form.getByText("“not-an-address” is not an email address.").count()).toBe(1);
    expect(await form.getByText("Enter a whole number of days from 1 to 365.").count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await form.getByLabel("Logo URL").fill("https://acme.example/logo.png");
    await form.getByLabel("Days after the completion").fill("10");
    await form.getByLabel("Team addresses").fill("team@acme.example\nOps@Acme.example");
    await form.getByLabel("How often").selectOption("weekly");
    await form.getByRole("button", { name: "Save email settings" }).click();
    await form.getByRole("status").getByText("Email settings saved.").waitFor();
    const saved = await fetch(`${live.baseUrl}/v1/admin/program`, {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(await saved.json()).toMatchObject({
      brand: { name: "Acme Academy", logoUrl: "https://acme.example/logo.png" },
      storyRequest: { enabled: true, days: 10 },
      digest: { frequency: "weekly", recipients: ["team@acme.example", "ops@acme.example"] },
    });
    await expectNoOverflow();
  });

  it("warns on the overview when the friend coupon pool runs low (issue 18)", async () => {
    const pooled = await workspaceFactory(live.db, {
      name: "Pool Academy",
      settings: { friendCoupons: { source: "pool", checkout: null, expiresInDays: null, poolLowAt: 2 } },
    });
    const upload = await fetch(`${live.baseUrl}/v1/admin/friend-coupons/pool`, {
      method: "POST",
      headers: { Authorization: `Bearer ${pooled.secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ csv: "SPRING-AAA1\nSPRING-BBB2\n" }),
    });
    expect(await upload.json()).toMatchObject({ added: 2 });
    await signIn(pooled);
    const panel = page.locator("chorus-friend-coupons-panel");
    await panel.getByRole("heading", { name: "Friend coupon codes" }).waitFor();
    expect(await panel.getByRole("alert").textContent()).toBe(
      "The coupon pool is running low: 2 codes left. Create more codes on your platform and upload them, or new referrals get no code.",
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await expectNoOverflow();
    await page.getByRole("button", { name: "Sign out" }).click();
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

  it("breaks clicks and enrolments down by story and exports each dataset as CSV for the applied period", async () => {
    // A workspace of its own, so the figures the other tests read stay as they are.
    const shop = await seedStoryWorkspace(live.db);
    await signIn(shop.workspace);
    await page.getByRole("link", { name: "Stories" }).click();
    const table = page.getByRole("table", { name: "Referral funnel per shared story, most enrolments first" });
    await table.waitFor();
    // The server answers by clicks (the quiet story has more); the page puts enrolments first.
    expect(await table.getByRole("rowheader").allTextContents()).toEqual([
      `Promoted to lead analystMeera Iyer · ${shop.toldId}`,
      `Ten hours a week, one new careerArjun Mehta · ${shop.quietId}`,
    ]);
    const cells = (headline: string) =>
      table
        .getByRole("row", { name: new RegExp(headline) })
        .getByRole("cell")
        .allTextContents();
    // Clicks, visitors, sign-ups, enrolments, completions, revenue.
    expect(await cells("Promoted to lead analyst")).toEqual(["4", "3", "1", "1", "0", "₹2,500.00"]);
    expect(await cells("Ten hours a week")).toEqual(["5", "5", "0", "0", "0", "–"]);
    const apiRows = await apiAs<{ items: { key: string; clicks: number; enrollments: number }[] }>(
      shop.workspace.secretKey,
      "/v1/analytics/breakdown?dimension=story",
    );
    expect(apiRows.items.map((row) => [row.key, row.clicks, row.enrollments])).toEqual([
      [shop.quietId, 5, 0],
      [shop.toldId, 4, 1],
    ]);

    await page.getByText("Export CSV").click();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await expectNoOverflow();
    const from = await page.getByLabel("From", { exact: true }).inputValue();
    const to = await page.getByLabel("To", { exact: true }).inputValue();
    for (const [dataset, header, ids] of [
      ["clicks", exportHeaders.clicks, shop.clickIds],
      ["conversions", exportHeaders.conversions, shop.conversionIds],
      ["rewards", exportHeaders.rewards, [shop.rewardId]],
      ["stories", exportHeaders.stories, [shop.toldId, shop.quietId]],
    ] as const) {
      const link = page.getByRole("link", { name: `${dataset[0]?.toUpperCase()}${dataset.slice(1)} (CSV)` });
      expect(await link.getAttribute("href")).toBe(`/v1/analytics/export.csv?dataset=${dataset}&from=${from}&to=${to}`);
      const [rows, name] = await download(link);
      expect(name).toBe(`chorus-${dataset}.csv`);
      expect(rows[0]).toEqual(header);
      expect(
        rows
          .slice(1)
          .map((row) => row[0])
          .sort(),
      ).toEqual([...ids].sort());
    }

    // Another period: the breakdown's empty state, and exports of that period (header only).
    await page.getByLabel("From", { exact: true }).fill("2020-01-01");
    await page.getByLabel("To", { exact: true }).fill("2020-01-31");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("No clicks from shared stories yet: authors share a story with their referral link").waitFor();
    const clicksLink = page.getByRole("link", { name: "Clicks (CSV)" });
    expect(await clicksLink.getAttribute("href")).toBe(
      "/v1/analytics/export.csv?dataset=clicks&from=2020-01-01&to=2020-01-31",
    );
    const [rows] = await download(clicksLink);
    expect(rows).toEqual([exportHeaders.clicks]);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("refuses a used link with a clear message, and offers an emailed one", async () => {
    const link = await dashboardLink({ db: live.db, clock: { now: () => new Date() } }, live.baseUrl, ws.id);
    await page.goto(link);
    await page.getByRole("heading", { name: "Funnel" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.goto(link);
    await page.getByText("This sign-in link has expired or was already used").waitFor();
    await page.getByLabel("Your work email").fill("owner@team.test");
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await page.getByText("a sign-in link is on its way").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("ran without page errors or CSP violations", () => {
    expect(problems.filter((problem) => !problem.includes("Failed to load resource"))).toEqual([]);
  });
});
