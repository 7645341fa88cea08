/** The audit page's strings (the trail, its filters, its export), in English and Hindi. */
import { catalog } from "../lib/i18n.ts";

const en = {
  title: "Audit trail",
  intro:
    "Every change made in this dashboard or through an admin route: who, when, what, and the values before and after (personal data masked).",
  filters: "Filter the trail",
  actor: "Actor (key or member id)",
  action: "Action or area (e.g. reward, review.ban)",
  from: "From",
  to: "To",
  apply: "Apply",
  export: "Export CSV",
  when: "When",
  who: "Who",
  what: "What",
  change: "Before → after",
  request: "Request",
  empty: "No changes match these filters.",
  more: "Show more",
  dashboard: "dashboard",
  key: "secret key",
  system: "system",
  member: "member",
};

export const auditText = catalog(en, () => import("./audit-strings.hi.ts"));
