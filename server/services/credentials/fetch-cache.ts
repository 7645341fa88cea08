/**
 * Status lists and issuers' key sets, kept by URL for a few minutes. They are the same for every
 * credential of an issuer, so without a cache each story (and each edit) downloaded them again,
 * and a credential naming one list many times downloaded it many times (issue 15). One cache
 * belongs to one app (made in createApp), like the rate limiters: per server process or Workers
 * isolate, and never shared between tests.
 *
 * Only bodies that were read whole are kept, never failures: a list that could not be fetched is
 * tried again by the next verification. What is kept is the text as served; every reader still
 * checks its signature against its own workspace's issuers.
 */

export type FetchCacheOptions = {
  /** How long a document is served from the cache (ms). Revocation shows up at most this late. */
  ttlMs?: number;
  /** At most this many documents... */
  maxEntries?: number;
  /** ...and at most this many bytes of them (UTF-16 length × 2, what the strings take). */
  maxBytes?: number;
};

type Entry = { text: string; expiresAt: number; size: number };

export class CredentialFetchCache {
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  /** In insertion order, oldest first: the order they expire and are evicted in. */
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<string>>();
  private bytes = 0;

  constructor(options: FetchCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.maxEntries = options.maxEntries ?? 256;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  }

  /**
   * The text at `url`: from the cache while fresh, else from the fetch already under way for it,
   * else from `load` (whose result is kept). A reader waits for a shared fetch only until its own
   * `signal` aborts.
   */
  read(url: string, nowMs: number, load: () => Promise<string>, signal?: AbortSignal): Promise<string> {
    const entry = this.entries.get(url);
    if (entry && entry.expiresAt > nowMs) return Promise.resolve(entry.text);
    if (entry) this.remove(url, entry);
    let shared = this.pending.get(url);
    if (!shared) {
      shared = load().then((text) => {
        this.keep(url, text, nowMs);
        return text;
      });
      this.pending.set(url, shared);
      const forget = () => this.pending.delete(url);
      shared.then(forget, forget);
    }
    return signal ? untilAborted(shared, signal) : shared;
  }

  private keep(url: string, text: string, nowMs: number) {
    const size = text.length * 2;
    if (size > this.maxBytes) return;
    const old = this.entries.get(url);
    if (old) this.remove(url, old);
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size < this.maxEntries && this.bytes + size <= this.maxBytes) break;
      this.remove(oldest, entry);
    }
    this.entries.set(url, { text, expiresAt: nowMs + this.ttlMs, size });
    this.bytes += size;
  }

  private remove(url: string, entry: Entry) {
    this.entries.delete(url);
    this.bytes -= entry.size;
  }
}

/** A cache of its own for one verification, when no shared one is given. */
export const newFetchCache = () => new CredentialFetchCache();

/** `promise`, or a rejection as soon as `signal` aborts (the promise itself runs on). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", abort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", abort);
        reject(error);
      },
    );
  });
}
