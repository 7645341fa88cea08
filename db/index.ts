/** The database handle every service takes. The client (file, sqld or Turso) is chosen by the entry. */
import type { Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema.ts";

/** `$client`: the libSQL client underneath, for the few hot paths that write plain SQL (insertClicks). */
export type Db = LibSQLDatabase<typeof schema> & { $client: Client };
export { schema };

export function createDb(client: Client): Db {
  return drizzle(client, { schema });
}
