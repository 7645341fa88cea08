import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OpenApiDocument } from "../shared-api/answers.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

describe("system routes", () => {
  it("reports health after querying the database", async () => {
    const response = await t.call("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: "ok", time: "2026-11-01T10:00:00.000Z" });
  });

  it("answers 503 with the envelope when the database is gone", async () => {
    t.client.close();
    await expectError(await t.call("GET", "/healthz"), 503, "unavailable");
  });

  it("generates OpenAPI 3.1 from the route schemas, with security schemes and error responses", async () => {
    const response = await t.call("GET", "/openapi.json");
    expect(response.status).toBe(200);
    const spec = (await response.json()) as OpenApiDocument;
    expect(spec.openapi).toBe("3.1.0");
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(["/healthz", "/v1/admin/program", "/v1/referrals/me"]),
    );
    expect(Object.keys(spec.components.securitySchemes).sort()).toEqual([
      "dashboardSession",
      "learnerToken",
      "metricsToken",
      "publishableKey",
      "secretKey",
    ]);
    expect(spec.paths["/metrics"]?.get?.security).toEqual([{ metricsToken: [] }]);
    expect(spec.paths["/v1/admin/program"]?.patch?.responses).toHaveProperty("400");
    expect(spec.paths["/v1/admin/program"]?.get?.security).toEqual([{ secretKey: [] }, { dashboardSession: [] }]);
    expect(spec.components.schemas).toHaveProperty("Error");
  });

  it("serves the API reference page from its own origin under a CSP", async () => {
    const response = await t.call("GET", "/docs");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('src="/docs/swagger-ui-bundle.js"');
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
    expect(response.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
  });

  it("serves a welcome page at / with no inline script allowed", async () => {
    const response = await t.call("GET", "/");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Chorus is running");
    const csp = response.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
  });

  it("puts a request id on every response, echoed in error bodies", async () => {
    const ok = await t.call("GET", "/healthz");
    expect(ok.headers.get("X-Request-Id")).toMatch(/^[\w-]{8,}$/);
    const missing = await t.call("GET", "/v1/nothing-here");
    const error = await expectError(missing, 404, "not_found");
    expect(error.message).toContain("/v1/nothing-here");
    expect(missing.headers.get("X-Request-Id")).not.toBe(ok.headers.get("X-Request-Id"));
  });
});
