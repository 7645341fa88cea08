/** The database handle every service takes. The client (file, sqld or Turso) is chosen by the entry. */
import type { Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema.ts";

export type Db = LibSQLDatabase<typeof schema>;
export { schema };

export function createDb(client: Client): Db {
  return drizzle(client, { schema });
}
