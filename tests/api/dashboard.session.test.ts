/** Dashboard sessions: cookie flags, what a cookie opens, and every way a cookie is refused. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { rotateKey } from "../../server/services/api-keys.ts";
import { signSession } from "../../server/services/dashboard-sessions.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { storyRow } from "../support/analytics-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
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

async function signIn(secretKey = ws.secretKey) {
  const response = await t.call("POST", "/v1/dashboard/session", { body: { secretKey } });
  const setCookie = response.headers.get("Set-Cookie") ?? "";
  return { response, setCookie, cookie: setCookie.split(";")[0] ?? "" };
}

const withCookie = (cookie: string, extra: Record<string, string> = {}) => ({ Cookie: cookie, ...extra });

describe("POST /v1/dashboard/session", () => {
  it("sets an HttpOnly, SameSite=Strict, Secure (https), path-wide cookie for 12 hours", async () => {
    const { response, setCookie } = await signIn();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      workspace: { id: ws.id, name: "Test Academy" },
      expiresAt: "2026-11-01T22:00:00.000Z",
    });
    expect(setCookie).toMatch(/^chorus_session=[^;]+/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Secure");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).toContain("Max-Age=43200");
    // The cookie names the workspace and key, never the key itself.
    expect(setCookie).not.toContain(ws.secretKey);
    expect(setCookie).not.toContain(ws.secretKey.slice(3));
  });

  it("leaves Secure off over plain http (a local server), keeps the rest", async () => {
    const app = createApp({ db: t.db, clock: t.clock, config: { ...testConfig, publicUrl: undefined } });
    const response = await app.request("http://localhost:8787/v1/dashboard/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ secretKey: ws.secretKey }),
    });
    const setCookie = response.headers.get("Set-Cookie") ?? "";
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).not.toContain("Secure");
  });

  it("refuses a wrong, publishable or revoked key with 401 and no cookie", async () => {
    for (const secretKey of ["sk_nope", ws.publishableKey, "'; DROP TABLE api_keys; --"]) {
      const { response, setCookie } = await signIn(secretKey);
      await expectError(response, 401, "unauthorized");
      expect(setCookie).toBe("");
    }
    await rotateKey(t, { workspaceId: ws.id, kind: "secret" });
    await expectError((await signIn()).response, 401, "unauthorized");
  });
});

describe("what the cookie opens", () => {
  it("reads analytics, admin stories and the program; answers who is signed in", async () => {
    const { cookie } = await signIn();
    for (const path of ["/v1/analytics/funnel", "/v1/admin/stories", "/v1/admin/program", "/v1/analytics/k-factor"])
      expect((await t.call("GET", path, { headers: withCookie(cookie) })).status).toBe(200);
    const me = await t.call("GET", "/v1/dashboard/session", { headers: withCookie(cookie) });
    expect(await me.json()).toMatchObject({ workspace: { id: ws.id } });
  });

  it("changes only with the X-Chorus-Dashboard header (CSRF), and only in its own workspace", async () => {
    const { cookie } = await signIn();
    const id = await storyRow(t.db, ws.id);
    const foreign = await storyRow(t.db, other.id);
    const body = { status: "approved" };
    const noHeader = await t.call("PATCH", `/v1/admin/stories/${id}`, { body, headers: withCookie(cookie) });
    await expectError(noHeader, 403, "forbidden");
    const ok = await t.call("PATCH", `/v1/admin/stories/${id}`, {
      body,
      headers: withCookie(cookie, { "X-Chorus-Dashboard": "1" }),
    });
    expect(ok.status).toBe(200);
    const cross = await t.call("PATCH", `/v1/admin/stories/${foreign}`, {
      body,
      headers: withCookie(cookie, { "X-Chorus-Dashboard": "1" }),
    });
    await expectError(cross, 404, "not_found");
  });
});

const expectRefused = async (cookie: string) => {
  const response = await t.call("GET", "/v1/analytics/funnel", { headers: withCookie(cookie) });
  const error = await expectError(response, 401, "unauthorized");
  expect(Object.keys(error).sort()).toEqual(["code", "message", "requestId"]);
  expect(response.headers.get("Set-Cookie") ?? "").toMatch(/chorus_session=;.*Max-Age=0/);
};

describe("refused cookies answer 401, clear the cookie and leak nothing", () => {
  it("no cookie at all", async () => {
    await expectError(await t.call("GET", "/v1/analytics/funnel"), 401, "unauthorized");
    await expectError(await t.call("GET", "/v1/dashboard/session"), 401, "unauthorized");
  });

  it("tampered: another workspace id, a longer expiry, a flipped signature, garbage", async () => {
    const { cookie } = await signIn();
    const value = cookie.slice("chorus_session=".length);
    const [workspaceId, keyId, id, expires, mac] = value.split(".") as [string, string, string, string, string];
    await expectRefused(`chorus_session=${other.id}.${keyId}.${id}.${expires}.${mac}`);
    await expectRefused(`chorus_session=${workspaceId}.${keyId}.${id}.${Number(expires) + 1}.${mac}`);
    await expectRefused(
      `chorus_session=${workspaceId}.${keyId}.${id}.${expires}.${mac.slice(0, -1)}${mac.endsWith("0") ? "1" : "0"}`,
    );
    await expectRefused("chorus_session=' OR 1=1 --");
    await expectRefused(`chorus_session=${value}.extra`);
  });

  it("a correctly signed session naming another workspace than its key's", async () => {
    const [row] = (
      await t.client.execute({
        sql: "select id from api_keys where workspace_id = ? and kind = 'secret'",
        args: [ws.id],
      })
    ).rows;
    const forged = await signSession(
      { secret: testConfig.secret },
      {
        workspaceId: other.id,
        keyId: String(row?.id),
        id: "ses_forged",
        expiresAt: t.clock.now().getTime() + 60_000,
      },
    );
    await expectRefused(`chorus_session=${forged}`);
  });

  it("expired after 12 hours", async () => {
    const { cookie } = await signIn();
    t.clock.advance(12 * 60 * 60 * 1000 + 1);
    await expectRefused(cookie);
  });

  it("its key revoked (rotated): every session made with it ends", async () => {
    const { cookie } = await signIn();
    await rotateKey(t, { workspaceId: ws.id, kind: "secret" });
    await expectRefused(cookie);
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
    const signOut = await t.call("DELETE", "/v1/dashboard/session", { headers: withCookie(cookie) });
    expect(signOut.status).toBe(204);
    await expectRefused(cookie);
    // Only that session: another sign-in with the same key goes on.
    expect((await t.call("GET", "/v1/dashboard/session", { headers: withCookie(second.cookie) })).status).toBe(200);
    // A forged or foreign cookie signs nobody out.
    await t.call("DELETE", "/v1/dashboard/session", { headers: withCookie("chorus_session=garbage") });
    expect((await t.call("GET", "/v1/dashboard/session", { headers: withCookie(second.cookie) })).status).toBe(200);
  });
});

describe("Secure behind a TLS-terminating proxy (issue 15)", () => {
  const signInOver = async (config: Partial<typeof testConfig>, headers: Record<string, string> = {}) => {
    const app = createApp({ db: t.db, clock: t.clock, config: { ...testConfig, ...config } });
    const response = await app.request("http://10.0.0.5:8787/v1/dashboard/session", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ secretKey: ws.secretKey }),
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

describe("failed sign-ins are throttled per address (issue 15)", () => {
  const attempt = (secretKey: string, ip: string) =>
    t.call("POST", "/v1/dashboard/session", { body: { secretKey }, headers: { "X-Forwarded-For": ip } });

  beforeEach(async () => {
    t.cleanup();
    t = await createTestApp({ trustProxy: true });
    ws = await workspaceFactory(t.db);
  });

  it("answers 429 with Retry-After after 10 failures in 15 minutes, even to the right key, and only for that address", async () => {
    // A right key from the same address before the failures: it does not use the allowance.
    expect((await attempt(ws.secretKey, "203.0.113.20")).status).toBe(200);
    for (let i = 0; i < 10; i++) await expectError(await attempt(`sk_guess${i}`, "203.0.113.20"), 401, "unauthorized");
    const throttled = await attempt(ws.secretKey, "203.0.113.20");
    const error = await expectError(throttled.clone(), 429, "rate_limited");
    expect(error.details).toMatchObject({ scope: "address" });
    expect(throttled.headers.get("Retry-After")).toBe("900");
    expect(throttled.headers.get("Set-Cookie")).toBeNull();
    // Another address signs in as usual; the throttled one again once the window has passed.
    expect((await attempt(ws.secretKey, "203.0.113.21")).status).toBe(200);
    t.clock.advance(15 * 60_000);
    expect((await attempt(ws.secretKey, "203.0.113.20")).status).toBe(200);
  });

  it("never counts successful sign-ins", async () => {
    for (let i = 0; i < 30; i++) expect((await attempt(ws.secretKey, "203.0.113.30")).status).toBe(200);
  });
});
