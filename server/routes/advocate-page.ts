/**
 * The hosted advocate page, `/p/SLUG`: the no-code way for a provider's learners to get their
 * referral link, see their rewards and tell their story. Server-rendered pages and plain forms
 * (no script of ours beyond the loader), the work in services/advocate-sign-in.ts and
 * advocate-page.ts.
 *
 * - `GET /p/SLUG`: the signed-in page, else the sign-in form.
 * - `POST /p/SLUG/sign-in`: asks for a magic link; the same page whatever the address.
 * - `GET /p/SLUG/link?t=…`: a confirm button only (mail scanners follow GETs and must not use the
 *   link up); `POST /p/SLUG/link` uses it and sets the session cookie.
 * - `POST /p/SLUG/payout-method`: stores the learner's payout method (advocate-page-payouts.ts shows it masked).
 * - `POST /p/SLUG/sign-out`.
 *
 * Every POST must come from this origin when the browser says where it came from (Origin), so
 * another site cannot sign a visitor in to someone else's session or out of their own.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import { ApiError } from "../errors.ts";
import { type PageLocale, type PageWords, pageLocale, pageWords } from "../lib/advocate-page-words.ts";
import { publicBase, reachedOverHttps } from "../lib/urls.ts";
import { advocatePage } from "../services/advocate-page.ts";
import {
  checkMagicLink,
  consumeMagicLink,
  endLearnerSession,
  magicLinkTtlMs,
  requestSignIn,
  sessionLearner,
  sessionMaxMs,
  workspaceBySlug,
} from "../services/advocate-sign-in.ts";
import { DomainError } from "../services/errors.ts";
import { hostedPageKey } from "../services/hosted-page-key.ts";
import { learnerEarnings } from "../services/payout-earnings.ts";
import { payoutMethodKinds, setPayoutMethod } from "../services/payout-methods.ts";
import type { Workspace } from "../services/types.ts";
import type { AppEnv } from "../types.ts";
import { payoutSection } from "./advocate-page-payouts.ts";
import {
  advocateBody,
  type Brand,
  checkEmail,
  confirmLink,
  layout,
  message,
  signInForm,
  storyRequestBody,
} from "./advocate-page-views.ts";
import { serviceContext } from "./context.ts";

/** The session cookie, scoped to its page's path: one workspace's session is never sent to another's page. */
export const learnerSessionCookie = "chorus_advocate";

type C = Context<AppEnv>;
type Status = 200 | 400 | 403 | 404 | 410 | 429;

const brandOf = (workspace: Workspace): Brand => ({
  name: workspace.settings.brand.name ?? workspace.name,
  logoUrl: workspace.settings.brand.logoUrl,
  color: workspace.settings.brand.color,
});

function localeOf(c: C): PageLocale {
  return pageLocale(c.req.query("lang"), c.req.header("Accept-Language"));
}

/** `/p/SLUG` + `path`, keeping an explicit language choice. */
function pathOf(slug: string, path: string, locale: PageLocale, c: C): string {
  const lang = c.req.query("lang") ? `?lang=${locale}` : "";
  return `/p/${slug}${path}${lang}`;
}

async function render(
  c: C,
  workspace: Workspace | null,
  title: string,
  body: Parameters<typeof layout>[1],
  status: Status = 200,
  script?: string,
) {
  const locale = localeOf(c);
  const brand = workspace ? brandOf(workspace) : { name: "Chorus", logoUrl: null, color: "#1d4ed8" };
  const other = locale === "en" ? "hi" : "en";
  const url = new URL(c.req.url);
  url.searchParams.set("lang", other);
  // The language link keeps the page (and a confirm page's token) but is never a form's target.
  const languageLink =
    c.req.method === "GET"
      ? `${url.pathname}${url.search}`
      : `${url.pathname.replace(/\/(sign-in|sign-out|link)$/, "")}?lang=${other}`;
  const page = await layout({ brand, locale, title, languageLink, ...(script ? { script } : {}) }, body);
  c.header("Content-Security-Policy", page.csp);
  c.header("Cache-Control", "no-store");
  return c.html(page.html, status);
}

async function workspaceOr404(c: C): Promise<Workspace | Response> {
  try {
    return await workspaceBySlug(c.var.deps, { slug: c.req.param("slug") ?? "" });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const w = pageWords[localeOf(c)];
    return render(c, null, w.notFoundTitle, message(w.notFoundTitle, w.notFound), 404);
  }
}

/** The page's workspace (else its 404 page), slug and language: where every handler starts. */
async function pageOf(
  c: C,
): Promise<Response | { workspace: Workspace; slug: string; locale: PageLocale; w: PageWords }> {
  const found = await workspaceOr404(c);
  if (found instanceof Response) return found;
  const locale = localeOf(c);
  return { workspace: found, slug: c.req.param("slug") ?? "", locale, w: pageWords[locale] };
}

/**
 * A POST a browser says came from another site: refused before anything is read. Browsers say
 * it in Sec-Fetch-Site; Origin is checked too where it names one (under `Referrer-Policy:
 * no-referrer`, which every answer carries, a form post's Origin is "null").
 */
function crossSite(c: C): boolean {
  const site = c.req.header("Sec-Fetch-Site");
  if (site !== undefined && site !== "same-origin") return true;
  const origin = c.req.header("Origin");
  return origin !== undefined && origin !== "null" && origin !== publicBase(c);
}

const cookieOptions = (c: C, slug: string) => ({
  path: `/p/${slug}`,
  httpOnly: true,
  sameSite: "Lax" as const,
  secure: reachedOverHttps(c),
});

const formField = async (c: C, name: string): Promise<string> => {
  const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value : "";
};

export const advocatePageRoutes = new Hono<AppEnv>()
  .use(
    "/p/:slug/*",
    bodyLimit({
      maxSize: 4096,
      onError: () => {
        throw new ApiError("payload_too_large", "A sign-in form is never this large");
      },
    }),
  )
  .get("/p/:slug", async (c) => {
    const found = await pageOf(c);
    if (found instanceof Response) return found;
    const { workspace, slug, locale, w } = found;
    const ctx = { ...serviceContext(c), workspace };
    const token = getCookie(c, learnerSessionCookie);
    const learner = token ? await sessionLearner(ctx, { token }) : null;
    if (!learner && c.req.query("chorus_story")) {
      // A story request email's link: the form takes the token; nothing is read here but the key.
      const key = await hostedPageKey(ctx);
      const body = storyRequestBody(w, { brand: brandOf(workspace), locale, signIn: pathOf(slug, "", locale, c) });
      return render(c, workspace, w.storyHeading, body, 200, key);
    }
    if (!learner) {
      if (token) deleteCookie(c, learnerSessionCookie, cookieOptions(c, slug));
      const action = pathOf(slug, "/sign-in", locale, c);
      return render(
        c,
        workspace,
        w.signInTitle(brandOf(workspace).name),
        signInForm(w, { brand: brandOf(workspace), action }),
      );
    }
    const page = await advocatePage(ctx, { learner });
    const note = c.req.query("payout");
    const body = html`${advocateBody(locale, {
      brand: brandOf(workspace),
      page,
      signOutAction: pathOf(slug, "/sign-out", locale, c),
    })}${payoutSection(locale, {
      earnings: await learnerEarnings(ctx, { learnerId: learner.id }),
      action: pathOf(slug, "/payout-method", locale, c),
      note: note === "saved" || note === "invalid" ? note : null,
    })}`;
    return render(c, workspace, w.signInTitle(brandOf(workspace).name), body, 200, page.publishableKey);
  })
  .post("/p/:slug/sign-in", async (c) => {
    const found = await pageOf(c);
    if (found instanceof Response) return found;
    const { workspace, slug, locale, w } = found;
    const brand = brandOf(workspace);
    if (crossSite(c))
      return render(c, workspace, w.signInTitle(brand.name), message(w.signInTitle(brand.name), w.crossSite), 403);
    const email = (await formField(c, "email")).slice(0, 400);
    // Per visitor and per workspace, before any lookup: floods stop here, whatever the address.
    const limits = c.var.rateLimits;
    const { ip, userAgent } = c.var.visitor;
    const rejection = limits.take(
      "advocateSignIn",
      workspace.settings.rateLimits.advocateSignIn,
      workspace.id,
      limits.visitorKey(workspace.id, ip, userAgent ?? ""),
      c.var.deps.clock.now().getTime(),
    );
    if (rejection) {
      c.header("Retry-After", String(rejection.retryAfterSeconds));
      return render(c, workspace, w.signInTitle(brand.name), message(w.signInTitle(brand.name), w.tooMany), 429);
    }
    try {
      await requestSignIn({ ...serviceContext(c), workspace }, { email, locale });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== "invalid_request") throw error;
      const action = pathOf(slug, "/sign-in", locale, c);
      // The refused address is shown back only as plain ASCII text (escaped), for the learner to correct.
      const shown = email.replace(/[^\u0020-\u007e]/g, "");
      return render(
        c,
        workspace,
        w.signInTitle(brand.name),
        signInForm(w, { brand, action, error: true, email: shown }),
        400,
      );
    }
    const back = pathOf(slug, "", locale, c);
    return render(c, workspace, w.checkTitle, checkEmail(w, { minutes: magicLinkTtlMs / 60_000, back }));
  })
  .get("/p/:slug/link", async (c) => {
    const found = await pageOf(c);
    if (found instanceof Response) return found;
    const { workspace, slug, locale, w } = found;
    const token = (c.req.query("t") ?? "").slice(0, 200);
    try {
      await checkMagicLink({ ...serviceContext(c), workspace }, { token });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return linkGone(c, workspace, slug, locale);
    }
    return render(c, workspace, w.confirmTitle, confirmLink(w, { action: pathOf(slug, "/link", locale, c), token }));
  })
  .post("/p/:slug/link", async (c) => {
    const found = await pageOf(c);
    if (found instanceof Response) return found;
    const { workspace, slug, locale, w } = found;
    if (crossSite(c)) return render(c, workspace, w.confirmTitle, message(w.confirmTitle, w.crossSite), 403);
    const token = (await formField(c, "t")).slice(0, 200);
    let session: Awaited<ReturnType<typeof consumeMagicLink>>;
    try {
      session = await consumeMagicLink({ ...serviceContext(c), workspace }, { token });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return linkGone(c, workspace, slug, locale);
    }
    setCookie(c, learnerSessionCookie, session.sessionToken, {
      ...cookieOptions(c, slug),
      maxAge: sessionMaxMs / 1000,
    });
    c.header("Cache-Control", "no-store");
    return c.redirect(`${publicBase(c)}${pathOf(slug, "", locale, c)}`, 303);
  })
  .post("/p/:slug/payout-method", async (c) => {
    const found = await pageOf(c);
    if (found instanceof Response) return found;
    const { workspace, slug, locale, w } = found;
    if (crossSite(c)) return render(c, workspace, w.signOut, message(w.signOut, w.crossSite), 403);
    const ctx = { ...serviceContext(c), workspace };
    const token = getCookie(c, learnerSessionCookie);
    const learner = token ? await sessionLearner(ctx, { token }) : null;
    if (!learner) return c.redirect(`${publicBase(c)}${pathOf(slug, "", locale, c)}`, 303);
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const kind = payoutMethodKinds.find((k) => k === body.kind);
    let note = "invalid";
    if (kind && typeof body.details === "string") {
      try {
        await setPayoutMethod(ctx, { learnerId: learner.id, kind, details: body.details.slice(0, 300) });
        note = "saved";
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    const back = pathOf(slug, "", locale, c);
    return c.redirect(`${publicBase(c)}${back}${back.includes("?") ? "&" : "?"}payout=${note}#payout-heading`, 303);
  })
  .post("/p/:slug/sign-out", async (c) => {
    const found = await pageOf(c);
    if (found instanceof Response) return found;
    const { workspace, slug, locale, w } = found;
    if (crossSite(c)) return render(c, workspace, w.signOut, message(w.signOut, w.crossSite), 403);
    const token = getCookie(c, learnerSessionCookie);
    if (token) await endLearnerSession({ ...serviceContext(c), workspace }, { token });
    deleteCookie(c, learnerSessionCookie, cookieOptions(c, slug));
    return c.redirect(`${publicBase(c)}${pathOf(slug, "", locale, c)}`, 303);
  });

function linkGone(c: C, workspace: Workspace, slug: string, locale: PageLocale) {
  const w = pageWords[locale];
  return render(
    c,
    workspace,
    w.goneTitle,
    message(w.goneTitle, w.gone, { href: pathOf(slug, "", locale, c), label: w.again }),
    410,
  );
}
