/** Applies the drizzle-kit migrations (Node only: it reads them from disk), and says which are missing. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Client } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
import { loadDisposableDomains } from "./disposable-domains.ts";
import { createDb } from "./index.ts";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * Pragmas for an embedded file database: WAL so readers never wait for the writer.
 * `synchronous`: the default, FULL, syncs every commit to the disk itself: an acknowledged click
 * or conversion survives a power cut, as DESIGN.md promises. NORMAL (the operator's choice,
 * `CHORUS_DB_SYNCHRONOUS=normal`) trades that for speed: it still survives any crash of the
 * process, but a power cut may lose the last commits.
 */
/**
 * How long a statement waits for another process's write lock (the CLI's, say). The libSQL
 * client keeps a pool of connections and a pragma holds for one connection only, so the client
 * is also created with this as its `timeout` (server/node-database.ts): every connection waits.
 */
export const fileBusyTimeoutMs = 5000;

export async function prepareFileDatabase(client: Client, synchronous: "FULL" | "NORMAL" = "FULL"): Promise<void> {
  await client.execute("PRAGMA journal_mode = WAL");
  // FULL fsyncs the WAL on every commit, before we answer. Group commit makes that one fsync per
  // batch of clicks. NORMAL in WAL mode leaves the fsync to checkpoints: a commit is in the OS's
  // hands (safe from a killed process) but a power cut or kernel crash may lose the last commits,
  // never corrupt the database. On a busy 2-core machine NORMAL made the new-visitor redirect
  // up to 2x faster, and on a quiet one about the same (`npx tsx bench/redirect.ts`, Nov 2026).
  await client.execute(`PRAGMA synchronous = ${synchronous}`);
  // Another process (the CLI) may hold the write lock for a moment. Inside this process writers
  // never wait on each other (db/serialized-client.ts), so this never blocks the event loop.
  await client.execute(`PRAGMA busy_timeout = ${fileBusyTimeoutMs}`);
}

/** Applies the migrations, then loads the throwaway-mail domain list if the installed one is newer. */
export async function migrateDatabase(client: Client) {
  await migrate(createDb(client), { migrationsFolder });
  return { disposableDomains: await loadDisposableDomains(client) };
}

/**
 * The migrations of this checkout that the database has not applied, by name (empty when it is
 * up to date). Drizzle's own rule: a migration is applied when the newest one recorded in
 * `__drizzle_migrations` is at least as new. Reads only: it never creates the journal table.
 */
export async function pendingMigrations(client: Client): Promise<string[]> {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, "utf8")) as {
    entries: { tag: string; when: number }[];
  };
  const table = await client.execute(
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'",
  );
  let newest = Number.NEGATIVE_INFINITY;
  if (table.rows.length > 0) {
    const result = await client.execute("SELECT max(created_at) AS newest FROM __drizzle_migrations");
    if (result.rows[0]?.newest != null) newest = Number(result.rows[0].newest);
  }
  return journal.entries.filter((entry) => entry.when > newest).map((entry) => entry.tag);
}
