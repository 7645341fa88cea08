/** The shapes credential verification takes and gives. */
import type { ProgramSettings } from "../../../db/program-settings.ts";
import type { Fetch } from "./fetch.ts";

/** A credential as a learner gives it: a URL to fetch, the pasted JSON, or a VC-JWT. */
export type CredentialInput = { url: string } | { json: Record<string, unknown> } | { jwt: string };

export type Check = { check: string; result: "pass" | "fail" | "skip"; detail: string };

/** What the receipt keeps about the credential itself (for display and the LinkedIn link). */
export type CredentialSummary = {
  format: "vc-jwt" | "data-integrity";
  id?: string;
  name?: string;
  issuedAt?: string;
  expiresAt?: string;
  url?: string;
};

export type CredentialVerdict = {
  verified: boolean;
  checks: Check[];
  credentialHash?: string;
  issuer?: { id: string; name?: string };
  credential?: CredentialSummary;
};

export type VerifyOptions = {
  issuers: readonly CredentialIssuerConfig[];
  now: Date;
  fetch: Fetch;
  /** The learner's email from their token, when known, for the recipient check. */
  recipientEmail?: string;
};

export type CredentialIssuerConfig = ProgramSettings["credentialIssuers"][number];
