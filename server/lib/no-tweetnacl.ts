/**
 * The Workers build's stand-in for tweetnacl (`workerAliases` in worker.build.ts). Only
 * @digitalbazaar/x25519-key-agreement-key-2020 imports it, on Workers (its browser build), for what
 * needs an X25519 private key: generating a key pair, converting an Ed25519 secret key, deriving a
 * shared secret. Verifying a credential resolves a did:key document from public keys only (the
 * key agreement key comes from the Ed25519 public key, through @noble/ed25519), so none of these
 * is called; they throw rather than half-work. It keeps ~35 KB minified out of the worker.
 */
const unavailable = () => {
  throw new Error("X25519 private-key operations are not available on Workers");
};
export default {
  scalarMult: unavailable,
  box: { keyPair: unavailable },
  lowlevel: { crypto_hash: unavailable },
};
