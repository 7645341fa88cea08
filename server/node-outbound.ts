/**
 * The outbound guard's Node transport: names are resolved (every A and AAAA answer), every
 * answer must be a public address, and the socket connects to those very addresses: undici's
 * `connect.lookup` is the only lookup made, so a DNS server cannot answer the check with a public
 * address and the connection with a private one. TLS SNI and the Host header stay the name.
 *
 * Node only (node:dns, undici): the Node entry builds it and passes it to the app and the
 * background worker as a dependency; the Workers build never reaches this file.
 */
import type { LookupAddress, LookupOptions } from "node:dns";
import { lookup, Resolver } from "node:dns/promises";
import { Agent, fetch as undiciFetch } from "undici";
import { isPublicAddress, normaliseHost } from "./lib/outbound/addresses.ts";
import { createGuardedFetch, type Outbound, OutboundBlockedError, type Resolve } from "./lib/outbound/guard.ts";

/** The system's resolver (getaddrinfo: /etc/hosts, then DNS), every answer. */
export const systemResolve: Resolve = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((answer) => answer.address);

/** Asks these DNS servers (`host:port`) directly, A and AAAA: a test's own DNS server, or an operator's. */
export function dnsServerResolve(servers: string[]): Resolve {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers(servers);
  return async (hostname) => {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]);
    const addresses = [v4, v6].flatMap((answer) => (answer.status === "fulfilled" ? answer.value : []));
    if (addresses.length === 0 && v4.status === "rejected") throw v4.reason;
    return addresses;
  };
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/** net.connect's `lookup`: resolve once, refuse unless every answer is allowed, connect to those answers. */
function checkedLookup(resolve: Resolve, allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    const only = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family;
    resolve(normaliseHost(hostname)).then(
      (answers) => {
        const family = (address: string) => (address.includes(":") ? 6 : 4);
        if (!allowPrivate && answers.some((address) => !isPublicAddress(address))) {
          callback(new OutboundBlockedError(hostname), []);
          return;
        }
        const wanted = answers.filter((address) => !only || family(address) === only);
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`${hostname} did not resolve`), { code: "ENOTFOUND" }), []);
          return;
        }
        if (options.all)
          callback(
            null,
            wanted.map((address) => ({ address, family: family(address) })),
          );
        else callback(null, wanted[0]!, family(wanted[0]!));
      },
      (error: Error) => callback(error, []),
    );
  };
}

/** The Node outbound guard; `resolve` defaults to the system's resolver. */
export function createNodeOutbound(options: { resolve?: Resolve } = {}): Outbound {
  const resolve = options.resolve ?? systemResolve;
  const agents = {
    guarded: new Agent({ connect: { lookup: checkedLookup(resolve, false) } }),
    // An endpoint an admin opted in to private targets: still resolved here, once.
    private: new Agent({ connect: { lookup: checkedLookup(resolve, true) } }),
  };
  return {
    resolve,
    fetch: createGuardedFetch(
      (url, init, policy) =>
        undiciFetch(url, {
          ...(init as Parameters<typeof undiciFetch>[1]),
          dispatcher: policy?.allowPrivateNetwork ? agents.private : agents.guarded,
        }) as unknown as Promise<Response>,
    ),
  };
}
