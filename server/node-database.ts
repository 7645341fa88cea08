/** Opens the database for Node: an embedded file (WAL) by default, or a libSQL server / Turso URL. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Client, createClient } from "@libsql/client";
import { createDb, type Db } from "../db/index.ts";
import { migrateDatabase, prepareFileDatabase } from "../db/migrate.ts";
import { serializeTransactions } from "../db/serialized-client.ts";

export const defaultDatabaseUrl = "file:./data/chorus.db";

/** The local path of a `file:` URL, or null for a remote database. */
export function databaseFile(url: string): string | null {
  return url.startsWith("file:") ? url.slice("file:".length).split("?")[0] || null : null;
}

export async function openDatabase(
  url: string,
  authToken?: string,
): Promise<{ client: Client; db: Db; file: string | null }> {
  const file = databaseFile(url);
  if (file) mkdirSync(dirname(file), { recursive: true });
  // Embedded files need this process's transactions kept apart; a remote server keeps its own.
  const client = file ? serializeTransactions(createClient({ url, authToken })) : createClient({ url, authToken });
  if (file) await prepareFileDatabase(client);
  await migrateDatabase(client);
  return { client, db: createDb(client), file };
}
