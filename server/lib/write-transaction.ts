/**
 * Write transactions that never deadlock and never fail on a momentary lock.
 *
 * SQLite allows one writer. A deferred transaction that reads and then writes can fail with
 * SQLITE_BUSY when another connection took the write lock in between, so writes here begin
 * IMMEDIATE (the lock is taken up front). Writers in this process queue behind each other per
 * client: the embedded driver is synchronous, so a busy wait between two pooled connections
 * of one process would block the event loop that the lock holder needs to finish (measured:
 * it waits out the whole timeout), and a BEGIN that failed with SQLITE_BUSY leaves its
 * statement pending on that connection, which makes its later COMMITs fail. A writer in
 * another process (or a libSQL server busy with another client) is waited for with a retry.
 *
 * On Workers every write of the isolate takes its turn in the same queue, click batches included
 * (`inWriteQueue`). Writes waiting for the server's lock hold connections, and in workerd the
 * lock holder then could not reach the server to commit: with 40 click batches and 28
 * transactions at once, writes stalled for more than 30 s (measured; without the click batches,
 * or against sqld from Node, never). A place in the queue is given up after `queueWaitMs`: a
 * request the runtime cancels mid-transaction never reaches its `finally`, and by then the server
 * has timed its transaction out (sqld: 5 s).
 */
import type { Db } from "../../db/index.ts";

/** The transaction handle drizzle passes to a transaction callback. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

const queues = new WeakMap<object, Promise<void>>();
const queueWaitMs = 10_000;

/** The queue belongs to the client (its connection pool), however many drizzle handles wrap it. */
function queueKey(db: Db): object {
  return (db as { $client?: object }).$client ?? db;
}

function isBusy(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    const message = current instanceof Error ? current.message : "";
    if (code === "SQLITE_BUSY" || /SQLITE_BUSY|database is locked/i.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `write` again while the database answers SQLITE_BUSY (another writer holds the lock), for
 * up to about five seconds. `write` must be atomic: an attempt that failed wrote nothing. A libSQL
 * server answers BUSY now and then when many writers meet (measured: 1 batch in 600 with 40
 * Worker requests writing at once).
 */
export async function retryWhileBusy<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isBusy(error) || attempt >= 60) throw error;
      await sleep(Math.min(2 ** attempt, 100) * (0.5 + Math.random()));
    }
  }
}

const immediately =
  <T>(db: Db, work: (tx: Tx) => Promise<T>) =>
  () =>
    db.transaction(work, { behavior: "immediate" });

/** Runs `work` in one IMMEDIATE transaction; it may run again after a lock conflict, so keep it free of side effects outside the database. */
export function writeTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return inWriteQueue(db, () => retryWhileBusy(immediately(db, work)));
}

/** Runs `write` once the writes queued before it on the same client are done (see above). */
export async function inWriteQueue<T>(db: Db, write: () => Promise<T>): Promise<T> {
  const key = queueKey(db);
  const previous = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([previous, new Promise((resolve) => (timer = setTimeout(resolve, queueWaitMs)))]);
  clearTimeout(timer);
  try {
    return await write();
  } finally {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  }
}
