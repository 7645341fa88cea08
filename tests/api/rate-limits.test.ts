import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { RateLimiter } from "../../server/lib/rate-limiter.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { countClicks, learnerCode, visitor } from "../support/referrals.ts";
import { storyBody } from "../support/stories.ts";
import { createTestApp, expectError, type TestApp, testConfig } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
beforeEach(async () => {
  t = await createTestApp({ trustProxy: true });
  ws = await workspaceFactory(t.db, { settings: { defaultTargetUrl: "https://academy.example/course" } });
});
afterEach(() => t.cleanup());

const count = async (table: string) =>
  Number((await t.client.execute(`select count(*) as n from ${table}`)).rows[0]?.n);

type Limits = Record<string, unknown>;
async function setLimits(workspace: CreatedWorkspace, rateLimits: Limits) {
  const response = await t.call("PATCH", "/v1/admin/program", {
    headers: { Authorization: `Bearer ${workspace.secretKey}` },
    body: { rateLimits },
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as { rateLimits: Limits };
}

const rule = (limit: number, windowSeconds = 60) => ({ limit, windowSeconds });
const widget = (workspace: CreatedWorkspace, ip: string) => ({
  ...visitor(ip),
  "Chorus-Key": workspace.publishableKey,
  Origin: testOrigin,
});
const beacon = (workspace: CreatedWorkspace, code: string, ip = "203.0.113.7") =>
  t.call("POST", "/v1/clicks", { headers: widget(workspace, ip), body: { code } });
const redirect = (code: string, ip = "203.0.113.7") => t.call("GET", `/r/${code}`, { headers: visitor(ip) });

/** Three codes of three learners, so every allowed click stores a row (no dedup). */
async function codes(workspace: CreatedWorkspace, n = 3) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await learnerCode(t, workspace, `advocate-${i}`));
  return out;
}

describe("rate limits: configuration", () => {
  it("has sensible defaults in the program settings, and refuses nonsense", async () => {
    const response = await t.call("GET", "/v1/admin/program", { headers: { Authorization: `Bearer ${ws.secretKey}` } });
    const { rateLimits } = (await response.json()) as { rateLimits: Limits };
    expect(rateLimits).toEqual({
      clicks: { perVisitor: rule(60), perWorkspace: rule(600_000) },
      referrals: { perVisitor: rule(120), perWorkspace: rule(120_000) },
      stories: { perVisitor: rule(5, 3600), perWorkspace: rule(1000, 3600) },
      advocateSignIn: { perVisitor: rule(10, 900), perWorkspace: rule(600, 3600) },
      referredBy: { perVisitor: rule(10, 900), perWorkspace: rule(1000, 3600) },
    });
    for (const bad of [{ clicks: { perVisitor: rule(0) } }, { stories: { perWorkspace: { limit: 5 } } }, "off"]) {
      await expectError(
        await t.call("PATCH", "/v1/admin/program", {
          headers: { Authorization: `Bearer ${ws.secretKey}` },
          body: { rateLimits: bad },
        }),
        400,
        "invalid_request",
      );
    }
  });

  it("fills the groups and limits a patch leaves out with their defaults; null turns a limit off", async () => {
    const { rateLimits } = await setLimits(ws, { clicks: { perVisitor: null } });
    expect(rateLimits.clicks).toEqual({ perVisitor: null, perWorkspace: rule(600_000) });
    expect(rateLimits.stories).toEqual({ perVisitor: rule(5, 3600), perWorkspace: rule(1000, 3600) });
  });

  it("lists 429 in the OpenAPI document of every limited route", async () => {
    const doc = (await (await t.call("GET", "/openapi.json")).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(doc.paths["/v1/clicks"]?.post?.responses ?? {})).toContain("429");
    expect(Object.keys(doc.paths["/v1/referrals/{code}"]?.get?.responses ?? {})).toContain("429");
    expect(Object.keys(doc.paths["/v1/referrals/me"]?.post?.responses ?? {})).toContain("429");
    expect(Object.keys(doc.paths["/v1/stories"]?.post?.responses ?? {})).toContain("429");
  });
});

describe("rate limits: clicks (beacon and redirect share one budget)", () => {
  it("refuses a visitor over the limit with 429 and Retry-After, stores nothing, and lets others in", async () => {
    const [a, b, c] = await codes(ws);
    await setLimits(ws, { clicks: { perVisitor: rule(2) } });
    expect((await beacon(ws, a as string)).status).toBe(201);
    expect((await beacon(ws, b as string)).status).toBe(201);
    const refused = await beacon(ws, c as string);
    const error = await expectError(refused.clone(), 429, "rate_limited");
    expect(error.details).toEqual({ scope: "visitor", retryAfterSeconds: 60 });
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(await countClicks(t)).toBe(2);
    // Another visitor (another address, or the same address with another browser: a campus
    // behind one address) is not limited.
    expect((await beacon(ws, c as string, "203.0.113.8")).status).toBe(201);
    const sameAddress = await t.call("POST", "/v1/clicks", {
      headers: { ...widget(ws, "203.0.113.7"), "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" },
      body: { code: c },
    });
    expect(sameAddress.status).toBe(201);
    expect(await countClicks(t)).toBe(4);
  });

  it("takes the address the proxy appended, not hops the client wrote before it", async () => {
    const [a, b] = await codes(ws, 2);
    await setLimits(ws, { clicks: { perVisitor: rule(1) } });
    expect((await beacon(ws, a as string, "198.51.100.1, 203.0.113.7")).status).toBe(201);
    await expectError(await beacon(ws, b as string, "198.51.100.2, 203.0.113.7"), 429, "rate_limited");
  });

  it("says how long to wait, and lets the visitor in again when the window ends", async () => {
    const [a, b] = await codes(ws, 2);
    await setLimits(ws, { clicks: { perVisitor: rule(1, 120) } });
    expect((await beacon(ws, a as string)).status).toBe(201);
    t.clock.advance(45_000);
    const refused = await beacon(ws, b as string);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("75");
    t.clock.advance(74_000);
    expect((await beacon(ws, b as string)).headers.get("Retry-After")).toBe("1");
    t.clock.advance(1_000);
    expect((await beacon(ws, b as string)).status).toBe(201);
    expect(await countClicks(t)).toBe(2);
  });

  it("redirects a visitor over the limit without a click id and records nothing: nobody is stranded", async () => {
    const [a, b, c] = await codes(ws);
    await setLimits(ws, { clicks: { perVisitor: rule(2) } });
    for (const code of [a, b]) {
      const response = await redirect(code as string);
      expect(response.status).toBe(302);
      expect(new URL(response.headers.get("Location") ?? "").searchParams.get("chorus_cid")).toMatch(/^clk_/);
    }
    const limited = await redirect(c as string);
    expect(limited.status).toBe(302);
    const location = new URL(limited.headers.get("Location") ?? "");
    expect(location.origin + location.pathname).toBe("https://academy.example/course");
    expect(location.searchParams.get("via")).toBe(c);
    expect(location.searchParams.has("chorus_cid")).toBe(false);
    expect(await countClicks(t)).toBe(2);
    // The loader's beacon for that landing meets the same budget.
    await expectError(await beacon(ws, c as string), 429, "rate_limited");
    expect(await countClicks(t)).toBe(2);
    // Another visitor is counted as usual.
    const other = await redirect(c as string, "198.51.100.20");
    expect(new URL(other.headers.get("Location") ?? "").searchParams.get("chorus_cid")).toMatch(/^clk_/);
    expect(await countClicks(t)).toBe(3);
  });

  it("limits a workspace across all its visitors, and no other workspace", async () => {
    const [a] = await codes(ws, 1);
    const other = await workspaceFactory(t.db, { name: "Other", settings: { defaultTargetUrl: "https://b.example/" } });
    const [foreign] = await codes(other, 1);
    await setLimits(ws, { clicks: { perVisitor: null, perWorkspace: rule(3, 3600) } });
    for (let i = 1; i <= 3; i++) expect((await beacon(ws, a as string, `198.51.100.${i}`)).status).toBe(201);
    const refused = await beacon(ws, a as string, "198.51.100.4");
    const error = await expectError(refused.clone(), 429, "rate_limited");
    expect(error.details).toMatchObject({ scope: "workspace" });
    expect(refused.headers.get("Retry-After")).toBe("3600");
    const uncounted = await redirect(a as string, "198.51.100.5");
    expect(new URL(uncounted.headers.get("Location") ?? "").searchParams.has("chorus_cid")).toBe(false);
    expect(await countClicks(t)).toBe(3);
    // The other workspace, the same visitors: untouched.
    expect((await beacon(other, foreign as string, "198.51.100.4")).status).toBe(201);
    expect((await redirect(foreign as string, "198.51.100.5")).headers.get("Location")).toContain("chorus_cid=");
    expect(await countClicks(t)).toBe(5);
  });

  it("applies a configuration change at once, for the beacon and the redirect", async () => {
    const [a, b, c] = await codes(ws);
    await setLimits(ws, { clicks: { perVisitor: rule(1) } });
    expect((await redirect(a as string)).headers.get("Location")).toContain("chorus_cid=");
    expect((await redirect(b as string)).headers.get("Location")).not.toContain("chorus_cid=");
    expect((await beacon(ws, b as string)).status).toBe(429);
    await setLimits(ws, { clicks: { perVisitor: rule(3) } });
    expect((await redirect(b as string)).headers.get("Location")).toContain("chorus_cid=");
    expect((await beacon(ws, c as string)).status).toBe(201);
    expect((await beacon(ws, c as string)).status).toBe(429);
    await setLimits(ws, { clicks: { perVisitor: null, perWorkspace: null } });
    for (let i = 0; i < 5; i++) expect((await beacon(ws, c as string)).status).toBe(200);
    expect(await countClicks(t)).toBe(3);
  });

  it("does not count bots and HEAD requests, which store nothing anyway", async () => {
    const [a, b] = await codes(ws, 2);
    // A budget of one click for the whole workspace: any bot or HEAD request counted would use it.
    await setLimits(ws, { clicks: { perVisitor: null, perWorkspace: rule(1) } });
    const bot = { "User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)", "X-Forwarded-For": "203.0.113.7" };
    for (let i = 0; i < 3; i++) expect((await t.call("GET", `/r/${a}`, { headers: bot })).status).toBe(302);
    expect((await t.call("HEAD", `/r/${a}`, { headers: visitor() })).status).toBe(302);
    expect((await redirect(b as string)).headers.get("Location")).toContain("chorus_cid=");
  });

  it("keeps counts per app: a second app starts with none", async () => {
    const [a, b] = await codes(ws, 2);
    await setLimits(ws, { clicks: { perVisitor: rule(1) } });
    expect((await beacon(ws, a as string)).status).toBe(201);
    expect((await beacon(ws, b as string)).status).toBe(429);
    // The same database, a new app: its limiters are its own.
    const app = createApp({ db: t.db, clock: t.clock, config: { ...testConfig, trustProxy: true } });
    const response = await app.request("https://chorus.test/v1/clicks", {
      method: "POST",
      headers: { ...widget(ws, "203.0.113.7"), "Content-Type": "application/json" },
      body: JSON.stringify({ code: b }),
    });
    expect(response.status).toBe(201);
  });
});

describe("rate limits: clicks per address, whatever the user agent (issue 15)", () => {
  const agent = (i: number) => `Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.${i}.0 Safari/537.36`;
  const redirectAs = (code: string, ip: string, i: number) =>
    t.call("GET", `/r/${code}`, { headers: { "User-Agent": agent(i), "X-Forwarded-For": ip } });
  const beaconAs = (workspace: CreatedWorkspace, code: string, ip: string, i: number) =>
    t.call("POST", "/v1/clicks", {
      headers: { ...widget(workspace, ip), "User-Agent": agent(i) },
      body: { code, visitorId: `v_rotating${String(i).padStart(6, "0")}` },
    });

  it("counts at most 300 a minute from one address by default (a lecture hall stays counted), then redirects without counting", async () => {
    const [a] = await codes(ws, 1);
    for (let i = 0; i < 300; i++) {
      const response = await redirectAs(a as string, "203.0.113.50", i);
      expect(response.headers.get("Location"), `click ${i}`).toContain("chorus_cid=");
    }
    const over = await redirectAs(a as string, "203.0.113.50", 300);
    expect(over.status).toBe(302);
    expect(over.headers.get("Location")).toContain(`via=${a}`);
    expect(over.headers.get("Location")).not.toContain("chorus_cid=");
    const refused = await beaconAs(ws, a as string, "203.0.113.50", 301);
    const error = await expectError(refused.clone(), 429, "rate_limited");
    expect(error.details).toMatchObject({ scope: "address" });
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await countClicks(t)).toBe(300);
    // Another address, and the same address a minute later, are counted again.
    expect((await redirectAs(a as string, "203.0.113.51", 0)).headers.get("Location")).toContain("chorus_cid=");
    t.clock.advance(60_000);
    expect((await redirectAs(a as string, "203.0.113.50", 302)).headers.get("Location")).toContain("chorus_cid=");
    expect(await countClicks(t)).toBe(302);
  });

  it("is set by CLICKS_PER_ADDRESS_PER_MINUTE, applies to beacon clicks too, and per workspace", async () => {
    t.cleanup();
    t = await createTestApp({ trustProxy: true, clicksPerAddressPerMinute: 5 });
    ws = await workspaceFactory(t.db, { settings: { defaultTargetUrl: "https://academy.example/course" } });
    const other = await workspaceFactory(t.db, { name: "Other", settings: { defaultTargetUrl: "https://b.example/" } });
    const [a] = await codes(ws, 1);
    const [foreign] = await codes(other, 1);
    for (let i = 0; i < 5; i++) expect((await beaconAs(ws, a as string, "203.0.113.60", i)).status).toBe(201);
    await expectError(await beaconAs(ws, a as string, "203.0.113.60", 5), 429, "rate_limited");
    expect((await redirectAs(a as string, "203.0.113.60", 6)).headers.get("Location")).not.toContain("chorus_cid=");
    expect((await beaconAs(other, foreign as string, "203.0.113.60", 7)).status).toBe(201);
    expect(await countClicks(t)).toBe(6);
  });

  it("can be turned off (null), leaving the per-visitor limit", async () => {
    t.cleanup();
    t = await createTestApp({ trustProxy: true, clicksPerAddressPerMinute: null });
    ws = await workspaceFactory(t.db, { settings: { defaultTargetUrl: "https://academy.example/course" } });
    const [a] = await codes(ws, 1);
    await setLimits(ws, { clicks: { perVisitor: rule(1) } });
    for (let i = 0; i < 305; i++) expect((await beaconAs(ws, a as string, "203.0.113.70", i)).status).toBe(201);
    // 305 clicks written one after another: about 2 s alone, past the default 5 s when the machine is busy.
  }, 30_000);
});

describe("rate limits: referrals", () => {
  it("limits GET /v1/referrals/{code} per visitor", async () => {
    const [a] = await codes(ws, 1);
    await setLimits(ws, { referrals: { perVisitor: rule(2) } });
    const lookup = (ip = "203.0.113.7") => t.call("GET", `/v1/referrals/${a}`, { headers: widget(ws, ip) });
    expect((await lookup()).status).toBe(200);
    expect((await lookup()).status).toBe(200);
    const refused = await lookup();
    await expectError(refused.clone(), 429, "rate_limited");
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect((await lookup("203.0.113.99")).status).toBe(200);
  });

  it("refuses POST /v1/referrals/me over the limit before creating a learner or a code", async () => {
    await setLimits(ws, { referrals: { perVisitor: null, perWorkspace: rule(1) } });
    const me = async (sub: string, ip: string) =>
      t.call("POST", "/v1/referrals/me", {
        headers: { ...widget(ws, ip), Authorization: `Bearer ${await learnerToken(ws, { sub })}` },
      });
    expect((await me("first", "198.51.100.1")).status).toBe(200);
    const learners = await count("learners");
    const referralCodes = await count("referral_codes");
    const signals = await count("learner_signals");
    await expectError(await me("second", "198.51.100.2"), 429, "rate_limited");
    expect([await count("learners"), await count("referral_codes"), await count("learner_signals")]).toEqual([
      learners,
      referralCodes,
      signals,
    ]);
  });
});

describe("rate limits: shares", () => {
  it("limits POST /v1/events per visitor with the card's group, and stores nothing when refused", async () => {
    await setLimits(ws, { referrals: { perVisitor: rule(3), perWorkspace: null } });
    const token = await learnerToken(ws, { sub: "sharer" });
    const share = (ip: string) =>
      t.call("POST", "/v1/events", {
        headers: { ...widget(ws, ip), Authorization: `Bearer ${token}` },
        body: { type: "share", channel: "whatsapp" },
      });
    for (let i = 0; i < 3; i++) expect((await share("198.51.100.9")).status).toBe(202);
    const shares = await count("share_events");
    await expectError(await share("198.51.100.9"), 429, "rate_limited");
    expect(await count("share_events")).toBe(shares);
    expect((await share("198.51.100.10")).status).toBe(202);
  });
});

describe("rate limits: stories", () => {
  const post = (workspace: CreatedWorkspace, ip: string, body = storyBody()) =>
    t.call("POST", "/v1/stories", { headers: widget(workspace, ip), body });

  it("limits a workspace's submissions across visitors, stores nothing when refused, and spares other workspaces", async () => {
    await setLimits(ws, { stories: { perWorkspace: rule(2, 3600) } });
    expect((await post(ws, "198.51.100.1")).status).toBe(201);
    expect((await post(ws, "198.51.100.2")).status).toBe(201);
    const events = await count("webhook_events");
    const refused = await post(ws, "198.51.100.3");
    const error = await expectError(refused.clone(), 429, "rate_limited");
    expect(error.details).toMatchObject({ scope: "workspace" });
    expect(refused.headers.get("Retry-After")).toBe("3600");
    expect(await count("stories")).toBe(2);
    expect(await count("webhook_events")).toBe(events);
    const other = await workspaceFactory(t.db, { name: "Other" });
    expect((await post(other, "198.51.100.3")).status).toBe(201);
  });

  it("keeps the default of five stories per visitor per hour", async () => {
    for (let i = 0; i < 5; i++) expect((await post(ws, "198.51.100.9")).status).toBe(201);
    expect((await post(ws, "198.51.100.9")).status).toBe(429);
    t.clock.advance(60 * 60 * 1000);
    expect((await post(ws, "198.51.100.9")).status).toBe(201);
  });
});

describe("RateLimiter", () => {
  it("allows the limit per window and key, then says when to retry", () => {
    const limiter = new RateLimiter();
    const rule = { limit: 3, windowMs: 60_000 };
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => limiter.hit("a", t0, rule).allowed)).toEqual([true, true, true]);
    expect(limiter.hit("a", t0 + 15_000, rule)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 45 });
    expect(limiter.hit("b", t0 + 15_000, rule).allowed).toBe(true);
    expect(limiter.hit("a", t0 + 60_000, rule).allowed).toBe(true);
  });

  it("stays under maxKeys under a flood of new keys, and keeps the keys in use", async () => {
    const limiter = new RateLimiter({ maxKeys: 1000 });
    const rule = { limit: 2, windowMs: 60_000 };
    limiter.hit("busy", 0, rule);
    limiter.hit("busy", 0, rule);
    for (let i = 0; i < 10_000; i++) {
      limiter.hit(`flood-${i}`, 1, rule);
      if (i % 400 === 0) expect(limiter.check("busy", 1, rule).allowed).toBe(false);
    }
    const maps = limiter as unknown as { windows: Map<string, unknown>; previous: Map<string, unknown> };
    expect(maps.windows.size + maps.previous.size).toBeLessThanOrEqual(1000);
    expect(limiter.check("busy", 1, rule).allowed).toBe(false);
    expect(limiter.check("flood-0", 1, rule).allowed).toBe(true);
  });
});
