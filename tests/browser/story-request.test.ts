/**
 * `<chorus-story-form>` opened from a story request email's link, in real Chromium: with no
 * course attribute and no learner token, the link's `chorus_story` token pre-fills the learner's
 * name and course, the story goes in linked to the learner (attested by their completion), and
 * the same link a second time says it was used; in English and Hindi, without serious axe findings.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { learners } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { browserUserAgent, seriousA11yViolations } from "../support/browser.ts";
import { workspaceFactory } from "../support/factories.ts";
import { liveStories } from "../support/story-browser.ts";
import { storyTokenFor } from "../support/story-requests.ts";
import { startWidgetSites, type WidgetSites } from "../support/widget-sites.ts";

let { browser, host, live, close } = {} as WidgetSites;
let ws: CreatedWorkspace;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
const clock = { now: () => new Date() };

beforeAll(async () => {
  ({ browser, host, live, close } = await startWidgetSites());
  ws = await workspaceFactory(live.db, { origins: [host.origin] });
  await live.db.insert(learners).values({
    id: "lrn_asha_story_link",
    workspaceId: ws.id,
    externalId: "asha",
    name: "Asha Rao",
    createdAt: Date.now(),
  });
  await liveStories(live, ws, host.origin).completion("asha", "link-course");
});
afterAll(() => close?.());
beforeEach(async () => {
  context = await browser.newContext({ userAgent: browserUserAgent });
  context.setDefaultTimeout(8000);
  page = await context.newPage();
  pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
});
afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

/** The provider's story page, as the link opens it: the form with no course and no learner token. */
async function openLink(token: string, lang = "en") {
  host.pages.set(
    "/stories",
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Your story</title>
<script type="module" src="${live.baseUrl}/embed.js" data-key="${ws.publishableKey}"></script></head>
<body><main><h1>Tell us</h1><chorus-story-form></chorus-story-form></main></body></html>`,
  );
  await page.goto(`${host.origin}/stories?chorus_story=${encodeURIComponent(token)}&ch=email`);
  return page.locator("chorus-story-form");
}

describe("a story request's link", () => {
  it("pre-fills the form, lets one story in linked to the learner, and says so when used again", async () => {
    const token = await storyTokenFor({ db: live.db, clock }, { ws, learners: [{ sub: "asha" }] }, "link-course");
    const form = await openLink(token);
    await expect.poll(() => form.getByLabel(/^Your name/).inputValue()).toBe("Asha Rao");
    await form.getByLabel(/^Headline/).fill("From the help desk to analytics");
    await form.getByLabel(/^Your story/).fill("The course taught me SQL; I use it every day.");
    await form.getByRole("radio", { name: "5 out of 5" }).check();
    await form.getByLabel(/^What changed/).selectOption("new_job");
    await form.getByRole("checkbox", { name: /^Publish my story/ }).check();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await form.getByRole("button", { name: "Send my story" }).click();
    await form.getByRole("heading", { name: "Thank you! We received your story." }).waitFor();
    const [story] = (
      await live.client.execute({
        sql: "select course, learner_id, verification_level, name from stories where workspace_id = ?",
        args: [ws.id],
      })
    ).rows;
    expect(story).toMatchObject({
      course: "link-course",
      learner_id: "lrn_asha_story_link",
      verification_level: "provider_attested",
      name: "Asha Rao",
    });

    const again = await openLink(token);
    await again.getByRole("alert").getByText("This link was already used: your story is in.").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("says in Hindi that an unknown link does not work, and the form still takes a story", async () => {
    const form = await openLink("srq_nothing.0000", "hi");
    await form.getByRole("alert").getByText("यह लिंक काम नहीं करता", { exact: false }).waitFor();
    expect(await form.getByRole("button").count()).toBeGreaterThan(0);
  });
});
