/**
 * The prepared-statement cache (db/statement-cache.ts) on a real libSQL connection: the same SQL
 * is prepared once per connection, and a reused statement answers as a fresh one would, after a
 * failure or a partial read; a schema change (here or on another connection) empties the cache.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "libsql";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  cachePreparedStatements,
  statementCacheCapacity,
  statementCacheMaxSqlLength,
} from "../../db/statement-cache.ts";

let db: Database.Database;

beforeAll(() => cachePreparedStatements());
afterEach(() => db.close());

function open(): Database.Database {
  db = new Database(":memory:");
  db.exec("CREATE TABLE t (a INTEGER UNIQUE); INSERT INTO t VALUES (1), (2), (3)");
  return db;
}

describe("the statement cache", () => {
  it("prepares the same SQL once per connection, and apart on another connection", () => {
    const one = open();
    const sql = "SELECT a FROM t WHERE a >= ?";
    expect(one.prepare(sql)).toBe(one.prepare(sql));
    const other = new Database(":memory:");
    other.exec("CREATE TABLE t (a INTEGER)");
    try {
      expect(other.prepare(sql)).not.toBe(one.prepare(sql));
    } finally {
      other.close();
    }
  });

  it("answers a reused statement afresh after a failed run and after a partial read", () => {
    const conn = open();
    const insert = () => conn.prepare("INSERT INTO t VALUES (?) RETURNING a").raw(true);
    expect(() => insert().all(1)).toThrow(/UNIQUE/);
    expect(insert().all(4)).toEqual([[4]]);
    const select = () => conn.prepare("SELECT a FROM t WHERE a >= ? ORDER BY a").raw(true);
    expect(select().get(1)).toEqual([1]);
    expect(select().all(3)).toEqual([[3], [4]]);
  });

  it("refuses raw rows from a write every time, as the client expects, and still runs it", () => {
    const conn = open();
    const write = () => conn.prepare("INSERT INTO t VALUES (?)");
    expect(() => write().raw(true)).toThrow();
    expect(() => write().raw(true)).toThrow();
    expect(write().run(7).changes).toBe(1);
    expect(conn.prepare("SELECT a FROM t WHERE a = 7").raw(true).all()).toEqual([[7]]);
  });

  it("names the new columns after a schema change, before the statement runs (as the client reads them)", () => {
    const conn = open();
    const select = () => conn.prepare("SELECT * FROM t LIMIT 1").raw(true);
    expect(select().all()).toEqual([[1]]);
    conn.exec("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'");
    expect(
      select()
        .columns()
        .map((column) => column.name),
    ).toEqual(["a", "b"]);
    expect(select().all()).toEqual([[1, "x"]]);
  });

  it("builds a kept statement's columns once (the client asks twice per run), and anew after a schema change", () => {
    const conn = open();
    const select = () => conn.prepare("SELECT * FROM t LIMIT 1");
    const first = select().columns();
    expect(select().columns()).toBe(first);
    conn.exec("ALTER TABLE t ADD COLUMN c INTEGER DEFAULT 5");
    expect(select().columns()).not.toBe(first);
    expect(
      select()
        .columns()
        .map((column) => column.name),
    ).toEqual(["a", "c"]);
  });

  it("forgets its statements when another connection changes the schema of the same file", () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-statements-"));
    const file = join(dir, "shared.db");
    const [reader, migrator] = [new Database(file), new Database(file)];
    try {
      reader.exec("PRAGMA journal_mode = WAL; CREATE TABLE u (a); INSERT INTO u VALUES (1)");
      const kept = reader.prepare("SELECT * FROM u");
      migrator.exec("ALTER TABLE u ADD COLUMN b DEFAULT 2");
      const fresh = reader.prepare("SELECT * FROM u");
      expect(fresh).not.toBe(kept);
      expect(fresh.raw(true).all()).toEqual([[1, 2]]);
    } finally {
      reader.close();
      migrator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps at most its capacity, dropping the least recently used first", () => {
    const conn = open();
    const first = conn.prepare("SELECT 0");
    const kept = conn.prepare("SELECT 1");
    for (let i = 2; i <= statementCacheCapacity; i++) {
      conn.prepare(`SELECT ${i}`);
      if (i % 100 === 0) conn.prepare("SELECT 1"); // used again: moves to the recent end
    }
    expect(conn.prepare("SELECT 1")).toBe(kept);
    expect(conn.prepare("SELECT 0")).not.toBe(first);
  });

  it("prepares long SQL (a many-row INSERT) afresh each time", () => {
    const conn = open();
    const rows = Math.ceil(statementCacheMaxSqlLength / 5);
    const long = `INSERT INTO t VALUES ${Array.from({ length: rows }, () => "(?)").join(", ")}`;
    expect(long.length).toBeGreaterThan(statementCacheMaxSqlLength);
    expect(conn.prepare(long)).not.toBe(conn.prepare(long));
  });
});
