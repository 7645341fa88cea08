/**
 * hmacSha256Hex takes Node's own crypto when it can (the redirect hashes every new visitor twice)
 * and pure JS on Workers: both must give the same hashes, or visitors would change identity
 * between runtimes and stored hashes would stop matching.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { hmacSha256Hex } from "../../server/lib/crypto.ts";

const encoder = new TextEncoder();
const pureJs = (secret: string, message: string) =>
  bytesToHex(hmac(sha256, encoder.encode(secret), encoder.encode(message)));

describe("hmacSha256Hex", () => {
  it("matches RFC 4231 test case 2", () => {
    expect(hmacSha256Hex("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("gives the pure-JS (Workers) hash for non-ASCII user agents and secrets, with any number of secrets", () => {
    for (let i = 0; i < 150; i++) {
      const secret = `secret-${i}-ünïcødé-0123456789`;
      const message = `visitor|2026-11-28|ws_${i}|2001:db8::${i}|Mozilla/5.0 (Linux; Android 14; 中文) Chrome/131.0 🙂`;
      expect(hmacSha256Hex(secret, message)).toBe(pureJs(secret, message));
    }
  });
});
