/**
 * `GET /r/:code`: the link learners share. Answers 302 to the code's target with the referral
 * in the URL (`via`, `chorus_cid`), so attribution survives blocked storage and in-app browsers.
 * HEAD requests and bots follow the same redirect but are not counted. What the link leads to,
 * and whether the visit is a click (rate limits included: over them, still a redirect, never a
 * 429), is decided by `followLink` (services/links.ts); this file only speaks HTTP.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { html } from "hono/html";
import { page } from "../lib/pages.ts";
import { publicBase } from "../lib/urls.ts";
import { followLink, type LinkContext, shareableCode } from "../services/links.ts";
import type { AppEnv } from "../types.ts";

/**
 * The link services' context: the app's code cache, click recorder and rate limiters, and
 * `waitUntil`. Read with `c.get`: each `c.var` copies every variable of the request into a new
 * object (Hono's getter), a cost the redirect's hot path paid eight times per click.
 */
export function linkContext(c: Context<AppEnv>): LinkContext {
  const { db, clock, waitUntil } = c.get("deps");
  return { db, clock, codes: c.get("codes"), clicks: c.get("clicks"), rateLimits: c.get("rateLimits"), waitUntil };
}

function notFoundPage(c: Parameters<typeof page>[0]) {
  return page(
    c,
    "Link not found",
    html`<h1>This referral link does not work</h1>
      <p>The link may have been mistyped, or its owner has removed it. Ask your friend to send it again.</p>`,
    404,
  );
}

export const redirectRoutes = new Hono<AppEnv>()
  /** The link as a QR code (SVG), tagged `ch=qr`: drawn here so the card ships no QR encoder. */
  .get("/r/:code/qr.svg", async (c) => {
    const resolved = await shareableCode(linkContext(c), { code: c.req.param("code") });
    if (!resolved) return notFoundPage(c);
    // The QR encoder is loaded by the first QR code asked for, not at start-up (worker.build.ts).
    const { renderSVG } = await import("uqr");
    const svg = renderSVG(`${publicBase(c)}/r/${resolved.code}?ch=qr`, { ecc: "M", border: 2 });
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(svg, 200, { "Content-Type": "image/svg+xml" });
  })
  .on(["GET", "HEAD"], "/r/:code", async (c) => {
    c.header("Cache-Control", "private, no-store");
    c.header("X-Robots-Tag", "noindex");
    const location = await followLink(linkContext(c), {
      code: c.req.param("code"),
      method: c.req.method,
      visitor: c.get("visitor"),
      channel: c.req.query("ch"),
      story: c.req.query("s"),
      fallbackUrl: c.get("deps").config.fallbackUrl,
      requestId: c.get("requestId"),
    });
    return location ? c.redirect(location, 302) : notFoundPage(c);
  });
