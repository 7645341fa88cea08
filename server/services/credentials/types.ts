/** The shapes credential verification takes and gives, and the text a credential given inline is read from. */
import type { ProgramSettings } from "../../../db/program-settings.ts";
import type { VerificationReceipt } from "../../../db/schema.ts";
import type { VerificationLimits } from "./budget.ts";
import type { Fetch } from "./fetch.ts";
import type { CredentialFetchCache } from "./fetch-cache.ts";

/**
 * A credential as a learner gives it: a URL to fetch, the pasted JSON, a VC-JWT or signed Open
 * Badges 2.0 assertion (a compact JWS), or a baked badge image (PNG or SVG, base64).
 */
export type CredentialInput = { url: string } | { json: Record<string, unknown> } | { jwt: string } | { image: string };

/** The text of a credential given inline, as verified and hashed (the receipt's `credentialHash`). */
export function inlineCredentialText(
  input: { json: Record<string, unknown> } | { jwt: string } | { image: string },
): string {
  if ("image" in input) return input.image.trim();
  return "jwt" in input ? input.jwt.trim() : JSON.stringify(input.json);
}

/** One line of a receipt: a check, its result and why. The receipt's shapes are stored as they are. */
export type Check = VerificationReceipt["checks"][number];

/** What the receipt keeps about the credential itself (for display and the LinkedIn link). */
export type CredentialSummary = NonNullable<VerificationReceipt["credential"]>;

export type CredentialVerdict = Pick<VerificationReceipt, "checks" | "credentialHash" | "issuer" | "credential"> & {
  verified: boolean;
  /** Issuer trusted, proof, dates and revocation hold: the credential is real, whoever holds it. */
  genuine?: boolean;
  /** Genuine, and its recipient is the email it was checked against. */
  bound?: boolean;
  /** Names the credential however it was sent (see identity.ts); one story per workspace may claim it. */
  credentialKey?: string;
};

export type VerifyOptions = {
  issuers: readonly CredentialIssuerConfig[];
  now: Date;
  fetch: Fetch;
  /** The learner's email from their token, when known, for the recipient check. */
  recipientEmail?: string;
  /** Status lists and key sets shared between verifications; absent, each verification has its own. */
  cache?: CredentialFetchCache;
  /** What one verification may cost (budget.ts has the defaults). */
  limits?: Partial<VerificationLimits>;
};

export type CredentialIssuerConfig = ProgramSettings["credentialIssuers"][number];
