/**
 * Reads shared by the items of one write transaction that holds many of them (a conversion
 * batch: server/services/conversion-batch.ts). Only for tables those items never write (webhook
 * endpoints, the disposable-domain list): their rows cannot change while the transaction holds
 * the write lock, so the first item's read answers every later one, and a savepoint rolled back
 * leaves it true. A context without a memo (a single conversion) reads each time.
 */
export type TransactionMemo = Map<string, Promise<unknown>>;

export function remembered<T>(memo: TransactionMemo | undefined, key: string, read: () => PromiseLike<T>): Promise<T> {
  if (!memo) return Promise.resolve(read());
  let answer = memo.get(key) as Promise<T> | undefined;
  if (!answer) {
    // Resolved once here: a drizzle query is a thenable that runs again each time it is awaited.
    answer = Promise.resolve(read());
    memo.set(key, answer);
  }
  return answer;
}
