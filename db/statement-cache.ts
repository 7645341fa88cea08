/**
 * Prepared statements kept per connection for the embedded libSQL driver (Node only).
 *
 * `@libsql/client` prepares every statement afresh, and SQLite compiles a write's triggers into
 * it: preparing the conversions INSERT alone took 247 µs (measured), against 6 µs for a plain
 * SELECT, while running it takes a few. A batch of 1,000 conversions prepared 20,000 statements,
 * half of its CPU time. The client offers no cache and keeps its connections private, so the one
 * place to keep a statement is the driver's `prepare`, which this wraps: the same SQL on the same
 * connection returns the same statement, up to `statementCacheCapacity` statements per connection, the least
 * recently used dropped first.
 *
 * Reuse is safe because the client runs each statement to its end synchronously (`all()` or
 * `run()`) before it returns, and the driver resets a statement and binds anew on every run, also
 * after one that failed. A schema change (a migration, on this connection or another) empties
 * the cache: SQLite would re-prepare a kept statement by itself, but only when it runs, and the
 * client asks for its column names before that, so a kept `SELECT *` would name the old columns
 * for rows of the new shape (measured). Closing a connection drops its statements with it.
 *
 * Not for an embedded replica (a file with `syncUrl`): there a kept statement answered from the
 * local copy and a replayed conversion was recorded twice (tests/process/replica.test.ts), so
 * server/node-database.ts installs this only for a plain file. It is process-wide once installed.
 */
import Database from "libsql";

type Connection = Database.Database;
type Statement = Database.Statement;

/** Per connection: the app issues a few hundred distinct statements; more than that is SQL built with values in it. */
export const statementCacheCapacity = 500;
/**
 * Longer SQL is prepared afresh each time: a multi-row INSERT (the click writer's, up to 500 rows)
 * has one text per row count, rarely repeats, and holds the most memory.
 */
export const statementCacheMaxSqlLength = 4096;
/** A connection's statements, valid for one schema version (`PRAGMA schema_version`, read on each prepare). */
type Cache = { statements: Map<string, Statement>; schemaVersion: unknown; readSchemaVersion: Statement };
const caches = new WeakMap<Connection, Cache>();
let installed = false;

/** Makes every libSQL connection of this process keep its prepared statements; idempotent. */
export function cachePreparedStatements(): void {
  if (installed) return;
  installed = true;
  const prepare = Database.prototype.prepare;
  const close = Database.prototype.close;
  function cachedPrepare(this: Connection, sql: string): Statement {
    if (sql.length > statementCacheMaxSqlLength) return prepare.call(this, sql);
    let cache = caches.get(this);
    if (!cache) {
      const readSchemaVersion = prepare.call(this, "PRAGMA schema_version").raw(true);
      cache = { statements: new Map(), schemaVersion: undefined, readSchemaVersion };
      caches.set(this, cache);
    }
    // `all()`: the driver's `get()` does not always start over on a statement used before.
    const schemaVersion = (cache.readSchemaVersion.all()[0] as unknown[])[0];
    if (schemaVersion !== cache.schemaVersion) {
      cache.statements.clear();
      cache.schemaVersion = schemaVersion;
    }
    const statements = cache.statements;
    const hit = statements.get(sql);
    if (hit) {
      // Map keeps insertion order: moving the hit to the end makes the first key the least recent.
      statements.delete(sql);
      statements.set(sql, hit);
      return hit;
    }
    const statement = rememberColumns(rememberNotAReader(prepare.call(this, sql)));
    statements.set(sql, statement);
    if (statements.size > statementCacheCapacity) statements.delete(statements.keys().next().value as string);
    return statement;
  }
  // The driver's generic signature only narrows the statement's parameter types.
  Database.prototype.prepare = cachedPrepare as Connection["prepare"];
  Database.prototype.close = function closeAndForget(this: Connection) {
    caches.delete(this);
    return close.call(this);
  };
}

/**
 * The client asks every statement for raw rows (`raw(true)`) to learn whether it returns any: a
 * write without RETURNING answers with an exception, built natively with its stack each time
 * (6% of a batch conversion's CPU, measured). Whether a statement returns rows never changes, so
 * a reused statement throws the same refusal again, already built.
 */
function rememberNotAReader(statement: Statement): Statement {
  const raw = statement.raw;
  let refusal: unknown;
  statement.raw = function rawOnce(this: Statement, toggle?: boolean) {
    if (refusal !== undefined) throw refusal;
    try {
      return raw.call(this, toggle);
    } catch (error) {
      refusal = error;
      throw error;
    }
  };
  return statement;
}

/**
 * The client asks a statement that returns rows for its columns twice per run (names, then
 * types), and the driver builds them natively each time: 14% of a batch conversion's CPU
 * (measured: 42 µs a call for the rewards INSERT … RETURNING). A kept statement's columns change
 * only with the schema, and a schema change empties the cache, so the first answer is kept.
 * Callers get the same array each time and must not change it (the client only maps it).
 */
function rememberColumns(statement: Statement): Statement {
  const columns = statement.columns;
  let kept: ReturnType<Statement["columns"]> | undefined;
  statement.columns = function columnsOnce(this: Statement) {
    kept ??= columns.call(this);
    return kept;
  };
  return statement;
}
