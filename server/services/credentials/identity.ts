/**
 * A credential's identity, so one credential backs at most one story of a workspace however it
 * is sent (its URL, its JSON with other spacing or key order, its JWT). The issuer's `id` for the
 * credential when it gives one; otherwise the SHA-256 of its canonical JSON (keys sorted, proof
 * left out, since the proof does not change which credential it is).
 */
import { sha256Hex } from "../../lib/crypto.ts";

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, canonical(record[key])]),
    );
  }
  return value;
}

/** `id:<issuer> <credential id>` or `sha256:<hex of the canonical JSON>`, hashed to a fixed length. */
export async function credentialKey(credential: Record<string, unknown>, issuerId: string | undefined) {
  const { proof: _proof, ...rest } = credential;
  const id = typeof credential.id === "string" && credential.id.length > 0 ? credential.id : undefined;
  // An id is the issuer's to give: the same id from two issuers names two credentials.
  const identity = id ? `id:${issuerId ?? ""} ${id}` : `json:${JSON.stringify(canonical(rest))}`;
  return sha256Hex(identity);
}
