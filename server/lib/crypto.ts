/** Hashing and signing with Web Crypto and portable JS only, so the same code runs on Node and Workers. */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

const encoder = new TextEncoder();

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(value: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
}

/**
 * SHA-256 synchronously (Node's crypto, else pure JS): for hashing many short values in a loop,
 * such as the rows of an import, where an await per value costs more than the hash.
 */
export function sha256HexSync(value: string): string {
  if (nodeCrypto) return nodeCrypto.createHash("sha256").update(value).digest("hex");
  return bytesToHex(sha256(encoder.encode(value)));
}

/** The SHA-256 of bytes (stored media is named by it), lowercase hex. */
export async function sha256HexOfBytes(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

type NodeCrypto = {
  createHash(algorithm: string): { update(data: string): { digest(encoding: "hex"): string } };
  createHmac(algorithm: string, key: unknown): { update(data: string): { digest(encoding: "hex"): string } };
  createSecretKey(key: Uint8Array): unknown;
};
/**
 * Node's own crypto when this runs on Node (asked for at run time, so the Workers bundle imports
 * no `node:` module): four times faster than the pure-JS HMAC, and a new click needs two.
 */
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
const nodeKeys = new Map<string, unknown>();

/**
 * HMAC-SHA-256, synchronously (Node's crypto, else pure JS from @noble/hashes). It is on the
 * redirect's hot path: Web Crypto's async sign hops through a thread pool twice per click, which
 * split concurrent clicks across event-loop turns and so kept group commit from batching them.
 */
export function hmacSha256Hex(secret: string, message: string): string {
  if (nodeCrypto) {
    let key = nodeKeys.get(secret);
    if (key === undefined) {
      key = nodeCrypto.createSecretKey(encoder.encode(secret));
      if (nodeKeys.size > 100) nodeKeys.clear();
      nodeKeys.set(secret, key);
    }
    return nodeCrypto.createHmac("sha256", key).update(message).digest("hex");
  }
  return bytesToHex(hmac(sha256, encoder.encode(secret), encoder.encode(message)));
}

/** HMAC-SHA-256 over raw key bytes, base64 (standard alphabet, padded): Standard Webhooks' encoding. */
export function hmacSha256Base64(key: Uint8Array, message: string): string {
  let binary = "";
  for (const byte of hmac(sha256, key, encoder.encode(message))) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Compares two strings in time that does not depend on where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
