/**
 * The operator's view of the real Node server (npm start): JSON log lines on stdout, /readyz,
 * and /metrics behind METRICS_TOKEN, as a process manager and a Prometheus scraper meet them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startServer } from "../support/processes.ts";
import { parsePrometheusText, sampleValue } from "../support/prometheus-text.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-ops-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const token = "scrape-token-0123456789abcdef";

/** The lines of the output that are JSON objects (the banner is plain text for a person). */
const jsonLines = (output: string) =>
  output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("the Node server for an operator", () => {
  it("logs each request as a JSON line, is ready, and serves metrics only with the token", async () => {
    const server = await startServer({
      DATABASE_URL: `file:${join(dir, "chorus.db")}`,
      CHORUS_DEMO: "0",
      METRICS_TOKEN: token,
      LOG_LEVEL: "info",
    });
    try {
      const ready = await fetch(`${server.baseUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: "ready", checks: { database: "ok", migrations: "ok" } });
      expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${server.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
      expect(metrics.status).toBe(200);
      const page = parsePrometheusText(await metrics.text());
      expect(sampleValue(page, "chorus_http_requests_total", { route: "/readyz", status: "200" })).toBe(1);
      expect(sampleValue(page, "process_resident_memory_bytes")).toBeGreaterThan(10_000_000);
    } finally {
      expect(await server.stop("SIGINT")).toBe(0);
    }
    // Written asynchronously, flushed on the way out.
    const requests = jsonLines(server.output()).filter((line) => line.msg === "request");
    expect(requests.map((line) => `${line.route} ${line.status}`)).toEqual([
      "/readyz 200",
      "/metrics 401",
      "/metrics 200",
    ]);
    expect(server.output()).not.toContain(token);
  });

  it("answers 404 at /metrics without METRICS_TOKEN, and writes no request lines at LOG_LEVEL=warn", async () => {
    const server = await startServer({
      DATABASE_URL: `file:${join(dir, "chorus.db")}`,
      CHORUS_DEMO: "0",
      LOG_LEVEL: "warn",
    });
    try {
      expect((await fetch(`${server.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(
        404,
      );
    } finally {
      await server.stop("SIGINT");
    }
    expect(jsonLines(server.output())).toEqual([]);
  });
});
