/**
 * Who a visitor is, without keeping who they are: IPs are only ever stored as salted hashes, and
 * the salt changes every day (HMAC of the server secret and the date), so yesterday's hashes
 * cannot be linked to today's. Within a day they still catch duplicates and self-referrals.
 * The one exception is the network key below, kept for the self-referral rule across days.
 */
import ipaddr from "ipaddr.js";
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

/**
 * The visitor's network, the same on every day, for the self-referral rule: a referrer who opens
 * their card today and clicks their own link tomorrow from the same connection is caught, which
 * the daily ipHash cannot do. Keyed by the server secret and the workspace, so it means nothing
 * without the secret and cannot be joined across workspaces; never the raw address. An IPv4
 * address is its own network; an IPv6 one is its /64, since devices rotate the rest
 * (privacy addresses). Null when the address is unknown or no address at all.
 */
export function networkKey({ secret }: SecretContext, { workspaceId, ip }: { workspaceId: string; ip: string }) {
  if (!ipaddr.isValid(ip)) return null;
  const address = ipaddr.process(ip);
  const network =
    address.kind() === "ipv6" ? `${(address as ipaddr.IPv6).parts.slice(0, 4).join(":")}::/64` : address.toString();
  return hmacSha256Hex(secret, `network|${workspaceId}|${network}`);
}
