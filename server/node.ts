/** The Node entry: `npm start`. Reads the config, builds the deps (database, clock, clicks, demo) and serves. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { pendingMigrations } from "../db/migrate.ts";
import { demoSlug, ensureDemoWorkspace } from "../demo/seed.ts";
import { createDemoRoutes } from "../demo/server.ts";
import { type App, createApp } from "./app.ts";
import { ConfigError, nodeSettings } from "./config.ts";
import { openClickSpool } from "./node-click-spool.ts";
import { databaseFile, NotMigratedError, openDatabase, ReplicaUnreachableError } from "./node-database.ts";
import { createSmtpTransport } from "./node-mail.ts";
import { createFileMediaStore } from "./node-media-store.ts";
import { createNodeOutbound } from "./node-outbound.ts";
import { createNodeLogger, createNodeMetrics } from "./node-telemetry.ts";
import { startBackgroundWorker } from "./services/background.ts";
import { createClickWriter } from "./services/click-writer.ts";
import { dashboardLinkUrl } from "./services/magic-link-token.ts";
import { cliLinkTtlMs, createLink } from "./services/member-links.ts";
import { ensureServerSecret } from "./services/server-secret.ts";
import { ensureMember } from "./services/team-members.ts";
import { getWorkspace } from "./services/workspaces.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Configuration and migration mistakes are the operator's to fix: the message, no stack trace. */
function fail(error: unknown): never {
  if (error instanceof ConfigError || error instanceof NotMigratedError || error instanceof ReplicaUnreachableError) {
    console.error(`Chorus cannot start. ${error.message}`);
    process.exit(1);
  }
  throw error;
}

const settings = (() => {
  try {
    return nodeSettings(process.env);
  } catch (error) {
    return fail(error);
  }
})();
const { port, host } = settings;

// Its own embedded file is migrated at start (the two-command first run); a shared database
// (a libSQL server, Turso) only by `chorus db migrate`, which the operator runs before upgrading.
const { client, db, file } = await openDatabase(
  settings.database,
  databaseFile(settings.database.url) ? "apply" : "require",
).catch(fail);
const secret = settings.secret ?? (await ensureServerSecret({ db }));
const config = settings.config(secret);
const origin = config.publicUrl ? new URL(config.publicUrl).origin : `http://${host}:${port}`;
const clock = { now: () => new Date() };
// One JSON line per request and background job on stdout (pino), at LOG_LEVEL; counters for /metrics.
const log = createNodeLogger(settings.logLevel);
const metrics = createNodeMetrics();

// The data folder: the database file's, or ./data beside the code for a remote database.
const dataDir = file ? dirname(file) : join(root, "data");
// Uploaded photos and videos, one file each (MEDIA_DIR moves them, e.g. to a mounted volume).
const media = createFileMediaStore(settings.mediaDir ?? join(dataDir, "media"));

const demoKeys = settings.demo
  ? await ensureDemoWorkspace(db, {
      origin,
      keysFile: join(dataDir, "demo-keys.json"),
      now: clock.now(),
      secret,
    })
  : null;
// The demo's dashboard: a one-time link for its owner, printed at each start (no key signs in).
const demoDashboardLink = demoKeys
  ? await (async () => {
      const ctx = { db, clock, secret };
      const owner = await ensureMember(ctx, { workspaceId: demoKeys.id, email: "owner@demo.invalid", role: "owner" });
      const { linkId } = await createLink(ctx, { member: owner, purpose: "sign-in", ttlMs: cliLinkTtlMs });
      return dashboardLinkUrl(origin, { secret, linkId });
    })()
  : null;
const demoLanding = demoKeys
  ? ((await getWorkspace({ db }, { id: demoKeys.id }))?.settings.defaultTargetUrl ?? null)
  : null;

// One process writes this database's clicks (group commit: concurrent clicks share a
// transaction), so the click recorder may trust its memory of the last hour (services/clicks.ts).
// An embedded replica keeps clicks locally while its primary does not answer (node-click-spool.ts).
const clickSpool = settings.database.sync && file ? await openClickSpool(db, file) : null;
const clickWriter = createClickWriter({ db }, { metrics, through: clickSpool?.write });
if (clickSpool) metrics.watchHeldClicks(() => clickSpool.held);
// Credential URLs and webhooks: names resolved, every answer checked, the checked address connected to.
const outbound = createNodeOutbound();
// Without SMTP_URL and MAIL_FROM mail is off: messages wait in the outbox, the dashboard says so.
const mailTransport = settings.mail ? createSmtpTransport(settings.mail.smtpUrl) : undefined;
const app: App = createApp({
  db,
  clock,
  config,
  clickWriter,
  clickRecorder: { exclusive: true },
  outbound,
  mailTransport,
  media,
  log,
  metrics,
  // Off unless METRICS_TOKEN is set: the figures are the operator's, not the public's.
  metricsEndpoint: settings.metricsToken
    ? { token: settings.metricsToken, render: () => metrics.render({ db, clock }) }
    : undefined,
  pendingMigrations: () => pendingMigrations(client),
  // A sync pulls only new frames: cheap when the primary answers, an error when it does not.
  primaryProbe: settings.database.sync ? () => client.sync() : undefined,
  heldClicks: clickSpool ? () => clickSpool.held : undefined,
  // The demo site calls the app in-process (no socket): such a request has no address.
  clientIp: (c) =>
    (c.env as { incoming?: unknown } | undefined)?.incoming ? getConnInfo(c).remote.address : undefined,
  assets: serveStatic({ root: join(root, "dist") }),
  // The demo provider's site, on this same server (a real provider's would be its own site).
  demo: demoKeys
    ? {
        assets: serveStatic({ root }),
        routes: createDemoRoutes({
          keys: demoKeys,
          callChorus: (path, init) => Promise.resolve(app.fetch(new Request(origin + path, init))),
        }),
      }
    : undefined,
});

// Approves rewards whose hold ended and delivers webhooks from the outbox, every second.
const mail =
  settings.mail && mailTransport
    ? {
        transport: mailTransport,
        from: { name: null, address: settings.mail.from },
        secret,
        publicUrl: origin,
        perRecipientPerDay: settings.mail.perRecipientPerDay,
      }
    : undefined;
const background = startBackgroundWorker(
  { db, clock },
  { intervalMs: 1_000, delivery: { fetch: outbound.fetch }, mail, stripe: { secret }, telemetry: { log, metrics } },
);

// Held clicks go to the primary as soon as it answers again (tried each second while any are held).
const heldClicks = clickSpool
  ? setInterval(() => {
      if (clickSpool.held > 0)
        clickSpool.drain().catch((error) => log.error({ err: error }, "writing held clicks failed"));
    }, 1_000)
  : undefined;

const server = serve({ fetch: app.fetch, port, hostname: host }, () => {
  const lines = [
    "",
    `Chorus is running at ${origin}`,
    "",
    ...(demoKeys
      ? [`  Demo course site   ${origin}/demo`, `  Advocate page      ${origin}/p/${demoSlug}   (hosted, no code)`]
      : []),
    `  Dashboard          ${origin}/dashboard`,
    `  API reference      ${origin}/docs`,
    `  Health check       ${origin}/healthz   (readiness: ${origin}/readyz)`,
    "",
  ];
  lines.push(`Demo: ${demoKeys ? "on" : "off"} (${settings.demoReason})`, "");
  lines.push(
    `Mail: ${mail ? `on, from ${mail.from.address}` : "off (set SMTP_URL and MAIL_FROM); messages wait in the outbox"}`,
    "",
  );
  if (demoKeys) {
    lines.push(
      `Demo workspace "${demoKeys.name}" (${demoKeys.id})`,
      `  Publishable key    ${demoKeys.publishableKey}`,
      `  Secret key         ${demoKeys.secretKey}   (server to server)`,
      `  Dashboard link     ${demoDashboardLink}   (the demo owner's one-time sign-in, 24 hours)`,
      `  Token secret       ${demoKeys.tokenSecret}`,
      // Where its referral links lead: without one they would answer "this link does not work".
      `  Landing page       ${demoLanding ?? "none (set defaultTargetUrl: its referral links answer 404)"}`,
      "",
    );
  }
  const schema = file
    ? "migrations applied at start"
    : "migrations checked; apply new ones with: npm run chorus -- db migrate";
  lines.push(`Database: ${settings.database.url} (${schema})`, "Press Ctrl-C to stop.", "");
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
  clearInterval(heldClicks);
  clickSpool?.close();
  client.close();
  console.log("Stopped cleanly.");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
