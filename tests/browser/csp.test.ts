import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mintLearnerToken } from "../../server/services/learner-tokens.ts";
import { pages } from "../../widgets/dashboard/pages.ts";
import { browserUserAgent, type HostSite, startHostSite, startInstallWithBrowser } from "../support/browser.ts";
import { parseCsp, recordViolations, type Violation } from "../support/csp.ts";
import type { RunningServer } from "../support/processes.ts";

let server: RunningServer;
let browser: Browser;
let close: (() => Promise<void>) | undefined;
let keys: { publishableKey: string; secretKey: string; tokenSecret: string };
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ({ server, browser, close } = await startInstallWithBrowser("chorus-csp-"));
  const printed = (label: string) => server.output().match(new RegExp(`${label}\\s+(\\S+)`))?.[1] ?? "";
  keys = {
    publishableKey: printed("Publishable key"),
    secretKey: printed("Secret key"),
    tokenSecret: printed("Token secret"),
  };
}, 60_000);
afterAll(() => close?.());
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

async function newPage(): Promise<{ page: Page; violations: Violation[]; errors: string[] }> {
  const context = await browser.newContext({ userAgent: browserUserAgent, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  const violations = await recordViolations(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return { page, violations, errors };
}

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${keys.secretKey}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("the demo under its own strict CSP", () => {
  it("runs the loop (card, QR, story form, landing with banner, wall, stats, enrol, complete) with no violation", async () => {
    const learner = await newPage();
    const response = await learner.page.goto(`${server.baseUrl}/demo/learn`);
    const csp = parseCsp(response?.headers()["content-security-policy"] ?? "");
    for (const directive of ["script-src", "style-src"]) {
      expect(csp.get(directive), directive).toBeDefined();
      expect(csp.get(directive)?.join(" ")).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    }
    const card = learner.page.locator("chorus-referral-card");
    await card.locator("[part='copy-button']").waitFor();
    await card.getByText("Show QR code").click();
    const qr = card.locator("img[part='qr-code']");
    await expect.poll(() => qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const link = (await card.getByLabel("Your referral link").inputValue()).replace("ch=copy", "ch=whatsapp");

    const form = learner.page.locator("chorus-story-form");
    await form.getByLabel(/^Your name/).fill("Priya Sharma");
    await form.getByLabel(/^Headline/).fill("Under a strict policy");
    await form.getByLabel(/^Your story/).fill("Nothing inline, nothing evaluated, and it all still works.");
    await form.getByRole("radio", { name: "5 out of 5" }).check();
    await form.getByLabel(/^What changed/).selectOption("promotion");
    await form.getByRole("checkbox", { name: /^Publish my story/ }).check();
    await form.getByRole("button", { name: "Send my story" }).click();
    await form.getByRole("heading", { name: "Thank you! We received your story." }).waitFor();

    // An approved story with a photo URL from any https host, as the story form allows.
    const posted = await fetch(`${server.baseUrl}/v1/stories`, {
      method: "POST",
      headers: { "Chorus-Key": keys.publishableKey, Origin: server.baseUrl, "Content-Type": "application/json" },
      body: JSON.stringify({
        course: "data-analytics",
        name: "Arjun Mehta",
        headline: "A photo on the wall",
        body: "My photo comes from my own site.",
        rating: 5,
        outcome: { type: "new_job" },
        consent: { publish: true, name: true, photo: true },
        photoUrl: "https://images.example/arjun.jpg",
      }),
    });
    expect(posted.status).toBe(201);
    const { id } = (await posted.json()) as { id: string };
    expect((await admin("PATCH", `/v1/admin/stories/${id}`, { status: "approved", featured: true })).status).toBe(200);

    const friend = await newPage();
    await friend.page.goto(link);
    expect(new URL(friend.page.url()).pathname).toBe("/demo/courses/data-analytics");
    await expect.poll(() => friend.page.locator("chorus-referral-banner aside").textContent()).toContain("invited you");
    await friend.page.locator("chorus-story-wall article").first().waitFor();
    // The author's photo URL is never hot-linked: approval fetched it (it serves nothing here, so
    // the story is published without a photo) and the wall shows only Chorus's own copies.
    await friend.page.locator("chorus-story-wall article h3", { hasText: "A photo on the wall" }).waitFor();
    expect(await friend.page.locator("chorus-story-wall article img[src*='images.example']").count()).toBe(0);
    await friend.page.locator("chorus-outcome-stats h2").waitFor();
    // The wall's JSON-LD is a data block, not a script: the policy neither runs nor refuses it.
    const jsonLd = friend.page.locator("chorus-story-wall > script[type='application/ld+json']");
    expect(JSON.parse((await jsonLd.textContent()) ?? "")).toMatchObject({ "@type": "Course" });
    // Adopted stylesheets apply under style-src 'self': the wall's cards have their radius.
    const radius = await friend.page
      .locator("chorus-story-wall article")
      .first()
      .evaluate((el) => getComputedStyle(el).borderTopLeftRadius);
    expect(radius).not.toBe("0px");
    await friend.page.getByRole("button", { name: "Enrol now" }).click();
    await friend.page.waitForURL(/enrolled=1/);
    await friend.page.getByRole("button", { name: "Mark course completed" }).click();
    await friend.page.waitForURL(/completed=1/);
    await friend.page.goto(`${server.baseUrl}/demo`);
    await friend.page.locator("chorus-referral-banner aside").waitFor();

    expect(learner.violations).toEqual([]);
    expect(friend.violations).toEqual([]);
    expect([...learner.errors, ...friend.errors]).toEqual([]);
  });

  it("runs the dashboard and the server's own pages with no violation", async () => {
    const { page, violations, errors } = await newPage();
    await page.goto(`${server.baseUrl}/`);
    await page.getByRole("heading", { name: "Chorus is running" }).waitFor();
    await page.goto(`${server.baseUrl}/docs`);
    // Swagger UI styles itself through the CSSOM, which style-src does not govern: open an operation.
    await page.locator("#reference .opblock-summary").first().click({ timeout: 15_000 });
    await page.locator("#reference .opblock-body").first().waitFor();
    await page.goto(`${server.baseUrl}/r/no-such-code`);
    await page.getByRole("heading", { name: "This referral link does not work" }).waitFor();

    // The demo owner's one-time link, as the server printed it at start.
    await page.goto(server.output().match(/Dashboard link\s+(\S+)/)?.[1] ?? "");
    await page.getByRole("heading", { name: "Funnel" }).waitFor();
    // Every page past the overview (just shown: its first heading is the funnel's).
    for (const [route, label] of pages.slice(1)) {
      await page.getByRole("link", { name: label, exact: true }).first().click();
      await page.waitForURL(new RegExp(`#/${route}$`));
      await page.getByRole("heading", { name: label, level: 2 }).waitFor();
    }
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe("a provider page with its own strict CSP", () => {
  let host: HostSite;
  afterAll(() => host?.close());

  it("is watched: an inline script, an inline style and a style attribute are each reported", async () => {
    const control = await startHostSite({ "Content-Security-Policy": "default-src 'self'" });
    try {
      control.pages.set(
        "/inline",
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Inline</title><style>p { color: red }</style></head>
<body><p style="color: blue">x</p><script>document.title = "ran"</script></body></html>`,
      );
      const { page, violations } = await newPage();
      await page.goto(`${control.origin}/inline`);
      await expect.poll(() => violations.filter((v) => v.directive !== "console").length).toBeGreaterThanOrEqual(3);
      expect(await page.title()).toBe("Inline");
      expect(new Set(violations.map((v) => v.directive))).toEqual(
        new Set(["style-src-elem", "style-src-attr", "script-src-elem", "console"]),
      );
    } finally {
      await control.close();
    }
  });

  it("loads the loader and every element from the Chorus origin and renders them with no violation", async () => {
    const api = server.baseUrl;
    host = await startHostSite({
      "Content-Security-Policy": `default-src 'none'; script-src ${api}; connect-src ${api}; img-src ${api} https:; style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    });
    const program = (await (await admin("GET", "/v1/admin/program")).json()) as { allowedOrigins: string[] };
    const allowed = await admin("PATCH", "/v1/admin/program", {
      allowedOrigins: [...program.allowedOrigins, host.origin],
    });
    expect(allowed.status).toBe(200);
    const token = await mintLearnerToken({
      claims: { sub: "csp-learner", name: "Meera Iyer" },
      tokenSecret: keys.tokenSecret,
      ttlSeconds: 600,
    });
    const code = (
      (await (
        await fetch(`${api}/v1/referrals/me`, {
          method: "POST",
          headers: {
            "Chorus-Key": keys.publishableKey,
            Authorization: `Bearer ${token}`,
            Origin: host.origin,
            "Content-Type": "application/json",
          },
          body: "{}",
        })
      ).json()) as { code: string }
    ).code;
    host.pages.set(
      "/course",
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Data Analytics</title>
<script type="module" src="${api}/embed.js" data-key="${keys.publishableKey}"></script></head>
<body><main><h1>Data Analytics</h1>
<chorus-referral-banner></chorus-referral-banner>
<chorus-referral-card course="data-analytics" learner-token="${token}"></chorus-referral-card>
<chorus-outcome-stats course="data-analytics"></chorus-outcome-stats>
<chorus-story-wall course="data-analytics" limit="4"></chorus-story-wall>
<chorus-story-form course="data-analytics"></chorus-story-form>
</main></body></html>`,
    );
    const { page, violations, errors } = await newPage();
    await page.goto(`${host.origin}/course?via=${code}`);
    await expect.poll(() => page.locator("chorus-referral-banner aside").textContent()).toContain("Meera invited you");
    const card = page.locator("chorus-referral-card");
    await card.locator("[part='copy-button']").waitFor();
    await card.getByText("Show QR code").click();
    const qr = card.locator("img[part='qr-code']");
    await expect.poll(() => qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.locator("chorus-story-wall article").first().waitFor();
    await page.locator("chorus-outcome-stats h2").waitFor();
    await page.locator("chorus-story-form form").waitFor();
    expect(await page.locator("chorus-story-wall > script[type='application/ld+json']").count()).toBe(1);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe("security headers of the server's own responses", () => {
  /** The policy that applies to a kind of resource: its own directive, else default-src. */
  const sources = (csp: Map<string, string[]>, directive: string) => csp.get(directive) ?? csp.get("default-src") ?? [];

  async function headersOf(path: string, init: RequestInit = {}) {
    const response = await fetch(`${server.baseUrl}${path}`, { redirect: "manual", ...init });
    await response.arrayBuffer();
    return { status: response.status, headers: response.headers };
  }

  function expectEverywhere(path: string, headers: Headers) {
    expect(headers.get("X-Content-Type-Options"), path).toBe("nosniff");
    expect(headers.get("Referrer-Policy"), path).toBe("no-referrer");
    expect(headers.get("X-Frame-Options"), path).toBe("DENY");
    // Browsers ignore HSTS over plain http (RFC 6797 §8.1), so localhost is unaffected; behind TLS it holds.
    expect(headers.get("Strict-Transport-Security"), path).toMatch(/^max-age=\d{7,}/);
    const csp = parseCsp(headers.get("Content-Security-Policy") ?? "");
    expect(csp.get("frame-ancestors"), path).toEqual(["'none'"]);
    expect(csp.get("base-uri"), path).toEqual(["'none'"]);
    return csp;
  }

  it("pages: a strict CSP (no inline or eval script or style), no framing, nosniff, no referrer", async () => {
    const pages = [
      "/",
      "/docs",
      "/demo",
      "/demo/courses/data-analytics",
      "/demo/learn",
      "/dashboard",
      "/r/no-such-code",
    ];
    for (const path of pages) {
      const { status, headers } = await headersOf(path);
      expect([200, 404], path).toContain(status);
      expect(headers.get("Content-Type"), path).toMatch(/^text\/html/);
      const csp = expectEverywhere(path, headers);
      for (const directive of ["script-src", "style-src"]) {
        const allowed = sources(csp, directive);
        expect(allowed.length, `${path} ${directive}`).toBeGreaterThan(0);
        expect(allowed.join(" "), `${path} ${directive}`).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*|data:|https?:/);
      }
      expect(csp.get("object-src") ?? csp.get("default-src"), path).not.toContain("*");
    }
  });

  it("JSON, the API, files and redirects: a CSP that allows nothing, and the same headers", async () => {
    const token = await mintLearnerToken({
      claims: { sub: "headers-learner" },
      tokenSecret: keys.tokenSecret,
      ttlSeconds: 600,
    });
    const widget = { "Chorus-Key": keys.publishableKey, Origin: server.baseUrl };
    const referral = await fetch(`${server.baseUrl}/v1/referrals/me`, {
      method: "POST",
      headers: { ...widget, Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: "{}",
    });
    const { code } = (await referral.json()) as { code: string };
    const secret = { Authorization: `Bearer ${keys.secretKey}` };
    const responses: [string, RequestInit, number][] = [
      ["/openapi.json", {}, 200],
      ["/healthz", {}, 200],
      ["/v1/stories?course=data-analytics", { headers: widget }, 200],
      ["/v1/stories", {}, 401],
      ["/v1/admin/program", { headers: secret }, 200],
      ["/v1/analytics/export.csv?dataset=clicks", { headers: secret }, 200],
      ["/v1/no-such-endpoint", {}, 404],
      ["/embed.js", {}, 200],
      [`/r/${code}/qr.svg`, {}, 200],
      [`/r/${code}`, {}, 302],
    ];
    for (const [path, init, expected] of responses) {
      const { status, headers } = await headersOf(path, init);
      expect(status, path).toBe(expected);
      const csp = expectEverywhere(path, headers);
      expect(csp.get("default-src"), path).toEqual(["'none'"]);
    }
  });
});
