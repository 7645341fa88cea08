/**
 * Who a visitor is, without keeping who they are: IPs are only ever stored as salted hashes, and
 * the salt changes every day (HMAC of the server secret and the date), so yesterday's hashes
 * cannot be linked to today's. Within a day they still catch duplicates and self-referrals.
 */
import { hmacSha256Hex } from "../lib/crypto.ts";

const day = (now: Date) => now.toISOString().slice(0, 10);

export function ipHash(secret: string, workspaceId: string, ip: string, now: Date): string {
  return hmacSha256Hex(secret, `ip|${day(now)}|${workspaceId}|${ip}`);
}

export function visitorHash(secret: string, workspaceId: string, ip: string, userAgent: string, now: Date): string {
  return hmacSha256Hex(secret, `visitor|${day(now)}|${workspaceId}|${ip}|${userAgent}`);
}
