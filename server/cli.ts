/**
 * The Chorus CLI: `npm run chorus -- <command>`. Talks to the database directly (DATABASE_URL),
 * so it works before the server runs and needs no key. Only `db migrate` changes the schema; the
 * other commands refuse a database that lacks migrations.
 */

import { parseArgs } from "node:util";
import { loadedDisposableDomainsVersion } from "../db/disposable-domains.ts";
import { origin as originSchema } from "../db/program-settings.ts";
import { webUrl } from "../db/web-url.ts";
import { cliLinkSettings, cliServerSecret, cliSettings, defaultDatabaseUrl } from "./config.ts";
import { importConversions } from "./import-conversions.ts";
import { importStoriesFile } from "./import-stories.ts";
import { backupDatabase, restoreDatabase } from "./node-backup.ts";
import { databaseFile, openDatabase } from "./node-database.ts";
import { rotateKey } from "./services/api-keys.ts";
import { fixedClock } from "./services/clock.ts";
import { DomainError } from "./services/errors.ts";
import { mintLearnerToken } from "./services/learner-tokens.ts";
import { dashboardLinkUrl } from "./services/magic-link-token.ts";
import { cliLinkTtlMs, createLink } from "./services/member-links.ts";
import { ensureServerSecret } from "./services/server-secret.ts";
import { addMember } from "./services/team-members.ts";
import { createWorkspace, getWorkspace, listWorkspaces } from "./services/workspaces.ts";

const usage = `Usage: npm run chorus -- <command> [options]

Commands:
  workspace create --name NAME --origin URL [--origin URL…] [--target URL] [--json]
      Make a workspace; prints its id, publishable key, secret key (shown once) and token secret.
      --target is where referral links land (defaultTargetUrl); default: the first origin's home page.
  workspace list [--json]
      List workspaces with their allowed origins.
  key rotate --workspace ID [--kind secret|publishable] [--json]
      Revoke the workspace's current key of that kind (default: secret) and print a new one.
  token mint --workspace ID --learner ID [--name NAME] [--email EMAIL] [--ttl SECONDS]
      Sign a learner token, as the provider's server would.
  import conversions FILE --workspace ID
      Record a history of conversions from FILE (CSV with a header row: id, type, customer_id,
      customer_email, customer_name, course, amount, currency, click_id, code, refund_of,
      occurred_at; or NDJSON, one POST /v1/conversions body per line, for .ndjson/.jsonl files),
      each exactly as POST /v1/conversions would, 1,000 at a time, with a progress bar. Prints how
      many rows were recorded, replayed and refused; refused rows go to FILE.refused.ndjson with
      their reason. Interrupted? Run it again: rows already recorded are replayed, never doubled.
      Uses CHORUS_SECRET when set (as the server does), else the secret the server stored.
  import stories FILE --workspace ID [--json]
      Import earlier testimonials from a CSV file (README "Importing testimonials from CSV"), as
      the dashboard does: every row checked, valid rows saved as pending, self-reported stories
      1,000 at a time with a progress bar; refused rows are printed with their row, column and
      reason. Run it again any time: rows already imported are skipped as duplicates.
  member add --workspace ID --email EMAIL --role owner|marketer|moderator|finance|viewer [--json]
      Add a team member and print a one-time dashboard sign-in link (works once, for 24 hours;
      built from PUBLIC_URL and the server's CHORUS_SECRET). The first owner starts here.
  db migrate
      Apply migrations to DATABASE_URL (with DATABASE_AUTH_TOKEN for a remote libSQL server).
      Needed before the other commands, on a new database and after an upgrade.
  db backup FILE [--force]
      Copy the embedded database (DATABASE_URL=file:…) to FILE while the server runs: a consistent
      copy as of one commit, written under a temporary name and renamed once complete and checked.
  db restore FILE [--force]
      Put the backup FILE in place of the embedded database. Refuses a file that is not a Chorus
      database or comes from a newer version; replaces an existing database only with --force
      (stop the server first; the old file is kept beside it).

Environment: DATABASE_URL (default ${defaultDatabaseUrl}), DATABASE_AUTH_TOKEN, DATABASE_SYNC_URL
(an embedded replica: the commands but backup and restore then talk to the primary).`;

class UsageError extends Error {}

const options = {
  name: { type: "string" },
  origin: { type: "string", multiple: true },
  target: { type: "string" },
  json: { type: "boolean" },
  workspace: { type: "string" },
  kind: { type: "string" },
  learner: { type: "string" },
  email: { type: "string" },
  role: { type: "string" },
  ttl: { type: "string" },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function required(value: string | undefined, flag: string): string {
  if (!value?.trim()) throw new UsageError(`Missing --${flag}`);
  return value.trim();
}

async function run(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const command = positionals.slice(0, 2).join(" ");
  if (values.help || command === "" || command === "help") {
    console.log(usage);
    return;
  }
  const known = [
    "workspace create",
    "workspace list",
    "key rotate",
    "token mint",
    "member add",
    "db migrate",
    "db backup",
    "db restore",
    "import conversions",
    "import stories",
  ];
  if (!known.includes(command)) throw new UsageError(`Unknown command: ${positionals.join(" ")}`);
  const [argument, ...extra] = positionals.slice(2);
  const imports = command === "import conversions" || command === "import stories";
  const takesFile = command === "db backup" || command === "db restore" || imports;
  if (extra.length > 0 || (argument !== undefined && !takesFile))
    throw new UsageError(`Unexpected argument: ${positionals.slice(takesFile ? 3 : 2).join(" ")}`);

  const settings = cliSettings(process.env);
  if (takesFile && !imports) {
    if (!argument?.trim()) throw new UsageError(`Give the backup file: npm run chorus -- ${command} FILE`);
    return fileCommand(command, argument, settings, values.force);
  }
  // An embedded replica's writes belong to its primary: the CLI talks to the primary directly
  // rather than open a second replica of the server's file.
  const target = settings.sync ? { url: settings.sync.url, authToken: settings.authToken } : settings;
  const { db, client } = await openDatabase(target, command === "db migrate" ? "apply" : "require");
  const now = new Date();
  // One reading of the clock for the whole command, as every service call is handed it.
  const ctx = { db, clock: fixedClock(now) };
  try {
    if (command === "workspace create") {
      const name = required(values.name, "name");
      const origins = (values.origin ?? []).map((value) => {
        const result = originSchema.safeParse(value);
        if (!result.success) throw new UsageError(`--origin ${value} is not an origin such as https://acme.example`);
        return result.data;
      });
      if (origins.length === 0) throw new UsageError("Give at least one --origin (the site that embeds the widgets)");
      // Without a landing page every referral link would answer "this link does not work" (issue 21).
      const target = values.target ?? `${origins[0]}/`;
      const targetCheck = webUrl().safeParse(target);
      if (!targetCheck.success || !origins.includes(new URL(target).origin))
        throw new UsageError(`--target ${target} must be a page on one of the --origin sites`);
      const created = await createWorkspace(ctx, { name, origins, settings: { defaultTargetUrl: targetCheck.data } });
      if (values.json) console.log(JSON.stringify(created));
      else
        console.log(`Workspace "${created.name}" created.

  id                ${created.id}
  publishableKey    ${created.publishableKey}   (goes in the script tag)
  secretKey         ${created.secretKey}   (server to server; shown once, store it now)
  tokenSecret       ${created.tokenSecret}   (signs learner tokens on your server)
  allowed origins   ${origins.join(", ")}
  landing page      ${targetCheck.data}   (where referral links lead; change with PATCH /v1/admin/program defaultTargetUrl)`);
    } else if (command === "workspace list") {
      const all = await listWorkspaces(ctx);
      const rows = all.map((w) => ({
        id: w.id,
        name: w.name,
        origins: w.settings.allowedOrigins,
        createdAt: new Date(w.createdAt).toISOString(),
      }));
      if (values.json) console.log(JSON.stringify(rows));
      else if (rows.length === 0)
        console.log("No workspaces yet. Make one with: npm run chorus -- workspace create --name NAME --origin URL");
      else
        for (const row of rows)
          console.log(`${row.id}  ${row.name}  [${row.origins.join(", ")}]  created ${row.createdAt}`);
    } else if (command === "key rotate") {
      const workspace = await getWorkspace(ctx, { id: required(values.workspace, "workspace") });
      if (!workspace) throw new UsageError(`No workspace ${values.workspace}`);
      const kind = values.kind ?? "secret";
      if (kind !== "secret" && kind !== "publishable") throw new UsageError("--kind is secret or publishable");
      const key = await rotateKey(ctx, { workspaceId: workspace.id, kind });
      if (values.json) console.log(JSON.stringify({ workspace: workspace.id, kind, key }));
      else console.log(`New ${kind} key for ${workspace.id} (the old one no longer works):\n  ${key}`);
    } else if (command === "token mint") {
      const workspace = await getWorkspace(ctx, { id: required(values.workspace, "workspace") });
      if (!workspace) throw new UsageError(`No workspace ${values.workspace}`);
      const ttl = values.ttl === undefined ? 3600 : Number(values.ttl);
      if (!Number.isInteger(ttl) || ttl < 1) throw new UsageError("--ttl is a whole number of seconds");
      const token = await mintLearnerToken({
        claims: { sub: required(values.learner, "learner"), name: values.name, email: values.email },
        tokenSecret: workspace.tokenSecret,
        now,
        ttlSeconds: ttl,
      });
      console.log(token);
    } else if (command === "import conversions") {
      if (!argument?.trim())
        throw new UsageError("Give the file: npm run chorus -- import conversions FILE --workspace ID");
      const workspace = await getWorkspace(ctx, { id: required(values.workspace, "workspace") });
      if (!workspace) throw new UsageError(`No workspace ${values.workspace}`);
      // The server's secret, so customers' email hashes match the ones the server computes.
      const secret = cliServerSecret(process.env) ?? (await ensureServerSecret(ctx));
      // Each batch reads the clock: an import of hours stamps rows with when they were written.
      const summary = await importConversions({ db, secret, workspace, clock: { now: () => new Date() } }, argument);
      if (values.json) console.log(JSON.stringify(summary));
      else
        console.log(
          `${summary.rows} rows: ${summary.recorded} recorded, ${summary.replayed} replayed (recorded before), ${summary.refused} refused${summary.refused > 0 ? ` (see ${summary.refusedFile})` : ""}.`,
        );
    } else if (command === "import stories") {
      if (!argument?.trim())
        throw new UsageError("Give the file: npm run chorus -- import stories FILE --workspace ID");
      const workspace = await getWorkspace(ctx, { id: required(values.workspace, "workspace") });
      if (!workspace) throw new UsageError(`No workspace ${values.workspace}`);
      let summary: Awaited<ReturnType<typeof importStoriesFile>>;
      try {
        summary = await importStoriesFile({ db, workspace, clock: { now: () => new Date() } }, argument);
      } catch (error) {
        if (error instanceof DomainError) throw new UsageError(error.message);
        throw error;
      }
      if (values.json) console.log(JSON.stringify(summary));
      else {
        for (const error of summary.errors)
          console.log(`row ${error.row}${error.column ? `, ${error.column}` : ""}: ${error.reason}`);
        console.log(
          `${summary.rows} rows: ${summary.imported} imported, ${summary.duplicates} skipped as already imported, ${summary.refused} refused.`,
        );
      }
    } else if (command === "member add") {
      const workspace = await getWorkspace(ctx, { id: required(values.workspace, "workspace") });
      if (!workspace) throw new UsageError(`No workspace ${values.workspace}`);
      const link = cliLinkSettings(process.env);
      const secret = link.secret ?? (await ensureServerSecret(ctx));
      let member: Awaited<ReturnType<typeof addMember>>;
      try {
        member = await addMember(ctx, {
          workspaceId: workspace.id,
          email: required(values.email, "email"),
          role: required(values.role, "role"),
          joined: false,
        });
      } catch (error) {
        if (error instanceof DomainError) throw new UsageError(error.message);
        throw error;
      }
      const { linkId } = await createLink({ ...ctx, secret }, { member, purpose: "sign-in", ttlMs: cliLinkTtlMs });
      const url = dashboardLinkUrl(link.publicUrl, { secret, linkId });
      if (values.json)
        console.log(JSON.stringify({ workspace: workspace.id, member: member.id, role: member.role, url }));
      else
        console.log(
          `${member.email} is now ${member.role} of ${workspace.id}. One-time sign-in link (24 hours; then a passkey or an emailed link):\n  ${url}`,
        );
    } else if (command === "db migrate") {
      // openDatabase applied them; this reads what the list holds now, without loading it again.
      const version = await loadedDisposableDomainsVersion(client);
      console.log(`Migrations applied. Disposable-email domain list: version ${version ?? "none"}.`);
    }
  } finally {
    client.close();
  }
}

/** `db backup` and `db restore`: the embedded file itself, with progress lines as the work goes. */
async function fileCommand(
  command: string,
  file: string,
  settings: ReturnType<typeof cliSettings>,
  force: boolean | undefined,
): Promise<void> {
  const database = databaseFile(settings.url);
  if (!database)
    throw new UsageError(
      `${command} works on an embedded file (DATABASE_URL=file:…). A libSQL server or Turso keeps its own backups: use its point-in-time restore or copy sqld's --db-path while it is stopped.`,
    );
  const progress = (line: string) => console.log(line);
  if (command === "db backup") {
    await backupDatabase(database, file, { overwrite: force, progress });
    return;
  }
  if (settings.sync)
    throw new UsageError(
      "DATABASE_SYNC_URL is set: this file is a replica of its primary, which would overwrite a restored copy. Restore into the primary instead (a fresh sqld database, or Turso's restore), and let the replica sync.",
    );
  await restoreDatabase(file, database, { force, progress });
}

run(process.argv.slice(2)).catch((error: unknown) => {
  // A BackupError (and anything else) is said as is: its message tells what to do.
  if (error instanceof UsageError) {
    console.error(`Error: ${error.message}\n\n${usage}`);
    process.exit(2);
  }
  console.error(`Error: ${(error as Error).message}`);
  process.exit(1);
});
