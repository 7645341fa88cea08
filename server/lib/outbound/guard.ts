/**
 * The outbound-request guard, in Web APIs only (it runs on Node and on Workers): a URL is
 * refused before any connection when its scheme is not allowed, its host is a non-public
 * address literal, or its name is never public (`localhost.`, `*.internal.`, single labels);
 * redirects are followed by hand so that every hop is checked again.
 *
 * Names are resolved and their addresses checked by the transport, at connect time, so the
 * address checked is the address connected to (no second lookup a DNS server could answer
 * differently): on Node that transport is `server/node-outbound.ts`. Workers have no DNS API;
 * there the transport is the runtime's fetch, which Cloudflare does not let reach private
 * networks, and the literal and name checks here are what remains to do.
 */
import { addressLiteral, isPrivateHost, isPublicAddress, normaliseHost } from "./addresses.ts";

/** What one request may reach. Private targets are for self-hosting, by an admin's explicit choice. */
export type OutboundPolicy = { allowPrivateNetwork?: boolean; httpsOnly?: boolean };

export type OutboundFetch = (url: string, init?: RequestInit, policy?: OutboundPolicy) => Promise<Response>;

/** Every address a name resolves to (A and AAAA). */
export type Resolve = (hostname: string) => Promise<string[]>;

/** The outbound side of a runtime: its guarded fetch, and its resolver when it has one (Node). */
export type Outbound = { fetch: OutboundFetch; resolve?: Resolve };

/**
 * A request the guard refused. Its message names the host, never the addresses it resolved to
 * (those would tell a stranger what the server's network looks like).
 */
export class OutboundBlockedError extends Error {
  override name = "OutboundBlockedError";
  readonly code = "ERR_OUTBOUND_BLOCKED";
  constructor(host: string, why = "is not a public host") {
    super(`${host} ${why}`);
  }
}

const maxRedirects = 3;

/** Refuses, before connecting, what can be judged from the URL alone. */
export function assertAllowedUrl(url: URL, policy: OutboundPolicy = {}): void {
  const schemes = policy.httpsOnly ? ["https:"] : ["https:", "http:"];
  if (!schemes.includes(url.protocol)) {
    throw new OutboundBlockedError(
      url.href,
      `is refused: only ${schemes.join(" and ").replaceAll(":", "")} URLs are fetched`,
    );
  }
  if (!policy.allowPrivateNetwork && isPrivateHost(url.hostname)) throw new OutboundBlockedError(url.hostname);
}

/**
 * Whether a target is refused: its URL alone, then (with a resolver) every address its name
 * resolves to. A name that does not resolve now is not refused here (it may be set up later);
 * delivery checks again at connect time.
 */
export async function assertPublicTarget(url: URL, resolve?: Resolve): Promise<void> {
  assertAllowedUrl(url);
  if (!resolve || addressLiteral(url.hostname)) return;
  const addresses = await resolve(normaliseHost(url.hostname)).catch(() => [] as string[]);
  if (addresses.some((address) => !isPublicAddress(address))) throw new OutboundBlockedError(url.hostname);
}

/**
 * A fetch that checks every hop. `transport` does the request itself (and, on Node, checks the
 * addresses a name resolves to as it connects). A caller asking for `redirect: "manual"` gets
 * the redirect back unfollowed, as with fetch.
 */
export function createGuardedFetch(transport: OutboundFetch): OutboundFetch {
  return async (input, init = {}, policy = {}) => {
    let url = new URL(input);
    for (let hop = 0; hop <= maxRedirects; hop++) {
      assertAllowedUrl(url, policy);
      const response = await transport(url.toString(), { ...init, redirect: "manual" }, policy);
      const location = response.headers.get("location");
      if (init.redirect === "manual" || response.status < 300 || response.status >= 400 || !location) return response;
      await response.body?.cancel().catch(() => {});
      url = new URL(location, url);
    }
    throw new OutboundBlockedError(url.hostname, "redirected too many times");
  };
}

/** The Web runtime's guard (Workers, and the default wherever no resolver is given): URL checks, then the runtime's fetch. */
export const webOutbound: Outbound = {
  fetch: createGuardedFetch((url, init) => fetch(url, init)),
};
