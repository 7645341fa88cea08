import type { Context } from "hono";

/**
 * The runtime's way to finish work after the response (Workers' `waitUntil`), or undefined where
 * the process outlives the request (Node) and work should be awaited before answering.
 */
export function backgroundTask(c: Context): ((promise: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return undefined;
  }
}
