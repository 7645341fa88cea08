/**
 * One log line and one metrics sample per request. The route is the pattern Hono matched
 * (`/r/:code`, never `/r/asha-7QK2`): a referral code, a learner id or a token in a path never
 * reaches the log, and the metrics' label values stay a bounded set. The line carries only ids
 * and figures (see server/lib/telemetry.ts).
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { noMetrics, silentLogger } from "../lib/telemetry.ts";
import type { AppEnv, Deps } from "../types.ts";

/**
 * The route that answered: the first matched handler registered for a method (middleware is
 * registered as ALL), so a guard's 401 is still counted under its route. None matched: `unmatched`.
 */
export function routePattern(c: Context<AppEnv>): string {
  return matchedRoutes(c).find((route) => route.method !== "ALL")?.path ?? "unmatched";
}

export function observeRequests(deps: Pick<Deps, "log" | "metrics">): MiddlewareHandler<AppEnv> {
  const log = deps.log ?? silentLogger;
  const metrics = deps.metrics ?? noMetrics;
  return async (c, next) => {
    const started = performance.now();
    // Errors never reach here: the app's onError turns them into the response first.
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routePattern(c);
    const { method } = c.req;
    const { status } = c.res;
    metrics.request(route, method, status, seconds);
    log[status >= 500 ? "error" : "info"](
      {
        // c.get, not c.var: the latter copies all of the request's variables each time (every request pays it).
        requestId: c.get("requestId"),
        method,
        route,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        workspaceId: c.get("auth")?.workspace.id ?? null,
      },
      "request",
    );
  };
}
