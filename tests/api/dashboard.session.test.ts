/**
 * Dashboard sessions of team members: how a one-time link (the CLI's, an invitation, an emailed
 * sign-in link) becomes a cookie, the cookie's flags, what it opens, and every way a session or a
 * link is refused: forged, replayed, expired, idle, signed out, its member removed.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mailMessages, memberSessions } from "../../db/schema.ts";
import { createApp } from "../../server/app.ts";
import { magicLinkToken } from "../../server/services/magic-link-token.ts";
import type { TeamLinkData } from "../../server/services/mail-templates.ts";
import { createLink } from "../../server/services/member-links.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { storyRow } from "../support/analytics-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { memberSession, teamMember } from "../support/team.ts";
import { createTestApp, expectError, type TestApp, testConfig } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let other: CreatedWorkspace;
beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  other = await workspaceFactory(t.db, { name: "Other Academy" });
});
afterEach(() => t.cleanup());

const ctx = () => ({ db: t.db, clock: t.clock, secret: testConfig.secret });

/** A one-time link's token for the workspace's owner (as `chorus member add` prints it). */
async function linkToken(role: "owner" | "marketer" = "owner", ttlMs = 60_000, workspaceId = ws.id) {
  const member = await teamMember(t, workspaceId, role);
  return (await createLink(ctx(), { member, purpose: "sign-in", ttlMs })).token;
}

const useLink = (token: string, headers: Record<string, string> = {}) =>
  t.call("POST", "/v1/dashboard/links/use", { body: { token }, headers });

async function signIn(role: "owner" | "marketer" = "owner") {
  const response = await useLink(await linkToken(role));
  const setCookie = response.headers.get("Set-Cookie") ?? "";
  return { response, setCookie, cookie: setCookie.split(";")[0] ?? "" };
}

const withCookie = (cookie: string, extra: Record<string, string> = {}) => ({ Cookie: cookie, ...extra });
const changing = (cookie: string) => withCookie(cookie, { "X-Chorus-Dashboard": "1" });

/** The token of the newest team-link mail, made as the mail worker makes it (from the stored link id). */
async function mailedToken(): Promise<{ token: string; to: string | null; data: TeamLinkData }> {
  const rows = await t.db.select().from(mailMessages).where(eq(mailMessages.template, "team-link"));
  const row = rows.at(-1);
  if (!row) throw new Error("no team-link mail");
  const data = row.data as TeamLinkData;
  return { token: magicLinkToken(testConfig.secret, data.linkId), to: row.toAddress, data };
}

describe("signing in with a one-time link", () => {
  it("sets an HttpOnly, SameSite=Strict, Secure (https), path-wide cookie for 12 hours", async () => {
    const { response, setCookie, cookie } = await signIn();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      workspace: { id: ws.id, name: "Test Academy" },
      member: { id: expect.stringMatching(/^mbr_/), email: "owner@team.test", role: "owner" },
      expiresAt: "2026-11-01T22:00:00.000Z",
    });
    expect(setCookie).toMatch(/^chorus_session=[A-Za-z0-9_-]{43};/);
    for (const flag of ["HttpOnly", "SameSite=Strict", "Secure", "Path=/", "Max-Age=43200"])
      expect(setCookie).toContain(flag);
    // The database holds the token's hash only.
    const rows = await t.db.select().from(memberSessions);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(cookie.slice("chorus_session=".length));
  });

  it("leaves Secure off over plain http (a local server), keeps the rest", async () => {
    const app = createApp({ db: t.db, clock: t.clock, config: { ...testConfig, publicUrl: undefined } });
    const response = await app.request("http://localhost:8787/v1/dashboard/links/use", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: await linkToken() }),
    });
    const setCookie = response.headers.get("Set-Cookie") ?? "";
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).not.toContain("Secure");
  });

  it("the secret key signs nobody in any more", async () => {
    const response = await t.call("POST", "/v1/dashboard/session", { body: { secretKey: ws.secretKey } });
    expect([404, 405]).toContain(response.status);
    expect(response.headers.get("Set-Cookie")).toBeNull();
  });

  it("a link works once: replayed, expired, forged or garbage links answer 401 link_gone without a cookie", async () => {
    const token = await linkToken();
    expect((await useLink(token)).status).toBe(200);
    const replayed = await useLink(token);
    expect((await expectError(replayed.clone(), 401, "unauthorized")).details).toEqual({ reason: "link_gone" });
    expect(replayed.headers.get("Set-Cookie")).toBeNull();
    const expiring = await linkToken("owner", 15 * 60_000);
    t.clock.advance(15 * 60_000);
    await expectError(await useLink(expiring), 401, "unauthorized");
    // Right shape, never issued (as a forger would make it: with another secret).
    await expectError(
      await useLink(magicLinkToken("another-secret-0123456789-0123456789", "mbl_x")),
      401,
      "unauthorized",
    );
    await expectError(await useLink("' OR 1=1 --"), 401, "unauthorized");
  });

  it("two browsers racing with one link get one session", async () => {
    const token = await linkToken();
    const statuses = (await Promise.all([useLink(token), useLink(token), useLink(token)])).map((r) => r.status);
    expect(statuses.sort()).toEqual([200, 401, 401]);
  });
});

describe("invitations", () => {
  it("an owner invites an address with a role; the mailed link signs them in once, as that role", async () => {
    const owner = await memberSession(t, ws.id);
    const invited = await t.call("POST", "/v1/admin/members", {
      body: { email: "Mod@Example.org", role: "moderator", locale: "hi" },
      headers: changing(owner),
    });
    expect(invited.status).toBe(201);
    expect(await invited.json()).toMatchObject({ email: "Mod@Example.org", role: "moderator", status: "invited" });
    const { token, to, data } = await mailedToken();
    expect(to).toBe("Mod@Example.org");
    expect(data).toMatchObject({ purpose: "invite", role: "moderator", days: 7 });
    // The outbox keeps the link's id, never its token.
    expect(JSON.stringify(await t.db.select().from(mailMessages))).not.toContain(token);
    const used = await useLink(token);
    expect(await used.json()).toMatchObject({ member: { email: "Mod@Example.org", role: "moderator" } });
    await expectError(await useLink(token), 401, "unauthorized");
    const list = await (await t.call("GET", "/v1/admin/members", { headers: withCookie(owner) })).json();
    // Both made at the test clock's same instant: "oldest first" leaves their order open.
    expect(list.items.map((m: { email: string; status: string }) => [m.email, m.status]).sort()).toEqual([
      ["Mod@Example.org", "active"],
      ["owner@team.test", "active"],
    ]);
    // One member per address, whatever the capitals.
    const again = await t.call("POST", "/v1/admin/members", {
      body: { email: "mod@example.org", role: "viewer" },
      headers: changing(owner),
    });
    await expectError(again, 409, "conflict");
  });

  it("an invitation expires after 7 days", async () => {
    const owner = await memberSession(t, ws.id);
    await t.call("POST", "/v1/admin/members", {
      body: { email: "late@example.org", role: "viewer" },
      headers: changing(owner),
    });
    const { token } = await mailedToken();
    t.clock.advance(7 * 24 * 3_600_000);
    await expectError(await useLink(token), 401, "unauthorized");
  });

  it("only owners invite: a marketer gets 403 in the envelope, naming the roles that may", async () => {
    const marketer = await memberSession(t, ws.id, "marketer");
    const response = await t.call("POST", "/v1/admin/members", {
      body: { email: "x@example.org", role: "owner" },
      headers: changing(marketer),
    });
    const error = await expectError(response, 403, "forbidden");
    expect(error.details).toEqual({ reason: "role", role: "marketer", allowed: ["owner"] });
    expect(await t.db.select().from(mailMessages)).toEqual([]);
  });
});

describe("emailed sign-in links", () => {
  it("a member's address gets a link (15 minutes); any other address the same 202 and no mail", async () => {
    await teamMember(t, ws.id, "finance", "pay@example.org");
    const nobody = await t.call("POST", "/v1/dashboard/links", { body: { email: "nobody@example.org" } });
    expect(nobody.status).toBe(202);
    expect(await t.db.select().from(mailMessages)).toEqual([]);
    const member = await t.call("POST", "/v1/dashboard/links", { body: { email: "PAY@example.org" } });
    expect(member.status).toBe(202);
    const { token, to, data } = await mailedToken();
    expect(to).toBe("pay@example.org");
    expect(data).toMatchObject({ purpose: "sign-in", minutes: 15 });
    expect(await (await useLink(token)).json()).toMatchObject({ member: { role: "finance" } });
  });
});

describe("what the cookie opens", () => {
  it("reads analytics, admin stories and the program; answers who is signed in", async () => {
    const { cookie } = await signIn();
    for (const path of ["/v1/analytics/funnel", "/v1/admin/stories", "/v1/admin/program", "/v1/analytics/k-factor"])
      expect((await t.call("GET", path, { headers: withCookie(cookie) })).status).toBe(200);
    const me = await t.call("GET", "/v1/dashboard/session", { headers: withCookie(cookie) });
    expect(await me.json()).toMatchObject({ workspace: { id: ws.id }, member: { role: "owner" } });
  });

  it("changes only with the X-Chorus-Dashboard header (CSRF), and only in its own workspace", async () => {
    const { cookie } = await signIn();
    const id = await storyRow(t.db, ws.id);
    const foreign = await storyRow(t.db, other.id);
    const body = { status: "approved" };
    const noHeader = await t.call("PATCH", `/v1/admin/stories/${id}`, { body, headers: withCookie(cookie) });
    await expectError(noHeader, 403, "forbidden");
    expect((await t.call("PATCH", `/v1/admin/stories/${id}`, { body, headers: changing(cookie) })).status).toBe(200);
    const cross = await t.call("PATCH", `/v1/admin/stories/${foreign}`, { body, headers: changing(cookie) });
    await expectError(cross, 404, "not_found");
  });

  it("a new role applies to the member's next request", async () => {
    const owner = await memberSession(t, ws.id);
    const marketer = await memberSession(t, ws.id, "marketer");
    const me = await (await t.call("GET", "/v1/dashboard/session", { headers: withCookie(marketer) })).json();
    const patch = () =>
      t.call("PATCH", "/v1/admin/program", { body: { minSampleSize: 12 }, headers: changing(marketer) });
    expect((await patch()).status).toBe(200);
    const demoted = await t.call("PATCH", `/v1/admin/members/${me.member.id}`, {
      body: { role: "viewer" },
      headers: changing(owner),
    });
    expect(demoted.status).toBe(200);
    await expectError(await patch(), 403, "forbidden");
  });

  it("the last owner can be neither removed nor demoted", async () => {
    const owner = await memberSession(t, ws.id);
    const me = await (await t.call("GET", "/v1/dashboard/session", { headers: withCookie(owner) })).json();
    const id = me.member.id;
    await expectError(await t.call("DELETE", `/v1/admin/members/${id}`, { headers: changing(owner) }), 409, "conflict");
    const demote = await t.call("PATCH", `/v1/admin/members/${id}`, {
      body: { role: "viewer" },
      headers: changing(owner),
    });
    await expectError(demote, 409, "conflict");
  });
});

const expectRefused = async (cookie: string) => {
  const response = await t.call("GET", "/v1/analytics/funnel", { headers: withCookie(cookie) });
  const error = await expectError(response, 401, "unauthorized");
  expect(Object.keys(error).sort()).toEqual(["code", "message", "requestId"]);
  expect(response.headers.get("Set-Cookie") ?? "").toMatch(/chorus_session=;.*Max-Age=0/);
};

describe("refused sessions answer 401, clear the cookie and leak nothing", () => {
  it("no cookie at all", async () => {
    await expectError(await t.call("GET", "/v1/analytics/funnel"), 401, "unauthorized");
    await expectError(await t.call("GET", "/v1/dashboard/session"), 401, "unauthorized");
  });

  it("forged: one character changed, another length, garbage", async () => {
    const { cookie } = await signIn();
    const last = cookie.at(-1) === "A" ? "B" : "A";
    await expectRefused(`${cookie.slice(0, -1)}${last}`);
    await expectRefused(`${cookie}A`);
    await expectRefused("chorus_session=' OR 1=1 --");
  });

  it("idle for two hours", async () => {
    const { cookie } = await signIn();
    t.clock.advance(2 * 60 * 60 * 1000);
    await expectRefused(cookie);
  });

  it("kept alive by use, but never past 12 hours", async () => {
    const { cookie } = await signIn();
    for (let hour = 0; hour < 11; hour++) {
      t.clock.advance(60 * 60 * 1000);
      expect((await t.call("GET", "/v1/dashboard/session", { headers: withCookie(cookie) })).status).toBe(200);
    }
    t.clock.advance(60 * 60 * 1000);
    await expectRefused(cookie);
  });

  it("a removed member's open session ends at once", async () => {
    const owner = await memberSession(t, ws.id);
    const { cookie } = await signIn("marketer");
    const me = await (await t.call("GET", "/v1/dashboard/session", { headers: withCookie(cookie) })).json();
    expect((await t.call("DELETE", `/v1/admin/members/${me.member.id}`, { headers: changing(owner) })).status).toBe(
      204,
    );
    await expectRefused(cookie);
    expect(await t.db.select().from(memberSessions).where(eq(memberSessions.memberId, me.member.id))).toEqual([]);
  });

  it("another workspace's owner cannot remove this workspace's member", async () => {
    const foreignOwner = await memberSession(t, other.id);
    const { cookie } = await signIn("marketer");
    const me = await (await t.call("GET", "/v1/dashboard/session", { headers: withCookie(cookie) })).json();
    const response = await t.call("DELETE", `/v1/admin/members/${me.member.id}`, { headers: changing(foreignOwner) });
    await expectError(response, 404, "not_found");
    expect((await t.call("GET", "/v1/dashboard/session", { headers: withCookie(cookie) })).status).toBe(200);
  });
});

describe("DELETE /v1/dashboard/session", () => {
  it("clears the cookie", async () => {
    const response = await t.call("DELETE", "/v1/dashboard/session");
    expect(response.status).toBe(204);
    expect(response.headers.get("Set-Cookie")).toMatch(/^chorus_session=;.*Max-Age=0/);
  });

  it("ends the session on the server: a copy of the cookie opens nothing afterwards (issue 15)", async () => {
    const { cookie } = await signIn();
    const second = await signIn();
    expect((await t.call("DELETE", "/v1/dashboard/session", { headers: withCookie(cookie) })).status).toBe(204);
    await expectRefused(cookie);
    expect((await t.call("GET", "/v1/dashboard/session", { headers: withCookie(second.cookie) })).status).toBe(200);
    await t.call("DELETE", "/v1/dashboard/session", { headers: withCookie("chorus_session=garbage") });
    expect((await t.call("GET", "/v1/dashboard/session", { headers: withCookie(second.cookie) })).status).toBe(200);
  });
});

describe("Secure behind a TLS-terminating proxy (issue 15)", () => {
  const signInOver = async (config: Partial<typeof testConfig>, headers: Record<string, string> = {}) => {
    const app = createApp({ db: t.db, clock: t.clock, config: { ...testConfig, ...config } });
    const response = await app.request("http://10.0.0.5:8787/v1/dashboard/links/use", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ token: await linkToken() }),
    });
    expect(response.status).toBe(200);
    return response.headers.get("Set-Cookie") ?? "";
  };

  it("marks the cookie Secure when PUBLIC_URL is https, though the proxy speaks http to the server", async () => {
    expect(await signInOver({ publicUrl: "https://go.acme.example" })).toContain("Secure");
  });

  it("marks it Secure when a trusted proxy says https (X-Forwarded-Proto), and only a trusted one", async () => {
    const forwarded = { "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9" };
    expect(await signInOver({ publicUrl: undefined, trustProxy: true }, forwarded)).toContain("Secure");
    expect(await signInOver({ publicUrl: undefined, trustProxy: false }, forwarded)).not.toContain("Secure");
  });
});

describe("sign-in is throttled per address", () => {
  beforeEach(async () => {
    t.cleanup();
    t = await createTestApp({ trustProxy: true });
    ws = await workspaceFactory(t.db);
  });

  it("answers 429 with Retry-After after 10 failed links in 15 minutes, even to a good link, and only for that address", async () => {
    const from = (ip: string) => ({ "X-Forwarded-For": ip });
    expect((await useLink(await linkToken(), from("203.0.113.20"))).status).toBe(200);
    for (let i = 0; i < 10; i++)
      await expectError(await useLink(`${i}`.repeat(64), from("203.0.113.20")), 401, "unauthorized");
    const good = await linkToken();
    const throttled = await useLink(good, from("203.0.113.20"));
    const error = await expectError(throttled.clone(), 429, "rate_limited");
    expect(error.details).toMatchObject({ scope: "address" });
    expect(throttled.headers.get("Retry-After")).toBe("900");
    expect(throttled.headers.get("Set-Cookie")).toBeNull();
    // The link was not used up by the refusal: another address signs in with it.
    expect((await useLink(good, from("203.0.113.21"))).status).toBe(200);
  });

  it("asking for links counts every request", async () => {
    const ask = () =>
      t.call("POST", "/v1/dashboard/links", {
        body: { email: "a@example.org" },
        headers: { "X-Forwarded-For": "203.0.113.40" },
      });
    for (let i = 0; i < 10; i++) expect((await ask()).status).toBe(202);
    await expectError(await ask(), 429, "rate_limited");
  });
});
