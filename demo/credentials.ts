/// <reference path="../server/services/credentials/vendor.d.ts" />
/**
 * The demo provider as a real Open Badges 3.0 issuer: an Ed25519 key made on first start and kept
 * in the data folder (beside the demo's keys file, mode 0600), named by its `did:key`, signing
 * OpenBadgeCredentials with an eddsa-rdfc-2022 Data Integrity proof. The demo workspace trusts
 * this issuer, so the stories told with these credentials are checked by the same verifier as any
 * learner's badge, offline (a did:key needs no network), and come out credential-verified.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";
import { cryptosuite as eddsaRdfc2022 } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import jsigs from "jsonld-signatures";
import { sha256Hex } from "../server/lib/crypto.ts";
import { documentLoader } from "../server/services/credentials/document-loader.ts";

export type DemoIssuer = {
  id: string;
  name: string;
  /** A signed OpenBadgeCredential for `email`'s completion of `achievement`. */
  issue: (input: {
    email: string;
    achievement: string;
    course: string;
    awardedAt: Date;
    origin: string;
  }) => Promise<Record<string, unknown>>;
};

type KeyPair = Awaited<ReturnType<typeof Ed25519Multikey.generate>>;

/**
 * The key from the seed in `file`, or from a new seed written there: a demo keeps its issuer
 * across restarts. The 32-byte seed is the whole private key; the file is the owner's alone.
 */
async function issuerKey(file: string): Promise<KeyPair> {
  let seed: Uint8Array;
  if (existsSync(file)) {
    seed = new Uint8Array(Buffer.from((JSON.parse(readFileSync(file, "utf8")) as { seed: string }).seed, "base64url"));
  } else {
    seed = crypto.getRandomValues(new Uint8Array(32));
    const note = "The demo issuer's Ed25519 private key (a seed): keep it secret.";
    writeFileSync(file, `${JSON.stringify({ note, seed: Buffer.from(seed).toString("base64url") }, null, 2)}\n`, {
      mode: 0o600,
    });
  }
  const { publicKeyMultibase } = await Ed25519Multikey.generate({ seed });
  const did = `did:key:${publicKeyMultibase}`;
  return Ed25519Multikey.generate({ seed, id: `${did}#${publicKeyMultibase}`, controller: did });
}

export async function demoIssuer(file: string, name: string): Promise<DemoIssuer> {
  const keyPair = await issuerKey(file);
  const id = String(keyPair.controller);
  const suite = new DataIntegrityProof({ signer: keyPair.signer(), cryptosuite: eddsaRdfc2022 });
  return {
    id,
    name,
    issue: async ({ email, achievement, course, awardedAt, origin }) => {
      // The recipient as Open Badges 3.0 hides it: salted SHA-256 of the email.
      const salt = crypto.randomUUID();
      const credential = {
        "@context": [
          "https://www.w3.org/ns/credentials/v2",
          "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        id: `urn:uuid:${crypto.randomUUID()}`,
        type: ["VerifiableCredential", "OpenBadgeCredential"],
        issuer: { id, type: ["Profile"], name },
        name: achievement,
        validFrom: awardedAt.toISOString(),
        credentialSubject: {
          type: ["AchievementSubject"],
          identifier: [
            {
              type: "IdentityObject",
              identityType: "emailAddress",
              hashed: true,
              salt,
              identityHash: `sha256$${await sha256Hex(email.trim().toLowerCase() + salt)}`,
            },
          ],
          achievement: {
            id: `${origin}/demo/courses/${course}#certificate`,
            type: ["Achievement"],
            name: achievement,
            description: `Completed every module and the capstone project of ${name}'s ${course} course.`,
            criteria: { narrative: "Passed every module's assessment and the capstone project." },
          },
        },
      };
      return jsigs.sign(credential, {
        suite,
        purpose: new jsigs.purposes.AssertionProofPurpose(),
        documentLoader,
      }) as Promise<Record<string, unknown>>;
    },
  };
}
