/**
 * Outbound requests made while verifying a credential (the credential's URL, an issuer's JWKS,
 * a status list). Their URLs come from strangers, so the default fetch only speaks https to
 * public hosts, follows few redirects, gives up quickly and reads a bounded body.
 */
import { type Outbound, OutboundBlockedError, webOutbound } from "../../lib/outbound/guard.ts";

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export { isPrivateHost } from "../../lib/outbound/addresses.ts";

/**
 * The default fetch for credential verification: https to public hosts only, every redirect
 * checked (server/lib/outbound/guard.ts), through the runtime's outbound guard: on Node it also
 * resolves names and connects only to the public addresses it checked (server/node-outbound.ts).
 */
export function credentialFetch(outbound: Outbound = webOutbound): Fetch {
  return (url, init) => outbound.fetch(url, init, { httpsOnly: true });
}

export const guardedFetch: Fetch = credentialFetch(webOutbound);

/**
 * A failure said in our own words, never the remote's: receipts show this message, so it names
 * the URL and a class of failure (HTTP status, size, refused target), not text a server sent.
 */
export class FetchFailure extends Error {
  override name = "FetchFailure";
}

/** Why something fetched could not be used, fit for a receipt: our messages as they are, remote or parser text never. */
export function failureReason(error: unknown): string {
  if (error instanceof FetchFailure || error instanceof OutboundBlockedError) return error.message;
  // The Node transport refuses at connect time; fetch wraps that in a TypeError.
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof OutboundBlockedError) return cause.message;
  // JSON.parse quotes the body it choked on; a transport error may carry a remote's words.
  if (error instanceof SyntaxError) return "the body is not valid JSON";
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return "no answer in time";
  if (error instanceof TypeError) return "the connection failed";
  return error instanceof Error ? error.message : "it could not be read";
}

/**
 * GET a URL's body as text: at most `maxBytes`, within `timeoutMs` (and before `signal` aborts,
 * such as the deadline of a whole verification), 2xx only.
 */
export async function fetchText(
  fetcher: Fetch,
  url: string,
  options: { maxBytes?: number; timeoutMs?: number; accept?: string; signal?: AbortSignal } = {},
): Promise<string> {
  const maxBytes = options.maxBytes ?? 256 * 1024;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
  const response = await fetcher(url, {
    headers: { Accept: options.accept ?? "application/json, application/ld+json, application/jwt, */*;q=0.5" },
    signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
  });
  if (!response.ok) throw new FetchFailure(`${url} answered HTTP ${response.status}`);
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new FetchFailure(`${url} is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
