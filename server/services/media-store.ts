/**
 * Where Chorus keeps the media it was given (story photos; videos): one small interface with a
 * back end per runtime, files under the data folder on Node (server/node-media-store.ts) and an
 * R2 bucket on Workers (server/r2-media-store.ts). Services reach it through their context
 * (`MediaContext`); routes through `mediaContext(c)` (server/routes/context.ts).
 *
 * Keys are namespaced by workspace (`mediaKey`), so one tenant's object can never be read or
 * deleted under another's key. The store keeps the bytes and their checked content type; what
 * the bytes mean (hash, dimensions, owner) stays in the database.
 */
import { DomainError } from "./errors.ts";

export type StoredMedia = { bytes: Uint8Array<ArrayBuffer>; contentType: string };

export type MediaStore = {
  /** Writes (or replaces) the object whole: a reader sees the old bytes or the new, never a part. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The object, or null when there is none under that key. */
  get(key: string): Promise<StoredMedia | null>;
  /** Removes the object; nothing happens when there is none. */
  delete(key: string): Promise<void>;
};

/** What a service that reads or writes media is given beside its database and clock. */
export type MediaContext = { media: MediaStore };

/** A key segment: letters, digits, `-`, `_` and inner dots only (no `/`, no `..`): safe as a file name. */
const segment = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/** Whether `key` is one `mediaKey` could have made (checked by every back end before it touches storage). */
export function isMediaKey(key: string): boolean {
  const parts = key.split("/");
  return parts.length >= 3 && parts.every((part) => segment.test(part) && !part.includes(".."));
}

/**
 * The key of a workspace's object: `<workspaceId>/<kind>/<name…>`, e.g.
 * `mediaKey(ws.id, "story-photos", story.id, hash)`. Every part must be a plain segment.
 */
export function mediaKey(workspaceId: string, kind: string, ...name: string[]): string {
  const parts = [workspaceId, kind, ...name];
  const key = parts.join("/");
  if (name.length === 0 || parts.some((part) => part.includes("/")) || !isMediaKey(key))
    throw new Error(`Not a media key: ${JSON.stringify(key)}`);
  return key;
}

/** Every back end refuses a key `mediaKey` could not have made (a bug, never user input). */
export function assertMediaKey(key: string): void {
  if (!isMediaKey(key)) throw new Error(`Not a media key: ${JSON.stringify(key)}`);
}

/**
 * Kept in this process's memory: for an app built without a store (tests that never touch media,
 * benches). Lost at restart; the Node and Workers entries always pass a real one.
 */
export function memoryMediaStore(): MediaStore {
  const objects = new Map<string, StoredMedia>();
  return {
    async put(key, bytes, contentType) {
      assertMediaKey(key);
      objects.set(key, { bytes: bytes.slice(), contentType });
    },
    async get(key) {
      assertMediaKey(key);
      const found = objects.get(key);
      return found ? { bytes: found.bytes.slice(), contentType: found.contentType } : null;
    },
    async delete(key) {
      assertMediaKey(key);
      objects.delete(key);
    },
  };
}

/**
 * For a deployment without storage (a worker with no `MEDIA` bucket bound): reads find nothing,
 * writes are refused with a message the operator can act on.
 */
export function unconfiguredMediaStore(reason: string): MediaStore {
  return {
    async put() {
      throw new DomainError("unavailable", reason);
    },
    async get() {
      return null;
    },
    async delete() {},
  };
}
