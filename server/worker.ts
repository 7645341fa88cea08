/**
 * The Cloudflare Workers entry: the same `createApp`, with the database reached over HTTP
 * (`@libsql/client/web`, a libSQL server or Turso) and the config read from bindings. Static
 * files (`dist/`) are served by Workers assets before the worker runs, so `deps.assets` stays
 * empty here. `deps.waitUntil` is bound per request to that request's `ctx.waitUntil` by
 * createApp (the runtime hands it the ExecutionContext), never to the first request's context.
 *
 * Only Web APIs may be reached from here: `tests/process/worker-bundle.test.ts` builds the bundle
 * and fails on any `node:` import.
 */
import { createClient } from "@libsql/client/web";
import { createDb, type Db } from "../db/index.ts";
import { type App, createApp } from "./app.ts";
import { type Config, type ConfigEnv, configFromEnv } from "./config.ts";
import { errorBody } from "./errors.ts";
import { runBackgroundTick } from "./services/background.ts";

export type WorkerEnv = ConfigEnv & {
  /** `libsql://…` (Turso) or `https://…` / `http://…` (a libSQL server); `file:` cannot work here. */
  DATABASE_URL?: string;
  DATABASE_AUTH_TOKEN?: string;
};

/** What one isolate builds once and reuses across requests (and cron runs). */
export type WorkerRuntime = { app: App; db: Db; config: Config };

let cached: { env: WorkerEnv; runtime: WorkerRuntime } | undefined;

/**
 * Builds (once per isolate) the app from the bindings, or throws a message an operator can act
 * on. On Workers CHORUS_SECRET is required: unlike Node there is no start-up step that could
 * generate one and store it before the first request.
 */
export function runtimeFor(env: WorkerEnv): WorkerRuntime {
  if (cached?.env === env) return cached.runtime;
  const missing = (["DATABASE_URL", "CHORUS_SECRET"] as const).filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set: set DATABASE_URL in wrangler.toml [vars] and the secrets with \`wrangler secret put NAME\``,
    );
  }
  const config = configFromEnv(env);
  // No client-side concurrency limit (its default, 20, queues the 21st statement and starts it from
  // whichever request finishes one first: workerd refuses I/O for another request, and the queued
  // request hangs until cancelled). Workers already limits each request's own connections.
  const client = createClient({
    url: env.DATABASE_URL!,
    authToken: env.DATABASE_AUTH_TOKEN || undefined,
    concurrency: Number.POSITIVE_INFINITY,
  });
  const db = createDb(client);
  const app = createApp({
    db,
    clock: { now: () => new Date() },
    config,
    runtime: "workers",
    clientIp: (c) => c.req.header("CF-Connecting-IP"),
  });
  cached = { env, runtime: { app, db, config } };
  return cached.runtime;
}

/** A misconfigured worker answers every request with the error envelope saying what to fix. */
function misconfigured(error: unknown): Response {
  const requestId = crypto.randomUUID();
  const message = `Chorus is not configured: ${(error as Error).message}`;
  console.error(`[${requestId}]`, message);
  return Response.json(errorBody("internal", message, requestId), {
    status: 500,
    headers: { "X-Request-Id": requestId },
  });
}

export default {
  fetch(request, env, ctx) {
    let runtime: WorkerRuntime;
    try {
      runtime = runtimeFor(env);
    } catch (error) {
      return misconfigured(error);
    }
    return runtime.app.fetch(request, env, ctx);
  },
  /** The cron trigger: delivers due webhooks and approves rewards whose hold has passed. */
  scheduled(_controller, env, ctx) {
    let runtime: WorkerRuntime;
    try {
      runtime = runtimeFor(env);
    } catch (error) {
      console.error(`Chorus is not configured: ${(error as Error).message}`);
      return;
    }
    ctx.waitUntil(runBackgroundTick({ db: runtime.db, clock: { now: () => new Date() } }));
  },
} satisfies ExportedHandler<WorkerEnv>;
