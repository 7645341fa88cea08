/** The server's own secret (session signing, IP salts), made on first start when none is configured. */
import { eq } from "drizzle-orm";
import { serverSettings } from "../../db/schema.ts";
import { newSecret } from "../lib/ids.ts";
import type { ServiceContext } from "./types.ts";

export async function ensureServerSecret({ db }: Pick<ServiceContext, "db">): Promise<string> {
  const candidate = newSecret("sk").slice(3) + newSecret("sk").slice(3);
  // Insert-or-keep, so two processes starting together agree on one secret.
  await db.insert(serverSettings).values({ key: "secret", value: candidate }).onConflictDoNothing();
  const [row] = await db.select().from(serverSettings).where(eq(serverSettings.key, "secret"));
  if (!row) throw new Error("server secret could not be stored");
  return row.value;
}
