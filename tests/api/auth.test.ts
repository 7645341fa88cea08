import { SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rotateKey } from "../../server/services/api-keys.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let a: CreatedWorkspace;
let b: CreatedWorkspace;
beforeEach(async () => {
  t = await createTestApp();
  a = await workspaceFactory(t.db, { name: "A", origins: [testOrigin] });
  b = await workspaceFactory(t.db, { name: "B", origins: ["https://other.example"] });
});
afterEach(() => t.cleanup());

const secret = (key: string) => ({ Authorization: `Bearer ${key}` });
const browser = (key: string, token?: string, origin = testOrigin) => ({
  "Chorus-Key": key,
  Origin: origin,
  ...(token ? { Authorization: `Bearer ${token}` } : {}),
});

describe("secret key", () => {
  it("is required", async () => {
    const response = await t.call("GET", "/v1/admin/program");
    await expectError(response, 401, "unauthorized");
    expect(response.headers.get("WWW-Authenticate")).toContain("Bearer");
  });

  it("must be a known key", async () => {
    await expectError(
      await t.call("GET", "/v1/admin/program", { headers: secret("sk_notarealkey") }),
      401,
      "unauthorized",
    );
  });

  it("cannot be replaced by the publishable key", async () => {
    await expectError(
      await t.call("GET", "/v1/admin/program", { headers: secret(a.publishableKey) }),
      401,
      "unauthorized",
    );
  });

  it("stops working once rotated, and the new key works", async () => {
    const fresh = await rotateKey(t, { workspaceId: a.id, kind: "secret" });
    const old = await expectError(
      await t.call("GET", "/v1/admin/program", { headers: secret(a.secretKey) }),
      401,
      "unauthorized",
    );
    expect(old.message).toContain("revoked");
    expect((await t.call("GET", "/v1/admin/program", { headers: secret(fresh) })).status).toBe(200);
  });

  it("only ever reaches its own workspace", async () => {
    const changed = await t.call("PATCH", "/v1/admin/program", { body: { holdDays: 3 }, headers: secret(b.secretKey) });
    expect(changed.status).toBe(200);
    const mine = await (await t.call("GET", "/v1/admin/program", { headers: secret(a.secretKey) })).json();
    const theirs = await (await t.call("GET", "/v1/admin/program", { headers: secret(b.secretKey) })).json();
    expect(mine).toMatchObject({ holdDays: 14, allowedOrigins: [testOrigin] });
    expect(theirs).toMatchObject({ holdDays: 3, allowedOrigins: ["https://other.example"] });
  });
});

describe("publishable key and learner token", () => {
  it("answers a CORS preflight for browser endpoints", async () => {
    const response = await t.app.request("https://chorus.test/v1/referrals/me", {
      method: "OPTIONS",
      headers: {
        Origin: testOrigin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "chorus-key, authorization, content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(testOrigin);
    expect(response.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("chorus-key");
    expect(response.headers.get("Access-Control-Allow-Methods")).toContain("POST");
  });

  it("works from an allowed origin with a valid token", async () => {
    const response = await t.call("POST", "/v1/referrals/me", {
      headers: browser(a.publishableKey, await learnerToken(a)),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(testOrigin);
  });

  it("is refused from a foreign origin", async () => {
    const token = await learnerToken(a);
    const error = await expectError(
      await t.call("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, token, "https://evil.example") }),
      403,
      "forbidden",
    );
    expect(error.message).toContain("https://evil.example");
  });

  it("is required, and must be a publishable key that exists", async () => {
    const token = await learnerToken(a);
    await expectError(
      await t.call("POST", "/v1/referrals/me", { headers: { Authorization: `Bearer ${token}` } }),
      401,
      "unauthorized",
    );
    await expectError(
      await t.call("POST", "/v1/referrals/me", { headers: browser("pk_unknown", token) }),
      401,
      "unauthorized",
    );
    await expectError(
      await t.call("POST", "/v1/referrals/me", { headers: browser(a.secretKey, token) }),
      401,
      "unauthorized",
    );
  });

  it("refuses a revoked publishable key", async () => {
    await rotateKey(t, { workspaceId: a.id, kind: "publishable" });
    await expectError(
      await t.call("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, await learnerToken(a)) }),
      401,
      "unauthorized",
    );
  });

  it("needs a learner token", async () => {
    await expectError(
      await t.call("POST", "/v1/referrals/me", { headers: browser(a.publishableKey) }),
      401,
      "unauthorized",
    );
  });

  it("refuses an expired learner token", async () => {
    const token = await learnerToken(a, {}, { now: new Date("2026-11-01T08:00:00Z"), ttlSeconds: 3600 });
    const error = await expectError(
      await t.call("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, token) }),
      401,
      "unauthorized",
    );
    expect(error.message).toContain("expired");
  });

  it("refuses a tampered learner token", async () => {
    const token = await learnerToken(a, { sub: "learner-1" });
    const [header, , signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: "someone-else", exp: 4_000_000_000 })).toString("base64url");
    await expectError(
      await t.call("POST", "/v1/referrals/me", {
        headers: browser(a.publishableKey, `${header}.${forged}.${signature}`),
      }),
      401,
      "unauthorized",
    );
  });

  it("refuses a token signed for another workspace", async () => {
    const token = await learnerToken(b);
    await expectError(
      await t.call("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, token) }),
      401,
      "unauthorized",
    );
  });

  it("refuses a correctly signed token that never expires", async () => {
    const forever = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("learner-1")
      .sign(new TextEncoder().encode(a.tokenSecret));
    const error = await expectError(
      await t.call("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, forever) }),
      401,
      "unauthorized",
    );
    expect(error.message).toContain("exp");
  });

  it("refuses unsigned and wrong-algorithm tokens", async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"x"}').toString("base64url")}.`;
    await expectError(
      await t.call("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, none) }),
      401,
      "unauthorized",
    );
    const hs512 = await new SignJWT({})
      .setProtectedHeader({ alg: "HS512" })
      .setSubject("x")
      .sign(new TextEncoder().encode(a.tokenSecret));
    await expectError(
      await t.call("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, hs512) }),
      401,
      "unauthorized",
    );
  });
});
