/**
 * The Cloudflare Workers entry: the same `createApp`, with the database reached over HTTP
 * (`@libsql/client/web`, a libSQL server or Turso). Static files are served by Workers assets
 * before the worker runs, so `deps.assets` stays empty here.
 */
import { createClient } from "@libsql/client/web";
import { createDb } from "../db/index.ts";
import { type App, createApp } from "./app.ts";
import { type ConfigEnv, configFromEnv } from "./config.ts";
import { runBackgroundTick } from "./services/background.ts";

export type WorkerEnv = ConfigEnv & {
  DATABASE_URL: string;
  DATABASE_AUTH_TOKEN?: string;
};

let cached: { env: WorkerEnv; app: App } | undefined;

/** One app per isolate: the client and the validated config are reused across requests. */
function appFor(env: WorkerEnv, ctx: ExecutionContext): App {
  if (cached?.env !== env) {
    const client = createClient({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
    const deps = {
      db: createDb(client),
      clock: { now: () => new Date() },
      config: configFromEnv(env),
      waitUntil: (promise: Promise<unknown>) => ctx.waitUntil(promise),
    };
    cached = { env, app: createApp(deps) };
  }
  return cached.app;
}

export default {
  fetch(request, env, ctx) {
    return appFor(env, ctx).fetch(request, env, ctx);
  },
  /** The cron trigger: approve rewards whose hold ended, deliver due webhooks. */
  scheduled(_controller, env, ctx) {
    const client = createClient({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
    const deps = { db: createDb(client), clock: { now: () => new Date() } };
    ctx.waitUntil(runBackgroundTick(deps).finally(() => client.close()));
  },
} satisfies ExportedHandler<WorkerEnv>;
