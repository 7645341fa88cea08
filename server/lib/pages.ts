/** Small server-rendered pages (home, 404, docs). `html` escapes every interpolated value. */
import type { Context } from "hono";
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

const styles = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
  body { max-width: 44rem; margin: 3rem auto; padding: 0 1.25rem; }
  a { color: #4f46e5; } code, pre { font-family: ui-monospace, monospace; font-size: .9em; }
  pre { background: #8881; padding: 1rem; overflow-x: auto; border-radius: .5rem; }
`;

/** The value, not the promise, is kept: on Workers one request must not await another's promise. */
let styleHash: string | undefined;

/** A strict CSP: no inline script at all, and only this page's own stylesheet, by its hash. */
async function pageCsp(): Promise<string> {
  if (!styleHash) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(styles));
    styleHash = btoa(String.fromCharCode(...new Uint8Array(digest)));
  }
  return `default-src 'none'; style-src 'sha256-${styleHash}'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
}

export async function page(
  c: Context,
  title: string,
  body: HtmlEscapedString | Promise<HtmlEscapedString>,
  status: 200 | 404 = 200,
  lang: "en" | "hi" = "en",
) {
  c.header("Content-Security-Policy", await pageCsp());
  return c.html(
    html`<!doctype html>
<html lang="${lang}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <style>${raw(styles)}</style>
  </head>
  <body>
    <main>${body}</main>
  </body>
</html>`,
    status,
  );
}
