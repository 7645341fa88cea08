import { beforeAll, describe, expect, it } from "vitest";
import { api, apiJson, browser, expectError, referringWorkspace, secret, settling, type Workspace } from "./client.ts";

let ws: Workspace;
let token: string;
let code: string;
beforeAll(async () => {
  ({ ws, token, code } = await referringWorkspace(
    "Redirect Academy",
    "https://academy.example/welcome?utm_source=chorus",
    { sub: "redirect-learner", name: "Priya Sharma" },
  ));
});

const phone = (n: number) =>
  `Mozilla/5.0 (Linux; Android 14; Pixel ${n}) AppleWebKit/537.36 Chrome/131.0.0.0 Mobile Safari/537.36`;
const follow = (path: string, userAgent: string, method = "GET") =>
  api(method, path, { headers: { "User-Agent": userAgent } });
const clicks = async () =>
  (
    await apiJson<{ stats: { clicks: number } }>("POST", "/v1/referrals/me", 200, {
      headers: browser(ws.publishableKey, token),
    })
  ).stats.clicks;

describe("codes and the redirect", () => {
  it("redirects with via and a click id, counts humans once, and never bots or HEAD", async () => {
    const response = await follow(`/r/${code.toUpperCase()}?ch=whatsapp`, phone(1));
    expect(response.status).toBe(302);
    const url = new URL(response.headers.get("Location") ?? "");
    expect(url.origin + url.pathname).toBe("https://academy.example/welcome");
    expect(url.searchParams.get("utm_source")).toBe("chorus");
    expect(url.searchParams.get("via")).toBe(code);
    const clickId = url.searchParams.get("chorus_cid");
    expect(clickId).toMatch(/^clk_/);

    const again = await follow(`/r/${code}`, phone(1));
    expect(new URL(again.headers.get("Location") ?? "").searchParams.get("chorus_cid")).toBe(clickId);
    const bot = await follow(`/r/${code}`, "facebookexternalhit/1.1");
    expect(new URL(bot.headers.get("Location") ?? "").searchParams.has("chorus_cid")).toBe(false);
    expect((await follow(`/r/${code}`, phone(2), "HEAD")).status).toBe(302);
    await follow(`/r/${code}`, phone(3));
    // On Workers the click is written after the answer: read it back until it lands.
    await expect.poll(clicks, settling).toBe(2);
  });

  it("keeps every click of visitors who follow the link at the same moment", async () => {
    const before = await clicks();
    const visitors = Array.from({ length: 40 }, (_, n) => phone(100 + n));
    const answers = await Promise.all(visitors.map((agent) => follow(`/r/${code}?ch=email`, agent)));
    expect(answers.map((answer) => answer.status)).toEqual(visitors.map(() => 302));
    const ids = answers.map((answer) => new URL(answer.headers.get("Location") ?? "").searchParams.get("chorus_cid"));
    expect(new Set(ids).size).toBe(visitors.length);
    // Every answered click id is a promise that the click is (or will be, on Workers) stored.
    await expect.poll(clicks, settling).toBe(before + visitors.length);
  });

  it("answers unknown codes with the friendly 404 page", async () => {
    const response = await follow("/r/no-such-code-here", phone(4));
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("This referral link does not work");
  });

  it("creates vanity codes, unique whatever the case, and refuses reserved words", async () => {
    const name = `spring-${Date.now().toString(36)}`;
    const created = await apiJson<{ code: string }>("POST", "/v1/codes", 201, {
      headers: secret(ws.secretKey),
      body: { code: name.toUpperCase(), targetUrl: "https://academy.example/spring" },
    });
    expect(created.code).toBe(name);
    await expectError(
      await api("POST", "/v1/codes", { headers: secret(ws.secretKey), body: { code: name } }),
      409,
      "conflict",
    );
    await expectError(
      await api("POST", "/v1/codes", { headers: secret(ws.secretKey), body: { code: "admin" } }),
      400,
      "invalid_request",
    );
    const response = await follow(`/r/${name}`, phone(5));
    expect(new URL(response.headers.get("Location") ?? "").pathname).toBe("/spring");
  });
});
