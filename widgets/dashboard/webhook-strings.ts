/** The webhook page's strings (adding an endpoint; its state: paused, backing off, resume), in English and Hindi. */
import { catalog, resolveLocale } from "../lib/i18n.ts";

const en = {
  addTitle: "Add an endpoint",
  url: "Endpoint URL",
  allowPrivate: "Allow private network addresses (only for a receiver inside your own network, when self-hosting)",
  allowPrivateHint:
    "Off: a URL that is, or resolves to, a private or loopback address is refused, when added and at every delivery.",
  add: "Add endpoint",
  added: "Endpoint added. Its signing secret, shown only now:",
  privateAllowed: "private network allowed",
  active: "active",
  paused: "paused",
  pausedSince: "Paused {date}: {reason}. Its events stay queued; nothing is sent until you resume it.",
  backingOff: "{count} failed deliveries in a row; next attempt after {date}",
  resume: "Resume",
  resumeLabel: "Resume deliveries to {url}",
  resumed: "Deliveries to {url} resume within a few seconds.",
  resumeFailed: "Resuming failed.",
};

export const webhookText = catalog(en, () => import("./webhook-strings.hi.ts"));

/** The dashboard follows the browser's language (Hindi or English). */
export const dashboardLocale = () => resolveLocale(globalThis.navigator?.language);
