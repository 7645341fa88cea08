/** LinkedIn's "Add to profile" link for a certification, from a verified credential's receipt. */
import type { CredentialSummary } from "./types.ts";

export function addToLinkedInUrl(
  credential: CredentialSummary,
  issuer: { id: string; name?: string; label?: string },
): string | null {
  if (!credential.name) return null;
  const params = new URLSearchParams({ startTask: "CERTIFICATION_NAME", name: credential.name });
  // The issuer's own name first: it is what the certificate says; the provider's label otherwise.
  const organization = issuer.name ?? issuer.label;
  if (organization) params.set("organizationName", organization);
  const issued = credential.issuedAt ? new Date(credential.issuedAt) : null;
  if (issued && !Number.isNaN(issued.getTime())) {
    params.set("issueYear", String(issued.getUTCFullYear()));
    params.set("issueMonth", String(issued.getUTCMonth() + 1));
  }
  const expires = credential.expiresAt ? new Date(credential.expiresAt) : null;
  if (expires && !Number.isNaN(expires.getTime())) {
    params.set("expirationYear", String(expires.getUTCFullYear()));
    params.set("expirationMonth", String(expires.getUTCMonth() + 1));
  }
  if (credential.url) params.set("certUrl", credential.url);
  if (credential.id) params.set("certId", credential.id);
  return `https://www.linkedin.com/profile/add?${params.toString()}`;
}
