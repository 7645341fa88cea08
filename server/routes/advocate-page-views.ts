/**
 * The hosted advocate page's HTML: a layout in the provider's brand (name, logo, colour as its
 * mail has them), the sign-in steps, and the signed-in page with the existing elements. Every
 * value is escaped by `html`; the only script is the loader, from this origin; the one
 * stylesheet is inline and allowed by its hash (it carries the brand colour, so it is hashed per
 * page), so the CSP allows no inline script and no other style.
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { type PageLocale, type PageWords, pageWords } from "../lib/advocate-page-words.ts";
import { textOn } from "../lib/contrast.ts";
import { formatMoney, isoDay, rewardValue } from "../lib/money.ts";
import type { AdvocatePage, PageReward } from "../services/advocate-page.ts";
import { reviewReasons } from "../services/review-reasons.ts";

export type Brand = { name: string; logoUrl: string | null; color: string };

type Body = HtmlEscapedString | Promise<HtmlEscapedString>;

const styles = (brand: Brand) => `
:root { font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2937; background: #ffffff; }
body { margin: 0; }
header { border-bottom: 4px solid ${brand.color}; padding: .75rem 1rem; display: flex; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
header img { height: 40px; width: auto; display: block; }
.brand { font-size: 1.25rem; font-weight: 700; margin: 0; }
main { max-width: 44rem; margin: 0 auto; padding: 1rem; }
section { margin: 2rem 0; }
label { display: block; font-weight: 600; }
input[type=email] { box-sizing: border-box; width: 100%; max-width: 28rem; font: inherit; padding: .6rem; border: 1px solid #6b7280; border-radius: .375rem; margin: .25rem 0 .75rem; }
.hint { color: #4b5563; margin: .25rem 0 0; font-size: .95em; }
.error { color: #b91c1c; font-weight: 600; }
button, .button { font: inherit; font-weight: 600; background: ${brand.color}; color: ${textOn(brand.color)}; border: 0; border-radius: .375rem; padding: .6rem 1rem; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: transparent; color: #1f2937; border: 1px solid #6b7280; }
a { color: #1d4ed8; }
:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
ul.rewards { list-style: none; padding: 0; }
ul.rewards li { border: 1px solid #d1d5db; border-radius: .5rem; padding: .75rem; margin: .5rem 0; }
.muted { color: #4b5563; }
progress { width: 100%; max-width: 28rem; height: 1rem; accent-color: ${brand.color}; }
chorus-referral-card, chorus-story-form { display: block; max-width: 100%; }
`;

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** The page's policy: scripts from this origin only, its own stylesheet by hash, the brand logo's host for images. */
async function pageCsp(css: string, brand: Brand): Promise<string> {
  const logo = brand.logoUrl ? ` ${new URL(brand.logoUrl).origin}` : "";
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'sha256-${await sha256Base64(css)}'`,
    `img-src 'self'${logo}`,
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A whole page: its HTML and the CSP that goes with it. */
export async function layout(
  options: { brand: Brand; locale: PageLocale; title: string; languageLink: string; script?: string },
  body: Body,
): Promise<{ html: Body; csp: string }> {
  const { brand, locale, title } = options;
  const css = styles(brand);
  const w = pageWords[locale];
  const logo = brand.logoUrl
    ? html`<img src="${brand.logoUrl}" alt="${brand.name}" />`
    : html`<p class="brand">${brand.name}</p>`;
  const page = html`<!doctype html>
<html lang="${locale}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${title}</title>
    <style>${raw(css)}</style>
    ${options.script ? html`<script type="module" src="/embed.js" data-key="${options.script}"></script>` : ""}
  </head>
  <body>
    <header>${logo}<a href="${options.languageLink}" lang="${locale === "en" ? "hi" : "en"}">${w.language}</a></header>
    <main>${body}</main>
  </body>
</html>`;
  return { html: page, csp: await pageCsp(css, brand) };
}

/** The sign-in form; `error` when the address was refused. */
export function signInForm(w: PageWords, input: { brand: Brand; action: string; error?: boolean; email?: string }) {
  return html`<h1>${w.signInTitle(input.brand.name)}</h1>
    <p>${w.signInIntro}</p>
    <form method="post" action="${input.action}" novalidate>
      <label for="email">${w.email}</label>
      <p class="hint" id="email-hint">${w.emailHint}</p>
      ${input.error ? html`<p class="error" id="email-error" role="alert">${w.badEmail}</p>` : ""}
      <input id="email" name="email" type="email" autocomplete="email" required maxlength="320"
        aria-describedby="email-hint${input.error ? " email-error" : ""}" ${input.error ? raw('aria-invalid="true"') : ""}
        value="${input.email ?? ""}" />
      <p><button type="submit">${w.send}</button></p>
    </form>`;
}

export function checkEmail(w: PageWords, input: { minutes: number; back: string }) {
  return html`<h1>${w.checkTitle}</h1>
    <p role="status">${w.check(input.minutes)}</p>
    <p class="muted">${w.checkOther}</p>
    <p><a href="${input.back}">${w.again}</a></p>`;
}

export function message(title: string, text: string, link?: { href: string; label: string }) {
  return html`<h1>${title}</h1>
    <p>${text}</p>
    ${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ""}`;
}

/**
 * The page a story request email's link opens (`?chorus_story=TOKEN`): the story form alone,
 * pre-filled and sent with the link's one-time token (the element reads it from the URL), no
 * sign-in needed; below it, the way to the learner's own page.
 */
export function storyRequestBody(w: PageWords, input: { brand: Brand; locale: PageLocale; signIn: string }) {
  return html`<h1>${w.storyHeading}</h1>
    <p>${w.storyIntro}</p>
    <chorus-story-form lang="${input.locale}"></chorus-story-form>
    <p class="muted"><a href="${input.signIn}">${w.signInTitle(input.brand.name)}</a></p>`;
}

export function confirmLink(w: PageWords, input: { action: string; token: string }) {
  return html`<h1>${w.confirmTitle}</h1>
    <p>${w.confirmIntro}</p>
    <form method="post" action="${input.action}">
      <input type="hidden" name="t" value="${input.token}" />
      <button type="submit">${w.confirm}</button>
    </form>`;
}

function rewardLine(locale: PageLocale, reward: PageReward): { what: string; why: string } {
  const w = pageWords[locale];
  const value = rewardValue(reward);
  const what = reward.milestone !== null ? `${w.milestoneBonus(reward.milestone)}: ${value}` : value;
  const why =
    reward.status === "pending"
      ? reward.review
        ? w.status.review(reviewReasons(locale, reward.review))
        : reward.holdUntil
          ? w.status.heldUntil(isoDay(reward.holdUntil))
          : w.status.pending
      : reward.status === "void"
        ? reward.refunded
          ? w.status.refunded
          : w.status.void
        : w.status[reward.status];
  return { what, why };
}

/** The signed-in page: the card, milestones, rewards with reasons, the story form, the credential, sign-out. */
export function advocateBody(locale: PageLocale, input: { brand: Brand; page: AdvocatePage; signOutAction: string }) {
  const w = pageWords[locale];
  const { page } = input;
  const next = page.milestones.steps.find((step) => !step.reached);
  const firstName = page.learner.name?.trim().split(/\s+/)[0] ?? null;
  return html`<h1>${w.hello(firstName)}</h1>
    <p>${w.intro(input.brand.name)}</p>
    <section aria-labelledby="card-heading">
      <h2 id="card-heading">${w.cardHeading}</h2>
      <chorus-referral-card learner-token="${page.learnerToken}" lang="${locale}"></chorus-referral-card>
    </section>
    ${
      page.milestones.steps.length
        ? html`<section aria-labelledby="milestones-heading">
          <h2 id="milestones-heading">${w.milestonesHeading}</h2>
          ${
            next
              ? html`<p id="milestone-text">${w.milestoneProgress(page.milestones.reached, next.count, formatMoney(next.amount, next.currency))}</p>
                <progress max="${next.count}" value="${page.milestones.reached}" aria-labelledby="milestone-text"></progress>`
              : html`<p>${w.milestonesDone(page.milestones.reached)}</p>`
          }
          <ul>
            ${page.milestones.steps.map((step) => html`<li>${w.milestoneStep(step.count, formatMoney(step.amount, step.currency), step.reached)}</li>`)}
          </ul>
        </section>`
        : ""
    }
    <section aria-labelledby="rewards-heading">
      <h2 id="rewards-heading">${w.rewardsHeading}</h2>
      ${
        page.rewards.length === 0
          ? html`<p class="muted">${w.noRewards}</p>`
          : html`<ul class="rewards">
            ${page.rewards.map((reward) => {
              const line = rewardLine(locale, reward);
              return html`<li><strong>${line.what}</strong> <span class="muted">· ${isoDay(reward.createdAt)}</span><br />${line.why}</li>`;
            })}
          </ul>`
      }
    </section>
    ${
      page.addToLinkedIn
        ? html`<section aria-labelledby="credential-heading">
          <h2 id="credential-heading">${w.credentialHeading}</h2>
          <p><a class="button" href="${page.addToLinkedIn}" target="_blank" rel="noopener noreferrer">${w.addToLinkedIn}</a></p>
        </section>`
        : ""
    }
    <section aria-labelledby="story-heading">
      <h2 id="story-heading">${w.storyHeading}</h2>
      <p>${w.storyIntro}</p>
      <chorus-story-form course="${page.storyCourse}" learner-token="${page.learnerToken}" lang="${locale}"></chorus-story-form>
    </section>
    <form method="post" action="${input.signOutAction}">
      <button type="submit" class="secondary">${w.signOut}</button>
    </form>`;
}
