import { beforeAll, describe, expect, it } from "vitest";
import {
  api,
  apiJson,
  browser,
  expectError,
  learnerToken,
  newWorkspace,
  rotateKey,
  secret,
  siteOrigin,
  type Workspace,
} from "./client.ts";

let a: Workspace;
let b: Workspace;
/** Its keys get rotated: the other tests never use it. */
let rotating: Workspace;
beforeAll(async () => {
  [a, b, rotating] = await Promise.all([
    newWorkspace({ name: "A Academy", origins: [siteOrigin, "http://localhost:3000"] }),
    newWorkspace({ name: "B Academy", origins: ["https://b.example"] }),
    newWorkspace({ name: "Rotating Academy" }),
  ]);
});

describe("workspaces made with the CLI", () => {
  it("are reachable with their secret key and hold the origins given", async () => {
    const settings = await apiJson("GET", "/v1/admin/program", 200, { headers: secret(a.secretKey) });
    expect(settings.allowedOrigins).toEqual([siteOrigin, "http://localhost:3000"]);
  });

  it("are isolated: one workspace's key never reads or changes another's settings", async () => {
    await apiJson("PATCH", "/v1/admin/program", 200, { body: { holdDays: 3 }, headers: secret(b.secretKey) });
    const mine = await apiJson("GET", "/v1/admin/program", 200, { headers: secret(a.secretKey) });
    const theirs = await apiJson("GET", "/v1/admin/program", 200, { headers: secret(b.secretKey) });
    expect(mine).toMatchObject({ holdDays: 14, allowedOrigins: [siteOrigin, "http://localhost:3000"] });
    expect(theirs).toMatchObject({ holdDays: 3, allowedOrigins: ["https://b.example"] });
  });
});

describe("secret key", () => {
  it("is required, with a Bearer challenge", async () => {
    const response = await api("GET", "/v1/admin/program");
    expect(response.headers.get("WWW-Authenticate")).toContain("Bearer");
    await expectError(response, 401, "unauthorized");
  });

  it("must be a known secret key (an unknown one or a publishable key is refused)", async () => {
    await expectError(await api("GET", "/v1/admin/program", { headers: secret("sk_unknown") }), 401, "unauthorized");
    await expectError(
      await api("GET", "/v1/admin/program", { headers: secret(`sk_${"x".repeat(32)}`) }),
      401,
      "unauthorized",
    );
    await expectError(
      await api("GET", "/v1/admin/program", { headers: secret(a.publishableKey) }),
      401,
      "unauthorized",
    );
  });

  it("stops working once rotated with the CLI, and the new key works", async () => {
    const fresh = await rotateKey(rotating, "secret");
    const error = await expectError(
      await api("GET", "/v1/admin/program", { headers: secret(rotating.secretKey) }),
      401,
      "unauthorized",
    );
    expect(error.message).toContain("revoked");
    expect((await api("GET", "/v1/admin/program", { headers: secret(fresh) })).status).toBe(200);
  });
});

describe("publishable key from the browser", () => {
  it("answers a CORS preflight for the browser endpoints", async () => {
    const response = await api("OPTIONS", "/v1/referrals/me", {
      headers: {
        Origin: siteOrigin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "chorus-key, authorization, content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(siteOrigin);
    const allowed = (response.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase();
    for (const header of ["chorus-key", "authorization", "content-type"]) expect(allowed).toContain(header);
    expect(response.headers.get("Access-Control-Allow-Methods")).toContain("POST");
  });

  it("works from an allowed origin and carries CORS headers on the answer", async () => {
    const token = await learnerToken(a);
    const response = await api("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, token) });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(siteOrigin);
    expect(response.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
    await response.arrayBuffer();
  });

  it("is refused from a foreign origin with 403, before any data is read", async () => {
    const token = await learnerToken(a);
    const error = await expectError(
      await api("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, token, "https://evil.example") }),
      403,
      "forbidden",
    );
    expect(error.message).toContain("https://evil.example");
    // Workspace B's origin does not open workspace A.
    await expectError(
      await api("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, token, "https://b.example") }),
      403,
      "forbidden",
    );
  });

  it("must be a known, unrevoked publishable key", async () => {
    const token = await learnerToken(a);
    await expectError(
      await api("POST", "/v1/referrals/me", { headers: browser(`pk_${"y".repeat(32)}`, token) }),
      401,
      "unauthorized",
    );
    await expectError(
      await api("POST", "/v1/referrals/me", { headers: browser(a.secretKey, token) }),
      401,
      "unauthorized",
    );
    const fresh = await rotateKey(rotating, "publishable");
    const wsToken = await learnerToken(rotating);
    const error = await expectError(
      await api("POST", "/v1/referrals/me", { headers: browser(rotating.publishableKey, wsToken) }),
      401,
      "unauthorized",
    );
    expect(error.message).toContain("revoked");
    expect((await api("POST", "/v1/referrals/me", { headers: browser(fresh, wsToken) })).status).toBe(200);
  });
});

describe("learner token", () => {
  it("is required beside the publishable key", async () => {
    await expectError(
      await api("POST", "/v1/referrals/me", { headers: browser(a.publishableKey) }),
      401,
      "unauthorized",
    );
  });

  it("must be signed with this workspace's token secret", async () => {
    const foreign = await learnerToken(b);
    await expectError(
      await api("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, foreign) }),
      401,
      "unauthorized",
    );
  });

  it("is refused once expired", async () => {
    const expired = await learnerToken(a, {}, -120);
    const error = await expectError(
      await api("POST", "/v1/referrals/me", { headers: browser(a.publishableKey, expired) }),
      401,
      "unauthorized",
    );
    expect(error.message).toContain("expired");
  });
});
