/** The server's own pages: a welcome page at `/` and the API reference at `/docs`. */
import { Hono } from "hono";
import { html } from "hono/html";
import { page } from "../lib/pages.ts";
import { docsCsp } from "../lib/static-headers.ts";
import { publicBase } from "../lib/urls.ts";
import type { AppEnv } from "../types.ts";

export const pageRoutes = new Hono<AppEnv>()
  .get("/", (c) => {
    const origin = publicBase(c);
    return page(
      c,
      "Chorus",
      html`<h1>Chorus is running</h1>
        <p>Referral links, success stories and outcome statistics for course providers.</p>
        <ul>
          <li><a href="/demo">Demo course site</a>: the widgets on a provider's pages</li>
          <li><a href="/dashboard">Dashboard</a>: sign in with a workspace secret key</li>
          <li><a href="/docs">API reference</a> (<a href="/openapi.json">OpenAPI 3.1</a>)</li>
          <li><a href="/healthz">Health check</a></li>
        </ul>
        <h2>Embed</h2>
        <pre><code>&lt;script type="module" src="${origin}/embed.js" data-key="pk_…"&gt;&lt;/script&gt;
&lt;chorus-referral-card course="data-analytics" learner-token="JWT"&gt;&lt;/chorus-referral-card&gt;</code></pre>`,
    );
  })
  .get("/docs", (c) => {
    c.header("Content-Security-Policy", docsCsp);
    return c.html(html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Chorus API reference</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="reference"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>`);
  });
