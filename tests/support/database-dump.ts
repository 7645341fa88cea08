/** Every table of a test database as text, to search for data that must not be there. */
import type { Client } from "@libsql/client";

/**
 * Public reference data, the same in every database (the disposable-email domain list a package
 * ships): no one's data, and 120,000 domains would match any short needle.
 */
const referenceTables = new Set(["disposable_domains"]);

/** Each table's rows (reference tables left out), every column as text (blobs as hex and UTF-8), keyed by table name. */
export async function dumpDatabase(client: Client): Promise<Map<string, string>> {
  const tables = await client.execute(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
  );
  const dump = new Map<string, string>();
  for (const { name } of tables.rows) {
    const table = String(name);
    if (referenceTables.has(table)) continue;
    const result = await client.execute(`select * from "${table.replaceAll('"', '""')}"`);
    const lines = result.rows.map((row) =>
      result.columns
        .map((column) => {
          const value = row[column];
          if (value instanceof ArrayBuffer) {
            const bytes = new Uint8Array(value);
            return `${column}=${Buffer.from(bytes).toString("hex")} ${Buffer.from(bytes).toString("utf8")}`;
          }
          return `${column}=${String(value)}`;
        })
        .join("\t"),
    );
    dump.set(table, lines.join("\n"));
  }
  return dump;
}

/** The tables whose text contains `needle` (case-insensitive), for a readable failure message. */
export function tablesContaining(dump: Map<string, string>, needle: string): string[] {
  const lower = needle.toLowerCase();
  return [...dump].filter(([, text]) => text.toLowerCase().includes(lower)).map(([table]) => table);
}
