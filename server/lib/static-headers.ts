/**
 * Headers for the built static files, in one table: the Node server applies it as middleware,
 * and the build writes it as Workers' `_headers` file, so both runtimes serve the same policy.
 */

/** Self only, no inline script or style: the dashboard and the demo pages run under this. */
export const strictCsp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The demo provider's pages: as strict. Story photos are Chorus's own checked copies, served from
 * this origin, so images need no other host (issue 15: the wall used to hot-link any https URL).
 */
export const demoCsp = strictCsp;

/**
 * Responses that are not pages (JSON, the API, files): nothing may load, run or frame them, so a
 * JSON body opened in a browser can never act as a document.
 */
export const apiCsp = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

/** The API reference (Swagger UI styles itself through the CSSOM, which style-src does not govern). */
export const docsCsp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export const staticHeaders: { path: string; headers: Record<string, string> }[] = [
  // Every file, also at the edge, where Workers answers assets without running the app (and so
  // without its secure-headers middleware). No CSP here: Cloudflare joins a header that two rules
  // set, and two policies would both apply to the dashboard.
  {
    path: "/*",
    headers: { "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY" },
  },
  // Module scripts load cross-origin only with CORS. The loader's name never changes, so it is
  // cached briefly; element chunks carry a content hash, so they are cached for good.
  { path: "/embed.js", headers: { "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300" } },
  {
    path: "/assets/*",
    headers: { "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=31536000, immutable" },
  },
  // A new dashboard build shows at once.
  { path: "/dashboard", headers: { "Content-Security-Policy": strictCsp, "Cache-Control": "no-cache" } },
  { path: "/dashboard/*", headers: { "Content-Security-Policy": strictCsp, "Cache-Control": "no-cache" } },
];

/** The table in Cloudflare's `_headers` format. */
export function workersHeadersFile(): string {
  return staticHeaders
    .map(
      ({ path, headers }) =>
        `${path}\n${Object.entries(headers)
          .map(([name, value]) => `  ${name}: ${value}\n`)
          .join("")}`,
    )
    .join("");
}
