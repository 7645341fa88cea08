/**
 * `chorus db backup` and `chorus db restore` for the embedded file (Node only: it works on files).
 *
 * A backup is `VACUUM INTO` through libSQL: one read transaction, so the copy is the database as of
 * one commit while the server keeps writing (WAL readers never block the writer, nor it them).
 * It is written under a temporary name beside the target, checked, synced and only then renamed:
 * a file with the target's name is always a whole, checked backup, whatever fails on the way.
 * A restore refuses what it cannot vouch for (not SQLite, not Chorus, a newer schema than this
 * version knows) and never overwrites a database without being told to.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { type Client, createClient } from "@libsql/client";
import { fileBusyTimeoutMs, migrationsFolder } from "../db/migrate.ts";

/** A backup or restore that cannot be done: the message says why and what to do. */
export class BackupError extends Error {}

/** A line for the operator while long work runs (sizes, stages, elapsed time). */
export type Progress = (line: string) => void;

const sqliteHeader = "SQLite format 3\0";

export function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The name a backup is written under until it is complete: never mistaken for a backup. */
function partialName(target: string): string {
  return join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
}

/**
 * Removes a partial copy and the files SQLite keeps beside one: a `VACUUM INTO` that failed on a
 * full disk can leave its rollback journal behind (seen in CI), which must not outlive it.
 */
function removeQuietly(path: string): void {
  for (const file of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) {
    try {
      unlinkSync(file);
    } catch {
      // already gone, or never made
    }
  }
}

/** Makes a write survive a power cut: the file's bytes, then the directory entry naming it. */
function syncToDisk(file: string): void {
  const fd = openSync(file, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const dir = openSync(dirname(file), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** What a failed write to the backup's directory means, in the operator's words. */
function explainWriteFailure(error: unknown, target: string, work: "backup" | "restore" = "backup"): BackupError {
  const text = `${(error as { code?: string }).code ?? ""} ${(error as Error).message}`;
  const dir = dirname(target);
  if (/EROFS|readonly|read-only|EACCES|EPERM|unable to open|CANTOPEN/i.test(text))
    return new BackupError(
      `Cannot write the backup in ${dir}: the directory is read-only or not writable (${text.trim()}).`,
    );
  if (/ENOSPC|SQLITE_FULL|disk is full|database or disk is full/i.test(text))
    return new BackupError(`The disk holding ${dir} is full: the ${work} did not fit (${text.trim()}).`);
  return new BackupError(`The ${work} to ${target} failed: ${text.trim()}`);
}

/**
 * Copies the embedded database at `source` (a path) to `target`, consistently, while other
 * processes keep writing to it. Refuses an existing target unless `overwrite`.
 */
export async function backupDatabase(
  source: string,
  targetPath: string,
  options: { overwrite?: boolean; progress?: Progress } = {},
): Promise<{ file: string; bytes: number; ms: number }> {
  const progress = options.progress ?? (() => {});
  const target = resolve(targetPath);
  if (!existsSync(source)) throw new BackupError(`There is no database at ${source} to back up.`);
  if (resolve(source) === target) throw new BackupError("The backup cannot be the database itself.");
  if (existsSync(target) && !options.overwrite)
    throw new BackupError(`${target} exists already. Choose another name, or add --force to replace it.`);
  if (!existsSync(dirname(target))) throw new BackupError(`The directory ${dirname(target)} does not exist.`);

  const started = Date.now();
  const partial = partialName(target);
  removeQuietly(partial);
  progress(`Backing up ${source} (${megabytes(sizeOf(source) + sizeOf(`${source}-wal`))} with its WAL) to ${target}…`);
  const client = createClient({ url: `file:${source}`, timeout: fileBusyTimeoutMs });
  try {
    // One statement, one read transaction: the copy is the database as of one commit.
    await client.execute({ sql: "VACUUM INTO ?", args: [partial] });
  } catch (error) {
    removeQuietly(partial);
    throw explainWriteFailure(error, target);
  } finally {
    client.close();
  }
  const copied = Date.now() - started;
  progress(`Copied ${megabytes(sizeOf(partial))} in ${(copied / 1000).toFixed(1)} s; checking the copy…`);
  try {
    await checkDatabase(partial, "the copy");
    syncToDisk(partial);
    renameSync(partial, target);
    syncToDisk(target);
  } catch (error) {
    removeQuietly(partial);
    throw error instanceof BackupError ? error : explainWriteFailure(error, target);
  }
  const ms = Date.now() - started;
  const bytes = sizeOf(target);
  progress(`Backup complete: ${target} (${megabytes(bytes)}, ${(ms / 1000).toFixed(1)} s).`);
  return { file: target, bytes, ms };
}

/** The newest migration this version of Chorus knows (drizzle's `created_at` of it). */
function newestKnownMigration(): { tag: string; when: number } {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, "utf8")) as {
    entries: { tag: string; when: number }[];
  };
  return journal.entries.at(-1)!;
}

function readHeader(path: string): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(sqliteHeader.length);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString("latin1");
  } finally {
    closeSync(fd);
  }
}

async function scalar(client: Client, sql: string): Promise<unknown> {
  return (await client.execute(sql)).rows[0]?.[0];
}

/**
 * Refuses a file that is not a sound Chorus database of a schema this version can run: not
 * SQLite, damaged, without Chorus's tables, or migrated by a newer Chorus (whose data this
 * version's code might misread or destroy).
 */
export async function checkDatabase(path: string, what: string): Promise<{ migrations: number }> {
  if (!existsSync(path)) throw new BackupError(`There is no file ${path}.`);
  if (readHeader(path) !== sqliteHeader) throw new BackupError(`${what} (${path}) is not a SQLite database.`);
  let client: Client;
  try {
    client = createClient({ url: `file:${path}` });
  } catch (error) {
    throw new BackupError(`${what} (${path}) cannot be opened: ${(error as Error).message}`);
  }
  try {
    const check = await scalar(client, "PRAGMA quick_check").catch((error: Error) => error.message);
    if (check !== "ok") throw new BackupError(`${what} (${path}) is damaged: ${String(check)}`);
    const tables = new Set(
      (await client.execute("SELECT name FROM sqlite_master WHERE type = 'table'")).rows.map((row) => String(row.name)),
    );
    const missing = ["__drizzle_migrations", "workspaces", "clicks", "conversions"].filter((name) => !tables.has(name));
    if (missing.length > 0)
      throw new BackupError(`${what} (${path}) is not a Chorus database: it has no ${missing.join(", ")} table.`);
    const newest = Number(await scalar(client, "SELECT max(created_at) FROM __drizzle_migrations"));
    const known = newestKnownMigration();
    if (newest > known.when)
      throw new BackupError(
        `${what} (${path}) comes from a newer version of Chorus: its schema has a migration from ` +
          `${new Date(newest).toISOString()}, and this version knows migrations up to ${known.tag} ` +
          `(${new Date(known.when).toISOString()}). Upgrade Chorus, then restore.`,
      );
    return { migrations: Number(await scalar(client, "SELECT count(*) FROM __drizzle_migrations")) };
  } finally {
    client.close();
  }
}

/**
 * Puts the backup at `source` in place of the embedded database at `target`. An existing database
 * is replaced only with `force`, and is kept beside it (`…before-restore-TIME`), whole (its WAL
 * checkpointed into it first). The server must be stopped: it would go on writing to the file it
 * has open, which is no longer the database.
 */
export async function restoreDatabase(
  sourcePath: string,
  target: string,
  options: { force?: boolean; now?: Date; progress?: Progress } = {},
): Promise<{ file: string; bytes: number; keptAs: string | null; ms: number }> {
  const progress = options.progress ?? (() => {});
  const source = resolve(sourcePath);
  const started = Date.now();
  progress(`Checking ${source} (${megabytes(sizeOf(source))})…`);
  await checkDatabase(source, "The backup");
  if (resolve(target) === source) throw new BackupError("The backup is the database itself: nothing to restore.");
  const exists = existsSync(target);
  if (exists && !options.force)
    throw new BackupError(
      `A database exists at ${target}. Restoring replaces it: stop the server, then run again with --force ` +
        "(the current database is kept beside it).",
    );

  const partial = partialName(target);
  removeQuietly(partial);
  let keptAs: string | null = null;
  try {
    // A fresh machine has no data directory yet (the server would make it too).
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, partial);
    syncToDisk(partial);
    if (exists) {
      // Fold the old WAL into the old file, so the kept copy is whole and no stray WAL is left
      // to be replayed onto the restored file.
      const old = createClient({ url: `file:${target}`, timeout: fileBusyTimeoutMs });
      try {
        // Busy: another connection (a running server) is reading or writing it.
        const checkpoint = await old.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        if (Number(checkpoint.rows[0]?.[0]) !== 0)
          throw new BackupError(`The database at ${target} is in use (is the server running?). Stop it, then restore.`);
      } finally {
        old.close();
      }
      keptAs = `${target}.before-restore-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, "-")}`;
      renameSync(target, keptAs);
    }
    for (const leftover of [`${target}-wal`, `${target}-shm`]) removeQuietly(leftover);
    renameSync(partial, target);
    syncToDisk(target);
  } catch (error) {
    removeQuietly(partial);
    throw error instanceof BackupError ? error : explainWriteFailure(error, target, "restore");
  }
  const ms = Date.now() - started;
  const bytes = sizeOf(target);
  progress(
    `Restored ${source} to ${target} (${megabytes(bytes)}, ${(ms / 1000).toFixed(1)} s).` +
      (keptAs ? ` The previous database is kept as ${keptAs}.` : ""),
  );
  return { file: target, bytes, keptAs, ms };
}
