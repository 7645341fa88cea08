import { beforeAll, describe, expect, it } from "vitest";
import { api, apiJson, browser, expectError, learnerToken, newWorkspace, secret, type Workspace } from "./client.ts";

let ws: Workspace;
beforeAll(async () => {
  ws = await newWorkspace({ name: "Program Academy" });
});

describe("GET and PATCH /v1/admin/program", () => {
  it("starts with the documented defaults", async () => {
    const settings = await apiJson("GET", "/v1/admin/program", 200, { headers: secret(ws.secretKey) });
    expect(settings).toMatchObject({
      attribution: { windowDays: 30, model: "last-click" },
      trigger: "enrollment",
      holdDays: 14,
      minSampleSize: 10,
      fraud: { selfReferral: true, disposableEmail: true, botClicks: true },
    });
  });

  it("stores a change: the next read, a separate request, sees it", async () => {
    const changed = await apiJson("PATCH", "/v1/admin/program", 200, {
      headers: secret(ws.secretKey),
      body: { holdDays: 7, attribution: { windowDays: 60, model: "first-click" } },
    });
    expect(changed).toMatchObject({ holdDays: 7, attribution: { windowDays: 60, model: "first-click" } });
    const read = await apiJson("GET", "/v1/admin/program", 200, { headers: secret(ws.secretKey) });
    expect(read).toEqual(changed);
  });

  it("refuses invalid values and unknown settings, and changes nothing", async () => {
    const before = await apiJson("GET", "/v1/admin/program", 200, { headers: secret(ws.secretKey) });
    const invalid = await expectError(
      await api("PATCH", "/v1/admin/program", { headers: secret(ws.secretKey), body: { holdDays: -1 } }),
      400,
      "invalid_request",
    );
    expect(JSON.stringify(invalid.details)).toContain("holdDays");
    const unknown = await expectError(
      await api("PATCH", "/v1/admin/program", { headers: secret(ws.secretKey), body: { holdDayz: 3 } }),
      400,
      "invalid_request",
    );
    expect(unknown.message).toContain("holdDayz");
    expect(await apiJson("GET", "/v1/admin/program", 200, { headers: secret(ws.secretKey) })).toEqual(before);
  });

  it("opens the widgets to a newly allowed origin, and closes them to a removed one", async () => {
    const origin = "https://new-site.example";
    const token = await learnerToken(ws, { sub: "learner-origins" });
    await expectError(
      await api("POST", "/v1/referrals/me", { headers: browser(ws.publishableKey, token, origin) }),
      403,
      "forbidden",
    );
    await apiJson("PATCH", "/v1/admin/program", 200, {
      headers: secret(ws.secretKey),
      body: { allowedOrigins: [origin] },
    });
    expect((await api("POST", "/v1/referrals/me", { headers: browser(ws.publishableKey, token, origin) })).status).toBe(
      200,
    );
    await expectError(
      await api("POST", "/v1/referrals/me", { headers: browser(ws.publishableKey, token) }),
      403,
      "forbidden",
    );
  });
});
