/**
 * The loader, `embed.js`: the one script a provider adds. It stays tiny (no Lit, no element
 * code) and does three things:
 * 1. captures a referral from the landing URL (`via`, `chorus_cid`) and keeps it first-party for
 *    the workspace's attribution window, honouring first-click or last-click;
 * 2. exposes `window.chorus` (`referral()`, `consent()`);
 * 3. imports each `chorus-*` element's code only when the page uses that element, including
 *    elements a single-page app adds later, and reserves their space until they render.
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

/** Until an element's code arrives, it holds its place: no layout shift when it renders. */
const reserved: Record<string, string> = {
  "chorus-referral-card": "var(--chorus-card-min-height,24rem)",
  "chorus-story-wall": "var(--chorus-wall-min-height,28rem)",
  "chorus-story-form": "var(--chorus-form-min-height,36rem)",
  "chorus-outcome-stats": "var(--chorus-stats-min-height,12rem)",
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

const chorus: ChorusGlobal = {
  referral: () => (current ? { code: current.code, clickId: current.clickId } : null),
  consent(granted: boolean) {
    consented = granted;
    if (granted) announce();
    else
      try {
        localStorage.removeItem(REFERRAL_KEY);
        localStorage.removeItem(VISITOR_KEY);
        sessionStorage.removeItem("chorus.banner.dismissed");
      } catch {}
  },
  consented: () => consented,
  ready,
  config: { key, apiBase },
  details: () => current,
  visitorId,
  keep(referral) {
    current = referral;
    announce();
  },
};
(window as unknown as { chorus: ChorusGlobal }).chorus = chorus;

const sheet = new CSSStyleSheet();
sheet.replaceSync(
  Object.entries(reserved)
    .map(([tag, height]) => `${tag}:not(:defined){display:block;min-height:${height}}`)
    .join("") + (current || via ? "chorus-referral-banner:not(:defined){display:block;min-height:3.5rem}" : ""),
);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

function upgrade(): void {
  for (const [tag, load] of Object.entries(elements)) {
    if (!customElements.get(tag) && document.querySelector(tag)) {
      delete elements[tag];
      load().catch((error) => console.warn(`chorus: ${tag} failed to load`, error));
    }
  }
}

upgrade();
new MutationObserver(upgrade).observe(document.documentElement, { childList: true, subtree: true });
