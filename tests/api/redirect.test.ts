import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { storyRow } from "../support/analytics-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { countClicks, learnerCode, visitor } from "../support/referrals.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let admin: Record<string, string>;
beforeEach(async () => {
  t = await createTestApp({ trustProxy: true });
  ws = await workspaceFactory(t.db, {
    settings: { defaultTargetUrl: "https://academy.example/welcome?utm_source=chorus" },
  });
  admin = { Authorization: `Bearer ${ws.secretKey}` };
});
afterEach(() => t.cleanup());

const follow = (path: string, headers = visitor(), method = "GET") => t.call(method, path, { headers });

function landing(response: Response) {
  expect(response.status).toBe(302);
  return new URL(response.headers.get("Location") ?? "");
}

describe("GET /r/:code", () => {
  it("redirects to the workspace default with via and a click id, keeping the target's query", async () => {
    const code = await learnerCode(t, ws);
    const response = await follow(`/r/${code}`);
    const url = landing(response);
    expect(url.origin + url.pathname).toBe("https://academy.example/welcome");
    expect(url.searchParams.get("utm_source")).toBe("chorus");
    expect(url.searchParams.get("via")).toBe(code);
    expect(url.searchParams.get("chorus_cid")).toMatch(/^clk_\w{21}$/);
    expect(response.headers.get("Cache-Control")).toContain("no-store");
    const [row] = (await t.client.execute("select * from clicks")).rows;
    expect(row).toMatchObject({ id: url.searchParams.get("chorus_cid"), channel: "direct", source: "redirect" });
  });

  it("prefers the code's own target, then its course's page, then the workspace default", async () => {
    await t.call("PUT", "/v1/admin/courses/data-analytics", {
      headers: admin,
      body: { title: "Data Analytics", url: "https://academy.example/courses/data-analytics" },
    });
    const courseCode = await learnerCode(t, ws, "priya", { course: "data-analytics" });
    const generalCode = await learnerCode(t, ws, "priya");
    const vanity = await t.call("POST", "/v1/codes", {
      headers: admin,
      body: { code: "priya-special", course: "data-analytics", targetUrl: "https://academy.example/offer" },
    });
    expect(vanity.status).toBe(201);
    expect(landing(await follow("/r/priya-special")).pathname).toBe("/offer");
    expect(landing(await follow(`/r/${courseCode}`)).pathname).toBe("/courses/data-analytics");
    expect(landing(await follow(`/r/${generalCode}`)).pathname).toBe("/welcome");
  });

  it("finds codes whatever their case", async () => {
    const code = await learnerCode(t, ws);
    expect(landing(await follow(`/r/${code.toUpperCase()}`)).searchParams.get("via")).toBe(code);
  });

  it("records the channel and the story, and keeps unknown channels as 'other'", async () => {
    const code = await learnerCode(t, ws);
    const story = await storyRow(t.db, ws.id, { status: "approved" });
    await follow(`/r/${code}?ch=whatsapp&s=${story}`, visitor("198.51.100.1"));
    await follow(`/r/${code}?ch=LinkedIn`, visitor("198.51.100.2"));
    await follow(`/r/${code}?ch=<script>`, visitor("198.51.100.3"));
    await follow(`/r/${code}?s=not-a-story`, visitor("198.51.100.4"));
    // A well-formed id of no story of this workspace is not credited.
    await follow(`/r/${code}?s=sty_abcdefghijklmnop`, visitor("198.51.100.5"));
    const rows = (await t.client.execute("select channel, story_id from clicks order by created_at, rowid")).rows;
    expect(rows.map((r) => [r.channel, r.story_id])).toEqual([
      ["whatsapp", story],
      ["linkedin", null],
      ["other", null],
      ["direct", null],
      ["direct", null],
    ]);
  });

  it("credits approved stories only, and follows moderation within 30 s", async () => {
    const code = await learnerCode(t, ws);
    const pending = await storyRow(t.db, ws.id, { status: "pending" });
    const withdrawn = await storyRow(t.db, ws.id, { status: "withdrawn" });
    const approved = await storyRow(t.db, ws.id, { status: "approved" });
    const storyOf = async (path: string, ip: string) => {
      const clickId = landing(await follow(path, visitor(ip))).searchParams.get("chorus_cid");
      await t.flushClicks();
      const [row] = (await t.client.execute({ sql: "select story_id from clicks where id = ?", args: [clickId] })).rows;
      return row?.story_id ?? null;
    };
    expect(await storyOf(`/r/${code}?s=${pending}`, "198.51.100.11")).toBeNull();
    expect(await storyOf(`/r/${code}?s=${withdrawn}`, "198.51.100.12")).toBeNull();
    expect(await storyOf(`/r/${code}?s=${approved}`, "198.51.100.13")).toBe(approved);

    // The provider approves the pending story and the author withdraws the approved one.
    await t.client.execute({ sql: "update stories set status = 'approved' where id = ?", args: [pending] });
    await t.client.execute({ sql: "update stories set status = 'withdrawn' where id = ?", args: [approved] });
    t.clock.advance(31_000);
    expect(await storyOf(`/r/${code}?s=${pending}`, "198.51.100.14")).toBe(pending);
    expect(await storyOf(`/r/${code}?s=${approved}`, "198.51.100.15")).toBeNull();
  });

  it("redirects bots, link previews, HEAD requests and agentless requests without counting them", async () => {
    const code = await learnerCode(t, ws);
    const previews = [
      "WhatsApp/2.23.20.0",
      "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
      "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
      "Twitterbot/1.0",
      "TelegramBot (like TwitterBot)",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "curl/8.5.0",
    ];
    for (const agent of previews) {
      const url = landing(await follow(`/r/${code}`, visitor("203.0.113.9", agent)));
      expect(url.searchParams.get("via")).toBe(code);
      expect(url.searchParams.has("chorus_cid")).toBe(false);
    }
    landing(await follow(`/r/${code}`, { "X-Forwarded-For": "203.0.113.10" }));
    landing(await follow(`/r/${code}`, visitor(), "HEAD"));
    expect(await countClicks(t)).toBe(0);
  });

  it("gives the same visitor the same click id within an hour, and a new click after it", async () => {
    const code = await learnerCode(t, ws);
    const first = landing(await follow(`/r/${code}`)).searchParams.get("chorus_cid");
    t.clock.advance(59 * 60 * 1000);
    expect(landing(await follow(`/r/${code}`)).searchParams.get("chorus_cid")).toBe(first);
    // Another visitor (another browser at the same IP) is another click.
    const other = landing(await follow(`/r/${code}`, visitor("203.0.113.7", "Mozilla/5.0 (iPhone) Safari/604.1")));
    expect(other.searchParams.get("chorus_cid")).not.toBe(first);
    t.clock.advance(2 * 60 * 1000);
    expect(landing(await follow(`/r/${code}`)).searchParams.get("chorus_cid")).not.toBe(first);
    expect(await countClicks(t)).toBe(3);
  });

  it("dedups from the database too, after a restart of the process", async () => {
    const code = await learnerCode(t, ws);
    const first = landing(await follow(`/r/${code}`)).searchParams.get("chorus_cid");
    const { createApp } = await import("../../server/app.ts");
    const restarted = createApp({
      db: t.db,
      clock: t.clock,
      config: { ...(await import("../support/test-app.ts")).testConfig, trustProxy: true },
      clickRecorder: { exclusive: true },
    });
    const again = await restarted.request(`https://chorus.test/r/${code}`, { headers: visitor() });
    expect(new URL(again.headers.get("Location") ?? "").searchParams.get("chorus_cid")).toBe(first);
    expect(await countClicks(t)).toBe(1);
  });

  it("shows a friendly 404 page for unknown, malformed, overlong and non-ASCII codes", async () => {
    for (const path of [
      "/r/nosuchcode",
      "/r/a",
      `/r/${"x".repeat(200)}`,
      "/r/%E0%A4%95%E0%A4%96",
      "/r/bad--code",
      "/r/%3Cscript%3E",
    ]) {
      const response = await follow(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("Content-Type")).toContain("text/html");
      expect(await response.text()).toContain("This referral link does not work");
    }
    expect(await countClicks(t)).toBe(0);
  });

  it("sends unknown codes to the server's fallback URL when one is configured", async () => {
    const withFallback = await createTestApp({ fallbackUrl: "https://chorus.example/start" });
    try {
      const response = await withFallback.call("GET", "/r/nosuchcode", { headers: visitor() });
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("https://chorus.example/start");
    } finally {
      withFallback.cleanup();
    }
  });

  it("sends a disabled code to the workspace fallback without counting", async () => {
    const code = await learnerCode(t, ws);
    await t.call("PATCH", "/v1/admin/program", {
      headers: admin,
      body: { fallbackUrl: "https://academy.example/referrals-ended" },
    });
    await t.client.execute({ sql: "update referral_codes set disabled_at = 1 where code = ?", args: [code] });
    // The cache is cleared by changes made through the API; this one was made behind its back.
    t.clock.advance(60_000);
    const response = await follow(`/r/${code}`);
    expect(response.headers.get("Location")).toBe("https://academy.example/referrals-ended");
    expect(await countClicks(t)).toBe(0);
  });

  it("never stores a raw IP", async () => {
    const code = await learnerCode(t, ws);
    await follow(`/r/${code}`, visitor("192.0.2.123"));
    const dump = JSON.stringify((await t.client.execute("select * from clicks")).rows);
    expect(dump).not.toContain("192.0.2.123");
    expect(dump).toMatch(/"ip_hash":"[0-9a-f]{64}"/);
  });

  it("takes the country from the edge header", async () => {
    const code = await learnerCode(t, ws);
    await follow(`/r/${code}`, { ...visitor(), "CF-IPCountry": "IN" });
    await follow(`/r/${code}`, { ...visitor("203.0.113.99"), "CF-IPCountry": "<b>" });
    const rows = (await t.client.execute("select country from clicks order by created_at, rowid")).rows;
    expect(rows.map((r) => r.country)).toEqual(["IN", null]);
  });
});
