/**
 * An embedded file as a libSQL embedded replica of a libSQL server (DATABASE_SYNC_URL): reads are
 * answered from the local copy; libSQL sends every write to the primary and answers once the
 * primary has committed it (write delegation), then pulls the primary's new frames every
 * `intervalSeconds`. So while the primary is unreachable, reads go on and writes are refused:
 * this module says that as the API's `unavailable` (503) instead of an unexplained 500.
 * docs/operations-data.md has what is and is not guaranteed, measured.
 */
import { type Client, createClient, type Transaction } from "@libsql/client";
import type { DatabaseSettings } from "./config.ts";
import { DomainError } from "./services/errors.ts";

/** Said when an embedded replica cannot reach its primary at open (its first sync needs it). */
export class ReplicaUnreachableError extends Error {}

/** How libSQL's native replica says the primary did not answer (its errors carry no code). */
const primaryUnreachable = /^(WriteDelegation|Replication|Sync|sync error)\b/;

function translated(error: unknown): unknown {
  if (error instanceof Error && primaryUnreachable.test(error.message))
    return new DomainError(
      "unavailable",
      "The primary database does not answer, so writes are refused until it does (reads go on). Try again shortly.",
    );
  return error;
}

/** Every method of `target` that returns a promise, rethrowing a replica failure translated. */
function translating<T extends object>(target: T, wrapResult?: (value: unknown) => unknown): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = value.apply(object, args);
        } catch (error) {
          throw translated(error);
        }
        if (!(result instanceof Promise)) return result;
        return result.then(
          (settled) => (wrapResult && property === "transaction" ? wrapResult(settled) : settled),
          (error) => {
            throw translated(error);
          },
        );
      };
    },
  });
}

export function openReplica(
  url: string,
  authToken: string | undefined,
  sync: NonNullable<DatabaseSettings["sync"]>,
  busyTimeoutMs: number,
): Client {
  let client: Client;
  try {
    client = createClient({
      url,
      authToken,
      syncUrl: sync.url,
      syncInterval: sync.intervalSeconds,
      timeout: busyTimeoutMs,
    });
  } catch (error) {
    // libSQL syncs once while opening a replica, so an unreachable primary stops the start.
    throw new ReplicaUnreachableError(
      `The embedded replica could not sync with DATABASE_SYNC_URL ${sync.url}: ${(error as Error).message.split("\n")[0]}\n` +
        "An embedded replica opens only while its primary answers. Check that the libSQL server is up and that DATABASE_AUTH_TOKEN is its token.",
    );
  }
  return translating(client, (tx) => translating(tx as Transaction));
}
