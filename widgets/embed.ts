/**
 * The loader, `embed.js`: the one script a provider adds. It stays tiny (no Lit, no element
 * code) and does three things:
 * 1. captures a referral from the landing URL (`via`, `chorus_cid`) and keeps it first-party for
 *    the workspace's attribution window, honouring first-click or last-click;
 * 2. exposes `window.chorus` (`referral()`, `consent()`);
 * 3. imports each `chorus-*` element's code only when the page uses that element, including
 *    elements a single-page app adds later, reserves their space until their data is on screen
 *    (no layout shift), and starts the wall's and the statistics' first requests alongside their code.
 */
import type { ClickAnswer, ReferralInfo } from "./lib/api-types.ts";
import type { ChorusGlobal, StoredReferral } from "./lib/types.ts";

const REFERRAL_KEY = "chorus.referral";
const VISITOR_KEY = "chorus.vid";
const DAY = 864e5;

const elements: Record<string, () => Promise<unknown>> = {
  "chorus-referral-card": () => import("./referral-card.ts"),
  "chorus-referral-banner": () => import("./referral-banner.ts"),
  "chorus-story-wall": () => import("./story-wall.ts"),
  "chorus-story-form": () => import("./story-form.ts"),
  "chorus-outcome-stats": () => import("./outcome-stats.ts"),
  "chorus-referred-by": () => import("./referred-by.ts"),
};

const script =
  (document.currentScript as HTMLScriptElement | null) ??
  document.querySelector<HTMLScriptElement>("script[data-key][src*='embed']");
const key = script?.dataset.key ?? "";
const apiBase = script ? new URL(script.src, location.href).origin : location.origin;
const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
// With data-consent="required", or a Global Privacy Control signal, nothing is stored until
// the host calls chorus.consent(true); the referral still travels in the URL meanwhile.
let consented = script?.dataset.consent !== "required" && nav.globalPrivacyControl !== true;

const storage = {
  get<T>(name: string): T | null {
    try {
      return consented ? (JSON.parse(localStorage.getItem(name) ?? "null") as T) : null;
    } catch {
      return null;
    }
  },
  set(name: string, value: unknown) {
    try {
      if (consented) localStorage.setItem(name, JSON.stringify(value));
    } catch {
      // Storage full or blocked (private mode, in-app browsers): the URL still carries the referral.
    }
  },
};

function visitorId(): string | undefined {
  if (!consented) return undefined;
  let id = storage.get<string>(VISITOR_KEY);
  if (!id) {
    // 128 random bits; getRandomValues, unlike randomUUID, also works on plain-http pages.
    id = `v_${crypto.getRandomValues(new Uint32Array(4)).join("")}`;
    storage.set(VISITOR_KEY, id);
  }
  return id;
}

function stored(): StoredReferral | null {
  const referral = storage.get<StoredReferral>(REFERRAL_KEY);
  return referral && referral.expires > Date.now() ? referral : null;
}

let current = stored();

function announce() {
  storage.set(REFERRAL_KEY, current);
  dispatchEvent(
    new CustomEvent("chorus:referral", { detail: current && { code: current.code, clickId: current.clickId } }),
  );
}

/** The answer, or null when the server does not know the code (404). */
async function api<T>(path: string, body?: unknown): Promise<T | null> {
  const response = await fetch(apiBase + path, {
    method: body ? "POST" : "GET",
    headers: { "Chorus-Key": key, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`chorus: ${response.status}`);
  return response.json() as Promise<T>;
}

/** `GET /v1/referrals/{code}` or `POST /v1/clicks` (which also names the click). */
type Landing = Omit<ReferralInfo, "code"> & Partial<Pick<ClickAnswer, "clickId">>;

/** Records the landing (only when the redirect did not already) and applies the attribution model. */
async function capture(code: string, clickId: string | null): Promise<void> {
  const previous = current;
  const now = Date.now();
  const landing: StoredReferral = { code, clickId, at: now, expires: now + 30 * DAY };
  // Until the model is known, an existing referral wins (safe for first-click).
  current = previous ?? landing;
  try {
    const info = clickId
      ? await api<Landing>(`/v1/referrals/${encodeURIComponent(code)}`)
      : await api<Landing>("/v1/clicks", { code, visitorId: visitorId() });
    // An unknown or disabled code refers nobody: what was there stays.
    if (!info) current = previous;
    else {
      // The answer as it came (referrer, offer, friend coupon code), with the click and the window.
      Object.assign(landing, info, {
        clickId: info.clickId ?? clickId,
        expires: now + info.attribution.windowDays * DAY,
      });
      const keepFirst = info.attribution.model === "first-click" && previous && previous.code !== code;
      if (!keepFirst) current = landing;
    }
  } catch {
    // Network trouble or a rate limit: the link still names its referrer (and the redirect may
    // have counted its click), so it wins as under the default last-click model.
    current = landing;
  }
  announce();
}

const params = new URLSearchParams(location.search);
const via = params.get("via")?.toLowerCase();
const ready = via && /^[a-z0-9-]{3,32}$/.test(via) ? capture(via, params.get("chorus_cid")) : Promise.resolve();

/** See prefetch(). */
const early: Record<string, Promise<unknown>> = {};

const chorus: ChorusGlobal = {
  referral: () => (current ? { code: current.code, clickId: current.clickId } : null),
  consent(granted: boolean) {
    consented = granted;
    if (granted) announce();
    else
      try {
        localStorage.removeItem(REFERRAL_KEY);
        localStorage.removeItem(VISITOR_KEY);
        localStorage.removeItem(HEIGHTS_KEY);
        sessionStorage.removeItem("chorus.banner.dismissed");
      } catch {}
  },
  consented: () => consented,
  ready,
  config: { key, apiBase, early },
  details: () => current,
  visitorId,
  keep(referral) {
    current = referral;
    announce();
  },
};
(window as unknown as { chorus: ChorusGlobal }).chorus = chorus;

/**
 * No layout shift: until an element has its data on screen it holds the height it had on this
 * page at this window width last time (kept on the device, with consent), else a height fitted to what it
 * renders at that width: `[px at 360 px wide, px less per px wider, least px]`. The reservation goes
 * in the element's own `--chorus-*-min-height` (set inline, so it wins over the host's) and is
 * lifted in the frame the element has its data, before that frame is painted (an element that
 * turns out shorter keeps the space while the page is open).
 */
const HEIGHTS_KEY = "chorus.heights";
const fitted: Record<string, [number, number, number]> = {
  "chorus-referral-card": [740, 0.55, 560],
  "chorus-story-wall": [2400, 1.9, 900],
  "chorus-story-form": [1750, 1.1, 1600],
  "chorus-outcome-stats": [840, 0.35, 560],
};
const minHeight = (tag: string) => `--chorus-${tag.slice(tag.lastIndexOf("-") + 1)}-min-height`;

// Before its code arrives, an element holds the reservation (and a banner with a referral to show, its one line).
const sheet = new CSSStyleSheet();
sheet.replaceSync(
  Object.keys(fitted)
    .map((tag) => `${tag}:not(:defined){display:block;min-height:var(${minHeight(tag)})}`)
    .join("") + (current || via ? "chorus-referral-banner:not(:defined){display:block;min-height:3.5rem}" : ""),
);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
function reserve(element: HTMLElement): void {
  const tag = element.localName;
  const fit = fitted[tag];
  if (!fit) return;
  const width = element.clientWidth || innerWidth;
  // By the window's width: the element's own may not be final yet (columns sized by their content).
  const slot = `${location.pathname}|${tag}|${[...document.querySelectorAll(tag)].indexOf(element)}|${innerWidth}`;
  const property = minHeight(tag);
  const remembered = storage.get<Record<string, number>>(HEIGHTS_KEY)?.[slot];
  // A height the host page set for the element (README: --chorus-wall-min-height…) beats the fitted one.
  const own = getComputedStyle(element).getPropertyValue(property).trim();
  element.style.setProperty(
    property,
    remembered ? `${remembered}px` : own || `${Math.max(fit[2], fit[0] - fit[1] * (width - 360))}px`,
  );
  const lift = () => {
    const root = element.shadowRoot;
    if (!root?.childElementCount || root.querySelector("[aria-busy=true]")) return void requestAnimationFrame(lift);
    const held = element.style.getPropertyValue(property);
    const reserved = element.offsetHeight;
    element.style.removeProperty(property);
    const height = element.offsetHeight;
    // Shorter than reserved (a first visit, or fewer stories than last time): the space stays
    // while the page is open. Not until the first tap: what the tap was aimed at would move away.
    if (height < reserved) element.style.setProperty(property, held);
    const heights = storage.get<Record<string, number>>(HEIGHTS_KEY) ?? {};
    delete heights[slot];
    heights[slot] = height;
    // The 40 latest: a bounded record, never a growing one.
    for (const old of Object.keys(heights).slice(0, -40)) delete heights[old];
    storage.set(HEIGHTS_KEY, heights);
  };
  requestAnimationFrame(lift);
}

/**
 * The first request each element makes, started now, alongside its code: the stories of a wall
 * (or those the provider's server put inside it, `<script type="application/json">`) and the
 * outcome statistics. lib/api.ts hands an element its answer once.
 */

function prefetch(element: Element): void {
  const attribute = (name: string) => element.getAttribute(name) ?? "";
  const course = attribute("course");
  let inline: string | null | undefined;
  let path = course ? `/v1/outcomes?course=${encodeURIComponent(course)}` : "/v1/outcomes";
  if (element.localName === "chorus-story-wall") {
    const query = new URLSearchParams({
      limit: String(Math.min(50, Math.max(1, Math.trunc(Number(element.getAttribute("limit") ?? 12)) || 12))),
    });
    if (course) query.set("course", course);
    if (attribute("outcome")) query.set("outcome", attribute("outcome"));
    if (element.hasAttribute("verified")) query.set("verified", "true");
    path = `/v1/stories?${query}`;
    inline = element.querySelector(":scope>script[type='application/json']")?.textContent;
  } else if (element.localName !== "chorus-outcome-stats") return;
  // A failed early request (or unreadable inline JSON) is nobody's error: the element asks again.
  early[path] ??= (inline ? Promise.resolve(inline).then(JSON.parse) : api(path)).catch(() => null);
}

const seen = new WeakSet<Element>();

/** The elements' shared chunk, named by the build (vite.config.ts): fetched alongside an element's own, not after it. */
const core = "__CHORUS_CORE__";

function upgrade(): void {
  for (const [tag, load] of Object.entries(elements)) {
    if (!customElements.get(tag) && document.querySelector(tag)) {
      delete elements[tag];
      import(/* @vite-ignore */ new URL(core, import.meta.url).href).catch(() => {});
      load().catch((error) => console.warn(`chorus: ${tag} failed to load`, error));
    }
  }
  for (const element of document.querySelectorAll<HTMLElement>(Object.keys(fitted).join())) {
    if (seen.has(element)) continue;
    seen.add(element);
    prefetch(element);
    reserve(element);
  }
}

upgrade();
new MutationObserver(upgrade).observe(document.documentElement, { childList: true, subtree: true });
