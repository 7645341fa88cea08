/** The fuzzer's own checks can fail: each oracle is shown a bad answer and must say so. */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { envelopeProblems, leaksInternals, tableCounter } from "../support/fuzz-oracle.ts";
import { mutated, rawToken, setOwn, validValue, writeJson } from "../support/fuzz-values.ts";
import { createTestApp } from "../support/test-app.ts";

const t = await createTestApp();
afterAll(() => t.cleanup());

const answer = (status: number, body: unknown, type = "application/json", requestId = "req-1") => ({
  status,
  headers: new Headers({ "Content-Type": type, "X-Request-Id": requestId }),
  text: typeof body === "string" ? body : JSON.stringify(body),
});
const envelope = (code: string, extra: Record<string, unknown> = {}) => ({
  error: { code, message: "Nope", requestId: "req-1", ...extra },
});

describe("the fuzzer's oracle", () => {
  it("accepts the envelope and refuses everything else", () => {
    expect(envelopeProblems(answer(404, envelope("not_found")))).toEqual([]);
    expect(envelopeProblems(answer(400, envelope("invalid_request", { details: [] })))).toEqual([]);
    expect(envelopeProblems(answer(404, envelope("not_found"), "text/html"))).not.toEqual([]);
    expect(envelopeProblems(answer(404, envelope("not_found", { stack: "x" })))).not.toEqual([]);
    expect(envelopeProblems(answer(400, envelope("not_found")))).not.toEqual([]);
    expect(envelopeProblems(answer(404, { ...envelope("not_found"), extra: 1 }))).not.toEqual([]);
    expect(envelopeProblems(answer(404, envelope("not_found"), "application/json", "other-id"))).not.toEqual([]);
    expect(envelopeProblems(answer(404, "Not Found", "text/plain"))).not.toEqual([]);
  });

  it("spots stack traces and source paths", () => {
    expect(leaksInternals("TypeError: x\n    at handler (/srv/app.js:1:2)")).toBe(true);
    expect(leaksInternals(`failed in ${process.cwd()}/server/app.ts`)).toBe(true);
    expect(leaksInternals("server/routes/stories.ts:12:5")).toBe(true);
    expect(leaksInternals(JSON.stringify(envelope("not_found")))).toBe(false);
  });

  it("counts rows in every table, and sees one stored row", async () => {
    const counter = await tableCounter(t.client);
    expect(counter.tables).toEqual(expect.arrayContaining(["clicks", "conversions", "learners", "webhook_events"]));
    const before = await counter.count();
    expect(counter.diff(before, await counter.count())).toBe("");
    await t.client.execute(
      "insert into server_settings (key, value) values ('fuzz-oracle', 'x') on conflict do nothing",
    );
    expect(counter.diff(before, await counter.count())).toBe("server_settings +1");
  });

  it("writes JSON that JSON.stringify cannot: 1e999, own __proto__ keys, deep nesting", () => {
    const value: Record<string, unknown> = { n: rawToken("1e999"), deep: rawToken("[[[1]]]") };
    setOwn(value, "__proto__", { polluted: true });
    expect(writeJson(value)).toBe('{"n":1e999,"deep":[[[1]]],"__proto__":{"polluted":true}}');
  });

  it("mutates valid values into invalid ones", () => {
    const schema = {
      type: "object",
      properties: {
        code: { type: "string", pattern: "^[a-z]{3,8}$" },
        rating: { type: "integer", minimum: 1, maximum: 5 },
      },
      required: ["code", "rating"],
    };
    const valid = validValue(schema, { doc: { paths: {} }, known: () => undefined });
    const isValid = (v: unknown) => {
      const o = v as { code?: unknown; rating?: unknown };
      return (
        typeof o === "object" &&
        o !== null &&
        typeof o.code === "string" &&
        /^[a-z]{3,8}$/.test(o.code) &&
        Number.isInteger(o.rating) &&
        (o.rating as number) >= 1 &&
        (o.rating as number) <= 5
      );
    };
    expect(fc.sample(valid, { numRuns: 50, seed: 1 }).every(isValid)).toBe(true);
    const broken = fc.sample(mutated(valid), { numRuns: 200, seed: 1 }).filter((v) => !isValid(v));
    expect(broken.length).toBeGreaterThan(100);
  });
});
