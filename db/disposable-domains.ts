/**
 * Loads the throwaway-mail domain list of the installed `disposable-email-domains` package into
 * the `disposable_domains` table (Node only: it reads the package from disk). It runs with the
 * migrations, so `npm start` loads it into the embedded file and `chorus db migrate` into a
 * remote libSQL server or Turso, the Workers' database; upgrading the package and migrating
 * again refreshes it. Nothing is done when the loaded version is the installed one.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Client } from "@libsql/client";

const versionKey = "disposable_domains_version";
/** Rows per statement: a remote server takes each statement as one request body (~25 KB). */
const chunkSize = 2000;

type Package = { version: string; domains: string[] };

function installedPackage(): Package {
  const require = createRequire(import.meta.url);
  const read = (name: string) => JSON.parse(readFileSync(require.resolve(name), "utf8")) as unknown;
  const { version } = read("disposable-email-domains/package.json") as { version: string };
  const domains = [
    ...(read("disposable-email-domains") as string[]),
    ...(read("disposable-email-domains/wildcard.json") as string[]),
  ];
  return { version, domains: [...new Set(domains.map((domain) => domain.trim().toLowerCase()).filter(Boolean))] };
}

/** The loaded list's version, or null when none is loaded. */
export async function loadedDisposableDomainsVersion(client: Client): Promise<string | null> {
  const result = await client.execute({ sql: "SELECT value FROM server_settings WHERE key = ?", args: [versionKey] });
  return (result.rows[0]?.value as string | undefined) ?? null;
}

/**
 * Replaces the table's contents with the installed package's list in one transaction (readers
 * see the old list or the new, never half), and records its version. Returns what it did.
 */
export async function loadDisposableDomains(
  client: Client,
  pkg: Package = installedPackage(),
): Promise<{ loaded: boolean; version: string; domains: number }> {
  if ((await loadedDisposableDomainsVersion(client)) === pkg.version)
    return { loaded: false, version: pkg.version, domains: pkg.domains.length };
  const tx = await client.transaction("write");
  try {
    await tx.execute("DELETE FROM disposable_domains");
    for (let at = 0; at < pkg.domains.length; at += chunkSize) {
      await tx.execute({
        sql: "INSERT OR IGNORE INTO disposable_domains (domain) SELECT value FROM json_each(?)",
        args: [JSON.stringify(pkg.domains.slice(at, at + chunkSize))],
      });
    }
    await tx.execute({
      sql: "INSERT INTO server_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      args: [versionKey, pkg.version],
    });
    await tx.commit();
  } finally {
    tx.close();
  }
  return { loaded: true, version: pkg.version, domains: pkg.domains.length };
}
