/** How the redirect benches load the server: one mobile browser, and optionally a new address per request. */

export const benchUserAgent = "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36";

/**
 * autocannon `requests` giving every request its own X-Forwarded-For (the bench server trusts the
 * proxy header): a new visitor each time, so every redirect writes a click.
 */
export function newVisitorEachRequest() {
  let visitor = 0;
  return [
    {
      setupRequest: (request: { headers?: Record<string, string> }) => {
        const n = visitor++;
        const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
        return { ...request, headers: { ...request.headers, "X-Forwarded-For": ip } };
      },
    },
  ];
}
