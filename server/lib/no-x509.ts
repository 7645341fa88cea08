/**
 * The Workers build's stand-in for @peculiar/x509 (`workerAliases` in worker.build.ts). @simplewebauthn
 * imports it only to check attestation certificate chains; Chorus asks authenticators for no
 * attestation (`attestationType: "none"`), and x509 with its dependency-injection runtime would
 * add ~100 KB gzip to the worker. A registration that does send a certificate chain reaches these
 * classes, which throw, so it is refused (401) on Workers instead of being half-checked.
 */
class Unavailable {
  constructor() {
    throw new Error("certificate attestation is not supported on Workers");
  }
}
export const X509Certificate = Unavailable;
export const X509ChainBuilder = Unavailable;
export const X509Crl = Unavailable;
export const AuthorityKeyIdentifierExtension = Unavailable;
export const CRLDistributionPointsExtension = Unavailable;
export const SubjectKeyIdentifierExtension = Unavailable;
