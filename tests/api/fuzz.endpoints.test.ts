/**
 * Property-based fuzzing of every route (fast-check): random and hostile paths, queries, headers,
 * credentials and bodies. For every request: never a 5xx; every refusal is the error envelope
 * with a JSON content type and no stack trace; a refused request stores no row in any table.
 * The route list comes from the app's own /openapi.json plus the non-OpenAPI routes
 * (tests/support/fuzz-routes.ts); fuzz.routes.test.ts proves that list is complete.
 */
import { afterAll, describe, expect, it } from "vitest";
import { requestArbitrary, strayRequest } from "../support/fuzz-requests.ts";
import { fuzzTargets } from "../support/fuzz-routes.ts";
import { createFuzzRunner, fuzzRuns, fuzzSeed } from "../support/fuzz-runner.ts";
import type { OpenApiDoc } from "../support/fuzz-values.ts";
import { createFuzzWorld } from "../support/fuzz-world.ts";

const world = await createFuzzWorld();
const doc = (await (await world.t.app.request("https://chorus.test/openapi.json")).json()) as OpenApiDoc;
// FUZZ_ONLY=conversions fuzzes only the routes whose key contains it (for working on one route).
const targets = fuzzTargets(doc).filter((target) => target.key.includes(process.env.FUZZ_ONLY ?? ""));
const runner = await createFuzzRunner(world);

afterAll(() => {
  runner.restoreConsole();
  const statuses = [...runner.stats.byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}×${n}`)
    .join(" ");
  console.log(
    `fuzz: ${runner.stats.requests} requests fuzzed over ${targets.length} routes (seed ${fuzzSeed}, ${fuzzRuns} runs per route); statuses ${statuses}`,
  );
  if (process.env.FUZZ_VERBOSE) {
    const lines = [...runner.stats.byTargetStatus].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ×${n}`);
    console.log(lines.join("\n"));
    console.log([...runner.stats.cleanRefusals.keys()].sort().join("\n"));
  }
  world.t.cleanup();
});

describe("fuzzing every route with hostile input", () => {
  for (const target of targets) {
    it(`${target.key}: no 5xx, only envelopes, nothing stored when refused`, { timeout: 120_000 }, async () => {
      // A day passes between routes: rewards created so far fall due, and reads approve them.
      await world.advance(25 * 60 * 60 * 1000);
      await runner.fuzz(target, requestArbitrary(target, world, doc));
      expect(runner.stats.byTarget.get(target.key)).toBeGreaterThanOrEqual(fuzzRuns);
    });
  }

  it("unknown paths and methods answer the envelope", { timeout: 120_000 }, async () => {
    await runner.fuzz(null, strayRequest(doc), fuzzRuns * 2);
  });

  it("the fuzzer reached deep code: real successes and real refusals on every kind of route", () => {
    const successes = [...runner.stats.byStatus].filter(([status]) => status < 300).reduce((n, [, k]) => n + k, 0);
    const validation = runner.stats.byStatus.get(400) ?? 0;
    expect(successes).toBeGreaterThan(runner.stats.requests * 0.05);
    expect(validation).toBeGreaterThan(runner.stats.requests * 0.1);
  });
});
