/** The shapes credential verification takes and gives. */
import type { ProgramSettings } from "../../../db/program-settings.ts";
import type { VerificationReceipt } from "../../../db/schema.ts";
import type { Fetch } from "./fetch.ts";

/** A credential as a learner gives it: a URL to fetch, the pasted JSON, or a VC-JWT. */
export type CredentialInput = { url: string } | { json: Record<string, unknown> } | { jwt: string };

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
};

export type CredentialIssuerConfig = ProgramSettings["credentialIssuers"][number];
