import type { ExecutionContext } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { executionContextWaitUntil } from "../../server/lib/execution-context.ts";
import { createTestApp, type TestApp, testConfig } from "../support/test-app.ts";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

/** An ExecutionContext like the Workers runtime hands to each request, recording what it keeps alive. */
function executionContext() {
  const kept: Promise<unknown>[] = [];
  const ctx: ExecutionContext = {
    waitUntil: (promise) => kept.push(promise),
    passThroughOnException: () => {},
    props: {},
  };
  return { ctx, kept };
}

/** A route that hands one promise to `deps.waitUntil`, as the redirect does with its click write. */
function withProbe(app: ReturnType<typeof createApp>) {
  app.get("/__probe", (c) => {
    const { waitUntil } = c.var.deps;
    waitUntil?.(Promise.resolve(c.req.query("n")));
    return c.json({ bound: typeof waitUntil === "function" });
  });
  return app;
}

describe("deps.waitUntil on Workers", () => {
  it("is bound to each request's own ExecutionContext, even for concurrent requests", async () => {
    const app = withProbe(
      createApp({ db: t.db, clock: t.clock, config: testConfig, requestWaitUntil: executionContextWaitUntil }),
    );
    const [a, b] = [executionContext(), executionContext()];
    const [ra, rb] = await Promise.all([
      app.fetch(new Request("https://chorus.test/__probe?n=1"), {}, a.ctx),
      app.fetch(new Request("https://chorus.test/__probe?n=2"), {}, b.ctx),
    ]);
    expect(await ra.json()).toEqual({ bound: true });
    expect(await rb.json()).toEqual({ bound: true });
    expect(await Promise.all(a.kept)).toEqual(["1"]);
    expect(await Promise.all(b.kept)).toEqual(["2"]);
  });

  it("is absent on Node, where no ExecutionContext exists (work is awaited instead)", async () => {
    const app = withProbe(t.app);
    const response = await app.request("https://chorus.test/__probe?n=3");
    expect(await response.json()).toEqual({ bound: false });
    // Even if a caller passes a context, a Node app does not look for one.
    const { ctx, kept } = executionContext();
    await app.fetch(new Request("https://chorus.test/__probe?n=5"), {}, ctx);
    expect(kept).toEqual([]);
  });

  it("keeps an explicitly injected waitUntil", async () => {
    const kept: unknown[] = [];
    const app = withProbe(
      createApp({ db: t.db, clock: t.clock, config: testConfig, waitUntil: (promise) => kept.push(promise) }),
    );
    const other = executionContext();
    await app.fetch(new Request("https://chorus.test/__probe?n=4"), {}, other.ctx);
    expect(await Promise.all(kept)).toEqual(["4"]);
    expect(other.kept).toEqual([]);
  });
});
