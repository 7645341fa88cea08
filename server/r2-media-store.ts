/**
 * The Workers back end of the media store (server/services/media-store.ts): a Cloudflare R2
 * bucket bound as `MEDIA` (wrangler.toml). R2 writes are atomic per object, and the checked
 * content type travels as the object's HTTP metadata.
 */
import { assertMediaKey, type MediaStore } from "./services/media-store.ts";

/** The part of Workers' `R2Bucket` this store uses (declared here so Node's type check needs no Workers types). */
export type R2BucketLike = {
  put(
    key: string,
    value: ArrayBuffer | ArrayBufferView,
    options?: { httpMetadata?: { contentType?: string } },
  ): Promise<unknown>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer>; httpMetadata?: { contentType?: string } } | null>;
  delete(key: string): Promise<void>;
};

export function createR2MediaStore(bucket: R2BucketLike): MediaStore {
  return {
    async put(key, bytes, contentType) {
      assertMediaKey(key);
      await bucket.put(key, bytes, { httpMetadata: { contentType } });
    },
    async get(key) {
      assertMediaKey(key);
      const object = await bucket.get(key);
      if (!object) return null;
      return {
        bytes: new Uint8Array(await object.arrayBuffer()),
        contentType: object.httpMetadata?.contentType ?? "application/octet-stream",
      };
    },
    async delete(key) {
      assertMediaKey(key);
      await bucket.delete(key);
    },
  };
}
