/**
 * A small WebAuthn authenticator in software (ES256, node:crypto), for tests of the server's
 * passkey checks: it answers registration ("none" attestation) and sign-in challenges the way a
 * real authenticator does, byte for byte, and can be told to lie (another origin, an old counter).
 * CBOR is encoded with @simplewebauthn's own helper; nothing of the verifying library is replaced.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isoBase64URL, isoCBOR } from "@simplewebauthn/server/helpers";

const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash("sha256").update(data).digest());
const b64u = (bytes: Uint8Array) => isoBase64URL.fromBuffer(bytes as Uint8Array<ArrayBuffer>);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const uint32 = (value: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
};

export class SoftwareAuthenticator {
  readonly credentialId = new Uint8Array(randomBytes(32));
  private readonly keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  /** The signature counter the next assertion carries (then it grows by one). */
  counter = 0;

  get id(): string {
    return b64u(this.credentialId);
  }

  private clientData(type: "webauthn.create" | "webauthn.get", challenge: string, origin: string) {
    return new TextEncoder().encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  private coseKey(): Uint8Array {
    const jwk = this.keys.publicKey.export({ format: "jwk" });
    const x = isoBase64URL.toBuffer(jwk.x ?? "");
    const y = isoBase64URL.toBuffer(jwk.y ?? "");
    return isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, x],
        [-3, y],
      ]),
    );
  }

  /** The answer to navigator.credentials.create() for these options (`rpId`, `challenge`), made at `origin`. */
  register(options: { rp: { id: string }; challenge: string }, origin: string) {
    const credIdLength = new Uint8Array([0, this.credentialId.length]);
    const authData = concat(
      sha256(options.rp.id),
      new Uint8Array([0x45]), // user present, user verified, attested credential data
      uint32(this.counter),
      new Uint8Array(16), // AAGUID: none
      credIdLength,
      this.credentialId,
      this.coseKey(),
    );
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, never>>([
        ["fmt", "none"],
        ["attStmt", new Map<string, never>()],
        ["authData", authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64u(this.clientData("webauthn.create", options.challenge, origin)),
        attestationObject: b64u(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
    };
  }

  /** The answer to navigator.credentials.get() for these options, made at `origin`, for relying party `rpId`. */
  assert(options: { challenge: string; rpId?: string }, origin: string, rpId = options.rpId ?? "") {
    this.counter += 1;
    const authData = concat(sha256(rpId), new Uint8Array([0x05]), uint32(this.counter));
    const clientDataJSON = this.clientData("webauthn.get", options.challenge, origin);
    const signature = sign("sha256", concat(authData, sha256(clientDataJSON)), this.keys.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(new Uint8Array(signature)),
      },
      clientExtensionResults: {},
    };
  }
}
