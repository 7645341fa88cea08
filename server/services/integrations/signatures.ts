/**
 * HMAC signatures of a raw body as senders make them: Thinkific's `X-Thinkific-Hmac-Sha256`
 * (hex HMAC-SHA256 of the body), and a custom sender's configured header, algorithm (SHA-1 for
 * older WordPress plugins, SHA-256), encoding and prefix. Compared in constant time.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { timingSafeEqual } from "../../lib/crypto.ts";
import type { SignatureScheme } from "./custom-mapping.ts";

const encoder = new TextEncoder();

export function hmacOf(scheme: Pick<SignatureScheme, "algorithm" | "encoding">, key: string, body: string): string {
  const mac = hmac(scheme.algorithm === "sha1" ? sha1 : sha256, encoder.encode(key), encoder.encode(body));
  if (scheme.encoding === "hex") return bytesToHex(mac);
  let binary = "";
  for (const byte of mac) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export const thinkificScheme: SignatureScheme = {
  header: "x-thinkific-hmac-sha256",
  algorithm: "sha256",
  encoding: "hex",
  prefix: "",
};

/** Null when the header matches; else why not. */
export function signatureProblem(
  scheme: SignatureScheme,
  header: string | undefined,
  key: string,
  body: string,
): string | null {
  if (!header) return `missing ${scheme.header} header`;
  const sent = header.trim();
  if (!sent.startsWith(scheme.prefix)) return `${scheme.header} does not start with ${scheme.prefix}`;
  const expected = hmacOf(scheme, key, body);
  const value = sent.slice(scheme.prefix.length);
  // Hex is case-insensitive as senders write it; base64 is not.
  const matches =
    scheme.encoding === "hex" ? timingSafeEqual(value.toLowerCase(), expected) : timingSafeEqual(value, expected);
  return matches ? null : `${scheme.header} does not match the signing secret`;
}
