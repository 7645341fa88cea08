/**
 * Outbound requests made while verifying a credential (the credential's URL, an issuer's JWKS,
 * a status list). Their URLs come from strangers, so the default fetch only speaks https to
 * public host names, follows few redirects, gives up quickly and reads a bounded body.
 */

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

const maxRedirects = 3;

/** Loopback, private, link-local and unspecified addresses, as IP literals (names are not resolved here). */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal") || host === "") return true;
  const v4 = host.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (host.includes(":")) {
    return (
      host === "::" ||
      host === "::1" ||
      host.startsWith("fc") ||
      host.startsWith("fd") ||
      host.startsWith("fe80") ||
      host.startsWith("::ffff:")
    );
  }
  return false;
}

function assertPublicHttps(url: URL) {
  if (url.protocol !== "https:") throw new Error(`only https URLs are fetched, not ${url.protocol}`);
  if (isPrivateHost(url.hostname)) throw new Error(`${url.hostname} is not a public host`);
}

/** The default fetch for credential verification: https to public hosts only. */
export const guardedFetch: Fetch = async (input, init) => {
  let url = new URL(input);
  for (let hop = 0; hop <= maxRedirects; hop++) {
    assertPublicHttps(url);
    const response = await fetch(url.toString(), { ...init, redirect: "manual" });
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url);
      continue;
    }
    return response;
  }
  throw new Error("too many redirects");
};

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
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
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
      throw new Error(`${url} is larger than ${maxBytes} bytes`);
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
