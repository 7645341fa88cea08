import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareFileDatabase } from "../../db/migrate.ts";
import { serializeTransactions } from "../../db/serialized-client.ts";

let dir: string;
let raw: Client;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "chorus-serial-"));
  raw = createClient({ url: `file:${join(dir, "db.sqlite")}` });
  await prepareFileDatabase(raw);
  await raw.execute("create table t (n integer)");
});
afterEach(() => {
  raw.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A write from another request while a transaction of this process is open and awaiting. */
async function writeDuringTransaction(client: Client) {
  const tx = await client.transaction("write");
  await tx.execute("insert into t values (1)");
  const outside = client.execute("insert into t values (2)").then(
    () => "ok",
    (error: Error) => error.message,
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  await tx.commit();
  return outside;
}

describe("the embedded client", () => {
  it("on its own, fails a write that meets this process's open transaction", async () => {
    expect(await writeDuringTransaction(raw)).toMatch(/SQLITE_BUSY|locked/);
  });

  it("serialized, lets that write wait for the commit and succeed", async () => {
    const client = serializeTransactions(raw);
    expect(await writeDuringTransaction(client)).toBe("ok");
    expect((await client.execute("select count(*) as n from t")).rows[0]?.n).toBe(2);
  });
});
