/**
 * Group commit: callers each wait for their own item to be committed, but items that arrive
 * together are written together. The write starts two check phases (setImmediate) later: after
 * the poll phase has handed over every request that was waiting, and once more, so requests that
 * arrived while those were being handled join too (measured with 50 connections under load: the
 * median batch grew from 31 to 48-50 clicks, +7-15% redirects/s, -10% CPU per click). Items that
 * arrive while a write is in flight go in the next one. Under load that turns N commits into one
 * per batch; alone, an item waits for no timer. (The embedded libSQL client runs statements
 * synchronously, so without this deferral nothing would ever accumulate.)
 */

/**
 * Node only: on Workers a batch would settle other requests' promises with one request's I/O,
 * which workerd cancels when that request ends (see createClickWriter).
 */
const beforeWriting = (run: () => void) => setImmediate(() => setImmediate(run));

export type GroupCommitter<T> = {
  write(item: T): Promise<void>;
  /** Resolves once everything queued so far is written (for shutdown). */
  flush(): Promise<void>;
};

/**
 * `onBatch` hears of every batch once it is written (or failed): the metrics count clicks
 * written and batch sizes there.
 */
export function groupCommit<T>(
  writeBatch: (items: T[]) => Promise<void>,
  maxBatch = 500,
  onBatch: (size: number, written: boolean) => void = () => {},
): GroupCommitter<T> {
  let queue: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let draining: Promise<void> | null = null;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      try {
        await writeBatch(batch.map((entry) => entry.item));
        onBatch(batch.length, true);
        for (const entry of batch) entry.resolve();
      } catch (error) {
        onBatch(batch.length, false);
        // Nobody in a failed batch is told "done": each caller answers with an error instead.
        for (const entry of batch) entry.reject(error);
      }
    }
    draining = null;
  }

  return {
    write(item) {
      const done = new Promise<void>((resolve, reject) => queue.push({ item, resolve, reject }));
      draining ??= new Promise<void>((resolve) => beforeWriting(resolve)).then(drain);
      return done;
    },
    async flush() {
      while (draining) await draining;
    },
  };
}
