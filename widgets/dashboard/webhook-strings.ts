/** The webhook page's strings about an endpoint's state (paused, backing off, resume), in English and Hindi. */
import { catalog, resolveLocale } from "../lib/i18n.ts";

const en = {
  active: "active",
  paused: "paused",
  pausedSince: "Paused {date}: {reason}. Its events stay queued; nothing is sent until you resume it.",
  backingOff: "{count} failed deliveries in a row; next attempt after {date}",
  resume: "Resume",
  resumeLabel: "Resume deliveries to {url}",
  resumed: "Deliveries to {url} resume within a few seconds.",
  resumeFailed: "Resuming failed.",
};

export type WebhookStrings = typeof en;

export const webhookText = catalog(en, () => import("./webhook-strings.hi.ts"));

/** The dashboard follows the browser's language (Hindi or English). */
export const dashboardLocale = () => resolveLocale(globalThis.navigator?.language);
