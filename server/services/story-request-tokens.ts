/**
 * The one-time token of a "tell your story" email. The token is minted from the token row's id
 * with the server secret (an HMAC), when the mail is rendered, so the outbox keeps only the id
 * and the token table only the token's SHA-256: reading the database is not enough to post a
 * story as someone. A resend renders the same token, so the link in a duplicate still works once.
 */
import { hmacSha256Hex, sha256Hex } from "../lib/crypto.ts";

/** The query parameter the link carries to the provider's story page, where `<chorus-story-form>` reads it. */
export const storyTokenParam = "chorus_story";

/** Days a story request's link works after the mail is due. */
export const storyTokenDays = 30;

/** The token of the row `id`: `srq_….HMAC`, URL-safe. */
export function mintStoryToken(secret: string, id: string): string {
  return `${id}.${hmacSha256Hex(secret, `story-request:${id}`)}`;
}

/** What the token table stores of a token. */
export const storyTokenHash = (token: string) => sha256Hex(`story-token:${token}`);

/** The provider's story page with the token as `chorus_story=`. */
export function storyRequestLink(storyUrl: string, token: string): string {
  const url = new URL(storyUrl);
  url.searchParams.set(storyTokenParam, token);
  return url.toString();
}
