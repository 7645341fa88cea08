/**
 * What one credential verification may cost the server. A credential is written by whoever
 * submits it, and every URL inside it is theirs: without a bound, one story with a thousand status
 * entries made a thousand downloads of up to 1 MB each (issue 15). So each verification gets a
 * budget: a few status entries, a few network fetches, a total of bytes, and one deadline for the
 * whole check. What the budget refuses is never fetched and leaves its check "unknown", which
 * never counts as verified.
 */
import { type Fetch, fetchText } from "./fetch.ts";
import { type CredentialFetchCache, newFetchCache, untilAborted } from "./fetch-cache.ts";

export type VerificationLimits = {
  /** Objects and arrays in the credential; a larger one is not checked at all (its proof costs CPU). */
  objects: number;
  /** Status entries a credential may have; with more, revocation is unknown and none is fetched. */
  statusEntries: number;
  /** Network fetches in all: the credential's URL, an issuer's JWKS, status lists (cache hits are free). */
  fetches: number;
  /** Bytes read from the network in all. */
  bytes: number;
  /** Milliseconds for the whole verification, every fetch included. */
  deadlineMs: number;
};

/**
 * Enough for every real credential: the credential's URL, the issuer's JWKS, and a revocation
 * and a suspension list (two entries is what issuers write; four leaves room), each under the
 * per-document caps of 256 KB (credential), 64 KB (JWKS) and 1 MB (status list). Real badges
 * have 10 to 30 objects; 200 bound the proof check to about a quarter of a second of CPU.
 */
export const defaultLimits: VerificationLimits = {
  objects: 200,
  statusEntries: 4,
  fetches: 6,
  bytes: 2 * 1024 * 1024,
  deadlineMs: 10_000,
};

/** How one document is read: its own size cap, and whether it may come from (and go to) the shared cache. */
export type DocumentKind = { maxBytes: number; cache: boolean };

/** Reads a remote document as text within the verification's budget; throws with a plain reason otherwise. */
export type ReadRemote = (url: string, kind: DocumentKind) => Promise<string>;

/** The running count of one verification against its limits. */
export class VerificationBudget {
  readonly limits: VerificationLimits;
  /** Aborts every fetch of the verification once its deadline passes. */
  readonly signal: AbortSignal;
  private fetches = 0;
  private bytes = 0;

  constructor(limits: Partial<VerificationLimits> = {}) {
    this.limits = { ...defaultLimits, ...limits };
    this.signal = AbortSignal.timeout(this.limits.deadlineMs);
  }

  /** Why nothing more may be fetched, or null while the budget allows another fetch. */
  refusal(): string | null {
    if (this.signal.aborted) return this.outOfTime();
    if (this.fetches >= this.limits.fetches) {
      return `not fetched: one credential may make at most ${this.limits.fetches} requests`;
    }
    if (this.bytes >= this.limits.bytes) {
      return `not fetched: one credential may read at most ${this.limits.bytes} bytes`;
    }
    return null;
  }

  outOfTime(): string {
    return `stopped: one credential may take at most ${this.limits.deadlineMs / 1000} s to check`;
  }

  /** Counts one fetch and gives the bytes it may read: its own cap, or less if the budget has less left. */
  startFetch(maxBytes: number): number {
    const refusal = this.refusal();
    if (refusal) throw new Error(refusal);
    this.fetches++;
    return Math.min(maxBytes, this.limits.bytes - this.bytes);
  }

  spendBytes(count: number) {
    this.bytes += count;
  }
}

const encoder = new TextEncoder();

/**
 * The reader of one verification: the shared cache first (concurrent readers of one URL share one
 * fetch), then the network within the budget. Without a shared cache the verification still gets
 * its own, so entries naming the same list fetch it once.
 */
export function budgetedReader(
  fetcher: Fetch,
  budget: VerificationBudget,
  cache: CredentialFetchCache = newFetchCache(),
  nowMs: number = Date.now(),
): ReadRemote {
  const download = async (url: string, kind: DocumentKind) => {
    const allowed = budget.startFetch(kind.maxBytes);
    try {
      // Raced with the deadline as well, in case an injected fetch does not honour its signal.
      const text = await untilAborted(
        fetchText(fetcher, url, { maxBytes: allowed, signal: budget.signal }),
        budget.signal,
      );
      budget.spendBytes(encoder.encode(text).byteLength);
      return text;
    } catch (error) {
      if (budget.signal.aborted) throw new Error(budget.outOfTime());
      if (allowed < kind.maxBytes && (error as Error).message.includes("is larger than")) {
        throw new Error(`${url} is larger than the ${allowed} bytes this credential may still read`);
      }
      throw error;
    }
  };
  return async (url, kind) => {
    if (!kind.cache) return download(url, kind);
    return cache
      .read(url, nowMs, () => download(url, kind), budget.signal)
      .catch((error: Error) => {
        throw budget.signal.aborted ? new Error(budget.outOfTime()) : error;
      });
  };
}
