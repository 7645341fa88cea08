/**
 * Which hosts and addresses an outbound request (a credential URL, a status list, a webhook) may
 * reach. URLs come from strangers, so only public unicast addresses pass: every special-purpose
 * range (loopback, private, link-local, CGNAT, documentation, benchmarking, multicast, reserved…)
 * and every transition form that embeds or tunnels to another address (IPv4-mapped, NAT64,
 * 6to4, Teredo) is refused outright, rather than unpacked and judged by what it embeds.
 */
import ipaddr from "ipaddr.js";

/** A host name as a resolver sees it: lower case, no IPv6 brackets, no trailing dots (`localhost.` is `localhost`). */
export function normaliseHost(hostname: string): string {
  return hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.+$/, "");
}

/** The address literal a host is, if it is one (after normalising). */
export function addressLiteral(hostname: string): string | null {
  const host = normaliseHost(hostname);
  return ipaddr.isValid(host) && (host.includes(":") || ipaddr.IPv4.isValidFourPartDecimal(host)) ? host : null;
}

/**
 * The range an address is in, by its IANA name (`unicast` when public). IPv6 is public only
 * inside global unicast 2000::/3; ipaddr.js names the rest (deprecatedSiteLocal fec0::/10,
 * rfc6052 NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4, teredo, linkLocal fe80::/10, …).
 */
export function addressRange(address: string): string {
  if (!ipaddr.isValid(address)) return "invalid";
  const parsed = ipaddr.parse(address);
  const range = parsed.range();
  if (range !== "unicast") return range;
  if (parsed.kind() === "ipv6" && !(parsed as ipaddr.IPv6).match(ipaddr.IPv6.parse("2000::"), 3)) return "unassigned";
  return range;
}

export function isPublicAddress(address: string): boolean {
  return addressRange(address) === "unicast";
}

/**
 * Names that never belong to the public internet, refused before any lookup: single labels
 * (a container or host on the local network), localhost, and the suffixes reserved for private
 * use (`.internal` as in metadata.google.internal, `.local` mDNS, `.home.arpa`, `.localhost`).
 */
export function isNonPublicName(hostname: string): boolean {
  const host = normaliseHost(hostname);
  if (host === "" || !host.includes(".")) return true;
  return /\.(localhost|internal|local|localdomain|home\.arpa|lan|intranet|corp|private)$/.test(host);
}

/** Refused without resolving anything: a non-public literal, or a name that is never public. */
export function isPrivateHost(hostname: string): boolean {
  const literal = addressLiteral(hostname);
  if (literal) return !isPublicAddress(literal);
  return isNonPublicName(hostname);
}
