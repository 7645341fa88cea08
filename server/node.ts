/** The Node entry: `npm start`. Builds the deps (embedded database, clock, config) and serves. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { ensureDemoWorkspace } from "../db/seed.ts";
import { createDemoRoutes } from "../demo/server.ts";
import { createApp } from "./app.ts";
import { configFromEnv } from "./config.ts";
import { defaultDatabaseUrl, openDatabase } from "./node-database.ts";
import { startBackgroundWorker } from "./services/background.ts";
import { createClickWriter } from "./services/click-writer.ts";
import { ensureServerSecret } from "./services/server-secret.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = process.env;
const port = Number(env.PORT ?? 8787);
const host = env.HOST ?? "localhost";
const databaseUrl = env.DATABASE_URL ?? defaultDatabaseUrl;

const { client, db, file } = await openDatabase(databaseUrl, env.DATABASE_AUTH_TOKEN);
const secret = env.CHORUS_SECRET || (await ensureServerSecret(db));
const config = configFromEnv(env, { secret });
const origin = config.publicUrl ? new URL(config.publicUrl).origin : `http://${host}:${port}`;
const clock = { now: () => new Date() };

const demo =
  env.CHORUS_DEMO === "0"
    ? null
    : await ensureDemoWorkspace(db, {
        origin,
        keysFile: join(file ? dirname(file) : join(root, "data"), "demo-keys.json"),
        now: clock.now(),
        secret,
      });

const clickWriter = createClickWriter(db);
const app = createApp({
  db,
  clock,
  config,
  runtime: "node",
  clickWriter,
  clientIp: (c) => getConnInfo(c).remote.address,
  assets: serveStatic({ root: join(root, "dist") }),
});

// The demo provider's site, on this same server (a real provider's would be its own site).
if (demo) {
  app.use("/demo/assets/*", serveStatic({ root }));
  app.route(
    "/demo",
    createDemoRoutes({
      keys: demo,
      callChorus: (path, init) => Promise.resolve(app.fetch(new Request(origin + path, init))),
    }),
  );
}

// Approves rewards whose hold ended and delivers webhooks from the outbox, every few seconds.
const background = startBackgroundWorker({ db, clock }, 5_000);

const server = serve({ fetch: app.fetch, port, hostname: host }, () => {
  const lines = [
    "",
    `Chorus is running at ${origin}`,
    "",
    `  Demo course site   ${origin}/demo`,
    `  Dashboard          ${origin}/dashboard`,
    `  API reference      ${origin}/docs`,
    `  Health check       ${origin}/healthz`,
    "",
  ];
  if (demo) {
    lines.push(
      `Demo workspace "${demo.name}" (${demo.id})`,
      `  Publishable key    ${demo.publishableKey}`,
      `  Secret key         ${demo.secretKey}   (sign in to the dashboard with it)`,
      `  Token secret       ${demo.tokenSecret}`,
      "",
    );
  }
  lines.push(`Database: ${databaseUrl}`, "Press Ctrl-C to stop.", "");
  console.log(lines.join("\n"));
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: finishing open requests…`);
  // Stop accepting, let answered-but-unflushed work finish, then close the database.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await clickWriter.flush();
  // Let a running delivery pass record its outcome before the database closes.
  await background.stop();
  client.close();
  console.log("Stopped cleanly.");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
