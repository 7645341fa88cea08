/// <reference path="./vendor.d.ts" />
/**
 * Embedded `DataIntegrityProof` with the `eddsa-rdfc-2022` cryptosuite. Only the proof is checked
 * here (dates, issuer trust and status are separate checks, so a receipt can report each one;
 * the library's own `verifyCredential` stops at the first failing date).
 */
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";
import { cryptosuite as eddsaRdfc2022 } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import { CredentialIssuancePurpose } from "@digitalbazaar/vc";
import jsigs from "jsonld-signatures";
import { documentLoader } from "./document-loader.ts";
import type { CredentialIssuerConfig } from "./types.ts";

const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });

export type ProofResult = { ok: boolean; detail: string };

/**
 * For an https issuer, the key is the Ed25519 JWK configured in the allow-list, served under the
 * proof's verification method id (which must live in the issuer's own document): the issuer's
 * documents are never fetched.
 */
async function configuredKey(method: string, issuer: CredentialIssuerConfig | undefined) {
  const jwk = issuer?.publicKeyJwk;
  if (!issuer || !jwk || jwk.kty !== "OKP" || jwk.crv !== "Ed25519") return null;
  if (method.split("#")[0] !== issuer.id) return null;
  const key = await Ed25519Multikey.fromJwk({ jwk, id: method, controller: issuer.id });
  const document = {
    "@context": "https://w3id.org/security/multikey/v1",
    id: method,
    type: "Multikey",
    controller: issuer.id,
    publicKeyMultibase: key.publicKeyMultibase,
  };
  return {
    loader: (url: string) =>
      url === method ? Promise.resolve({ contextUrl: null, documentUrl: url, document }) : documentLoader(url),
    purpose: new CredentialIssuancePurpose({ controller: { id: issuer.id, assertionMethod: [method] } }),
  };
}

const supported = (proof: Record<string, unknown>) =>
  proof.type === "DataIntegrityProof" && proof.cryptosuite === "eddsa-rdfc-2022";

const describe = (proof: Record<string, unknown>) =>
  `${String(proof.type)}${proof.cryptosuite ? ` (${String(proof.cryptosuite)})` : ""}`;

/**
 * A credential may carry several proofs (an issuer adding a new suite beside an old one): it
 * verifies when any supported proof does. Unsupported ones are ignored, never a reason to refuse,
 * and each supported one is checked on its own, so a tampered proof beside a good one cannot
 * borrow its success (each is verified against the whole credential, which it must sign).
 */
export async function verifyDataIntegrity(
  credential: Record<string, unknown>,
  issuer?: CredentialIssuerConfig,
): Promise<ProofResult> {
  const proofs = ([] as unknown[])
    .concat(credential.proof ?? [])
    .filter((proof): proof is Record<string, unknown> => !!proof && typeof proof === "object");
  if (proofs.length === 0) return { ok: false, detail: "The credential carries no proof" };
  const candidates = proofs.filter(supported);
  if (candidates.length === 0) {
    return {
      ok: false,
      detail: `Proof type ${proofs.map(describe).join(", ")} is not supported; supported: DataIntegrityProof with eddsa-rdfc-2022, or a VC-JWT`,
    };
  }
  const ignored = proofs.length - candidates.length;
  const note = ignored > 0 ? ` (${ignored} proof${ignored === 1 ? "" : "s"} of an unsupported type ignored)` : "";
  let firstFailure: ProofResult | null = null;
  for (const proof of candidates) {
    const result = await verifyOneProof({ ...credential, proof }, proof, issuer);
    if (result.ok) return { ok: true, detail: `${result.detail}${note}` };
    firstFailure ??= result;
  }
  return firstFailure as ProofResult;
}

async function verifyOneProof(
  credential: Record<string, unknown>,
  proof: Record<string, unknown>,
  issuer: CredentialIssuerConfig | undefined,
): Promise<ProofResult> {
  const method = String(proof.verificationMethod ?? "");
  const configured = method.startsWith("did:key:") ? null : await configuredKey(method, issuer).catch(() => null);
  if (!method.startsWith("did:key:") && !configured) {
    return {
      ok: false,
      detail: `Verification method ${method} is neither a did:key nor the allow-listed issuer's Ed25519 publicKeyJwk`,
    };
  }
  try {
    // CredentialIssuancePurpose also requires the key's controller to be the credential's issuer.
    const result = await jsigs.verify(structuredClone(credential), {
      suite,
      purpose: configured?.purpose ?? new CredentialIssuancePurpose(),
      documentLoader: configured?.loader ?? documentLoader,
    });
    if (result.verified) return { ok: true, detail: `eddsa-rdfc-2022 proof verified with ${method}` };
    const reason = result.error?.errors?.[0]?.message ?? result.error?.message ?? "invalid signature";
    return { ok: false, detail: `The proof does not verify: ${reason}` };
  } catch (error) {
    return { ok: false, detail: `The proof could not be checked: ${(error as Error).message}` };
  }
}
