/**
 * The Cloudflare Workers entry: the same `createApp`, with the database reached over HTTP
 * (`@libsql/client/http`, a libSQL server or Turso) and the config read from bindings. Static
 * files (`dist/`) are served by Workers assets before the worker runs, so `deps.assets` stays
 * empty here. `deps.waitUntil` is bound per request to that request's `ctx.waitUntil`
 * (`requestWaitUntil`), never to the first request's context.
 *
 * Only Web APIs may be reached from here: `tests/process/worker-bundle.test.ts` builds the bundle
 * and fails on any `node:` import.
 */
import { createClient } from "@libsql/client/http";
import { createDb, type Db } from "../db/index.ts";
import { type App, createApp } from "./app.ts";
import { type Config, type RawEnv, workerSettings } from "./config.ts";
import { errorBody } from "./errors.ts";
import { createHttpMailTransport } from "./http-mail.ts";
import { consoleLogger } from "./lib/console-logger.ts";
import { executionContextWaitUntil } from "./lib/execution-context.ts";
import { errorText, type Logger } from "./lib/telemetry.ts";
import { createR2MediaStore } from "./r2-media-store.ts";
import { createClickWriter } from "./services/click-writer.ts";
import type { MailWorkerOptions } from "./services/mail-outbox.ts";
import { unconfiguredMediaStore } from "./services/media-store.ts";

/**
 * The bindings: wrangler.toml [vars] and secrets (DATABASE_URL: `libsql://…` or `https://…`;
 * `file:` cannot work here), and the `MEDIA` R2 bucket that keeps uploaded photos and videos.
 */
export type WorkerEnv = RawEnv & { MEDIA?: R2Bucket };

/** What one isolate builds once and reuses across requests (and cron runs). */
export type WorkerRuntime = { app: App; db: Db; config: Config; mail?: MailWorkerOptions; log: Logger };

let cached: { env: WorkerEnv; runtime: WorkerRuntime } | undefined;

/**
 * Builds (once per isolate) the app from the bindings, or throws a message an operator can act
 * on (server/config.ts: on Workers DATABASE_URL and CHORUS_SECRET are required).
 */
export function runtimeFor(env: WorkerEnv): WorkerRuntime {
  if (cached?.env === env) return cached.runtime;
  const { MEDIA, ...vars } = env;
  const { database, config, mail: mailSettings, logLevel } = workerSettings(vars);
  // JSON lines on console.log: Workers Logs and `wrangler tail` index them by field.
  const log = consoleLogger(logLevel);
  // No client-side concurrency limit (its default, 20, queues the 21st statement and starts it from
  // whichever request finishes one first: workerd refuses I/O for another request, and the queued
  // request hangs until cancelled). Workers already limits each request's own connections.
  const client = createClient({
    url: database.url,
    authToken: database.authToken,
    concurrency: Number.POSITIVE_INFINITY,
  });
  const db = createDb(client);
  // Without MAIL_API_KEY and MAIL_FROM mail is off: messages wait in the outbox, the dashboard says so.
  const mail: MailWorkerOptions | undefined = mailSettings
    ? {
        transport: createHttpMailTransport({ apiKey: mailSettings.apiKey, apiUrl: mailSettings.apiUrl }),
        from: { name: null, address: mailSettings.from },
        secret: config.secret,
        publicUrl: mailSettings.publicUrl,
        perRecipientPerDay: mailSettings.perRecipientPerDay,
        telemetry: { log },
      }
    : undefined;
  const app = createApp({
    db,
    clock: { now: () => new Date() },
    config,
    // Each request writes its own click, and never awaits another request's lookup: a request's
    // I/O is cancelled when it ends (services/click-writer.ts, services/clicks.ts).
    clickWriter: createClickWriter({ db }, { runtime: "workers" }),
    clickRecorder: { isolatedRequests: true },
    requestWaitUntil: executionContextWaitUntil,
    clientIp: (c) => c.req.header("CF-Connecting-IP"),
    mailTransport: mail?.transport,
    // Without the bucket, uploads are refused with this message (reads find nothing).
    media: MEDIA
      ? createR2MediaStore(MEDIA)
      : unconfiguredMediaStore("Media storage is not configured: bind an R2 bucket as MEDIA in wrangler.toml"),
    log,
  });
  cached = { env, runtime: { app, db, config, mail, log } };
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
  /** The cron trigger: approves rewards whose hold has passed, delivers due webhooks and sends due mail. */
  scheduled(_controller, env, ctx) {
    let runtime: WorkerRuntime;
    try {
      runtime = runtimeFor(env);
    } catch (error) {
      console.error(`Chorus is not configured: ${(error as Error).message}`);
      return;
    }
    // What only the cron run does (webhook delivery, reward delivery, digests…) is loaded by the
    // first cron run, not by a request's cold start (worker.build.ts).
    const tick = import("./services/background.ts").then(({ runBackgroundTick }) =>
      runBackgroundTick(
        { db: runtime.db, clock: { now: () => new Date() } },
        { telemetry: { log: runtime.log } },
        runtime.mail,
        { secret: runtime.config.secret },
      ),
    );
    // The next minute's run tries again; the log says why this one failed.
    ctx.waitUntil(
      tick.catch((error) => runtime.log.error({ job: "drain", error: errorText(error) }, "background tick failed")),
    );
  },
} satisfies ExportedHandler<WorkerEnv>;
