/**
 * The Workers build's stand-in for @simplewebauthn's bundled attestation root certificates
 * (`workerAliases` in worker.build.ts: its four `./defaultRootCerts/*.js` modules, ~13 KB of base64 that
 * compresses poorly). They anchor certificate-chain attestation (Android, Apple, FIDO metadata),
 * which Chorus does not ask for and which cannot be checked on Workers anyway: the chain check
 * needs @peculiar/x509, aliased away there (no-x509.ts), so such a registration is refused either
 * way. The names are @simplewebauthn's; no root is trusted.
 */
const none = "";
export const GlobalSign_Root_CA = none;
export const Google_Hardware_Attestation_Root_1 = none;
export const Google_Hardware_Attestation_Root_2 = none;
export const Google_Hardware_Attestation_Root_3 = none;
export const Google_Hardware_Attestation_Root_4 = none;
export const Apple_WebAuthn_Root_CA = none;
export const GlobalSign_Root_CA_R3 = none;
export const GlobalSign_Root_R46 = none;
