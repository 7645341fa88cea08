/** Applies the drizzle-kit migrations (Node only: it reads them from disk). */
import { fileURLToPath } from "node:url";
import type { Client } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
import { createDb } from "./index.ts";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * `CHORUS_DB_SYNCHRONOUS=full` syncs every commit to the disk itself (survives a power cut, costs
 * an fsync per transaction); the default, `normal`, survives any crash of the process.
 */
export const fileSynchronous = (env: Record<string, string | undefined> = process.env): "FULL" | "NORMAL" =>
  env.CHORUS_DB_SYNCHRONOUS?.toLowerCase() === "full" ? "FULL" : "NORMAL";

/** Pragmas for an embedded file database: WAL so readers never wait for the writer. */
export async function prepareFileDatabase(client: Client, synchronous = fileSynchronous()): Promise<void> {
  await client.execute("PRAGMA journal_mode = WAL");
  // NORMAL in WAL mode: a commit has written its pages to the WAL file (the OS holds them) before
  // we answer, so an acknowledged click survives the process being killed at any moment; only
  // the WAL's fsync waits for a checkpoint, so a power cut or kernel crash may lose the last
  // commits, never corrupt the database. FULL also fsyncs every commit, on the event loop (the
  // embedded driver is synchronous): on this shared 2-core machine that cost the redirect with a
  // new visitor per request 2-5x its throughput (`npx tsx bench/redirect.ts`, Nov 2026).
  await client.execute(`PRAGMA synchronous = ${synchronous}`);
  // Another process (the CLI) may hold the write lock for a moment. Inside this process writers
  // never wait on each other (db/serialized-client.ts), so this never blocks the event loop.
  await client.execute("PRAGMA busy_timeout = 5000");
}

export async function migrateDatabase(client: Client): Promise<void> {
  await migrate(createDb(client), { migrationsFolder });
}
