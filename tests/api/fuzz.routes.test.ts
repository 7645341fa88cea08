/**
 * The fuzzer cannot silently miss a route: every route in the app's own route table (the
 * production shape, static assets mounted) is an operation of /openapi.json (fuzzed by
 * construction), a listed non-OpenAPI route (fuzzed with its own schema), or listed as not
 * fuzzed with a reason. New routes, such as GET/DELETE /v1/learners/{id}, join the fuzzing as
 * soon as they are in the OpenAPI document.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { extraTargets, fuzzTargets, notFuzzed, registeredRoutes } from "../support/fuzz-routes.ts";
import type { OpenApiDoc } from "../support/fuzz-values.ts";
import { createTestApp, testConfig } from "../support/test-app.ts";

const t = await createTestApp();
afterAll(() => t.cleanup());

// The app as Node and Workers run it: with the static files mounted (createTestApp has none).
const app = createApp({ db: t.db, clock: t.clock, config: testConfig, assets: async (_c, next) => next() });
const doc = (await (await app.request("https://chorus.test/openapi.json")).json()) as OpenApiDoc;
const registered = registeredRoutes(app.routes);
const fuzzed = new Set(fuzzTargets(doc).map((target) => target.key));

describe("every route is fuzzed or listed with a reason", () => {
  it("finds the routes (the discovery itself works)", () => {
    expect(registered).toContain("GET /r/{code}");
    expect(registered).toContain("POST /v1/conversions");
    expect(fuzzed.size).toBeGreaterThan(40);
  });

  it("every registered route is fuzzed or has a reason not to be", () => {
    const missing = registered.filter((key) => !fuzzed.has(key) && !(key in notFuzzed));
    expect(missing, "routes neither fuzzed nor listed in notFuzzed (tests/support/fuzz-routes.ts)").toEqual([]);
  });

  it("every OpenAPI operation is a real route (the document is not ahead of the app)", () => {
    const openApi = [...fuzzed].filter((key) => !extraTargets.some((extra) => extra.key === key));
    expect(openApi.filter((key) => !registered.includes(key))).toEqual([]);
  });

  it("the hand-written lists name only routes that exist", () => {
    expect(extraTargets.map((target) => target.key).filter((key) => !registered.includes(key))).toEqual([]);
    expect(Object.keys(notFuzzed).filter((key) => !registered.includes(key))).toEqual([]);
    for (const reason of Object.values(notFuzzed)) expect(reason.length).toBeGreaterThan(20);
  });

  it("an unlisted route would be caught", () => {
    const withNew = registeredRoutes([...app.routes, { method: "GET", path: "/v1/secret-new-thing/:id" }]);
    expect(withNew.filter((key) => !fuzzed.has(key) && !(key in notFuzzed))).toEqual(["GET /v1/secret-new-thing/{id}"]);
    const withAll = registeredRoutes([...app.routes, { method: "ALL", path: "/v1/catch-all" }]);
    expect(withAll).toContain("ALL /v1/catch-all");
  });
});
