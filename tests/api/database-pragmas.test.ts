/**
 * The embedded file's durability setting: WAL with synchronous FULL by default (a commit survives
 * a power cut), NORMAL (a crash of the process only) when CHORUS_DB_SYNCHRONOUS=normal.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterEach, describe, expect, it } from "vitest";
import { prepareFileDatabase } from "../../db/migrate.ts";
import { fileSynchronous } from "../../server/config.ts";
import { openDatabase } from "../../server/node-database.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function pragmas(synchronous?: "FULL" | "NORMAL") {
  const dir = mkdtempSync(join(tmpdir(), "chorus-pragmas-"));
  dirs.push(dir);
  const client = createClient({ url: `file:${join(dir, "x.db")}` });
  await prepareFileDatabase(client, synchronous);
  const mode = (await client.execute("PRAGMA journal_mode")).rows[0]?.[0];
  const sync = Number((await client.execute("PRAGMA synchronous")).rows[0]?.[0]);
  client.close();
  return { mode, sync };
}

describe("embedded database pragmas", () => {
  it("use WAL with synchronous FULL unless CHORUS_DB_SYNCHRONOUS=normal", async () => {
    expect(fileSynchronous({})).toBe("FULL");
    expect(fileSynchronous({ CHORUS_DB_SYNCHRONOUS: "NORMAL" })).toBe("NORMAL");
    expect(fileSynchronous({ CHORUS_DB_SYNCHRONOUS: "something" })).toBe("FULL");
    expect(await pragmas(fileSynchronous({}))).toEqual({ mode: "wal", sync: 2 });
    expect(await pragmas(fileSynchronous({ CHORUS_DB_SYNCHRONOUS: "normal" }))).toEqual({ mode: "wal", sync: 1 });
  });
});

describe("the server's embedded database client", () => {
  it("waits for another process's write lock on every pooled connection, not only the first", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-pragmas-"));
    dirs.push(dir);
    const url = `file:${join(dir, "x.db")}`;
    const { client } = await openDatabase({ url }, "apply");
    // Concurrent statements each borrow a connection: the pool opens new ones, which a pragma
    // run on the first never reached (a CI run's 500s: the CLI held the lock for a moment).
    const timeouts = await Promise.all(
      Array.from({ length: 6 }, async () => Number((await client.execute("PRAGMA busy_timeout")).rows[0]?.[0])),
    );
    expect(timeouts).toEqual(Array(6).fill(5000));
    client.close();
  });
});
