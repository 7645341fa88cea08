/** Work kept alive after the response, on runtimes that hand each request an ExecutionContext. */
import type { Context, ExecutionContext } from "hono";

/**
 * The request's own `waitUntil` (Workers), or undefined where requests have no ExecutionContext.
 * Always this request's: work handed to another request's context dies with that request.
 */
export function executionContextWaitUntil(c: Context): ((promise: Promise<unknown>) => void) | undefined {
  let ctx: ExecutionContext;
  try {
    ctx = c.executionCtx;
  } catch {
    return undefined;
  }
  return (promise) => ctx.waitUntil(promise);
}
