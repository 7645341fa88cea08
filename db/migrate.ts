/** Applies the drizzle-kit migrations (Node only: it reads them from disk). */
import { fileURLToPath } from "node:url";
import type { Client } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
import { createDb } from "./index.ts";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * The default, `full`, syncs every commit to the disk itself: an acknowledged click or conversion
 * survives a power cut, as DESIGN.md promises. `CHORUS_DB_SYNCHRONOUS=normal` trades that for
 * speed: it still survives any crash of the process, but a power cut may lose the last commits.
 */
export const fileSynchronous = (env: Record<string, string | undefined> = process.env): "FULL" | "NORMAL" =>
  env.CHORUS_DB_SYNCHRONOUS?.toLowerCase() === "normal" ? "NORMAL" : "FULL";

/** Pragmas for an embedded file database: WAL so readers never wait for the writer. */
export async function prepareFileDatabase(client: Client, synchronous = fileSynchronous()): Promise<void> {
  await client.execute("PRAGMA journal_mode = WAL");
  // FULL fsyncs the WAL on every commit, before we answer. Group commit makes that one fsync per
  // batch of clicks. NORMAL in WAL mode leaves the fsync to checkpoints: a commit is in the OS's
  // hands (safe from a killed process) but a power cut or kernel crash may lose the last commits,
  // never corrupt the database. On a busy 2-core machine NORMAL made the new-visitor redirect
  // up to 2x faster, and on a quiet one about the same (`npx tsx bench/redirect.ts`, Nov 2026).
  await client.execute(`PRAGMA synchronous = ${synchronous}`);
  // Another process (the CLI) may hold the write lock for a moment. Inside this process writers
  // never wait on each other (db/serialized-client.ts), so this never blocks the event loop.
  await client.execute("PRAGMA busy_timeout = 5000");
}

export async function migrateDatabase(client: Client): Promise<void> {
  await migrate(createDb(client), { migrationsFolder });
}
