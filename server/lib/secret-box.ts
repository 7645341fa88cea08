/**
 * Encryption at rest for third-party secrets Chorus must use again (a workspace's Stripe API key):
 * unlike our own keys they cannot be stored as hashes. AES-256-GCM (Web Crypto, so Node and
 * Workers alike) under a key derived with HKDF from the server secret (CHORUS_SECRET, config) and
 * a purpose label, so a database dump or backup alone reveals nothing, and one purpose's key never
 * opens another's. The purpose is also bound as additional data, with the row it belongs to.
 */
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string, purpose: string): Promise<CryptoKey> {
  const id = `${purpose}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]).then((base) =>
      crypto.subtle.deriveKey(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: encoder.encode("chorus secret-box v1"),
          info: encoder.encode(purpose),
        },
        base,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"],
      ),
    );
    if (keys.size > 100) keys.clear();
    keys.set(id, key);
  }
  return key;
}

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

const fromBase64Url = (text: string) =>
  Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (char) => char.charCodeAt(0));

export type SealInput = { secret: string; purpose: string; owner: string; plaintext: string };

/** `v1.IV.CIPHERTEXT`: a fresh 96-bit IV each time, so sealing one value twice gives two strings. */
export async function seal({ secret, purpose, owner, plaintext }: SealInput): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(`${purpose}:${owner}`) },
    await keyFor(secret, purpose),
    encoder.encode(plaintext),
  );
  return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** The plaintext, or null when the value was sealed under another secret, purpose or owner, or altered. */
export async function open(input: { secret: string; purpose: string; owner: string; sealed: string }) {
  const [version, iv, body] = input.sealed.split(".");
  if (version !== "v1" || !iv || !body) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: encoder.encode(`${input.purpose}:${input.owner}`) },
      await keyFor(input.secret, input.purpose),
      fromBase64Url(body),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
