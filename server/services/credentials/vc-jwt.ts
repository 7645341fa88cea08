/**
 * VC-JWT: a credential signed as a compact JWS. Both shapes are read: VC 1.1 style (the
 * credential in a `vc` claim, `iss`/`nbf`/`exp`/`jti` beside it) and VC-JOSE 2.0 (the payload
 * is the credential). The key comes from the allow-listed issuer's JWK or JWKS URL, or from
 * the issuer's `did:key` itself; never from the token (no `jwk`/`jku` header is trusted). Only a
 * JWKS URL the workspace configured is ever fetched.
 */
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, importJWK, type JWK } from "jose";
import type { ReadRemote } from "./budget.ts";
import { didKeyJwk } from "./document-loader.ts";
import { failureReason } from "./fetch.ts";
import type { CredentialIssuerConfig } from "./types.ts";

export const jwtPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const algorithms = ["EdDSA", "Ed25519", "ES256", "ES384", "ES512", "RS256", "PS256"];

const seconds = (value: unknown) => (typeof value === "number" ? new Date(value * 1000).toISOString() : undefined);

/** The credential inside a VC-JWT, with the JWT claims mapped onto credential fields. */
export function credentialFromJwt(jwt: string): Record<string, unknown> {
  const payload = decodeJwt(jwt) as Record<string, unknown>;
  const vc = payload.vc && typeof payload.vc === "object" ? (payload.vc as Record<string, unknown>) : null;
  if (!vc) return payload;
  const credential: Record<string, unknown> = { ...vc };
  const issuerId = typeof vc.issuer === "string" ? vc.issuer : (vc.issuer as { id?: unknown } | undefined)?.id;
  if (typeof payload.iss === "string" && issuerId !== undefined && issuerId !== payload.iss) {
    throw new Error(`The JWT's iss (${payload.iss}) differs from the credential's issuer (${String(issuerId)})`);
  }
  credential.issuer ??= payload.iss;
  credential.id ??= payload.jti;
  const nbf = seconds(payload.nbf);
  const exp = seconds(payload.exp);
  if (nbf && !credential.validFrom && !credential.issuanceDate) credential.validFrom = nbf;
  if (exp && !credential.validUntil && !credential.expirationDate) credential.validUntil = exp;
  return credential;
}

async function keyFor(jwt: string, issuerId: string, issuer: CredentialIssuerConfig | undefined, read: ReadRemote) {
  const header = decodeProtectedHeader(jwt);
  const alg = header.alg ?? "";
  if (!algorithms.includes(alg)) throw new Error(`Algorithm ${alg || "none"} is not accepted`);
  if (issuer?.publicKeyJwk) return { key: await importJWK(issuer.publicKeyJwk as JWK, alg) };
  if (issuer?.jwksUrl) {
    const jwks = JSON.parse(await read(issuer.jwksUrl, { maxBytes: 64 * 1024, cache: true })) as { keys: JWK[] };
    return { set: createLocalJWKSet(jwks) };
  }
  const derived = await didKeyJwk(issuerId);
  if (derived) return { key: await importJWK(derived as JWK, alg) };
  throw new Error(`No key is configured for issuer ${issuerId} (set publicKeyJwk or jwksUrl)`);
}

export async function verifyJwtSignature(
  jwt: string,
  issuerId: string,
  issuer: CredentialIssuerConfig | undefined,
  read: ReadRemote,
): Promise<{ ok: boolean; detail: string }> {
  try {
    const found = await keyFor(jwt, issuerId, issuer, read);
    const { protectedHeader } =
      "set" in found && found.set
        ? await compactVerify(jwt, found.set, { algorithms })
        : await compactVerify(jwt, found.key!, { algorithms });
    return { ok: true, detail: `${protectedHeader.alg} signature verified with the key of ${issuerId}` };
  } catch (error) {
    return { ok: false, detail: `The JWT signature does not verify: ${failureReason(error)}` };
  }
}
