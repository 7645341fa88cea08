/** Analytics refuse what they cannot answer honestly: bad ranges, unknown dimensions, injections. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { seedDataSet } from "../support/analytics-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
beforeAll(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  await seedDataSet(t.db, ws.id, 3);
});
afterAll(() => t.cleanup());

const endpoints = [
  "/v1/analytics/funnel?",
  "/v1/analytics/breakdown?dimension=channel&",
  "/v1/analytics/k-factor?",
  "/v1/analytics/time-to-convert?",
  "/v1/analytics/advocates?",
  "/v1/analytics/timeseries?",
  "/v1/analytics/export.csv?dataset=clicks&",
];
const get = (path: string) => t.call("GET", path, { headers: { Authorization: `Bearer ${ws.secretKey}` } });

describe("bad analytics queries answer 400 with the envelope, and leak nothing", () => {
  const cases: [string, string][] = [
    ["inverted range", "from=2026-10-10&to=2026-10-01"],
    ["absurd range (more than two years)", "from=2020-01-01&to=2026-10-01"],
    ["malformed from", "from=yesterday"],
    ["impossible date", "from=2026-02-30&to=2026-03-01"],
    ["date-time instead of a date", "from=2026-10-01T00:00:00Z"],
    ["SQL injection in course", `course=${encodeURIComponent("x' OR '1'='1")}`],
    ["SQL injection in course (comment)", `course=${encodeURIComponent("a;DROP TABLE clicks;--")}`],
    ["SQL injection in from", `from=${encodeURIComponent("2026-10-01' OR 1=1 --")}`],
  ];
  for (const endpoint of endpoints) {
    for (const [name, query] of cases) {
      it(`${endpoint.split("?")[0]}: ${name}`, async () => {
        const response = await get(`${endpoint}${query}`);
        const error = await expectError(response, 400, "invalid_request");
        const text = JSON.stringify(error);
        expect(text).not.toMatch(/sqlite|SELECT|analytics_daily|stack/i);
      });
    }
  }

  it("an unknown dimension, dataset or interval", async () => {
    await expectError(await get("/v1/analytics/breakdown?dimension=password"), 400, "invalid_request");
    await expectError(
      await get(`/v1/analytics/breakdown?dimension=${encodeURIComponent("channel' --")}`),
      400,
      "invalid_request",
    );
    await expectError(await get("/v1/analytics/breakdown"), 400, "invalid_request");
    await expectError(await get("/v1/analytics/export.csv?dataset=learners"), 400, "invalid_request");
    await expectError(await get("/v1/analytics/export.csv"), 400, "invalid_request");
    await expectError(await get("/v1/analytics/timeseries?interval=hour"), 400, "invalid_request");
    await expectError(await get("/v1/analytics/advocates?limit=1000000"), 400, "invalid_request");
  });

  it("the clicks table survived every injection attempt", async () => {
    const rows = await t.client.execute("select count(*) as n from clicks");
    expect(Number(rows.rows[0]?.n)).toBe(400);
  });

  it("a range of exactly 731 days is accepted; 732 is not", async () => {
    expect((await get("/v1/analytics/funnel?from=2024-10-01&to=2026-10-01")).status).toBe(200);
    await expectError(await get("/v1/analytics/funnel?from=2024-09-30&to=2026-10-01"), 400, "invalid_request");
  });
});

describe("no credentials, no figures", () => {
  for (const endpoint of endpoints) {
    it(`${endpoint.split("?")[0]} without a key or session answers 401`, async () => {
      const response = await t.call("GET", endpoint);
      const error = await expectError(response, 401, "unauthorized");
      expect(Object.keys(error).sort()).toEqual(["code", "message", "requestId"]);
    });
  }

  it("a publishable key is not enough", async () => {
    const response = await t.call("GET", "/v1/analytics/funnel", {
      headers: { Authorization: `Bearer ${ws.publishableKey}` },
    });
    await expectError(response, 401, "unauthorized");
  });

  it("another workspace's key sees only its own (empty) figures", async () => {
    const other = await workspaceFactory(t.db, { name: "Other" });
    const response = await t.call("GET", "/v1/analytics/funnel?from=2026-09-01&to=2026-11-10", {
      headers: { Authorization: `Bearer ${other.secretKey}` },
    });
    expect(await response.json()).toMatchObject({ clicks: 0, visitors: 0, enrollments: 0, revenue: [] });
  });
});
