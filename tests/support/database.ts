/** A fresh, migrated libSQL database file per test: real SQLite, nothing mocked. */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient } from "@libsql/client";
import { inject } from "vitest";
import { createDb, type Db } from "../../db/index.ts";
import { prepareFileDatabase } from "../../db/migrate.ts";
import { serializeTransactions } from "../../db/serialized-client.ts";
import { cachePreparedStatements } from "../../db/statement-cache.ts";

export type TestDatabase = { db: Db; client: Client; file: string; url: string; cleanup: () => void };

export async function freshDatabase(): Promise<TestDatabase> {
  cachePreparedStatements(); // as the server does (server/node-database.ts)
  const dir = mkdtempSync(join(tmpdir(), "chorus-test-"));
  const file = join(dir, "chorus.db");
  copyFileSync(inject("templateDatabase"), file);
  const url = `file:${file}`;
  const client = serializeTransactions(createClient({ url }));
  await prepareFileDatabase(client);
  return {
    db: createDb(client),
    client,
    file,
    url,
    cleanup: () => {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
