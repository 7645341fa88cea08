/**
 * `GET /r/:code`: the link learners share. Answers 302 to the code's target with the referral
 * in the URL (`via`, `chorus_cid`), so attribution survives blocked storage and in-app browsers.
 * HEAD requests and bots follow the same redirect but are not counted.
 *
 * Rate limits (`rateLimits.clicks`, shared with the beacon): a visitor or workspace over its limit
 * is still redirected, with `via=CODE` but no click id, and no click is recorded. A person who
 * follows a link must never be stranded on an error page (a 429 here would be a dead link in a
 * chat), and a script gains nothing from the redirect but the target URL, which it can read
 * anyway. The loader then sends the beacon, which answers 429 under the same limit.
 */
import { Hono } from "hono";
import { html } from "hono/html";
import { renderSVG } from "uqr";
import { page } from "../lib/pages.ts";
import { publicBase } from "../lib/urls.ts";
import { type ClickChannel, clickChannels, isAutomated } from "../services/clicks.ts";
import { normalizeCode } from "../services/codes.ts";
import type { AppEnv } from "../types.ts";

const storyIdPattern = /^sty_[A-Za-z0-9]{16}$/;

/** The target with the referral added to its own query. */
export function referralUrl(target: string, code: string, clickId: string | null): string {
  if (clickId && clickIdPattern.test(clickId)) {
    // Hot path: the target with `via` set, parsed once per (target, code), then the click id
    // appended: what setting it last would serialize to, when it was not there and there is no #.
    const key = `${code} ${target}`;
    let base = referralBases.get(key);
    if (base === undefined) {
      const url = new URL(target);
      url.searchParams.set("via", code);
      base = url.hash || url.searchParams.has("chorus_cid") ? null : url.toString();
      if (referralBases.size >= 10_000) referralBases.clear();
      referralBases.set(key, base);
    }
    if (base !== null) return `${base}&chorus_cid=${clickId}`;
  }
  const url = new URL(target);
  url.searchParams.set("via", code);
  if (clickId) url.searchParams.set("chorus_cid", clickId);
  return url.toString();
}
const referralBases = new Map<string, string | null>();
/** Characters a query keeps as they are, so appending needs no encoding. */
const clickIdPattern = /^[A-Za-z0-9_-]+$/;

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
    const { db, clock } = c.var.deps;
    const code = normalizeCode(c.req.param("code"));
    const resolved = code ? await c.var.codes.get(db, code, clock.now().getTime()) : null;
    if (!resolved || resolved.disabled) return notFoundPage(c);
    const svg = renderSVG(`${publicBase(c)}/r/${resolved.code}?ch=qr`, { ecc: "M", border: 2 });
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(svg, 200, { "Content-Type": "image/svg+xml" });
  })
  .on(["GET", "HEAD"], "/r/:code", async (c) => {
    const { db, clock, config } = c.var.deps;
    c.header("Cache-Control", "private, no-store");
    c.header("X-Robots-Tag", "noindex");
    const code = normalizeCode(c.req.param("code"));
    const now = clock.now();
    const resolved = code ? await c.var.codes.get(db, code, now.getTime()) : null;
    if (!resolved) return config.fallbackUrl ? c.redirect(config.fallbackUrl, 302) : notFoundPage(c);
    if (resolved.disabled) {
      const fallback = resolved.fallback ?? config.fallbackUrl;
      return fallback ? c.redirect(fallback, 302) : notFoundPage(c);
    }
    if (!resolved.target) return notFoundPage(c);

    const { ip, userAgent, country } = c.var.visitor;
    if (c.req.method === "HEAD" || isAutomated(userAgent))
      return c.redirect(referralUrl(resolved.target, resolved.code, null), 302);
    const limits = c.var.rateLimits;
    const visitor = limits.visitorKey(resolved.workspaceId, ip, userAgent ?? "");
    if (limits.take("clicks", resolved.clickLimits, resolved.workspaceId, visitor, now.getTime()))
      return c.redirect(referralUrl(resolved.target, resolved.code, null), 302);

    // A channel outside the list is kept as "other": a mangled link must still reach the friend.
    const ch = c.req.query("ch")?.toLowerCase();
    const channel: ClickChannel =
      ch === undefined ? "direct" : (clickChannels as readonly string[]).includes(ch) ? (ch as ClickChannel) : "other";
    const story = c.req.query("s");
    let clickId: string | null = null;
    try {
      ({ clickId } = await c.var.clicks.record(
        resolved,
        {
          channel,
          storyId: story && storyIdPattern.test(story) ? story : null,
          ip,
          userAgent: userAgent ?? "",
          visitorId: null,
          country,
          source: "redirect",
          now,
        },
        c.var.deps.waitUntil,
      ));
    } catch (error) {
      // The friend still lands; without a click id the loader records the visit by beacon instead.
      console.error(`[${c.var.requestId}] click not recorded`, error);
    }
    return c.redirect(referralUrl(resolved.target, resolved.code, clickId), 302);
  });
