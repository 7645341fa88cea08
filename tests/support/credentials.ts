/// <reference path="../../server/services/credentials/vendor.d.ts" />
/**
 * Issuing test credentials with keys made in the test: Open Badges 3.0 credentials signed as
 * eddsa-rdfc-2022 Data Integrity proofs (did:key issuers) or as VC-JWTs (EdDSA or ES256), and
 * Bitstring status lists served from 127.0.0.1.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";
import { cryptosuite as eddsaRdfc2022 } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import { createList } from "@digitalbazaar/vc-bitstring-status-list";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import jsigs from "jsonld-signatures";
import { sha256Hex } from "../../server/lib/crypto.ts";
import { documentLoader } from "../../server/services/credentials/document-loader.ts";

export type Json = Record<string, unknown>;

/** An issuer with a did:key Ed25519 key that signs Data Integrity proofs. */
export async function didKeyIssuer(name = "Test Issuer") {
  const keyPair = await Ed25519Multikey.generate();
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  const suite = new DataIntegrityProof({ signer: keyPair.signer(), cryptosuite: eddsaRdfc2022 });
  return {
    id: did,
    name,
    /** Signs a copy of the credential with an eddsa-rdfc-2022 proof. */
    sign: (credential: Json) =>
      jsigs.sign(structuredClone(credential), {
        suite,
        purpose: new jsigs.purposes.AssertionProofPurpose(),
        documentLoader,
      }),
  };
}

/** An https issuer whose Ed25519 JWK goes in the allow-list, signing Data Integrity proofs. */
export async function jwkDataIntegrityIssuer(id = "https://university.example/issuer", keyId = `${id}#key-1`) {
  const keyPair = await Ed25519Multikey.generate({ id: keyId, controller: id });
  const suite = new DataIntegrityProof({ signer: keyPair.signer(), cryptosuite: eddsaRdfc2022 });
  return {
    id,
    name: "Example University",
    publicKeyJwk: await Ed25519Multikey.toJwk({ keyPair }),
    sign: (credential: Json) =>
      jsigs.sign(structuredClone(credential), {
        suite,
        purpose: new jsigs.purposes.AssertionProofPurpose(),
        documentLoader: async (url: string) =>
          url === keyId
            ? {
                contextUrl: null,
                documentUrl: url,
                document: {
                  "@context": "https://w3id.org/security/multikey/v1",
                  id: keyId,
                  type: "Multikey",
                  controller: id,
                  publicKeyMultibase: keyPair.publicKeyMultibase,
                },
              }
            : documentLoader(url),
      }),
  };
}

/** An https issuer whose public JWK goes in the allow-list, signing VC-JWTs. */
export async function jwtIssuer(alg: "EdDSA" | "ES256", id = "https://issuer.example/badges") {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicKeyJwk = (await exportJWK(publicKey)) as JWK;
  return {
    id,
    name: "Example University",
    alg,
    publicKeyJwk: publicKeyJwk as Json,
    /** A VC 1.1-style VC-JWT: the credential in `vc`, with iss/nbf/exp/jti claims. */
    sign: (credential: Json, claims: { nbf?: number; exp?: number } = {}) => {
      const jwt = new SignJWT({ vc: credential })
        .setProtectedHeader({ alg, typ: "JWT" })
        .setIssuer(id)
        .setJti(String(credential.id ?? "urn:uuid:test"));
      if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
      if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
      return jwt.sign(privateKey);
    },
    /** A VC-JOSE 2.0 JWT: the payload is the credential itself. */
    signPayload: (payload: Json) => new SignJWT(payload).setProtectedHeader({ alg, typ: "vc+jwt" }).sign(privateKey),
  };
}

/** The `identityHash` of an email as Open Badges 3.0 writes it: sha256$ + hex(SHA-256(email + salt)). */
export async function emailIdentity(email: string, salt = "pepper-123") {
  return {
    type: "IdentityObject",
    identityType: "emailAddress",
    hashed: true,
    salt,
    identityHash: `sha256$${await sha256Hex(email + salt)}`,
  };
}

/** An unsigned Open Badges 3.0 credential (VC 2.0 data model). */
export function badge(options: {
  issuer: { id: string; name?: string };
  identity?: Json;
  validFrom?: string;
  validUntil?: string;
  status?: Json | Json[];
  achievement?: string;
}): Json {
  return {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    id: `urn:uuid:${crypto.randomUUID()}`,
    type: ["VerifiableCredential", "OpenBadgeCredential"],
    issuer: { id: options.issuer.id, type: ["Profile"], name: options.issuer.name ?? "Test Issuer" },
    name: options.achievement ?? "Data Analytics Certificate",
    validFrom: options.validFrom ?? "2026-03-15T00:00:00Z",
    ...(options.validUntil ? { validUntil: options.validUntil } : {}),
    credentialSubject: {
      type: ["AchievementSubject"],
      ...(options.identity ? { identifier: [options.identity] } : {}),
      achievement: {
        id: "https://academy.example/achievements/data-analytics",
        type: ["Achievement"],
        name: options.achievement ?? "Data Analytics Certificate",
        description: "Completed every module of the Data Analytics course.",
        criteria: { narrative: "Passed the final project." },
      },
    },
    ...(options.status ? { credentialStatus: options.status } : {}),
  };
}

/**
 * A tiny HTTP server on 127.0.0.1 that serves whatever the test publishes at a path, records the
 * path of every request it receives, and never answers at the paths the test holds.
 */
export async function localServer() {
  const bodies = new Map<string, { body: string; type: string }>();
  const held = new Set<string>();
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? "");
    if (held.has(request.url ?? "")) return;
    const found = bodies.get(request.url ?? "");
    if (!found) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "Content-Type": found.type }).end(found.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    /** The paths requested so far, in order. */
    requests,
    publish: (path: string, body: string, type = "application/json") => bodies.set(path, { body, type }),
    /** Requests to `path` are received and never answered. */
    hold: (path: string) => held.add(path),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A BitstringStatusList credential (unsigned) with the given indexes set. */
export async function statusListCredential(issuerId: string, url: string, revoked: number[]) {
  const list = await createList({ length: 16 * 1024 });
  for (const index of revoked) list.setStatus(index, true);
  return {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    id: url,
    type: ["VerifiableCredential", "BitstringStatusListCredential"],
    issuer: issuerId,
    validFrom: "2026-01-01T00:00:00Z",
    credentialSubject: {
      id: `${url}#list`,
      type: "BitstringStatusList",
      statusPurpose: "revocation",
      encodedList: await list.encode(),
    },
  } as Json;
}

export function statusEntry(url: string, index: number): Json {
  return {
    id: `${url}#${index}`,
    type: "BitstringStatusListEntry",
    statusPurpose: "revocation",
    statusListIndex: String(index),
    statusListCredential: url,
  };
}
