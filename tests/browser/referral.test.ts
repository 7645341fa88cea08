import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { browserUserAgent, launchBrowser, layoutShift, seriousA11yViolations } from "../support/browser.ts";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { startWidgetSites, type WidgetSites } from "../support/widget-sites.ts";

// The world of the file's tests, started once before them.
let { browser, host, live, close } = {} as WidgetSites;
let ws: CreatedWorkspace;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  ({ browser, host, live, close } = await startWidgetSites());
  ws = await workspaceFactory(live.db, {
    origins: [host.origin],
    settings: { defaultTargetUrl: `${host.origin}/course` },
  });
});
afterAll(() => close?.());
beforeEach(async () => {
  context = await browser.newContext({ userAgent: browserUserAgent });
  page = await context.newPage();
  page.on("pageerror", (error) => console.error("page error:", error.message));
  page.on("console", (message) => message.type() === "error" && console.error("console:", message.text()));
});
afterEach(() => context.close());

function hostPage(body: string, scriptAttributes = "", lang = "en") {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Course</title>
<script type="module" src="${live.baseUrl}/embed.js" data-key="${ws.publishableKey}" ${scriptAttributes}></script></head>
<body><main><h1>Data Analytics</h1>${body}<p id="below">Course details</p></main></body></html>`;
}

async function codeFor(sub: string, name = "Priya Sharma") {
  const response = await fetch(`${live.baseUrl}/v1/referrals/me`, {
    method: "POST",
    headers: {
      "Chorus-Key": ws.publishableKey,
      Origin: host.origin,
      Authorization: `Bearer ${await learnerToken(ws, { sub, name })}`,
    },
  });
  return ((await response.json()) as { code: string }).code;
}

const referral = (p: Page) => p.evaluate(() => window.chorus?.referral() ?? null);

describe("a friend arriving through a referral link", () => {
  it("is redirected with the referral, sees the banner, and keeps the referral after a reload", async () => {
    host.pages.set("/course", hostPage("<chorus-referral-banner></chorus-referral-banner>"));
    const code = await codeFor("priya");
    await page.goto(`${live.baseUrl}/r/${code}?ch=whatsapp`);
    expect(new URL(page.url()).searchParams.get("via")).toBe(code);
    const clickId = new URL(page.url()).searchParams.get("chorus_cid");
    expect(clickId).toMatch(/^clk_/);

    const banner = page.locator("chorus-referral-banner");
    await expect
      .poll(() => banner.locator("aside").textContent({ timeout: 5000 }))
      .toContain("Priya invited you: 10% off your first course");
    expect(await referral(page)).toEqual({ code, clickId });
    // The referrer's friend coupon code, to type at checkout (issue 18).
    const [coupon] = (await live.client.execute("select code from friend_coupons")).rows;
    expect(String(coupon?.code)).toMatch(/^PRIYA-10-/);
    expect(await banner.locator("[part=coupon]").textContent()).toBe(coupon?.code);
    expect(await banner.locator("aside p").textContent()).toBe(
      `Priya invited you: 10% off your first course: ${coupon?.code}`,
    );

    await page.goto(`${host.origin}/course`);
    await page.evaluate(() => window.chorus?.ready);
    expect(await referral(page)).toEqual({ code, clickId });
    const stored = (await live.client.execute("select channel, source from clicks")).rows;
    expect(stored).toEqual([expect.objectContaining({ channel: "whatsapp", source: "redirect" })]);
  });

  it("records a click by beacon when the link arrived with ?via= only", async () => {
    host.pages.set("/course", hostPage("<chorus-referral-banner></chorus-referral-banner>"));
    const code = await codeFor("arjun", "Arjun Mehta");
    await page.goto(`${host.origin}/course?via=${code}`);
    await page.evaluate(() => window.chorus?.ready);
    const captured = await referral(page);
    expect(captured?.clickId).toMatch(/^clk_/);
    const rows = (
      await live.client.execute({
        sql: "select source, visitor_id from clicks where id = ?",
        args: [captured?.clickId ?? ""],
      })
    ).rows;
    expect(rows[0]?.source).toBe("beacon");
    expect(String(rows[0]?.visitor_id)).toMatch(/^v_/);
    await expect.poll(() => page.locator("chorus-referral-banner aside").textContent()).toContain("Arjun invited you");
  });

  it("names the referrer even when the banner renders before the landing is recorded", async () => {
    host.pages.set("/course", hostPage("<chorus-referral-banner></chorus-referral-banner>"));
    const code = await codeFor("arjun", "Arjun Mehta");
    await page.route(/\/v1\/clicks$/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    await page.goto(`${host.origin}/course?via=${code}`);
    await page.waitForFunction(() => customElements.get("chorus-referral-banner"));
    await expect
      .poll(() => page.locator("chorus-referral-banner aside").textContent(), { timeout: 5000 })
      .toContain("Arjun invited you");
  });

  it("shows no banner and no referral to a visitor who was not referred", async () => {
    host.pages.set("/course", hostPage("<chorus-referral-banner></chorus-referral-banner>"));
    await page.goto(`${host.origin}/course`);
    await page.waitForFunction(() => customElements.get("chorus-referral-banner"));
    expect(await referral(page)).toBeNull();
    expect(await page.locator("chorus-referral-banner").isHidden()).toBe(true);
    expect(await page.locator("chorus-referral-banner aside").count()).toBe(0);
  });

  it("forgets a link whose code does not exist, and keeps the referral it already had", async () => {
    host.pages.set("/course", hostPage("<chorus-referral-banner></chorus-referral-banner>"));
    await page.goto(`${host.origin}/course?via=no-such-code`);
    await page.evaluate(() => window.chorus?.ready);
    await page.waitForFunction(() => customElements.get("chorus-referral-banner"));
    expect(await referral(page)).toBeNull();
    expect(await page.locator("chorus-referral-banner").isHidden()).toBe(true);
    expect(await page.evaluate(() => localStorage.getItem("chorus.referral"))).toBe("null");

    const code = await codeFor("priya");
    await page.goto(`${host.origin}/course?via=${code}`);
    await page.evaluate(() => window.chorus?.ready);
    await page.goto(`${host.origin}/course?via=no-such-code`);
    await page.evaluate(() => window.chorus?.ready);
    expect((await referral(page))?.code).toBe(code);
  });

  it("keeps the newest link when its lookup fails, as last-click would", async () => {
    host.pages.set("/course", hostPage(""));
    const first = await codeFor("priya");
    const second = await codeFor("arjun", "Arjun Mehta");
    await page.goto(`${host.origin}/course?via=${first}`);
    await page.evaluate(() => window.chorus?.ready);
    // The redirect counted the click; then the loader's lookup meets a network failure.
    await page.route(/\/v1\/referrals\//, (route) => route.abort());
    await page.goto(`${host.origin}/course?via=${second}&chorus_cid=clk_redirected`);
    await page.evaluate(() => window.chorus?.ready);
    expect(await referral(page)).toEqual({ code: second, clickId: "clk_redirected" });
    await page.reload();
    expect(await referral(page)).toEqual({ code: second, clickId: "clk_redirected" });
  });

  it("remembers a dismissed banner for the session only with consent to store", async () => {
    host.pages.set("/course", hostPage("<chorus-referral-banner></chorus-referral-banner>", 'data-consent="required"'));
    const code = await codeFor("priya");
    const sessionKeys = () => page.evaluate(() => Object.keys(sessionStorage));
    await page.goto(`${host.origin}/course?via=${code}`);
    await page.getByRole("button", { name: "Dismiss" }).click();
    expect(await page.locator("chorus-referral-banner").isHidden()).toBe(true);
    expect(await sessionKeys()).toEqual([]);

    await page.reload();
    await page.evaluate(() => window.chorus?.consent(true));
    await page.getByRole("button", { name: "Dismiss" }).click();
    expect(await sessionKeys()).toEqual(["chorus.banner.dismissed"]);
    await page.evaluate(() => window.chorus?.consent(false));
    expect(await sessionKeys()).toEqual([]);
  });

  it("closes the banner on dismiss", async () => {
    host.pages.set("/course", hostPage("<chorus-referral-banner></chorus-referral-banner>"));
    const code = await codeFor("priya");
    await page.goto(`${host.origin}/course?via=${code}`);
    await page.getByRole("button", { name: "Dismiss" }).click();
    expect(await page.locator("chorus-referral-banner").isHidden()).toBe(true);
  });

  it("keeps the first referrer under first-click and the latest under last-click", async () => {
    host.pages.set("/course", hostPage(""));
    const first = await codeFor("priya");
    const second = await codeFor("arjun", "Arjun Mehta");
    await page.goto(`${host.origin}/course?via=${first}`);
    await page.evaluate(() => window.chorus?.ready);
    await page.goto(`${host.origin}/course?via=${second}`);
    await page.evaluate(() => window.chorus?.ready);
    expect((await referral(page))?.code).toBe(second);

    await fetch(`${live.baseUrl}/v1/admin/program`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ attribution: { windowDays: 30, model: "first-click" } }),
    });
    await page.goto(`${host.origin}/course?via=${first}`);
    await page.evaluate(() => window.chorus?.ready);
    expect((await referral(page))?.code).toBe(second);
    await fetch(`${live.baseUrl}/v1/admin/program`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ attribution: { windowDays: 30, model: "last-click" } }),
    });
  });

  it("stores nothing until consent when the host requires it, yet still knows the referral from the URL", async () => {
    host.pages.set("/course", hostPage("", 'data-consent="required"'));
    const code = await codeFor("priya");
    await page.goto(`${host.origin}/course?via=${code}`);
    await page.evaluate(() => window.chorus?.ready);
    expect((await referral(page))?.code).toBe(code);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    await page.evaluate(() => window.chorus?.consent(true));
    expect(await page.evaluate(() => Object.keys(localStorage))).toContain("chorus.referral");
  });
});

describe("on a plain-http page, which is no secure context", () => {
  it("still records the landing with a visitor id", async () => {
    // A name other than localhost, so Chromium does not treat the page as trustworthy.
    const plainHttp = await launchBrowser(["--host-resolver-rules=MAP plain-http.test 127.0.0.1"]);
    try {
      const origin = host.origin.replace("localhost", "plain-http.test");
      const other = await workspaceFactory(live.db, {
        origins: [origin],
        settings: { defaultTargetUrl: `${origin}/course` },
      });
      const token = await learnerToken(other, { sub: "ravi", name: "Ravi Kumar" });
      const response = await fetch(`${live.baseUrl}/v1/referrals/me`, {
        method: "POST",
        headers: { "Chorus-Key": other.publishableKey, Origin: origin, Authorization: `Bearer ${token}` },
      });
      const { code } = (await response.json()) as { code: string };
      host.pages.set(
        "/plain",
        `<!doctype html><html lang="en"><head><title>Course</title><script type="module" src="${live.baseUrl}/embed.js" data-key="${other.publishableKey}"></script></head><body></body></html>`,
      );
      const plainPage = await plainHttp.newPage({ userAgent: browserUserAgent });
      await plainPage.goto(`${origin}/plain?via=${code}`);
      expect(await plainPage.evaluate(() => window.isSecureContext)).toBe(false);
      await plainPage.waitForFunction(() => window.chorus);
      await plainPage.evaluate(() => window.chorus?.ready);
      const clickId = (await plainPage.evaluate(() => window.chorus?.referral()))?.clickId;
      expect(clickId).toMatch(/^clk_/);
      const [row] = (
        await live.client.execute({ sql: "select visitor_id from clicks where id = ?", args: [clickId ?? ""] })
      ).rows;
      expect(String(row?.visitor_id)).toMatch(/^v_\d{16,}$/);
    } finally {
      await plainHttp.close();
    }
  });
});

describe("<chorus-referral-card>", () => {
  it("shows only the latest learner's answer, never one that arrives after a sign-out", async () => {
    const token = await learnerToken(ws, { sub: "meera", name: "Meera Iyer" });
    host.pages.set("/learn", hostPage(`<chorus-referral-card learner-token="${token}"></chorus-referral-card>`));
    // Meera's card is still loading when the page signs her out.
    await page.route(/\/v1\/referrals\/me$/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    await page.goto(`${host.origin}/learn`);
    const card = page.locator("chorus-referral-card");
    await card.getByText("Loading your referral link").waitFor();
    await card.evaluate((element) => element.removeAttribute("learner-token"));
    await card.getByText("Sign in to get your personal referral link.").waitFor();
    await page.waitForTimeout(1200);
    expect(await card.getByText("Sign in to get your personal referral link.").count()).toBe(1);
    expect(await card.getByLabel("Your referral link").count()).toBe(0);
  });

  it("shows the learner's link with correct share URLs, copies it, and records shares", async () => {
    const token = await learnerToken(ws, { sub: "meera", name: "Meera Iyer" });
    host.pages.set(
      "/learn",
      hostPage(`<chorus-referral-card course="data-analytics" learner-token="${token}"></chorus-referral-card>`),
    );
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: host.origin });
    await context.route(/^https:\/\/(wa\.me|www\.linkedin\.com|x\.com|www\.facebook\.com|t\.me)\//, (route) =>
      route.fulfill({ body: "shared" }),
    );
    await page.goto(`${host.origin}/learn`);

    const card = page.locator("chorus-referral-card");
    const link = card.getByLabel("Your referral link");
    await expect.poll(() => link.inputValue()).toMatch(/\/r\/[a-z0-9]+\?ch=copy$/);
    const value = await link.inputValue();
    const base = value.replace("?ch=copy", "");
    expect(base.startsWith(`${live.baseUrl}/r/`)).toBe(true);

    const hrefs = Object.fromEntries(
      await Promise.all(
        ["WhatsApp", "LinkedIn", "X", "Facebook", "Telegram", "Email", "SMS"].map(async (name) => [
          name,
          decodeURIComponent(
            (await card.getByRole("link", { name: new RegExp(`(on|via) ${name}$`) }).getAttribute("href")) ?? "",
          ),
        ]),
      ),
    );
    expect(hrefs.WhatsApp).toMatch(/^https:\/\/wa\.me\/\?text=/);
    expect(hrefs.LinkedIn).toBe(`https://www.linkedin.com/sharing/share-offsite/?url=${base}?ch=linkedin`);
    expect(hrefs.X).toContain(`${base}?ch=x`);
    expect(hrefs.Email).toMatch(/^mailto:\?subject=/);
    expect(hrefs.SMS).toContain(`${base}?ch=sms`);

    await card.getByRole("button", { name: "Copy" }).click();
    await expect.poll(() => card.getByRole("status").textContent()).toBe("Link copied");
    // The copied text names the friend coupon code before the link (issue 18).
    expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(
      new RegExp(
        `^I'm learning with .+\\. Use my code MEERA-10-[2-9A-Z]{7} at checkout, or join with my link: ${value.replace(/[.?]/g, "\\$&")}$`,
      ),
    );

    const popup = context.waitForEvent("page");
    await card.getByRole("link", { name: "Share on LinkedIn" }).click();
    await (await popup).close();
    await expect
      .poll(async () =>
        (await live.client.execute("select channel from share_events order by created_at")).rows.map((r) => r.channel),
      )
      .toEqual(["copy", "linkedin"]);

    await card.getByText("Show QR code").click();
    const qr = card.getByRole("img", { name: "QR code for your referral link" });
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

    for (const label of ["Clicks", "Sign-ups", "Enrolments", "Completions"])
      expect(await card.getByText(label).count()).toBe(1);
    expect(await card.getByText("No rewards yet").count()).toBe(1);
  });

  it("asks to sign in without a token, and has no serious accessibility violation with the banner beside it", async () => {
    const token = await learnerToken(ws, { sub: "meera" });
    const code = await codeFor("priya");
    host.pages.set(
      "/learn",
      hostPage(`<chorus-referral-banner></chorus-referral-banner><chorus-referral-card learner-token="${token}"></chorus-referral-card>
        <chorus-referral-card id="anonymous"></chorus-referral-card>`),
    );
    await page.goto(`${host.origin}/learn?via=${code}`);
    await page.locator("chorus-referral-card").first().getByRole("button", { name: "Copy" }).waitFor();
    await page.locator("chorus-referral-banner aside").waitFor();
    expect(await page.locator("#anonymous").textContent()).toBe("");
    expect(await page.locator("#anonymous").getByText("Sign in to get your personal referral link.").count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("says what to set instead of showing a link that would lead nowhere, in English and Hindi", async () => {
    // A fresh workspace with no landing page: every click on its links would answer 404.
    const bare = await workspaceFactory(live.db, { origins: [host.origin], settings: { defaultTargetUrl: null } });
    const token = await learnerToken(bare, { sub: "first-learner" });
    for (const [lang, text] of [
      ["en", "Referral links are not set up yet"],
      ["hi", "रेफ़रल लिंक अभी तैयार नहीं है"],
    ]) {
      host.pages.set(
        `/bare-${lang}`,
        `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Course</title>
<script type="module" src="${live.baseUrl}/embed.js" data-key="${bare.publishableKey}"></script></head>
<body><main><h1>Course</h1><chorus-referral-card learner-token="${token}"></chorus-referral-card></main></body></html>`,
      );
      await page.goto(`${host.origin}/bare-${lang}`);
      const alert = page.locator("chorus-referral-card").getByRole("alert");
      await alert.waitFor();
      expect(await alert.textContent()).toContain(text);
      expect(await alert.textContent()).toContain("defaultTargetUrl");
      expect(await page.locator("chorus-referral-card").locator("input, a").count()).toBe(0);
    }
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("speaks Hindi with lang=hi, follows the dark theme, and is usable by keyboard", async () => {
    const token = await learnerToken(ws, { sub: "kavya" });
    host.pages.set(
      "/learn",
      hostPage(`<chorus-referral-card theme="dark" learner-token="${token}"></chorus-referral-card>`, "", "hi"),
    );
    await page.goto(`${host.origin}/learn`);
    const card = page.locator("chorus-referral-card");
    await card.getByRole("button", { name: "कॉपी करें" }).waitFor();
    expect(await card.getByRole("heading", { level: 2 }).textContent()).toBe("दोस्तों को आमंत्रित करें, इनाम पाएँ");
    // What friends receive is in Hindi too.
    const whatsapp = await card.getByRole("link", { name: /WhatsApp/ }).getAttribute("href");
    // With the friend coupon code, in Hindi too (issue 18).
    expect(decodeURIComponent(whatsapp ?? "")).toMatch(
      /के साथ सीख रहा\/रही हूँ। चेकआउट पर मेरा कोड [A-Z]+-10-[2-9A-Z]{7} लगाएँ, या मेरे लिंक से जुड़ें:/,
    );
    const background = await card.evaluate(
      (el) => getComputedStyle(el.shadowRoot?.querySelector(".card") as Element).backgroundColor,
    );
    expect(background).toBe("rgb(17, 24, 39)");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await card.evaluate((el) => el.shadowRoot?.activeElement?.textContent)).toBe("कॉपी करें");
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("loads only the elements a page uses, upgrades ones added later, and does not shift the layout", async () => {
    const token = await learnerToken(ws, { sub: "late" });
    host.pages.set("/spa", hostPage(`<div id="slot"></div>`));
    const scripts: string[] = [];
    page.on("request", (request) => {
      if (request.resourceType() === "script") scripts.push(new URL(request.url()).pathname);
    });
    await page.goto(`${host.origin}/spa`);
    await page.evaluate(() => window.chorus?.ready);
    expect(scripts.some((path) => path.includes("referral-card"))).toBe(false);

    await page.evaluate((t) => {
      const card = document.createElement("chorus-referral-card");
      card.setAttribute("learner-token", t);
      document.getElementById("slot")?.append(card);
    }, token);
    await page.locator("chorus-referral-card").getByRole("button", { name: "Copy" }).waitFor();
    expect(scripts.some((path) => path.includes("referral-card"))).toBe(true);
    expect(scripts.some((path) => path.includes("referral-banner"))).toBe(false);

    const stable = await context.newPage();
    host.pages.set("/stable", hostPage(`<chorus-referral-card learner-token="${token}"></chorus-referral-card>`));
    await stable.goto(`${host.origin}/stable`);
    await stable.locator("chorus-referral-card").getByRole("button", { name: "Copy" }).waitFor();
    expect(await layoutShift(stable)).toBeLessThan(0.1);
    await stable.close();
  });
});

describe("a friend who never clicked a link (issue 18)", () => {
  it('names their referrer by email in the banner\'s "Who referred you?", confirms, enrols, and the referrer is credited', async () => {
    // The referrer's card loads once (their code exists), with their email in the token.
    await fetch(`${live.baseUrl}/v1/referrals/me`, {
      method: "POST",
      headers: {
        "Chorus-Key": ws.publishableKey,
        Origin: host.origin,
        Authorization: `Bearer ${await learnerToken(ws, { sub: "anika", name: "Anika Das", email: "anika@example.com" })}`,
      },
    });
    host.pages.set(
      "/told",
      hostPage(
        `<chorus-referral-banner><chorus-referred-by ask course="data-analytics"></chorus-referred-by></chorus-referral-banner>`,
      ),
    );
    await page.goto(`${host.origin}/told`);
    const field = page.locator("chorus-referred-by");
    await field.getByRole("button", { name: "Were you referred by someone?" }).click();
    await field.getByLabel("Who referred you?").fill("Anika@Example.com");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await field.getByRole("button", { name: "Continue" }).click();
    await field.getByText("Did Anika@Example.com refer you?").waitFor();
    const named = page.evaluate(
      () =>
        new Promise((resolve) =>
          document.addEventListener("chorus-referred-by", (e) => resolve((e as CustomEvent).detail)),
        ),
    );
    await field.getByRole("button", { name: "Yes, that's them" }).click();
    const { clickId } = (await named) as { clickId: string };
    expect(await referral(page)).toEqual({ code: null, clickId });
    // The banner now shows the referral (the friend named a person, so no offer code of a link).
    await expect
      .poll(() => page.locator("chorus-referral-banner aside p").textContent())
      .toContain("A friend invited you");

    // The provider's checkout sends the click id with the enrolment, as for a link.
    const response = await fetch(`${live.baseUrl}/v1/conversions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        id: "told-1",
        type: "enrollment",
        customer: { id: "ravi" },
        clickId,
        course: "data-analytics",
      }),
    });
    const answer = (await response.json()) as {
      attribution: { referrer: { id: string }; decision: { detail: string }[] };
    };
    expect(answer.attribution.referrer.id).toBe("anika");
    expect(answer.attribution.decision.map((step) => step.detail).join("\n")).toContain("named by the friend");
  });
});
