/**
 * Security headers on every target: the app's answers (pages, JSON, the API, errors) and the
 * built files, which Workers serves from the edge without the app (its `_headers` file).
 */
import { describe, expect, it } from "vitest";
import { api } from "./client.ts";

function directives(policy: string | null): Map<string, string> {
  return new Map(
    (policy ?? "")
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name as string, values.join(" ")]),
  );
}

async function headersOf(path: string) {
  const response = await api("GET", path);
  await response.arrayBuffer();
  return response.headers;
}

function expectBaseline(path: string, headers: Headers) {
  expect(headers.get("X-Content-Type-Options"), path).toBe("nosniff");
  expect(headers.get("Referrer-Policy"), path).toBe("no-referrer");
  expect(headers.get("X-Frame-Options"), path).toBe("DENY");
}

describe("security headers", () => {
  it("JSON and API answers: nosniff, no referrer, no framing, and a CSP that allows nothing", async () => {
    for (const path of ["/healthz", "/openapi.json", "/v1/stories", "/v1/no-such-thing"]) {
      const headers = await headersOf(path);
      expectBaseline(path, headers);
      const csp = directives(headers.get("Content-Security-Policy"));
      expect(csp.get("default-src"), path).toBe("'none'");
      expect(csp.get("frame-ancestors"), path).toBe("'none'");
    }
  });

  it("the server's pages: a CSP with no inline or eval script or style, and no framing", async () => {
    for (const path of ["/", "/docs", "/r/no-such-code"]) {
      const headers = await headersOf(path);
      expectBaseline(path, headers);
      const csp = directives(headers.get("Content-Security-Policy"));
      for (const directive of ["script-src", "style-src"])
        expect(csp.get(directive) ?? csp.get("default-src"), `${path} ${directive}`).not.toMatch(
          /unsafe-inline|unsafe-eval|\*/,
        );
      expect(csp.get("frame-ancestors"), path).toBe("'none'");
    }
  });

  it("built files, also where the edge serves them: nosniff, no referrer, no framing; the dashboard's strict CSP", async () => {
    for (const path of ["/embed.js", "/docs/swagger-ui.css", "/dashboard"]) expectBaseline(path, await headersOf(path));
    const dashboard = directives((await headersOf("/dashboard")).get("Content-Security-Policy"));
    expect(dashboard.get("script-src")).toBe("'self'");
    expect(dashboard.get("style-src")).toBe("'self'");
  });
});
