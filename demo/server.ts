/**
 * Skillbridge Academy, a demo course provider. It uses Chorus exactly as a real provider would:
 * the public embed snippet in its pages, learner tokens signed by its own server, and
 * conversions posted server-side with the secret key (which never reaches the browser).
 */
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { demoCsp } from "../server/lib/static-headers.ts";
import { mintLearnerToken } from "../server/services/learner-tokens.ts";
import { type DemoCourse, demoCatalog, inr } from "./catalog.ts";
import { type DemoPlatform, demoPlatforms, platformCheckout } from "./platform-checkout.ts";
import { demoFriendOfferPercent } from "./seed.ts";

export type DemoOptions = {
  keys: { publishableKey: string; secretKey: string; tokenSecret: string };
  /** Calls the Chorus API from the provider's server side. */
  callChorus: (path: string, init: RequestInit) => Promise<Response>;
};

/** The demo's signed-in learner, who refers friends. */
export const demoLearner = { sub: "demo-priya", name: "Priya Sharma", email: "priya@example.com" };

function layout(title: string, publishableKey: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · Skillbridge Academy</title>
    <link rel="stylesheet" href="/demo/assets/demo.css" />
    <script type="module" src="/embed.js" data-key="${publishableKey}" blocking="render"></script>
    <script type="module" src="/demo/assets/checkout.js"></script>
  </head>
  <body>
    <header class="site">
      <a class="logo" href="/demo">Skillbridge Academy</a>
      <nav aria-label="Main">
        ${demoCatalog.map((course) => html`<a href="/demo/courses/${course.slug}">${course.short}</a>`)}
        <a href="/demo/learn">My learning</a>
      </nav>
    </header>
    <main>${body}</main>
    <footer>A demo provider for <a href="/">Chorus</a>. Marketers: <a href="/dashboard">dashboard</a>.</footer>
  </body>
</html>`;
}

const findCourse = (slug: string): DemoCourse | undefined => demoCatalog.find((course) => course.slug === slug);

function homePage(publishableKey: string) {
  return layout(
    "Micro-credentials that move careers",
    publishableKey,
    html`<div class="hero">
        <h1>Micro-credentials that move careers</h1>
        <p class="muted">Short, focused certificates, taught by practitioners. Learners who finish tell their friends: see what happened next.</p>
      </div>
      <chorus-referral-banner></chorus-referral-banner>
      <div class="grid">
        ${demoCatalog.map(
          (course) => html`<article class="course-card">
            <h2>${course.title}</h2>
            <p class="muted">${course.tagline}</p>
            <p class="price">${inr(course.price)} <span class="muted">· ${course.weeks} weeks</span></p>
            <a class="button" href="/demo/courses/${course.slug}">See the course</a>
          </article>`,
        )}
      </div>`,
  );
}

type Enrolment = "none" | "enrolled" | "completed";

/** What the checkout charges: the friend's offer off the price when a coupon code comes with it. */
const priceWith = (course: DemoCourse, coupon: string) =>
  coupon ? course.price - Math.round((course.price * demoFriendOfferPercent) / 100) : course.price;

/** A coupon code as checkouts read it: letters, digits and hyphens, upper case (anything else: none). */
const couponOf = (value: unknown) => {
  const code = String(value ?? "")
    .trim()
    .toUpperCase();
  return /^[A-Z0-9-]{3,40}$/.test(code) ? code : "";
};

/**
 * The enrol box: the checkout form (which the loader fills with the referral) with the coupon
 * code the link brought (`?coupon_code=`, as Teachable reads it) applied, then "completed".
 */
function enrolBox(
  course: DemoCourse,
  enrolment: Enrolment,
  platform: DemoPlatform | null,
  coupon: string,
  paid: number | null,
) {
  if (enrolment === "completed") return html`<p class="notice" role="status">Course completed. Congratulations!</p>`;
  if (enrolment === "enrolled")
    return html`<p class="notice" role="status">
        You're enrolled. Welcome aboard!${paid === null ? "" : ` You paid ${inr(paid)}.`}
      </p>
      <form method="post" action="/demo/complete">
        <input type="hidden" name="course" value="${course.slug}" />
        <input type="hidden" name="platform" value="${platform ?? ""}" />
        <button class="button secondary">Mark course completed</button>
      </form>`;
  return html`<form method="post" action="/demo/checkout" data-referral>
    <input type="hidden" name="course" value="${course.slug}" />
    <p>
      <label>Coupon code <input name="coupon" value="${coupon}" autocomplete="off" /></label>
    </p>
    ${
      coupon
        ? html`<p class="notice" role="status">
            Coupon ${coupon} applied: ${demoFriendOfferPercent}% off, ${inr(priceWith(course, coupon))}
          </p>`
        : ""
    }
    <input type="hidden" name="code" value="" />
    <input type="hidden" name="clickId" value="" />
    <p>
      <label>Checkout acts as
        <select name="platform">
          <option value="">this shop's server (POST /v1/conversions)</option>
          <option value="teachable">Teachable (webhook to a connector)</option>
          <option value="thinkific">Thinkific (signed webhook to a connector)</option>
          <option value="kajabi">Kajabi (webhook to a connector)</option>
        </select>
      </label>
    </p>
    <button class="button">Enrol now</button>
  </form>`;
}

function coursePage(
  publishableKey: string,
  course: DemoCourse,
  enrolment: Enrolment,
  platform: DemoPlatform | null,
  coupon: string,
  paid: number | null,
) {
  return layout(
    course.title,
    publishableKey,
    html`<chorus-referral-banner></chorus-referral-banner>
      <div class="two-col">
        <div>
          <h1>${course.title}</h1>
          <p class="muted">${course.tagline}</p>
          <ul>
            ${course.outcomes.map((outcome) => html`<li>${outcome}</li>`)}
          </ul>
        </div>
        <aside class="course-card" aria-label="Enrol">
          <p class="price">${inr(course.price)}</p>
          <p class="muted">${course.weeks} weeks · certificate with a verifiable Open Badge</p>
          ${enrolBox(course, enrolment, platform, coupon, paid)}
        </aside>
      </div>
      <section aria-labelledby="outcomes">
        <h2 id="outcomes">What learners achieved</h2>
        <chorus-outcome-stats course="${course.slug}"></chorus-outcome-stats>
      </section>
      <section aria-labelledby="stories">
        <h2 id="stories">Success stories</h2>
        <chorus-story-wall course="${course.slug}" course-name="${course.title}" layout="wall" limit="6"></chorus-story-wall>
      </section>`,
  );
}

function learnPage(publishableKey: string, token: string) {
  return layout(
    "My learning",
    publishableKey,
    html`<h1>Welcome back, Priya</h1>
      <p class="muted">You finished the Data Analytics Professional Certificate. Invite friends, and tell your story.</p>
      <div class="two-col">
        <chorus-referral-card course="data-analytics" learner-token="${token}"></chorus-referral-card>
        <div>
          <h2>Tell your story</h2>
          <chorus-story-form course="data-analytics" learner-token="${token}"></chorus-story-form>
        </div>
      </div>`,
  );
}

/** Each browser is one customer of the demo shop (a friend who may have been referred). */
function customerId(c: Context): string {
  let id = getCookie(c, "demo_customer");
  if (!id || !/^friend-[a-z0-9]{10}$/.test(id)) {
    id = `friend-${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
    setCookie(c, "demo_customer", id, { path: "/demo", httpOnly: true, sameSite: "Lax" });
  }
  return id;
}

/** The platform the checkout acts as, if one of the known ones. */
const platformOf = (value: unknown): DemoPlatform | null =>
  (demoPlatforms as readonly unknown[]).includes(value) ? (value as DemoPlatform) : null;

export function createDemoRoutes(options: DemoOptions) {
  const { keys } = options;
  const asPlatform = platformCheckout(options.callChorus, keys.secretKey);

  /**
   * The shop's server reports an order to Chorus with the secret key: an enrolment carries the
   * referral the checkout form was given (click id, else code), a completion needs none.
   */
  async function reportOrder(c: Context, type: "enrollment" | "completion") {
    const form = await c.req.parseBody();
    const course = findCourse(String(form.course ?? ""));
    if (!course) return c.text("Unknown course", 400);
    // A friend coupon code typed or brought by the link is the referral too (attribution by code).
    const coupon = type === "enrollment" ? couponOf(form.coupon) : "";
    const code = coupon || String(form.code ?? "");
    const clickId = String(form.clickId ?? "");
    const amount = priceWith(course, coupon);
    const order =
      type === "enrollment"
        ? {
            id: `demo-order-${crypto.randomUUID()}`,
            amount,
            currency: "INR",
            ...(clickId ? { clickId } : {}),
            ...(code ? { code } : {}),
          }
        : { id: `demo-completion-${crypto.randomUUID()}` };
    const platform = platformOf(form.platform);
    const response = platform
      ? await asPlatform(platform, {
          type,
          orderId: order.id,
          customerId: customerId(c),
          course: course.slug,
          amount,
          ...(code ? { code } : {}),
        })
      : await options.callChorus("/v1/conversions", {
          method: "POST",
          headers: { Authorization: `Bearer ${keys.secretKey}`, "Content-Type": "application/json" },
          body: JSON.stringify({ ...order, type, customer: { id: customerId(c) }, course: course.slug }),
        });
    if (!response.ok) throw new Error(`Chorus answered ${response.status}: ${await response.text()}`);
    const shown = type === "enrollment" ? "enrolled" : "completed";
    const paid = type === "enrollment" ? `&paid=${amount}` : "";
    return c.redirect(`/demo/courses/${course.slug}?${shown}=1${platform ? `&platform=${platform}` : ""}${paid}`, 303);
  }

  return new Hono()
    .use("*", async (c, next) => {
      await next();
      c.header("Content-Security-Policy", demoCsp);
    })
    .get("/", (c) => c.html(homePage(keys.publishableKey)))
    .get("/courses/:slug", (c) => {
      const course = findCourse(c.req.param("slug"));
      if (!course) return c.notFound();
      const enrolment: Enrolment =
        c.req.query("completed") === "1" ? "completed" : c.req.query("enrolled") === "1" ? "enrolled" : "none";
      const paid = Number(c.req.query("paid"));
      return c.html(
        coursePage(
          keys.publishableKey,
          course,
          enrolment,
          platformOf(c.req.query("platform")),
          couponOf(c.req.query("coupon_code")),
          Number.isSafeInteger(paid) && paid > 0 ? paid : null,
        ),
      );
    })
    .post("/checkout", (c) => reportOrder(c, "enrollment"))
    .post("/complete", (c) => reportOrder(c, "completion"))
    .get("/learn", async (c) => {
      // The provider's server signs a token for its signed-in learner; Chorus never sees a password.
      const token = await mintLearnerToken({ claims: demoLearner, tokenSecret: keys.tokenSecret, ttlSeconds: 3600 });
      return c.html(learnPage(keys.publishableKey, token));
    });
}
