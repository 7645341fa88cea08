/**
 * Who may call which dashboard and admin route: the one table that decides it. Keys are
 * "METHOD /path/{param}" as the OpenAPI document names routes; values are the roles allowed.
 * The secret key acts as an owner (it is the server's credential). A route guarded by a session
 * and missing here is refused to every member (and fails tests/api/team.permissions.test.ts).
 */
export const roles = ["owner", "marketer", "moderator", "finance", "viewer"] as const;
export type Role = (typeof roles)[number];

const all: readonly Role[] = roles;
const owner: readonly Role[] = ["owner"];
const marketing: readonly Role[] = ["owner", "marketer"];
const moderation: readonly Role[] = ["owner", "moderator"];
const finance: readonly Role[] = ["owner", "finance"];

/** What each role is for, as the README and the Team page say it. */
export const roleSummaries: Record<Role, string> = {
  owner: "everything, including keys, members and erasure",
  marketer: "analytics, exports, courses, offers and program settings",
  moderator: "stories",
  finance: "rewards and payouts",
  viewer: "read only",
};

export const permissions: Record<string, readonly Role[]> = {
  // Who is signed in, and the Team page.
  "GET /v1/dashboard/session": all,
  "GET /v1/dashboard/passkeys": all,
  "POST /v1/dashboard/passkeys/options": all,
  "POST /v1/dashboard/passkeys": all,
  "DELETE /v1/dashboard/passkeys/{id}": all,
  // Each member's own password (the fallback sign-in): their own, whatever their role.
  "GET /v1/dashboard/password": all,
  "PUT /v1/dashboard/password": all,
  "DELETE /v1/dashboard/password": all,
  "GET /v1/admin/members": all,
  "POST /v1/admin/members": owner,
  "PATCH /v1/admin/members/{id}": owner,
  "DELETE /v1/admin/members/{id}": owner,
};

/** Adds routes to the table (each resource's block below keeps the table readable). */
function allow(entries: Record<string, readonly Role[]>) {
  Object.assign(permissions, entries);
}

allow({
  "GET /v1/admin/program": all,
  "PATCH /v1/admin/program": marketing,
  "GET /v1/admin/courses": all,
  "PUT /v1/admin/courses/{slug}": marketing,
  // Offers: vanity codes and friend coupons.
  "GET /v1/admin/reserved-codes": all,
  "PUT /v1/admin/reserved-codes/{name}": marketing,
  "DELETE /v1/admin/reserved-codes/{name}": marketing,
  "GET /v1/admin/friend-coupons": all,
  "POST /v1/admin/friend-coupons/pool": marketing,
  "POST /v1/admin/friend-coupons/retry": marketing,
});

allow({
  "GET /v1/analytics/funnel": all,
  "GET /v1/analytics/breakdown": all,
  "GET /v1/analytics/k-factor": all,
  "GET /v1/analytics/time-to-convert": all,
  "GET /v1/analytics/advocates": all,
  "GET /v1/analytics/timeseries": all,
  "GET /v1/analytics/conversions": all,
  // A file of every conversion leaves the dashboard: the people who work with the figures only.
  "GET /v1/analytics/export.csv": marketing,
  "GET /v1/admin/mail": all,
});

allow({
  "GET /v1/admin/stories": all,
  "GET /v1/admin/stories/{id}/photo": all,
  "GET /v1/admin/stories/{id}/video": all,
  "GET /v1/admin/stories/{id}/poster": all,
  "PATCH /v1/admin/stories/{id}": moderation,
  // Importing earlier testimonials adds stories to moderate: the moderators' work.
  "POST /v1/admin/stories/imports/preview": moderation,
  "POST /v1/admin/stories/imports": moderation,
  // Erasing a story's author is erasure: the owner's.
  "DELETE /v1/admin/stories/{id}": owner,
});

allow({
  "GET /v1/admin/rewards": all,
  "POST /v1/admin/rewards/{id}/approve": finance,
  "POST /v1/admin/rewards/{id}/void": finance,
  "POST /v1/admin/rewards/{id}/issue": finance,
});

// The fraud review queue: held conversions and rewards are money, so finance decides them.
allow({
  "GET /v1/admin/review": all,
  "POST /v1/admin/review/decisions": finance,
  "POST /v1/admin/review/{id}/notes": finance,
  "GET /v1/admin/blocks": all,
  "POST /v1/admin/blocks": finance,
  "DELETE /v1/admin/blocks/{id}": finance,
});

// Payouts: the batch files hold where people are paid, in clear.
allow({
  "GET /v1/admin/payouts": finance,
  "POST /v1/admin/payouts/batches": finance,
  "GET /v1/admin/payouts/batches": finance,
  "GET /v1/admin/payouts/batches/{id}/file": finance,
});

// The audit trail says who did what to whom: the owner's to read.
allow({
  "GET /v1/admin/audit": owner,
  "GET /v1/admin/audit/export": owner,
});

// Keys and secrets (Stripe key, webhook and connector signing secrets): owners only.
allow({
  "PUT /v1/admin/stripe/api-key": owner,
  "DELETE /v1/admin/stripe/api-key": owner,
  "GET /v1/admin/webhooks": all,
  "POST /v1/admin/webhooks": owner,
  "DELETE /v1/admin/webhooks/{id}": owner,
  "POST /v1/admin/webhooks/{id}/resume": owner,
  "GET /v1/admin/webhooks/{id}/deliveries": all,
  "POST /v1/admin/webhooks/{id}/deliveries/{eventId}/resend": owner,
  "GET /v1/admin/integrations": all,
  "POST /v1/admin/integrations": owner,
  "POST /v1/admin/integrations/test": owner,
  "PATCH /v1/admin/integrations/{id}": owner,
  "DELETE /v1/admin/integrations/{id}": owner,
  "POST /v1/admin/integrations/{id}/rotate": owner,
  "GET /v1/admin/integrations/{id}/events": all,
});

/** The OpenAPI path pattern of a router path (`:id` becomes `{id}`). */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

/** The roles a route allows; null when the table has no entry for it. */
export function rolesFor(method: string, path: string): readonly Role[] | null {
  return permissions[`${method.toUpperCase()} ${openApiPath(path)}`] ?? null;
}

/** Whether `role` may call the route (no entry: nobody but the secret key). */
export function mayCall(role: Role, method: string, path: string): boolean {
  return rolesFor(method === "HEAD" ? "GET" : method, path)?.includes(role) ?? false;
}

/** Every route key the role may call: what the dashboard shows or hides (the server still decides). */
export function allowedRoutes(role: Role): string[] {
  return Object.entries(permissions)
    .filter(([, allowed]) => allowed.includes(role))
    .map(([route]) => route);
}
