/**
 * Hostile content in real Chromium: every payload of the XSS corpus, sent through every field that
 * reaches a widget, the dashboard or JSON-LD, renders as inert text. Inert means: the canary
 * (`alert` and friends, `window.__xss`) never fires, no element or attribute that only a payload
 * could make exists (shadow roots included), the text reads back literally, and each JSON-LD
 * block parses as JSON with the payload as a string and no `<` or `>` that could end the script.
 * Payloads are batched: one page shows many of them at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { learners } from "../../db/schema.ts";
import { cleanText } from "../../server/services/stories.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { learnerSessionFor } from "../support/advocate-page.ts";
import { browserUserAgent } from "../support/browser.ts";
import { badge, jwtIssuer } from "../support/credentials.ts";
import { recordViolations, type Violation } from "../support/csp.ts";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { type RunningServer, startServer } from "../support/processes.ts";
import { liveStories } from "../support/story-browser.ts";
import { dashboardLink } from "../support/team.ts";
import { startWidgetSites, type WidgetSites } from "../support/widget-sites.ts";
import { canaryHits, deepText, findInjected, installCanary, PayloadTally, xssPayloads } from "../support/xss-corpus.ts";

// The world of the file's tests, started once before them.
let { browser, host, live, close } = {} as WidgetSites;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
let violations: Violation[];
const tally = new PayloadTally();

/** The payload cut to a field's length limit (the long payload is longer than most fields). */
const cut = (payload: string, max: number) => payload.slice(0, max);
/** Text a story field keeps: the server removes bidi and control characters, as it documents. */
const storyText = (payload: string, max: number) => cleanText(cut(payload, max));

beforeAll(async () => {
  ({ browser, host, live, close } = await startWidgetSites());
});
afterAll(async () => {
  if (tally.total > 0) console.log(tally.summary());
  await close?.();
});
beforeEach(async () => {
  context = await browser.newContext({ userAgent: browserUserAgent, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  await installCanary(context);
  violations = await recordViolations(context);
  page = await context.newPage();
  pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
});
afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
  // Under the demo's and dashboard's strict CSPs a payload that tried to run would also show here.
  expect(violations).toEqual([]);
});

/** What the story endpoints accept as a photo URL. */
const httpsUrl = z.url({ protocol: /^https$/ }).max(2000);

/** `work` for every item, a few at a time (the server and Chromium share two cores). */
async function inBatches<T, R>(items: readonly T[], work: (item: T, index: number) => Promise<R>, size = 6) {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size)
    results.push(...(await Promise.all(items.slice(start, start + size).map((item, k) => work(item, start + k)))));
  return results;
}

/** Nothing ran and nothing was injected, after giving late handlers (image errors) time to fire. */
async function expectInert(where: string) {
  await page.waitForTimeout(300);
  expect(await findInjected(page), where).toEqual([]);
  expect(await canaryHits(page), where).toBe(0);
}

function hostPage(ws: CreatedWorkspace, body = "") {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Course</title>
<script type="module" src="${live.baseUrl}/embed.js" data-key="${ws.publishableKey}"></script></head>
<body><main id="main">${body}</main></body></html>`;
}

async function api(ws: CreatedWorkspace, method: string, path: string, body?: unknown) {
  const response = await fetch(`${live.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json().catch(() => null)) as Record<string, unknown> };
}

/** The learner's referral code, as the card asks for it. */
async function referralCode(ws: CreatedWorkspace, token: string, course?: string): Promise<string> {
  const response = await fetch(`${live.baseUrl}/v1/referrals/me`, {
    method: "POST",
    headers: {
      "Chorus-Key": ws.publishableKey,
      Origin: host.origin,
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify(course ? { course } : {}),
  });
  if (response.status !== 200) throw new Error(`referrals/me: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { code: string }).code;
}

describe("the checks themselves", () => {
  it("catch the corpus when a page does render it as HTML", async () => {
    const ws = await workspaceFactory(live.db, { origins: [host.origin] });
    host.pages.set("/unsafe", hostPage(ws));
    await page.goto(`${host.origin}/unsafe`);
    const caught = await page.evaluate((payloads) => {
      const main = document.getElementById("main") as HTMLElement;
      return payloads.map((payload) => {
        const holder = document.createElement("div");
        holder.className = "unsafe";
        holder.innerHTML = payload; // what a template must never do
        main.append(holder);
        return holder.children.length > 0;
      });
    }, xssPayloads);
    await page.waitForTimeout(300);
    const injected = await findInjected(page);
    // Most payloads make markup when parsed as HTML, the scan sees it, and several run.
    expect(caught.filter(Boolean).length).toBeGreaterThan(30);
    expect(injected.length).toBeGreaterThan(30);
    expect(await canaryHits(page)).toBeGreaterThan(3);
    pageErrors.length = 0;
    violations.length = 0;
  });
});

describe("widgets", () => {
  it("story wall, receipts, outcome stats and JSON-LD render every payload in every story field inert", async () => {
    const issuer = await jwtIssuer("EdDSA");
    // The allow-listed issuer has no name of its own, so the receipt shows the credential's.
    const ws = await workspaceFactory(live.db, {
      origins: [host.origin],
      settings: { credentialIssuers: [{ id: issuer.id, publicKeyJwk: issuer.publicKeyJwk }] },
    });
    const stories = liveStories(live, ws, host.origin);
    const courses = ["xss-wall-a", "xss-wall-b"];
    const sent = await inBatches(xssPayloads, async (payload, i) => {
      const course = courses[i % 2] as string;
      const jwt = await issuer.sign(
        badge({ issuer: { id: issuer.id, name: cut(payload, 200) }, achievement: cut(payload, 200) }),
      );
      // A photo URL must be https; markup may still ride in its query.
      const photoUrl = `https://images.example/p.jpg?q=${payload}`;
      const photo = httpsUrl.safeParse(photoUrl).success;
      const story = await stories.approved(course, {
        name: cut(payload, 80),
        headline: cut(payload, 140),
        body: payload,
        consent: { publish: true, name: true, photo, salary: false },
        photoUrl: photo ? photoUrl : null,
        credential: { jwt },
      });
      return { id: story.id, course, payload, photoUrl: photo ? photoUrl : null };
    });

    host.pages.set("/xss-wall", hostPage(ws));
    await page.goto(`${host.origin}/xss-wall`);
    // Built through the DOM so that the host page itself stays free of payloads: two full walls,
    // their outcome statistics, and one small wall per payload used as the JSON-LD course name.
    await page.evaluate(
      ({ courses, names }) => {
        const main = document.getElementById("main") as HTMLElement;
        const add = (tag: string, attributes: Record<string, string>) => {
          const element = document.createElement(tag);
          for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
          main.append(element);
        };
        for (const course of courses) {
          add("chorus-outcome-stats", { course });
          add("chorus-story-wall", { course, layout: "list", limit: "50", "course-name": "Data Analytics" });
        }
        for (const name of names)
          add("chorus-story-wall", { course: courses[0] as string, layout: "list", limit: "1", "course-name": name });
      },
      { courses, names: xssPayloads },
    );
    const bigWalls = page.locator("chorus-story-wall[limit='50']");
    for (const n of [0, 1])
      await expect
        .poll(() => bigWalls.nth(n).locator("article").count(), { timeout: 20_000 })
        .toBe(xssPayloads.length / 2);
    await expect
      .poll(() => page.locator("chorus-story-wall > script[type='application/ld+json']").count(), { timeout: 20_000 })
      .toBe(2 + xssPayloads.length);
    for (const n of [0, 1]) await page.locator("chorus-outcome-stats").nth(n).locator("h2").waitFor();

    // Shown literally: each field reads back as the API serves it, and that is what was sent
    // (less the bidi and control characters the server documents removing).
    const served = new Map<string, Record<string, string>>();
    for (const course of courses) {
      const list = (await stories.list(`?course=${course}&limit=50`)).items as Record<string, string>[];
      for (const item of list) served.set(item.id as string, item);
    }
    for (const { id, payload } of sent) {
      const story = served.get(id);
      expect(story?.headline).toBe(storyText(payload, 140));
      expect(story?.body).toBe(storyText(payload, 5000));
      expect(story?.name).toBe(storyText(payload, 80));
    }
    for (const [n, course] of courses.entries()) {
      const wall = bigWalls.nth(n);
      const expected = sent.filter((story) => story.course === course).map((story) => served.get(story.id));
      const sorted = (values: (string | null | undefined)[]) => [...values].sort();
      expect(sorted(await wall.locator("article h3").allTextContents())).toEqual(
        sorted(expected.map((s) => s?.headline)),
      );
      expect(sorted(await wall.locator("article .body").allTextContents())).toEqual(
        sorted(expected.map((s) => s?.body)),
      );
      expect(sorted(await wall.locator("article .name").allTextContents())).toEqual(
        sorted(expected.map((s) => s?.name)),
      );
    }
    const photos = await page.evaluate(() =>
      [...document.querySelectorAll("chorus-story-wall[limit='50']")].flatMap((wall) =>
        [...(wall.shadowRoot?.querySelectorAll("article img") ?? [])].map((img) => img.getAttribute("src")),
      ),
    );
    const withPhoto = sent.filter((story) => story.photoUrl !== null);
    expect(withPhoto.length).toBeGreaterThan(40);
    // The author's URL (payload in its query) never reaches the page: the wall shows only Chorus's
    // checked copies, and a URL that serves no image is refused at approval.
    const chorusCopies = withPhoto.flatMap((story) => served.get(story.id)?.photoUrl ?? []);
    expect([...photos].sort()).toEqual(chorusCopies.sort());
    expect(photos.filter((src) => src?.includes("images.example"))).toEqual([]);
    tally.add("story.photoUrl (img src)", withPhoto.length);
    tally.add("story.name", sent.length);
    tally.add("story.headline", sent.length);
    tally.add("story.body", sent.length);

    // JSON-LD: valid JSON, the payloads as string values, nothing that could close the script.
    const blocks = await page.locator("chorus-story-wall > script[type='application/ld+json']").allTextContents();
    const reviews = new Map<string, unknown>();
    const courseNames: string[] = [];
    for (const raw of blocks) {
      expect(raw).not.toMatch(/[<>]/);
      const jsonLd = JSON.parse(raw) as {
        name: string;
        review: { name: string; reviewBody: string; author: unknown }[];
      };
      courseNames.push(jsonLd.name);
      for (const review of jsonLd.review) reviews.set(review.name, review);
    }
    for (const { id } of sent) {
      const story = served.get(id) as Record<string, string>;
      expect(reviews.get(story.headline as string)).toMatchObject({
        "@type": "Review",
        reviewBody: story.body,
        author: { "@type": "Person", name: story.name },
      });
    }
    for (const payload of xssPayloads) expect(courseNames).toContain(payload);
    tally.add("JSON-LD review (headline, body, author)", sent.length);
    tally.add("JSON-LD course name (course-name attribute)", xssPayloads.length);
    // Serialised as a page cache would: the loader's script and the JSON-LD blocks, nothing more.
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    expect(html.match(/<script/gi)?.length).toBe(1 + blocks.length);

    // Each story's verification receipt (the credential's name and issuer name), opened in the
    // page itself: a locator round trip per dialog would take most of this test's time.
    const opened = await page.evaluate(async () => {
      const until = async <T>(probe: () => T | null | undefined): Promise<T> => {
        for (let tries = 0; tries < 200; tries++) {
          const value = probe();
          if (value) return value;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        throw new Error("receipt did not open or close");
      };
      const seen: { headline: string; text: string }[] = [];
      for (const wall of document.querySelectorAll("chorus-story-wall[limit='50']")) {
        const root = wall.shadowRoot as ShadowRoot;
        for (const article of root.querySelectorAll("article")) {
          article.querySelector<HTMLButtonElement>("button.badge")?.click();
          const dialog = await until(() => {
            const open = root.querySelector<HTMLDialogElement>("dialog[open]");
            return open?.textContent?.includes("Issuer:") ? open : null;
          });
          seen.push({ headline: article.querySelector("h3")?.textContent ?? "", text: dialog.textContent ?? "" });
          dialog.close();
          await until(() => !root.querySelector("dialog"));
        }
      }
      return seen;
    });
    expect(opened).toHaveLength(sent.length);
    const receipts = await Promise.all(
      sent.map(async ({ id, payload }) => {
        const response = await fetch(`${live.baseUrl}/v1/stories/${id}/verification`, {
          headers: { "Chorus-Key": ws.publishableKey, Origin: host.origin },
        });
        const receipt = (await response.json()) as {
          level: string;
          issuer: { name: string };
          credential: { name: string };
        };
        return { id, payload, receipt };
      }),
    );
    for (const { id, payload, receipt } of receipts) {
      // Posted with the publishable key alone: genuine, not shown to be the author's (issue 15).
      expect(receipt.level).toBe("credential_genuine");
      expect(receipt.credential.name).toBe(cut(payload, 200));
      expect(receipt.issuer.name).toBe(cut(payload, 200));
      const shown = opened.find((entry) => entry.headline === served.get(id)?.headline);
      expect(shown?.text).toContain(receipt.credential.name);
      expect(shown?.text).toContain(receipt.issuer.name);
    }
    tally.add("credential.name (receipt)", sent.length);
    tally.add("credential.issuer.name (receipt)", sent.length);
    await expectInert("story walls");
  }, 120_000);

  it("referral banner (referrer name) and referral card (workspace name in share links) render every payload inert", async () => {
    // One workspace per payload (its name goes into the share message) with one advocate (whose
    // name the banner shows). Each landing is its own frame, so all of them load at once.
    const landings = await inBatches(xssPayloads, async (payload, i) => {
      const ws = await workspaceFactory(live.db, { name: cut(payload, 200), origins: [host.origin] });
      const token = await learnerToken(ws, { sub: `advocate-${i}`, name: cut(payload, 200) });
      const code = await referralCode(ws, token);
      const info = (await (
        await fetch(`${live.baseUrl}/v1/referrals/${code}`, {
          headers: { "Chorus-Key": ws.publishableKey, Origin: host.origin },
        })
      ).json()) as { referrer: { name: string | null } };
      host.pages.set(
        `/ref-${i}`,
        hostPage(
          ws,
          `<chorus-referral-banner></chorus-referral-banner><chorus-referral-card learner-token="${token}"></chorus-referral-card>`,
        ),
      );
      return { payload, path: `/ref-${i}?via=${code}`, referrer: info.referrer.name ?? "" };
    });
    host.pages.set(
      "/ref-all",
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Landings</title></head><body>${landings
        .map(({ path }) => `<iframe src="${path}" width="640" height="900" title="landing"></iframe>`)
        .join("")}</body></html>`,
    );
    await page.goto(`${host.origin}/ref-all`);

    for (const [i, { payload, path, referrer }] of landings.entries()) {
      // The API greets with the referrer's first name.
      expect(referrer, `payload ${i}`).toBe(cut(payload, 200).trim().split(/\s+/)[0]);
      const frame = page.frames().find((f) => f.url().endsWith(path));
      if (!frame) throw new Error(`no frame for ${path}`);
      const banner = frame.locator("chorus-referral-banner aside");
      await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toContain(referrer);
      const card = frame.locator("chorus-referral-card");
      await card.locator("[part='copy-button']").waitFor({ timeout: 20_000 });
      const hrefs = await card.evaluate((el) =>
        [...(el.shadowRoot?.querySelectorAll("a[href]") ?? [])].map((a) => a.getAttribute("href") ?? ""),
      );
      expect(hrefs.length).toBeGreaterThan(5);
      for (const href of hrefs) expect(href).toMatch(/^(https:\/\/|mailto:\?|sms:\?)/);
      const whatsapp = hrefs.find((href) => href.startsWith("https://wa.me/")) ?? "";
      expect(new URL(whatsapp).searchParams.get("text")).toContain(cut(payload, 200));
      expect(await findInjected(frame), `payload ${i}`).toEqual([]);
    }
    tally.add("learner.name (banner)", xssPayloads.length);
    tally.add("workspace.name (card share links)", xssPayloads.length);
    // The outer page's iframes are the test's own; each frame was scanned above.
    await page.waitForTimeout(300);
    expect(await canaryHits(page)).toBe(0);
  }, 120_000);
});

describe("dashboard", () => {
  it("shows every payload in stories, conversions, decision logs, advocates, courses, rewards, webhooks and settings as text", async () => {
    const ws = await workspaceFactory(live.db, { origins: [host.origin] });
    const stories = liveStories(live, ws, host.origin);
    /** `id` must be printable ASCII without spaces: `/` separates attributes as a space would. */
    const asId = (payload: string, suffix: string) =>
      `${cut(payload, 180)
        .replace(/\s/g, "/")
        .replace(/[^\x21-\x7e]/g, "_")}#${suffix}`;
    const expectText: Record<string, string[]> = {
      stories: [],
      conversions: [],
      advocates: [],
      advocateIds: [],
      courses: [],
      rewards: [],
      webhooks: [],
    };
    const storyTags: string[] = [];
    let webhooks = 0;
    await inBatches(xssPayloads, async (payload, i) => {
      const course = `xss-${i}`;
      const story = await stories.post({
        course,
        name: cut(payload, 80),
        headline: cut(payload, 140),
        body: payload,
        rating: 4,
        outcome: { type: "new_job" },
        consent: { publish: true, name: true },
      });
      const tags = await api(ws, "PATCH", `/v1/admin/stories/${story.id}`, { tags: [cut(payload, 40)] });
      expect(tags.status).toBe(200);
      storyTags.push(...((tags.json.tags as string[]) ?? []));
      expectText.stories?.push(storyText(payload, 140), storyText(payload, 5000), storyText(payload, 80));

      expect(
        (
          await api(ws, "PUT", `/v1/admin/courses/${course}`, {
            title: cut(payload, 200),
            url: `https://academy.example/${course}`,
          })
        ).status,
      ).toBe(200);
      expectText.courses?.push(cut(payload, 200).trim());

      const token = await learnerToken(ws, { sub: `id:${cut(payload, 190)}`, name: cut(payload, 200) });
      const code = await referralCode(ws, token, course);
      expectText.advocates?.push(cut(payload, 200));
      expectText.advocateIds?.push(`id:${cut(payload, 190)}`);

      const attributed = await api(ws, "POST", "/v1/conversions", {
        id: asId(payload, `a${i}`),
        type: "enrollment",
        customer: { id: `${cut(payload, 190)}#${i}`, name: cut(payload, 200) },
        course,
        amount: 100_000,
        currency: "INR",
        clickId: cut(payload, 64),
        code,
      });
      expect(attributed.status, JSON.stringify(attributed.json)).toBe(201);
      const unattributed = await api(ws, "POST", "/v1/conversions", {
        id: asId(payload, `b${i}`),
        type: "signup",
        customer: { id: `other-${i}` },
        code: cut(payload, 64),
        metadata: { note: cut(payload, 500) },
      });
      expect(unattributed.status, JSON.stringify(unattributed.json)).toBe(201);
      expectText.conversions?.push(
        cut(payload, 200),
        asId(payload, `a${i}`),
        asId(payload, `b${i}`),
        `${cut(payload, 190)}#${i}`,
        `no click ${cut(payload, 64)} in this workspace`,
        `no referral code or friend coupon code ${cut(payload, 64)} in this workspace`,
      );

      // A friend's click with a hostile channel and story id: the channel is kept as "other".
      const click = await fetch(
        `${live.baseUrl}/r/${code}?ch=${encodeURIComponent(payload)}&s=${encodeURIComponent(payload)}&utm_source=${encodeURIComponent(payload)}`,
        { redirect: "manual", headers: { "User-Agent": `${browserUserAgent} friend-${i}` } },
      );
      expect(click.status).toBe(302);
      expect(click.headers.get("Location")).not.toContain(payload);

      const hook = await api(ws, "POST", "/v1/admin/webhooks", { url: `https://hooks.example/in?p=${payload}` });
      if (hook.status === 201) {
        webhooks++;
        expectText.webhooks?.push(hook.json.url as string);
      } else expect(hook.status).toBe(400);
    });
    const issuers = xssPayloads.slice(0, 50).map((payload) => ({ id: cut(payload, 480), name: cut(payload, 200) }));
    // Landing URLs, shown in the program rules: a URL may carry markup in its query.
    const lastUrl = `https://landing.example/?q="><script>alert(1)</script>&r='><img src=x onerror=alert(1)>`;
    const landing = await api(ws, "PATCH", "/v1/admin/program", { defaultTargetUrl: lastUrl, fallbackUrl: lastUrl });
    expect(landing.status, JSON.stringify(landing.json)).toBe(200);
    expect((await api(ws, "PATCH", "/v1/admin/program", { credentialIssuers: issuers })).status).toBe(200);

    const link = await dashboardLink({ db: live.db, clock: { now: () => new Date() } }, live.baseUrl, ws.id);
    const response = await page.goto(link);
    expect(response?.status()).toBe(200);
    await page.getByRole("heading", { name: "Funnel" }).waitFor();
    // Hostile channels were counted as "other"; nothing of them reaches the page.
    await expect.poll(() => deepText(page)).toContain("other");
    await expectInert("overview");
    tally.add("click ?ch= / ?s= / utm_source (channel tables)", xssPayloads.length * 3);

    const missing = async (section: string) => {
      const text = await deepText(page);
      return (expectText[section] ?? []).filter((value) => !text.includes(value));
    };
    const open = async (route: string, heading: string) => {
      await page.getByRole("link", { name: heading, exact: true }).first().click();
      await page.waitForURL(new RegExp(`#/${route}$`));
    };

    await open("stories", "Stories");
    await expect.poll(() => missing("stories"), { timeout: 15_000 }).toEqual([]);
    const tagValues = await page.evaluate(() => {
      const values: string[] = [];
      const visit = (root: ParentNode) => {
        for (const element of root.querySelectorAll("*")) {
          if (element instanceof HTMLInputElement && element.name === "tags") values.push(element.value);
          if (element.shadowRoot) visit(element.shadowRoot);
        }
      };
      visit(document);
      return values;
    });
    expect([...tagValues].sort()).toEqual([...storyTags].sort());
    await expectInert("stories");
    tally.add("story (moderation: name, headline, body)", xssPayloads.length * 3);
    tally.add("story.tags", storyTags.length);

    await open("conversions", "Conversions");
    const more = page.getByRole("button", { name: "Show more" });
    await page.getByRole("article").first().waitFor();
    // Every page of the list, however slowly it comes: "Show more" whenever it is there, until
    // nothing is missing. The decision logs are in closed <details>: their text is in the page.
    await expect
      .poll(
        async () => {
          if (await more.count()) await more.click({ timeout: 5_000 }).catch(() => undefined);
          return missing("conversions");
        },
        { timeout: 60_000 },
      )
      .toEqual([]);
    await expectInert("conversions");
    tally.add("conversion.id", xssPayloads.length * 2);
    tally.add("conversion.customer.id", xssPayloads.length);
    tally.add("conversion.clickId (decision log)", xssPayloads.length);
    tally.add("conversion.code (decision log)", xssPayloads.length);
    tally.add("conversion referrer name", xssPayloads.length);

    await open("advocates", "Advocates");
    await page.getByRole("table").first().waitFor();
    const advocatesShown = (expectText.advocates ?? []).length - (await missing("advocates")).length;
    const advocateIdsShown = (expectText.advocateIds ?? []).length - (await missing("advocateIds")).length;
    // The page lists the top 50 advocates (ties in any order): every one shown carries its payload
    // as text, as its name and as its id. (A name not listed may still be found inside another
    // payload's text, so the two counts need not be equal.)
    expect(advocatesShown).toBeGreaterThanOrEqual(50);
    expect(advocateIdsShown).toBeGreaterThanOrEqual(50);
    await expectInert("advocates");
    tally.add("learner.name (advocates)", advocatesShown);
    tally.add("learner id (advocates)", advocateIdsShown);

    await open("courses", "Courses");
    await expect.poll(() => missing("courses"), { timeout: 15_000 }).toEqual([]);
    await expectInert("courses");
    tally.add("course.title", xssPayloads.length);

    await open("rewards", "Rewards");
    await page.getByRole("table").first().waitFor();
    await expectInert("rewards");

    await open("webhooks", "Webhooks");
    await expect.poll(() => missing("webhooks"), { timeout: 15_000 }).toEqual([]);
    await page.getByRole("button", { name: "Delivery log" }).first().click();
    await page.getByRole("heading", { name: /^Delivery log:/ }).waitFor();
    await expectInert("webhooks");
    tally.add("webhook.url", webhooks);

    await open("settings", "Settings");
    const issuersField = page.getByLabel(/^Credential issuers/);
    await issuersField.waitFor();
    expect(JSON.parse(await issuersField.inputValue())).toEqual(issuers);
    const rules = JSON.parse(await page.getByLabel(/^Program rules/).inputValue()) as Record<string, unknown>;
    expect(rules).toMatchObject({ defaultTargetUrl: lastUrl, fallbackUrl: lastUrl });
    await expectInert("settings");
    tally.add("settings.credentialIssuers (id, name)", issuers.length * 2);
    tally.add("settings.defaultTargetUrl and fallbackUrl", 2);
  }, 180_000);
});

describe("the hosted advocate page (server-rendered, its own strict CSP)", () => {
  it("shows hostile brand and learner names inert: in its title, headings, greeting and the elements", async () => {
    const learnersSeen = await inBatches(xssPayloads, async (payload, i) => {
      const brand = cut(payload, 100).trim() || "x";
      const ws = await workspaceFactory(live.db, {
        name: brand,
        origins: [host.origin],
        settings: { slug: `xss-${i}`, brand: { name: brand, logoUrl: null, color: "#1d4ed8" } },
      });
      const learnerId = `lrn_xss_hosted_${String(i).padStart(3, "0")}`;
      await live.db.insert(learners).values({
        id: learnerId,
        workspaceId: ws.id,
        externalId: `xss-hosted-${i}`,
        name: cut(payload, 80),
        createdAt: Date.now(),
      });
      return { slug: `xss-${i}`, brand, token: await learnerSessionFor(live.db, { workspaceId: ws.id, learnerId }) };
    });
    for (const { slug, brand, token } of learnersSeen) {
      await context.addCookies([{ name: "chorus_advocate", value: token, url: `${live.baseUrl}/p/${slug}` }]);
      await page.goto(`${live.baseUrl}/p/${slug}`);
      await page.locator("chorus-referral-card").waitFor();
      // Signed in: the page is the learner's, and the brand reads back as text.
      expect(await page.locator(".brand").textContent(), slug).toBe(brand);
      await expectInert(`hosted page ${slug}`);
    }
    tally.add("brand.name, learner.name (hosted advocate page)", xssPayloads.length * 2);
    // 56 real page loads one after another: 25 s on a quiet CI machine, so the default 30 s was too close.
  }, 120_000);
});

describe("the demo provider's course page (npm start's server, the demo's own strict CSP)", () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "chorus-xss-demo-"));
    server = await startServer({ DATABASE_URL: `file:${join(dir, "chorus.db")}` });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows hostile stories inert on its wall and in its JSON-LD", async () => {
    const printed = (label: string) => server.output().match(new RegExp(`${label}\\s+(\\S+)`))?.[1] ?? "";
    const publishableKey = printed("Publishable key");
    const secretKey = printed("Secret key");
    const headlines = await inBatches(xssPayloads, async (payload, i) => {
      const posted = await fetch(`${server.baseUrl}/v1/stories`, {
        method: "POST",
        headers: {
          "Chorus-Key": publishableKey,
          Origin: server.baseUrl,
          "User-Agent": `demo-xss-${i}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({
          course: "data-analytics",
          name: cut(payload, 80),
          headline: cut(payload, 140),
          body: payload,
          rating: 5,
          outcome: { type: "promotion" },
          consent: { publish: true, name: true },
        }),
      });
      expect(posted.status).toBe(201);
      const { id } = (await posted.json()) as { id: string };
      const approved = await fetch(`${server.baseUrl}/v1/admin/stories/${id}`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${secretKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ status: "approved" }),
      });
      expect(approved.status).toBe(200);
      return storyText(payload, 140);
    });

    await page.goto(`${server.baseUrl}/demo/courses/data-analytics`);
    const wall = page.locator("chorus-story-wall");
    await wall.locator("article").first().waitFor();
    const jsonLd = page.locator("chorus-story-wall > script[type='application/ld+json']");
    const reviewNames = async () =>
      ((JSON.parse((await jsonLd.textContent()) ?? "{}") as { review?: { name: string }[] }).review ?? []).map(
        (review) => review.name,
      );
    const more = wall.getByRole("button", { name: "Load more stories" });
    // The wall shows six at a time (featured demo stories first): load until every payload is in.
    for (;;) {
      const names = await reviewNames();
      if (headlines.every((headline) => names.includes(headline)) || (await more.count()) === 0) break;
      const before = await wall.locator("article").count();
      await more.click();
      await expect.poll(() => wall.locator("article").count()).toBeGreaterThan(before);
    }
    const raw = (await jsonLd.textContent()) ?? "";
    expect(raw).not.toMatch(/[<>]/);
    const parsed = JSON.parse(raw) as { name: string; review: { name: string; reviewBody: string }[] };
    expect(parsed.name).toBe("Data Analytics Professional Certificate");
    expect(parsed.review.map((review) => review.name)).toEqual(expect.arrayContaining(headlines));
    const shown = await wall.locator("article h3").allTextContents();
    expect(shown).toEqual(expect.arrayContaining(headlines));
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    // The loader, the demo's checkout script and the one JSON-LD block: nothing else.
    expect(html.match(/<script/gi)?.length).toBe(3);
    await expectInert("demo course page");
    tally.add("demo course page: story headline, body, name (wall and JSON-LD)", headlines.length * 3);
  }, 120_000);
});
