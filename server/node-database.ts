/** Opens the database for Node: an embedded file (WAL) by default, or a libSQL server / Turso URL. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Client, createClient } from "@libsql/client";
import { createDb, type Db } from "../db/index.ts";
import { fileBusyTimeoutMs, migrateDatabase, pendingMigrations, prepareFileDatabase } from "../db/migrate.ts";
import { serializeTransactions } from "../db/serialized-client.ts";
import { cachePreparedStatements } from "../db/statement-cache.ts";
import type { DatabaseSettings } from "./config.ts";
import { openReplica } from "./replica-client.ts";

export { ReplicaUnreachableError } from "./replica-client.ts";

/** The local path of a `file:` URL, or null for a remote database. */
export function databaseFile(url: string): string | null {
  return url.startsWith("file:") ? url.slice("file:".length).split("?")[0] || null : null;
}

/** What the database may need before it is used. */
export type Migrations =
  /** Apply the missing migrations (`chorus db migrate`; `npm start` on an embedded file). */
  | "apply"
  /** Refuse a database with missing migrations: only `chorus db migrate` changes the schema. */
  | "require";

/** Said when a database lacks migrations; names the one command that applies them. */
export class NotMigratedError extends Error {}

/**
 * Opens the database and applies or requires its migrations. Nothing but `chorus db migrate`
 * (and the Node server on its own embedded file) changes a schema: a `workspace list` against a
 * production database must not migrate it as a side effect.
 */
export async function openDatabase(
  settings: Partial<DatabaseSettings> & { url: string },
  migrations: Migrations,
): Promise<{ client: Client; db: Db; file: string | null }> {
  const { url, authToken, sync } = settings;
  const file = databaseFile(url);
  // Not for an embedded replica: a kept statement there answered from the local copy (a replayed
  // conversion was recorded a second time; tests/process/replica.test.ts).
  if (!sync) cachePreparedStatements();
  if (file) mkdirSync(dirname(file), { recursive: true });
  // Embedded files need this process's transactions kept apart; a remote server keeps its own.
  // `timeout`: the busy timeout of every pooled connection, not only the first (see migrate.ts).
  const client = file ? serializeTransactions(openFile(url, authToken, sync)) : createClient({ url, authToken });
  try {
    // A replica refuses these pragmas (Sqlite3UnsupportedStatement): libSQL keeps its file in WAL
    // itself, and a write is durable when the primary has committed it, not the local copy.
    if (file && !sync) await prepareFileDatabase(client, settings.synchronous ?? "FULL");
    if (migrations === "apply") await migrateDatabase(client);
    else await requireMigrated(client, url);
  } catch (error) {
    client.close();
    throw error;
  }
  return { client, db: createDb(client), file };
}

/** An embedded file, or with `sync` an embedded replica of a libSQL server (server/replica-client.ts). */
function openFile(url: string, authToken: string | undefined, sync: DatabaseSettings["sync"]): Client {
  return sync
    ? openReplica(url, authToken, sync, fileBusyTimeoutMs)
    : createClient({ url, authToken, timeout: fileBusyTimeoutMs });
}

async function requireMigrated(client: Client, url: string): Promise<void> {
  const pending = await pendingMigrations(client);
  if (pending.length === 0) return;
  throw new NotMigratedError(
    `The database ${url} is not migrated (missing ${pending.join(", ")}).\n` +
      "Apply the migrations first: npm run chorus -- db migrate (with the same DATABASE_URL).",
  );
}
