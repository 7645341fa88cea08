/**
 * Group commit: callers each wait for their own item to be durable, but items that arrive while
 * a write is in flight are written together in the next one. Under load that turns N fsyncs into
 * one per batch; alone, an item is written at once with no added delay.
 */
export type GroupCommitter<T> = {
  write(item: T): Promise<void>;
  /** Resolves once everything queued so far is written (for shutdown). */
  flush(): Promise<void>;
};

export function groupCommit<T>(writeBatch: (items: T[]) => Promise<void>, maxBatch = 500): GroupCommitter<T> {
  let queue: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let draining: Promise<void> | null = null;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      try {
        await writeBatch(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        // Nobody in a failed batch is told "done": each caller answers with an error instead.
        for (const entry of batch) entry.reject(error);
      }
    }
    draining = null;
  }

  return {
    write(item) {
      const done = new Promise<void>((resolve, reject) => queue.push({ item, resolve, reject }));
      draining ??= drain();
      return done;
    },
    async flush() {
      while (draining) await draining;
    },
  };
}
