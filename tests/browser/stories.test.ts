import { join } from "node:path";
import { imageSize } from "image-size";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { sha256Hex } from "../../server/lib/crypto.ts";
import { credentialFetch } from "../../server/services/credentials/fetch.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { browserUserAgent, layoutShift, seriousA11yViolations, startHostSite } from "../support/browser.ts";
import { badge, emailIdentity, jwtIssuer, localServer } from "../support/credentials.ts";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { exifGps, withSegments } from "../support/images.ts";
import { repoRoot } from "../support/processes.ts";
import { storyBody } from "../support/stories.ts";
import { liveStories } from "../support/story-browser.ts";
import { startWidgetSites, type WidgetSites } from "../support/widget-sites.ts";

// The world of the file's tests, started once before them.
let { browser, host, live, close } = {} as WidgetSites;
let ws: CreatedWorkspace;
let context: BrowserContext;
let page: Page;
let stories: ReturnType<typeof liveStories>;
let pageErrors: string[];
let issuer: Awaited<ReturnType<typeof jwtIssuer>>;
// Open Badges 2.0 hosts under the names the baked fixture names (as tests/api/credentials.open-badges-2.test.ts does).
let badges: Awaited<ReturnType<typeof localServer>>;
const badgeIssuer = "https://badges.example/issuer.json";

beforeAll(async () => {
  badges = await localServer();
  const guarded = credentialFetch();
  ({ browser, host, live, close } = await startWidgetSites({
    fetch: (url, init) =>
      url.startsWith("https://badges.example/")
        ? fetch(url.replace("https://badges.example", badges.base), init)
        : guarded(url, init),
  }));
  issuer = await jwtIssuer("EdDSA");
  ws = await workspaceFactory(live.db, {
    origins: [host.origin],
    settings: { credentialIssuers: [{ id: issuer.id, name: issuer.name, publicKeyJwk: issuer.publicKeyJwk }] },
  });
  stories = liveStories(live, ws, host.origin);
});
afterAll(async () => {
  await close?.();
  await badges?.close();
});
beforeEach(async () => {
  context = await browser.newContext({ userAgent: browserUserAgent });
  // A missing element fails with its locator named, well inside the test's own timeout.
  context.setDefaultTimeout(8000);
  page = await context.newPage();
  pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("dialog", (dialog) => {
    pageErrors.push(`unexpected dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
});
afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

function hostPage(body: string, lang = "en", key = ws.publishableKey) {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Data Analytics course</title>
<script type="module" src="${live.baseUrl}/embed.js" data-key="${key}"></script></head>
<body><main><h1>Data Analytics</h1>${body}<p id="below">Course details</p></main></body></html>`;
}

async function open(path: string, body: string, lang = "en", key = ws.publishableKey) {
  host.pages.set(path, hostPage(body, lang, key));
  await page.goto(`${host.origin}${path}`);
}

const wallOf = (p: Page) => p.locator("chorus-story-wall");
const articles = (wall: Locator) => wall.locator("article");
/** The text of the element focused inside a shadow root. */
const focusedText = (element: Locator) => element.evaluate((el) => el.shadowRoot?.activeElement?.textContent?.trim());

/** Fills the required fields of the story form. */
async function fillStory(form: Locator, headline: string) {
  await form.getByLabel(/^Your name/).fill("Asha Rao");
  await form.getByLabel(/^Headline/).fill(headline);
  await form.getByLabel(/^Your story/).fill("Six months after the course I moved into analytics.\nBest decision.");
  await form.getByRole("radio", { name: "4 out of 5" }).check();
  await form.getByLabel(/^What changed/).selectOption("career_switch");
  await form.getByRole("checkbox", { name: /^Publish my story/ }).check();
}

const storyId = async (course: string) =>
  String((await live.client.execute({ sql: "select id from stories where course = ?", args: [course] })).rows[0]?.id);

describe("<chorus-story-form> to <chorus-story-wall>", () => {
  it("submits a story, which appears on the wall after approval with its level and receipt", async () => {
    await stories.completion("asha", "form-course");
    const token = await learnerToken(ws, { sub: "asha", name: "Asha Rao" });
    await open("/tell", `<chorus-story-form course="form-course" learner-token="${token}"></chorus-story-form>`);
    const form = page.locator("chorus-story-form");
    const submitted = page.evaluate(
      () =>
        new Promise<{ id: string; verificationLevel: string }>((resolve) =>
          document.addEventListener("chorus-story-submitted", (event) => resolve((event as CustomEvent).detail)),
        ),
    );

    await fillStory(form, "From teacher to data analyst");
    await form.getByLabel(/^Salary increase/).fill("40");
    await form.getByLabel(/^Months from the course/).fill("6");
    await form.getByRole("checkbox", { name: /^Show my name/ }).check();
    await form.getByRole("checkbox", { name: /^Show my salary/ }).check();
    await form.getByRole("button", { name: "Send my story" }).click();

    const thanks = form.getByRole("heading", { name: "Thank you! We received your story." });
    await thanks.waitFor();
    expect(await focusedText(form)).toBe("Thank you! We received your story.");
    expect(await form.getByText("Verification: Completion confirmed").count()).toBe(1);
    expect(await form.getByLabel("Your edit token").inputValue()).toMatch(/^edit_/);
    expect(await form.getByLabel(/share your story/).inputValue()).toMatch(/\/r\/[^?]+\?s=sty_/);
    const { id, verificationLevel } = await submitted;
    expect(verificationLevel).toBe("provider_attested");

    const row = (await live.client.execute({ sql: "select status, body from stories where id = ?", args: [id] }))
      .rows[0];
    expect(row).toMatchObject({
      status: "pending",
      body: "Six months after the course I moved into analytics.\nBest decision.",
    });

    await open("/wall", `<chorus-story-wall course="form-course"></chorus-story-wall>`);
    expect(await articles(wallOf(page)).count()).toBe(0);
    await stories.approve(id);
    await page.reload();
    const wall = wallOf(page);
    const story = wall.locator("article", { hasText: "From teacher to data analyst" });
    await story.waitFor();
    expect(await story.getByText("Asha Rao").count()).toBe(1);
    expect(await story.getByText("Career switch · 40% higher salary · after 6 months").count()).toBe(1);
    expect(await story.getByText("Rated 4 out of 5").count()).toBe(1);

    const badge = story.getByRole("button", { name: "Completion confirmed: how this was checked" });
    await badge.click();
    const dialog = wall.getByRole("dialog", { name: "Verification receipt" });
    await dialog.getByText("completion", { exact: true }).waitFor();
    expect(await dialog.locator("li", { hasText: "completion" }).textContent()).toContain("Passed");
    expect(await dialog.getByText("The provider confirmed that this learner completed the course.").count()).toBe(1);
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await focusedText(wall)).toContain("Completion confirmed");
  });

  it("resizes a picked photo in the browser, drops its EXIF location, previews it and uploads it with the story", async () => {
    await open("/tell-photo", `<chorus-story-form course="photo-course"></chorus-story-form>`);
    const form = page.locator("chorus-story-form");
    // A real 1600×1200 JPEG (drawn by Chromium), given the EXIF block with GPS a phone writes.
    const drawn = await page.evaluate(() => {
      const canvas = document.createElement("canvas");
      [canvas.width, canvas.height] = [1600, 1200];
      const context = canvas.getContext("2d") as CanvasRenderingContext2D;
      context.fillStyle = "#1d4ed8";
      context.fillRect(0, 0, 1600, 1200);
      context.fillStyle = "#facc15";
      context.fillRect(400, 300, 800, 600);
      return canvas.toDataURL("image/jpeg", 0.9).split(",")[1] as string;
    });
    const picked = withSegments(Buffer.from(drawn, "base64"), exifGps);
    expect(Buffer.from(picked).includes("GPS")).toBe(true);

    await fillStory(form, "A photo of me after the course");
    await form.getByRole("checkbox", { name: /^Show my photo/ }).check();
    await form.getByLabel("Your photo (optional)").setInputFiles({
      name: "me.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from(picked),
    });
    const preview = form.getByRole("img", { name: "Your photo as it will be sent" });
    await preview.waitFor();
    // Removed and picked again: the preview goes and comes back.
    await form.getByRole("button", { name: "Remove photo" }).click();
    await expect.poll(() => preview.count()).toBe(0);
    await form.getByLabel("Your photo (optional)").setInputFiles({
      name: "me.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from(picked),
    });
    await preview.waitFor();
    await form.getByRole("button", { name: "Send my story" }).click();
    await form.getByRole("heading", { name: "Thank you! We received your story." }).waitFor();
    expect(await form.getByText(/photo could not be sent/).count()).toBe(0);

    const id = await storyId("photo-course");
    const [row] = (
      await live.client.execute({
        sql: "select hash, content_type, width, height from story_photos where story_id = ?",
        args: [id],
      })
    ).rows;
    expect(row).toMatchObject({ content_type: "image/jpeg", width: 512, height: 384 });
    await stories.approve(id);
    const served = await fetch(`${live.baseUrl}/v1/story-photos/${id}/${row?.hash}`);
    expect(served.status).toBe(200);
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.includes("Exif")).toBe(false);
    expect(bytes.includes("GPS")).toBe(false);
    const size = imageSize(bytes);
    expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(512);
  });

  it("verifies a pasted VC-JWT, offers its author LinkedIn, and shows the issuer in the wall's receipt", async () => {
    // Issued to the learner whose token the form carries: bound to the author, so verified.
    const identity = await emailIdentity("meera@example.com");
    const jwt = await issuer.sign(badge({ issuer, identity, achievement: "Data Analytics Certificate" }));
    const token = await learnerToken(ws, { sub: "meera", name: "Meera", email: "meera@example.com" });
    await open("/tell", `<chorus-story-form course="cred-course" learner-token="${token}"></chorus-story-form>`);
    const form = page.locator("chorus-story-form");
    await fillStory(form, "Certified and hired");
    await form.getByLabel("Credential format").selectOption("jwt");
    await form.getByLabel("Credential", { exact: true }).fill(jwt);
    await form.getByRole("button", { name: "Send my story" }).click();
    await form.getByText("Verification: Verified credential").waitFor();
    const linkedIn = form.getByRole("link", { name: "Add this credential to LinkedIn" });
    expect(await linkedIn.getAttribute("href")).toMatch(/^https:\/\/www\.linkedin\.com\/profile\/add\?/);
    const params = new URL((await linkedIn.getAttribute("href")) ?? "").searchParams;
    expect(params.get("name")).toBe("Data Analytics Certificate");
    expect(params.get("organizationName")).toBe("Example University");

    await stories.approve(await storyId("cred-course"));
    await open("/wall", `<chorus-story-wall course="cred-course" verified></chorus-story-wall>`);
    const wall = wallOf(page);
    await wall.getByRole("button", { name: "Verified credential: how this was checked" }).click();
    const dialog = wall.getByRole("dialog", { name: "Verification receipt" });
    await dialog.locator("li", { hasText: "proof" }).waitFor();
    expect(await dialog.locator("p", { hasText: "Issuer:" }).textContent()).toContain("Example University");
    expect(await dialog.locator("li", { hasText: "proof" }).textContent()).toContain("Passed");
    expect(await dialog.getByText(/Data Analytics Certificate/).count()).toBe(1);
    expect(await dialog.getByText(/^[0-9a-f]{64}$/).count()).toBe(1);
    // The visitor gets the receipt, not the author's LinkedIn link.
    expect(await dialog.getByRole("link").count()).toBe(0);
  });

  it("shows a credential date that is not a date as the credential wrote it, and the page keeps working", async () => {
    // Posted without a learner token: genuine, but not shown to be the author's.
    const jwt = await issuer.sign(badge({ issuer, achievement: "Odd Dates Certificate" }));
    const story = await stories.approved("odd-dates-course", { credential: { jwt } });
    // The receipt keeps what the issuer wrote; a credential's own dates need not parse.
    await live.client.execute({
      sql: "update stories set verification = json_set(verification, '$.credential.issuedAt', 'spring of 2024', '$.credential.expiresAt', 'never') where id = ?",
      args: [story.id],
    });
    await open("/odd-dates", `<chorus-story-wall course="odd-dates-course"></chorus-story-wall>`);
    const wall = wallOf(page);
    await wall.getByRole("button", { name: "Genuine credential, owner unconfirmed: how this was checked" }).click();
    const dialog = wall.getByRole("dialog", { name: "Verification receipt" });
    await dialog.getByText(/Odd Dates Certificate/).waitFor();
    expect(await dialog.getByText(/not shown to be this learner's/).count()).toBe(1);
    expect(await dialog.getByText(/spring of 2024/).count()).toBe(1);
    expect(await dialog.getByText(/never/).count()).toBe(1);
  });

  it("says so when the visitor has sent too many stories, and keeps what they wrote", async () => {
    const userAgent = `${browserUserAgent} chorus-rate-limit`;
    // Five stories from this visitor (same address, same browser) use up the hour's allowance.
    for (let n = 0; n < 5; n++) await stories.post(storyBody({ course: "busy-course" }), { "User-Agent": userAgent });
    const busy = await browser.newContext({ userAgent });
    try {
      const busyPage = await busy.newPage();
      host.pages.set("/busy", hostPage(`<chorus-story-form course="busy-course"></chorus-story-form>`));
      await busyPage.goto(`${host.origin}/busy`);
      const form = busyPage.locator("chorus-story-form");
      await fillStory(form, "One too many");
      await form.getByRole("button", { name: "Send my story" }).click();
      const summary = form.getByRole("alert");
      await summary.waitFor();
      expect(await summary.textContent()).toContain("Too many stories were sent from this device");
      expect(await form.evaluate((el) => el.shadowRoot?.activeElement?.classList.contains("summary"))).toBe(true);
      expect(await form.getByLabel(/^Headline/).inputValue()).toBe("One too many");
    } finally {
      await busy.close();
    }
  });

  it("validates inline, focuses the error summary on submit, and hides the honeypot from people", async () => {
    await open("/tell", `<chorus-story-form course="form-course"></chorus-story-form>`);
    const form = page.locator("chorus-story-form");
    await form.getByRole("button", { name: "Send my story" }).click();

    const summary = form.getByRole("alert");
    await summary.waitFor();
    expect(await form.evaluate((el) => el.shadowRoot?.activeElement?.classList.contains("summary"))).toBe(true);
    expect(await summary.textContent()).toContain("Please fix 6 problem(s):");
    const name = form.getByLabel(/^Your name/);
    expect(await name.getAttribute("aria-invalid")).toBe("true");
    expect(await name.getAttribute("aria-describedby")).toBe("name-error");
    expect(await form.locator("#name-error").textContent()).toBe("Fill in this field.");
    expect(await form.locator("#publish-error").textContent()).toContain("only collected to be published");

    await summary.getByRole("link", { name: /^Headline/ }).click();
    expect(await form.evaluate((el) => el.shadowRoot?.activeElement?.id)).toBe("headline");

    await name.fill("Ravi");
    await name.blur();
    expect(await name.getAttribute("aria-invalid")).toBe("false");
    await form.getByLabel("Credential format").selectOption("json");
    const credential = form.getByLabel("Credential", { exact: true });
    await credential.fill("{not json");
    await credential.blur();
    expect(await form.locator("#credential-error").textContent()).toBe("Paste the credential's JSON object.");

    // The honeypot is neither announced nor reachable by keyboard.
    expect(await form.getByRole("textbox", { name: "Website" }).count()).toBe(0);
    expect(await form.locator("#website").getAttribute("tabindex")).toBe("-1");
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});

describe("the story form's author: edit, withdraw, a baked badge", () => {
  /** A program of its own: stories without a blocked word approve themselves; the badge host is trusted. */
  const program = () =>
    workspaceFactory(live.db, {
      origins: [host.origin],
      settings: {
        autoApprove: { enabled: true, requireCredential: false, minRating: null, blockedWords: ["scam"] },
        credentialIssuers: [{ id: badgeIssuer, name: "Acme Badges" }],
      },
    });

  it("lets the author edit the story after sending it and on a later visit, re-moderated by the rules, and withdraw it from the wall", async () => {
    const own = await program();
    const token = await learnerToken(own, { sub: "kiran", name: "Kiran" });
    const tell = () =>
      open(
        "/own-tell",
        `<chorus-story-form course="own-course" learner-token="${token}"></chorus-story-form>`,
        "en",
        own.publishableKey,
      );
    const wallHeadlines = async () => {
      await open("/own-wall", `<chorus-story-wall course="own-course"></chorus-story-wall>`, "en", own.publishableKey);
      await wallOf(page).locator(`article, p.placeholder:not([aria-busy="true"])`).first().waitFor();
      return wallOf(page).locator("article h3").allTextContents();
    };
    await tell();
    const form = page.locator("chorus-story-form");
    await fillStory(form, "First words");
    await form.getByRole("button", { name: "Send my story" }).click();
    await form.getByRole("heading", { name: "Thank you! We received your story." }).waitFor();
    // No blocked word: the program's rule approved it at once, and the form says so.
    expect(await form.getByText("It is on this site now.").count()).toBe(1);
    const panel = form.getByRole("region", { name: "Your story" });
    await panel.getByText("Status: published on this site").waitFor();
    // Focus stays on the thank-you, which the panel appears below.
    expect(await focusedText(form)).toBe("Thank you! We received your story.");

    // Right after sending (with the edit token it just received): a new headline, approved again by the rule.
    await panel.getByRole("button", { name: "Edit your story" }).click();
    expect(await form.evaluate((el) => el.shadowRoot?.activeElement?.id)).toBe("own-name");
    await panel.getByLabel("Headline").fill("Better words");
    await panel.getByRole("button", { name: "Save changes" }).click();
    await panel.getByRole("status").getByText("Your changes are saved.").waitFor();
    expect(await wallHeadlines()).toEqual(["Better words"]);

    // A later visit, known by the learner token: a blocked word sends it back to the moderator.
    await tell();
    await panel.getByText("Better words").waitFor();
    expect(await form.getByRole("button", { name: "Send my story" }).count()).toBe(0);
    await panel.getByRole("button", { name: "Edit your story" }).click();
    await panel.getByLabel("Headline").fill("");
    await panel.getByRole("button", { name: "Save changes" }).click();
    expect(await panel.locator("#own-headline-error").textContent()).toBe("Fill in this field.");
    await panel.getByLabel("Headline").fill("Not a scam after all");
    await panel.getByRole("button", { name: "Save changes" }).click();
    await panel.getByText("They appear on this site once the course provider approves them.").waitFor();
    expect(await panel.getByText("Status: waiting for the course provider's approval").count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    const ownStories = liveStories(live, own, host.origin);
    const listed = async () => (await ownStories.list("?course=own-course")).items.map((story) => story.headline);
    expect(await listed()).toEqual([]);
    const [row] = (await live.client.execute({ sql: "select id from stories where workspace_id = ?", args: [own.id] }))
      .rows;
    await ownStories.approve(String(row?.id));
    expect(await listed()).toEqual(["Not a scam after all"]);

    // Withdrawing asks first; keeping it changes nothing, confirming removes it from the wall.
    await tell();
    await panel.getByRole("button", { name: "Withdraw your story" }).click();
    const confirm = panel.getByRole("alertdialog", { name: "Withdraw your story?" });
    await confirm.getByRole("button", { name: "Keep my story" }).click();
    expect(await confirm.count()).toBe(0);
    await panel.getByRole("button", { name: "Withdraw your story" }).click();
    await confirm.getByRole("button", { name: "Yes, withdraw my story" }).click();
    await panel.getByRole("status").getByText("Your story was withdrawn.").waitFor();
    expect(await wallHeadlines()).toEqual([]);
  });

  it("sends a baked badge PNG, which verifies, and says in plain words what is wrong with a file that is not one", async () => {
    const own = await program();
    const email = "tara@example.com";
    badges.publish(
      "/issuer.json",
      JSON.stringify({
        "@context": "https://w3id.org/openbadges/v2",
        type: "Issuer",
        id: badgeIssuer,
        name: "Acme Badges",
        url: "https://badges.example",
      }),
    );
    badges.publish(
      "/badge.json",
      JSON.stringify({
        "@context": "https://w3id.org/openbadges/v2",
        type: "BadgeClass",
        id: "https://badges.example/badge.json",
        name: "Data Analytics Professional",
        issuer: badgeIssuer,
      }),
    );
    badges.publish(
      "/a/baked.json",
      JSON.stringify({
        "@context": "https://w3id.org/openbadges/v2",
        type: "Assertion",
        id: "https://badges.example/a/baked.json",
        recipient: {
          type: "email",
          hashed: true,
          salt: "pepper",
          identity: `sha256$${await sha256Hex(`${email}pepper`)}`,
        },
        badge: "https://badges.example/badge.json",
        issuedOn: "2026-03-15T00:00:00Z",
        verification: { type: "hosted" },
      }),
    );
    const token = await learnerToken(own, { sub: "tara", name: "Tara", email });
    await open(
      "/badge-tell",
      `<chorus-story-form course="badge-course" learner-token="${token}"></chorus-story-form>`,
      "en",
      own.publishableKey,
    );
    const form = page.locator("chorus-story-form");
    await fillStory(form, "Badge in hand");
    await form.getByLabel("Credential format").selectOption("image");
    const file = form.getByLabel("Badge image file (PNG or SVG)");
    await file.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("just some notes") });
    await form
      .locator("#credential-error")
      .getByText("This file is not a PNG or SVG image.", { exact: false })
      .waitFor();
    await file.setInputFiles({
      name: "no-badge.png",
      mimeType: "image/png",
      buffer: Buffer.from("89504e470d0a1a0a0000000049454e44ae426082", "hex"),
    });
    await form.locator("#credential-error").getByText("This image has no badge inside it", { exact: false }).waitFor();
    await file.setInputFiles(join(repoRoot, "tests/fixtures/open-badges/baked-hosted.png"));
    await expect.poll(() => form.locator("#credential-error").count()).toBe(0);
    await form.getByRole("button", { name: "Send my story" }).click();
    await form.getByText("Verification: Verified credential").waitFor();
    const [row] = (
      await live.client.execute({ sql: "select verification from stories where workspace_id = ?", args: [own.id] })
    ).rows;
    expect(JSON.parse(String(row?.verification))).toMatchObject({
      level: "credential_verified",
      credential: { format: "ob2-hosted", url: "https://badges.example/a/baked.json" },
    });
  });
});

/** The workspace's minimum sample (for figures and the wall's JSON-LD) set to 1 for one test. */
async function smallSample() {
  const sample = async (minSampleSize: number) =>
    expect(
      (
        await fetch(`${live.baseUrl}/v1/admin/program`, {
          method: "PATCH",
          headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
          body: JSON.stringify({ minSampleSize }),
        })
      ).status,
    ).toBe(200);
  await sample(1);
  onTestFinished(() => sample(10));
}

describe("<chorus-story-wall>", () => {
  it("renders a hostile story as inert text, and its JSON-LD cannot break out yet parses back to the same text", async () => {
    const hostile = {
      name: "<b>Mallory</b>",
      headline: "<script>window.__pwned = 1</script> headline",
      body: '</script><script>alert(1)</script> <img src=x onerror="window.__pwned = 2"> \u202Eevil\u202C <!-- & -->',
      consent: { publish: true, name: true, photo: false, salary: false },
    };
    await stories.approved("hostile-course", hostile);
    // One story is the sample here: the wall writes JSON-LD only from the minimum sample up.
    await smallSample();
    await open("/wall", `<chorus-story-wall course="hostile-course" course-name="Data Analytics"></chorus-story-wall>`);
    const wall = wallOf(page);
    await articles(wall).first().waitFor();
    const [served] = (await stories.list("?course=hostile-course")).items as { body: string; headline: string }[];

    expect(await wall.locator("article h3").textContent()).toBe(hostile.headline);
    expect(await wall.locator("article .body").textContent()).toBe(served?.body);
    expect(served?.body).toContain("</script><script>alert(1)</script>");
    expect(served?.body).not.toContain("\u202E");
    expect(await wall.getByText("<b>Mallory</b>").count()).toBe(1);
    expect(await wall.locator("article img, article script, article b").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    const scripts = page.locator("chorus-story-wall > script[type='application/ld+json']");
    expect(await scripts.count()).toBe(1);
    const raw = (await scripts.textContent()) ?? "";
    expect(raw).not.toMatch(/[<>]/);
    const jsonLd = JSON.parse(raw);
    expect(jsonLd).toMatchObject({ "@type": "Course", name: "Data Analytics" });
    expect(jsonLd.review).toEqual([
      expect.objectContaining({
        "@type": "Review",
        name: hostile.headline,
        reviewBody: served?.body,
        author: { "@type": "Person", name: "<b>Mallory</b>" },
      }),
    ]);
    // Serialised (as a prerenderer or a page cache would), the page still holds one script per element.
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    expect(html.match(/<script/g)?.length).toBe(2);
    expect(html).not.toContain("alert(1)</script>");
  });

  it("loads more with the cursor, filters by outcome and verification, and removes withdrawn stories", async () => {
    await stories.completion("kiran", "more-course");
    const kiran = await learnerToken(ws, { sub: "kiran", name: "Kiran" });
    await stories.approved(
      "more-course",
      { headline: "Attested promotion", outcome: { type: "promotion" } },
      {
        Authorization: `Bearer ${kiran}`,
      },
    );
    const gone = await stories.approved("more-course", { headline: "Soon withdrawn", outcome: { type: "skills" } });
    for (const n of [1, 2, 3]) await stories.approved("more-course", { headline: `New job ${n}` });

    await smallSample();
    await open("/wall", `<chorus-story-wall course="more-course" layout="list" limit="2"></chorus-story-wall>`);
    const wall = wallOf(page);
    await articles(wall).first().waitFor();
    expect(await articles(wall).count()).toBe(2);
    await wall.getByRole("button", { name: "Load more stories" }).click();
    await expect.poll(() => articles(wall).count()).toBe(4);
    const third = (await articles(wall).nth(2).locator("h3").textContent()) ?? "";
    // Focus moves to the first new story once it has rendered: wait for it rather than race it.
    await expect.poll(() => focusedText(wall)).toContain(third);
    await wall.getByRole("button", { name: "Load more stories" }).click();
    await expect.poll(() => articles(wall).count()).toBe(5);
    expect(await wall.getByRole("button", { name: "Load more stories" }).count()).toBe(0);
    const ld = async () => JSON.parse((await page.locator("chorus-story-wall > script").textContent()) ?? "null");
    await expect.poll(async () => (await ld()).review.length).toBe(5);

    await wall.getByRole("checkbox", { name: "Verified stories only" }).check();
    await expect.poll(() => articles(wall).locator("h3").allTextContents()).toEqual(["Attested promotion"]);
    await wall.getByRole("checkbox", { name: "Verified stories only" }).uncheck();
    await wall.getByLabel("Outcome").selectOption("skills");
    await expect.poll(() => articles(wall).locator("h3").allTextContents()).toEqual(["Soon withdrawn"]);

    expect((await stories.withdraw(gone.id, gone.editToken)).status).toBe(204);
    await page.reload();
    await articles(wall).first().waitFor();
    await wall.getByRole("button", { name: "Load more stories" }).click();
    await expect.poll(() => articles(wall).count()).toBe(4);
    expect(await wall.getByText("Soon withdrawn").count()).toBe(0);
    await expect.poll(async () => JSON.stringify(await ld())).not.toContain("Soon withdrawn");
  });

  it("runs a carousel by keyboard, pauses it, and never advances by itself under reduced motion", async () => {
    for (const n of [1, 2, 3]) await stories.approved("carousel-course", { headline: `Slide story ${n}` });
    const markup = `<chorus-story-wall course="carousel-course" layout="carousel" interval="1"></chorus-story-wall>`;
    await open("/carousel", markup);
    const wall = wallOf(page);
    const current = () => wall.locator(".slide[data-current] h3").textContent();
    const first = await wall.locator(".slide h3").first().textContent();
    await wall.locator(".slide[data-current]").waitFor();
    expect(await current()).toBe(first);
    // It advances by itself, and the page does not jump when it does.
    const shiftBefore = await layoutShift(page);
    await expect.poll(current, { timeout: 4000 }).not.toBe(first);
    expect(await layoutShift(page)).toBe(shiftBefore);

    await wall.getByRole("button", { name: "Pause" }).click();
    expect(await wall.getByRole("button", { name: "Play" }).count()).toBe(1);
    const paused = await current();
    await page.mouse.move(0, 0);
    await page.waitForTimeout(1500);
    expect(await current()).toBe(paused);

    const titles = await wall.locator(".slide h3").allTextContents();
    await wall.getByRole("button", { name: "Next story" }).focus();
    const at = titles.indexOf(paused ?? "");
    await page.keyboard.press("ArrowRight");
    expect(await current()).toBe(titles[(at + 1) % 3]);
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    expect(await current()).toBe(titles[(at + 2) % 3]);
    await page.keyboard.press("Home");
    expect(await current()).toBe(titles[0]);
    // Only the current slide is visible, to eyes and to assistive technology.
    expect(await wall.getByRole("heading", { level: 3 }).count()).toBe(1);
    expect(await wall.getByRole("group", { name: "1 of 3" }).count()).toBe(1);

    await page.emulateMedia({ reducedMotion: "reduce" });
    await page.reload();
    await wall.locator(".slide[data-current]").waitFor();
    const still = await current();
    await page.waitForTimeout(2500);
    expect(await current()).toBe(still);
    expect(await wall.getByRole("button", { name: /^(Pause|Play)$/ }).count()).toBe(0);
    await wall.getByRole("button", { name: "Next story" }).click();
    expect(await current()).not.toBe(still);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});

describe("under a strict Content-Security-Policy", () => {
  it("renders all three elements and their JSON-LD with nothing refused", async () => {
    const strict = await startHostSite({
      "Content-Security-Policy": `default-src 'none'; script-src ${live.baseUrl}; connect-src ${live.baseUrl}; img-src https:; base-uri 'none'`,
    });
    try {
      const strictWs = await workspaceFactory(live.db, { origins: [strict.origin], settings: { minSampleSize: 1 } });
      await liveStories(live, strictWs, strict.origin).approved("csp-course", { headline: "Under CSP" });
      strict.pages.set(
        "/csp",
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CSP</title>
<script type="module" src="${live.baseUrl}/embed.js" data-key="${strictWs.publishableKey}"></script></head>
<body><main><h1>Course</h1><chorus-story-wall course="csp-course"></chorus-story-wall>
<chorus-outcome-stats course="csp-course"></chorus-outcome-stats><chorus-story-form course="csp-course"></chorus-story-form></main></body></html>`,
      );
      const refused: string[] = [];
      page.on(
        "console",
        (message) => /Refused|Content Security Policy/i.test(message.text()) && refused.push(message.text()),
      );
      await page.goto(`${strict.origin}/csp`);
      const story = wallOf(page).locator("article", { hasText: "Under CSP" });
      await story.waitFor();
      await page.locator("chorus-outcome-stats section").waitFor();
      await page.locator("chorus-story-form form").waitFor();
      // The markup's builder is an on-demand chunk that loads after the stories are on screen.
      await expect.poll(() => page.locator("chorus-story-wall > script[type='application/ld+json']").count()).toBe(1);
      // The adopted stylesheets applied: the card has its border radius.
      expect(await story.evaluate((el) => getComputedStyle(el).borderTopLeftRadius)).toBe("12px");
      expect(refused).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});

describe("<chorus-outcome-stats>", () => {
  it("shows no figures below the minimum sample and k/n figures with their samples above it", async () => {
    for (const n of [1, 2, 3]) await stories.approved("few-course", { headline: `Few ${n}` });
    const outcomes: [string, number][] = [
      ["new_job", 6],
      ["promotion", 4],
      ["skills", 2],
    ];
    let pct = 15;
    for (const [type, count] of outcomes)
      for (let i = 0; i < count; i++, pct += 5)
        await stories.approved("many-course", {
          headline: `${type} ${i}`,
          outcome: { type, salaryIncreasePct: pct, monthsToOutcome: 3 },
        });

    await open(
      "/stats",
      `<chorus-outcome-stats id="few" course="few-course"></chorus-outcome-stats>
       <chorus-outcome-stats id="many" course="many-course"></chorus-outcome-stats>
       <chorus-story-wall id="few-wall" course="few-course" limit="1"></chorus-story-wall>
       <chorus-story-wall id="many-wall" course="many-course" limit="1"></chorus-story-wall>`,
    );
    // The JSON-LD too: a Course with its aggregate rating and reviews from 12 approved stories
    // (k = 10), none for 3. Both walls load the builder together, so once one has written, the other has decided.
    const markup = (id: string) => page.locator(`#${id} > script[type='application/ld+json']`);
    await expect.poll(() => markup("many-wall").count()).toBe(1);
    const jsonLd = JSON.parse((await markup("many-wall").textContent()) ?? "{}");
    expect(jsonLd).toMatchObject({
      "@type": "Course",
      aggregateRating: { "@type": "AggregateRating", ratingCount: 12 },
    });
    expect(jsonLd.review).toHaveLength(1);
    expect(await markup("few-wall").count()).toBe(0);
    const few = page.locator("#few");
    await few.getByRole("heading", { name: "What learners achieved" }).waitFor();
    const fewText = (await few.locator("section").textContent()) ?? "";
    expect(fewText).toContain("Not enough stories yet (n < 10) to show figures: 3 so far.");
    expect(fewText).not.toMatch(/\d\s*%/);

    const many = page.locator("#many");
    await many.getByRole("table").waitFor();
    const row = (type: string) => many.getByRole("row", { name: new RegExp(`^${type}`) });
    // The row's cells, each read on its own: markup between cells carries no whitespace.
    const text = async (type: string) =>
      (await row(type).locator("th, td").allTextContents()).join(" ").replace(/\s+/g, " ").trim();
    expect(await text("New job")).toBe("New job 6/12 6 of 12 stories 50%");
    expect(await text("Promotion")).toBe("Promotion 4/12 4 of 12 stories 33%");
    expect(await text("New skills")).toBe("New skills 2/12 2 of 12 stories 17%");
    expect(await text("Career switch")).toBe("Career switch 0/12 0 of 12 stories 0%");
    expect(await row("New job").locator("svg").getAttribute("aria-hidden")).toBe("true");
    expect(await many.getByText("6 of 12 stories").count()).toBe(1);
    // Salaries 15, 20, … 70: the median of twelve is the mean of the middle two.
    expect(await many.getByText("42.5%").count()).toBe(1);
    expect(await many.getByText("from 12 stories that gave it").count()).toBe(2);
    expect(await many.getByText("3 months").count()).toBe(1);
    expect(await many.getByText("0/12 (0%), of which 0 by credential").count()).toBe(1);
    await many.getByText("How these figures are made").click();
    expect(await many.getByText(/not from a survey of every learner/).isVisible()).toBe(true);
  });
});

describe("all three on one page", () => {
  const markup = (token: string) => `<chorus-outcome-stats course="page-course"></chorus-outcome-stats>
    <chorus-story-wall course="page-course"></chorus-story-wall>
    <chorus-story-form course="page-course" learner-token="${token}"></chorus-story-form>`;
  beforeAll(async () => {
    for (const n of [1, 2, 3]) await stories.approved("page-course", { headline: `Page story ${n}` });
  });

  it("has no serious accessibility violation and does not shift the layout, with a receipt open too", async () => {
    await open("/all", markup(await learnerToken(ws, { sub: "page" })));
    await page.locator("chorus-story-wall article").first().waitFor();
    await page.locator("chorus-outcome-stats section").waitFor();
    await page.locator("chorus-story-form form").waitFor();
    expect(await layoutShift(page)).toBeLessThan(0.1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await wallOf(page)
      .getByRole("button", { name: /how this was checked/ })
      .first()
      .click();
    await wallOf(page).getByRole("dialog").getByText("Not checked").first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("speaks Hindi with lang=hi, in the dark theme too", async () => {
    await open(
      "/hi",
      markup(await learnerToken(ws, { sub: "hi-page" })).replace(/<(chorus-[a-z-]+) /g, '<$1 theme="dark" '),
      "hi",
    );
    const form = page.locator("chorus-story-form");
    await form.getByRole("heading", { name: "अपनी सफलता की कहानी बताएँ" }).waitFor();
    await page.locator("chorus-story-wall article").first().waitFor();
    expect(
      await page
        .locator("chorus-story-wall")
        .getByRole("button", { name: /इसकी जाँच कैसे हुई/ })
        .count(),
    ).toBe(3);
    expect(await page.locator("chorus-outcome-stats").getByText("शिक्षार्थियों ने क्या हासिल किया").count()).toBe(1);
    expect(
      await page
        .locator("chorus-outcome-stats")
        .getByText(/अभी पर्याप्त कहानियाँ नहीं हैं \(n < 10\)/)
        .count(),
    ).toBe(1);
    const background = (element: Locator, selector: string) =>
      element.evaluate(
        (el, s) => getComputedStyle(el.shadowRoot?.querySelector(s) as Element).backgroundColor,
        selector,
      );
    expect(await background(form, ".panel")).toBe("rgb(17, 24, 39)");
    expect(await background(page.locator("chorus-outcome-stats"), ".stats")).toBe("rgb(17, 24, 39)");
    await form.getByRole("button", { name: "मेरी कहानी भेजें" }).click();
    expect(await form.getByRole("alert").textContent()).toContain("कृपया 6 समस्या ठीक करें");
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});

describe("Hindi strings, loaded on demand", () => {
  it("are never requested by an English page, and arrive for a Hindi one, under a strict CSP", async () => {
    const strict = await startHostSite({
      "Content-Security-Policy": `default-src 'none'; script-src ${live.baseUrl}; connect-src ${live.baseUrl}; img-src https:; base-uri 'none'`,
    });
    try {
      const strictWs = await workspaceFactory(live.db, { origins: [strict.origin], settings: { minSampleSize: 1 } });
      await liveStories(live, strictWs, strict.origin).approved("lazy-course", { headline: "Lazy strings" });
      const token = await learnerToken(strictWs, { sub: "lazy" });
      // The card last: it grows past its reserved space when its data arrives, in any language.
      const pageIn = (
        lang: string,
      ) => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Course</title>
<script type="module" src="${live.baseUrl}/embed.js" data-key="${strictWs.publishableKey}"></script></head>
<body><main><h1>Course</h1><chorus-outcome-stats course="lazy-course"></chorus-outcome-stats>
<chorus-story-wall course="lazy-course"></chorus-story-wall><chorus-story-form course="lazy-course"></chorus-story-form>
<chorus-referral-card learner-token="${token}"></chorus-referral-card><p id="below">Details</p></main></body></html>`;
      strict.pages.set("/en", pageIn("en"));
      strict.pages.set("/hi", pageIn("hi"));
      const scripts: string[] = [];
      page.on("request", (request) => {
        if (request.resourceType() === "script") scripts.push(new URL(request.url()).pathname);
      });
      const refused: string[] = [];
      page.on(
        "console",
        (message) => /Refused|Content Security Policy/i.test(message.text()) && refused.push(message.text()),
      );
      const hindiChunks = () => scripts.flatMap((path) => path.match(/([\w.-]+\.hi)-[\w-]+\.js$/)?.[1] ?? []).sort();
      const stats = page.locator("chorus-outcome-stats");
      const wall = wallOf(page);
      const form = page.locator("chorus-story-form");
      const card = page.locator("chorus-referral-card");

      await page.goto(`${strict.origin}/en`);
      await stats.getByRole("heading", { name: "What learners achieved" }).waitFor();
      await wall
        .locator("article", { hasText: "Lazy strings" })
        .getByRole("button", { name: /how this was checked/ })
        .waitFor();
      await form.getByRole("heading", { name: "Tell your success story" }).waitFor();
      await card.getByRole("button", { name: "Copy" }).waitFor();
      expect(
        scripts.filter((path) => /\/(outcome-stats|story-wall|story-form|referral-card)-/.test(path)),
      ).toHaveLength(4);
      expect(hindiChunks()).toEqual([]);

      scripts.length = 0;
      await page.goto(`${strict.origin}/hi`);
      await stats.getByRole("heading", { name: "शिक्षार्थियों ने क्या हासिल किया" }).waitFor();
      await wall
        .locator("article", { hasText: "Lazy strings" })
        .getByRole("button", { name: /इसकी जाँच कैसे हुई/ })
        .waitFor();
      await form.getByRole("heading", { name: "अपनी सफलता की कहानी बताएँ" }).waitFor();
      await card.getByRole("button", { name: "कॉपी करें" }).waitFor();
      // Each element's own strings, the story elements' shared ones, the card's: each fetched once.
      expect(hindiChunks()).toEqual(["i18n.hi", "outcome-stats.hi", "stories.hi", "story-form.hi", "story-wall.hi"]);
      expect(await wall.getByText("Self-reported").count()).toBe(0);
      expect(await layoutShift(page)).toBeLessThan(0.1);
      expect(refused).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});
