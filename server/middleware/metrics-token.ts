/**
 * The guard of `GET /metrics`: 404 where metrics are off (no METRICS_TOKEN, or Workers), 401
 * without the token. The figures are the operator's: request rates by route, outbox backlogs and
 * the database's size tell an outsider how a provider's programme is doing.
 */
import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors.ts";
import { sha256Hex, timingSafeEqual } from "../lib/crypto.ts";
import { refuses } from "../lib/refusals.ts";
import type { AppEnv } from "../types.ts";

export const requireMetricsToken = refuses(
  createMiddleware<AppEnv>(async (c, next) => {
    const endpoint = c.var.deps.metricsEndpoint;
    if (!endpoint) throw new ApiError("not_found", "Metrics are off: set METRICS_TOKEN (Node) to turn them on");
    const given = c.req.header("Authorization")?.match(/^Bearer (.+)$/)?.[1] ?? "";
    // Compared as digests: the time taken says nothing of the token, not even its length.
    if (!timingSafeEqual(await sha256Hex(given), await sha256Hex(endpoint.token)))
      throw new ApiError("unauthorized", "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>", undefined, {
        "WWW-Authenticate": 'Bearer realm="metrics"',
      });
    await next();
  }),
  [401, 404],
);
