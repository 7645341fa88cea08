/**
 * Who a visitor is, without keeping who they are: IPs are only ever stored as salted hashes, and
 * the salt changes every day (HMAC of the server secret and the date), so yesterday's hashes
 * cannot be linked to today's. Within a day they still catch duplicates and self-referrals.
 */
import { hmacSha256Hex } from "../lib/crypto.ts";
import type { SecretContext, Visitor } from "./types.ts";

const day = (now: Date) => now.toISOString().slice(0, 10);

/** What a hash is taken of: the visitor, in one workspace, on one day. */
export type VisitorHashInput = { workspaceId: string; visitor: Pick<Visitor, "ip" | "userAgent">; now: Date };

export function ipHash({ secret }: SecretContext, { workspaceId, visitor, now }: VisitorHashInput): string {
  return hmacSha256Hex(secret, `ip|${day(now)}|${workspaceId}|${visitor.ip}`);
}

/** A visitor without a user agent hashes as an empty one. */
export function visitorHash({ secret }: SecretContext, { workspaceId, visitor, now }: VisitorHashInput): string {
  return hmacSha256Hex(secret, `visitor|${day(now)}|${workspaceId}|${visitor.ip}|${visitor.userAgent ?? ""}`);
}
