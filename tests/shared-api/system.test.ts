import { describe, expect, it } from "vitest";
import type { OpenApiDocument } from "./answers.ts";
import { api, apiJson, expectError } from "./client.ts";

describe("health, docs and static assets", () => {
  it("reports health after querying the database", async () => {
    const response = await api("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Request-Id")).toBeTruthy();
    const body = await response.json();
    expect(body).toEqual({ status: "ok", database: "ok", time: expect.any(String) });
    // The server's clock, not a fixed value: within a minute of ours.
    expect(Math.abs(Date.parse(body.time) - Date.now())).toBeLessThan(60_000);
  });

  it("serves the OpenAPI 3.1 document generated from the route schemas", async () => {
    const spec = await apiJson<OpenApiDocument>("GET", "/openapi.json", 200);
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
    expect(spec.paths["/v1/admin/program"]?.get?.security).toEqual([{ secretKey: [] }, { dashboardSession: [] }]);
    expect(spec.components.schemas).toHaveProperty("Error");
  });

  it("serves the welcome page and the API reference page", async () => {
    const home = await api("GET", "/");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Chorus is running");
    const docs = await api("GET", "/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('src="/docs/swagger-ui-bundle.js"');
  });

  it("serves the built loader and the API reference assets", async () => {
    const loader = await api("GET", "/embed.js");
    expect(loader.status).toBe(200);
    expect(loader.headers.get("Content-Type")).toMatch(/javascript/);
    expect((await loader.text()).length).toBeGreaterThan(100);
    const css = await api("GET", "/docs/swagger-ui.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("Content-Type")).toMatch(/^text\/css/);
    await css.arrayBuffer();
  });
});

describe("the error envelope", () => {
  it("answers unknown routes and wrong methods with 404 not_found", async () => {
    const error = await expectError(await api("GET", "/v1/no-such-thing"), 404, "not_found");
    expect(error.message).toContain("/v1/no-such-thing");
    await expectError(await api("DELETE", "/healthz"), 404, "not_found");
  });

  it("answers broken JSON with 400 invalid_json, another media type with 415, a huge body with 413", async () => {
    const auth = { Authorization: "Bearer sk_doesnotmatter" };
    // The body is checked before the key: a malformed request never reaches a database lookup.
    await expectError(
      await api("PATCH", "/v1/admin/program", { body: '{"holdDays": 3,', headers: auth }),
      400,
      "invalid_json",
    );
    await expectError(
      await api("PATCH", "/v1/admin/program", {
        body: "holdDays=3",
        headers: { ...auth, "Content-Type": "application/x-www-form-urlencoded" },
      }),
      415,
      "unsupported_media_type",
    );
    const huge = { allowedOrigins: Array.from({ length: 4000 }, (_, i) => `https://site-${i}.example`) };
    await expectError(await api("PATCH", "/v1/admin/program", { body: huge, headers: auth }), 413, "payload_too_large");
  });

  it("gives every answer, success or error, its own request id", async () => {
    const ids = await Promise.all(
      ["/healthz", "/healthz", "/v1/nothing"].map(async (path) => {
        const response = await api("GET", path);
        await response.arrayBuffer();
        return response.headers.get("X-Request-Id");
      }),
    );
    expect(new Set(ids).size).toBe(3);
  });
});
