/**
 * One writer at a time inside this process, without ever blocking the event loop.
 *
 * The embedded libSQL driver is synchronous, and `client.transaction()` hands the open connection
 * to the transaction and opens another for everything else. While a transaction awaits between
 * its statements, a write from any other request on that second connection would meet the
 * transaction's lock: it fails at once with SQLITE_BUSY (or, with a busy timeout, blocks the
 * very event loop the lock holder needs). So every statement outside a transaction waits while
 * one is open, and transactions queue behind each other. Reads wait too, for the few
 * milliseconds a transaction lasts; the driver runs one statement at a time anyway.
 */
import type { Client, Transaction, TransactionMode } from "@libsql/client";

const gated = new Set(["execute", "batch", "executeMultiple", "migrate"]);

export function serializeTransactions(client: Client): Client {
  // Settles when every transaction opened so far has committed or rolled back.
  let idle: Promise<void> = Promise.resolve();

  async function whenIdle(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = idle;
      await seen;
    } while (seen !== idle);
  }

  async function transaction(mode?: TransactionMode): Promise<Transaction> {
    let release!: () => void;
    const finished = new Promise<void>((resolve) => {
      release = resolve;
    });
    const before = idle;
    idle = before.then(() => finished);
    await before;
    let tx: Transaction;
    try {
      tx = await client.transaction(mode);
    } catch (error) {
      release();
      throw error;
    }
    return new Proxy(tx, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        if (property === "commit" || property === "rollback") {
          return async (...args: unknown[]) => {
            try {
              return await value.apply(target, args);
            } finally {
              release();
            }
          };
        }
        if (property === "close") {
          return (...args: unknown[]) => {
            try {
              return value.apply(target, args);
            } finally {
              release();
            }
          };
        }
        return value.bind(target);
      },
    });
  }

  return new Proxy(client, {
    get(target, property) {
      if (property === "transaction") return transaction;
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (typeof property === "string" && gated.has(property)) {
        return async (...args: unknown[]) => {
          await whenIdle();
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
}
