/// <reference path="./vendor.d.ts" />
/**
 * Embedded `DataIntegrityProof` with the `eddsa-rdfc-2022` cryptosuite. Only the proof is checked
 * here (dates, issuer trust and status are separate checks, so a receipt can report each one;
 * the library's own `verifyCredential` stops at the first failing date).
 */
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { cryptosuite as eddsaRdfc2022 } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import { CredentialIssuancePurpose } from "@digitalbazaar/vc";
import jsigs from "jsonld-signatures";
import { documentLoader } from "./document-loader.ts";

const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });

export type ProofResult = { ok: boolean; detail: string };

export async function verifyDataIntegrity(credential: Record<string, unknown>): Promise<ProofResult> {
  const proofs = ([] as unknown[]).concat(credential.proof ?? []);
  if (proofs.length === 0) return { ok: false, detail: "The credential carries no proof" };
  const proof = proofs[0] as Record<string, unknown>;
  if (proof.type !== "DataIntegrityProof" || proof.cryptosuite !== "eddsa-rdfc-2022") {
    return {
      ok: false,
      detail: `Proof type ${String(proof.type)}${proof.cryptosuite ? ` (${String(proof.cryptosuite)})` : ""} is not supported; supported: DataIntegrityProof with eddsa-rdfc-2022, or a VC-JWT`,
    };
  }
  const method = String(proof.verificationMethod ?? "");
  if (!method.startsWith("did:key:")) {
    return { ok: false, detail: `Verification method ${method} is not a did:key; other key types are not resolved` };
  }
  try {
    // CredentialIssuancePurpose also requires the key's controller to be the credential's issuer.
    const result = await jsigs.verify(structuredClone(credential), {
      suite,
      purpose: new CredentialIssuancePurpose(),
      documentLoader,
    });
    if (result.verified) return { ok: true, detail: `eddsa-rdfc-2022 proof verified with ${method}` };
    const reason = result.error?.errors?.[0]?.message ?? result.error?.message ?? "invalid signature";
    return { ok: false, detail: `The proof does not verify: ${reason}` };
  } catch (error) {
    return { ok: false, detail: `The proof could not be checked: ${(error as Error).message}` };
  }
}
