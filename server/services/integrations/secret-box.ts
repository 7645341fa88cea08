/**
 * Sealing the signing secrets Chorus must keep to recompute a sender's HMAC (they cannot be
 * hashed: the raw key is needed on every request). AES-256-GCM with a key derived from the
 * server secret, so a copy of the database alone does not reveal them. Web Crypto only (Workers too).
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function keyFor(serverSecret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.digest(
    "SHA-256",
    encoder.encode(`chorus connector secrets\u0000${serverSecret}`),
  );
  return crypto.subtle.importKey("raw", material, "AES-GCM", false, ["encrypt", "decrypt"]);
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

/** `v1.IV.CIPHERTEXT`, both base64. */
export async function seal(serverSecret: string, plain: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    await keyFor(serverSecret),
    encoder.encode(plain),
  );
  return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
}

/** The plain secret, or null when it was sealed under another server secret (or tampered with). */
export async function unseal(serverSecret: string, sealed: string): Promise<string | null> {
  const [version, iv, data] = sealed.split(".");
  if (version !== "v1" || !iv || !data) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(iv) },
      await keyFor(serverSecret),
      fromBase64(data),
    );
    return decoder.decode(plain);
  } catch {
    return null;
  }
}
