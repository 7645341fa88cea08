/**
 * A magic link's token, derived from the link's row id with the server secret: the database holds
 * the id and the token's SHA-256, the outbox holds the id, and the token exists only in the mail
 * that carries it. Reading the database alone never yields a working link.
 */
import { hmacSha256Hex, sha256Hex } from "../lib/crypto.ts";

/** The token of the link `linkId` (64 hex characters). */
export function magicLinkToken(secret: string, linkId: string): string {
  return hmacSha256Hex(secret, `magic-link:${linkId}`);
}

/** What the database keeps of a token. */
export function magicLinkTokenHash(token: string): Promise<string> {
  return sha256Hex(`magic-link:${token}`);
}

/** The link a sign-in mail carries: the confirm page of the hosted advocate page. */
export function magicLinkUrl(
  publicUrl: string,
  input: { secret: string; linkId: string; slug: string; lang: "en" | "hi" },
): string {
  const token = magicLinkToken(input.secret, input.linkId);
  return `${publicUrl}/p/${encodeURIComponent(input.slug)}/link?t=${token}${input.lang === "hi" ? "&lang=hi" : ""}`;
}

/** The link of a dashboard sign-in or invitation mail: the dashboard reads the token from the fragment (never sent to a server by a scanner that follows it). */
export function dashboardLinkUrl(publicUrl: string, input: { secret: string; linkId: string }): string {
  return `${publicUrl}/dashboard#link=${magicLinkToken(input.secret, input.linkId)}`;
}
