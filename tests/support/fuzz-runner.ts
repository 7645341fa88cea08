/**
 * Sends fuzzed requests to the world's app and checks each answer with the oracle, counting
 * rows before and after so a refused request that stored anything is caught.
 */
import fc from "fast-check";
import { answerProblems, describeFailure, tableCounter } from "./fuzz-oracle.ts";
import type { FuzzRequest } from "./fuzz-requests.ts";
import type { FuzzTarget } from "./fuzz-routes.ts";
import type { FuzzWorld } from "./fuzz-world.ts";

/** FUZZ_SEED replays a run (printed with every failure); FUZZ_RUNS scales the number of requests per route. */
export const fuzzSeed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
export const fuzzRuns = Number(process.env.FUZZ_RUNS ?? 40);

/** A per-route seed, so one route's failure replays without running the others first. */
export function seedFor(key: string): number {
  let hash = fuzzSeed;
  for (const char of key) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

export async function createFuzzRunner(world: FuzzWorld) {
  const counter = await tableCounter(world.t.client);
  const stats = {
    requests: 0,
    byTarget: new Map<string, number>(),
    byStatus: new Map<number, number>(),
    /** "POST /v1/conversions 201" → count: how deep each route got. */
    byTargetStatus: new Map<string, number>(),
    /** With FUZZ_VERBOSE: why clean requests were refused (to tune the generators). */
    cleanRefusals: new Map<string, number>(),
  };
  const logged: unknown[][] = [];
  const originalError = console.error;
  // The app logs unexpected errors (and swallowed ones, such as a click that failed to save): any is a finding.
  console.error = (...args: unknown[]) => {
    logged.push(args);
  };

  async function exercise(target: FuzzTarget | null, request: FuzzRequest): Promise<void> {
    const headers = { ...request.headers };
    if (request.freshLearner !== undefined)
      headers.Authorization = `Bearer ${await world.freshToken(request.freshLearner)}`;
    await world.t.flushClicks();
    const before = await counter.count();
    logged.length = 0;
    const response = await world.t.app.request(`https://chorus.test${request.url}`, {
      method: request.method,
      headers,
      // A Blob without a type: the Content-Type sent is only the one the fuzzer chose (or none).
      body: request.body === undefined ? undefined : new Blob([request.body as BlobPart]),
    });
    const answer = { status: response.status, headers: response.headers, text: await response.text() };
    stats.requests++;
    const key = target?.key ?? "stray";
    stats.byTarget.set(key, (stats.byTarget.get(key) ?? 0) + 1);
    stats.byStatus.set(answer.status, (stats.byStatus.get(answer.status) ?? 0) + 1);
    const keyStatus = `${key} ${answer.status}`;
    stats.byTargetStatus.set(keyStatus, (stats.byTargetStatus.get(keyStatus) ?? 0) + 1);

    if (process.env.FUZZ_VERBOSE && request.credential.startsWith("clean") && answer.status >= 400) {
      const line = `${key} ${answer.status} ${answer.text.slice(0, 160)}`;
      stats.cleanRefusals.set(line.replace(/"requestId":"[^"]+"/, ""), (stats.cleanRefusals.get(line) ?? 0) + 1);
    }
    const problems = answerProblems(target, request, answer);
    if (answer.status >= 400) {
      // Clicks are group-committed: anything the request queued is written before counting.
      await world.t.flushClicks();
      const stored = counter.diff(before, await counter.count());
      if (stored) problems.push(`refused with ${answer.status} but stored rows: ${stored}`);
    }
    if (logged.length > 0)
      problems.push(`the server logged an error: ${logged.map((args) => args.map(String).join(" ")).join(" | ")}`);
    if (({} as Record<string, unknown>).polluted !== undefined) problems.push("Object.prototype was polluted");
    // Keep the world usable: a successful settings change would lock later requests out (origins, Stripe).
    if (target?.key === "PATCH /v1/admin/program" && answer.status === 200) await world.restoreSettings();
    if (problems.length > 0)
      throw new Error(`${describeFailure(request, answer, problems)}\nreplay with FUZZ_SEED=${fuzzSeed}`);
  }

  /** Runs `runs` requests for one route and checks every answer. */
  async function fuzz(target: FuzzTarget | null, requests: fc.Arbitrary<FuzzRequest>, runs = fuzzRuns) {
    await fc.assert(
      fc.asyncProperty(requests, (request) => exercise(target, request)),
      // Shrinking replays requests against a database that has moved on: the first failure is clearer.
      { seed: seedFor(target?.key ?? "stray"), numRuns: runs, endOnFailure: process.env.FUZZ_SHRINK !== "1" },
    );
  }

  return {
    stats,
    fuzz,
    exercise,
    restoreConsole: () => {
      console.error = originalError;
    },
  };
}
