/** Applies the drizzle-kit migrations (Node only: it reads them from disk). */
import { fileURLToPath } from "node:url";
import type { Client } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
import { createDb } from "./index.ts";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/** Pragmas for an embedded file database: WAL so readers never wait for the writer. */
export async function prepareFileDatabase(client: Client): Promise<void> {
  await client.execute("PRAGMA journal_mode = WAL");
  // FULL: a transaction is on disk before we answer, so an acknowledged click survives a crash.
  await client.execute("PRAGMA synchronous = FULL");
  // Another process (the CLI) may hold the write lock for a moment. Inside this process writers
  // never wait on each other (db/serialized-client.ts), so this never blocks the event loop.
  await client.execute("PRAGMA busy_timeout = 5000");
}

export async function migrateDatabase(client: Client): Promise<void> {
  await migrate(createDb(client), { migrationsFolder });
}
