/**
 * Who is calling. Each guard checks one kind of credential and puts the result on `c.var.auth`;
 * every later query is scoped to `c.var.auth.workspace.id` (tenant isolation starts here).
 */
import { deleteCookie, getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors.ts";
import { mayCall, rolesFor } from "../lib/permissions.ts";
import { refuses } from "../lib/refusals.ts";
import { publicBase, reachedOverHttps } from "../lib/urls.ts";
import { findKey } from "../services/api-keys.ts";
import { recordAudit } from "../services/audit.ts";
import { sessionCookie, sessionMember } from "../services/dashboard-sessions.ts";
import { verifyLearnerToken } from "../services/learner-tokens.ts";
import type { Workspace } from "../services/types.ts";
import type { AppEnv } from "../types.ts";

function bearer(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1] ?? null;
}

/** `Authorization: Bearer sk_…`: server-to-server calls. */
export const requireSecretKey = createMiddleware<AppEnv>(async (c, next) => {
  const key = bearer(c.req.header("Authorization"));
  if (!key?.startsWith("sk_")) {
    throw new ApiError("unauthorized", "Send the secret key as `Authorization: Bearer sk_…`", undefined, {
      "WWW-Authenticate": 'Bearer realm="chorus"',
    });
  }
  const found = await findKey(c.var.deps, { key });
  if (found.status !== "valid" || found.kind !== "secret") {
    throw new ApiError("unauthorized", found.status === "revoked" ? "This key was revoked" : "Unknown secret key");
  }
  c.set("auth", { kind: "secret", workspace: found.workspace, keyId: found.keyId });
  await next();
});
refuses(requireSecretKey, [401]);

/**
 * The origin check only binds browsers (anyone can forge Origin from a script), which is its
 * purpose: another website cannot embed this workspace's widgets. Requests without an Origin
 * header are not cross-site browser requests and pass.
 */
export function originAllowed(workspace: Workspace, origin: string | null, selfOrigin: string): boolean {
  if (origin === null) return true;
  return origin === selfOrigin || workspace.settings.allowedOrigins.includes(origin);
}

/** `Chorus-Key: pk_…` from one of the workspace's allowed origins: widgets and the loader. */
export const requirePublishableKey = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("Chorus-Key");
  if (!key?.startsWith("pk_"))
    throw new ApiError("unauthorized", "Send the publishable key in the `Chorus-Key` header");
  const found = await findKey(c.var.deps, { key });
  if (found.status !== "valid" || found.kind !== "publishable") {
    throw new ApiError("unauthorized", found.status === "revoked" ? "This key was revoked" : "Unknown publishable key");
  }
  const origin = c.req.header("Origin") ?? null;
  const selfOrigin = publicBase(c);
  if (!originAllowed(found.workspace, origin, selfOrigin)) {
    throw new ApiError("forbidden", `Origin ${origin} is not allowed for this key`, {
      hint: "Add it to the workspace's allowed origins (PATCH /v1/admin/program or the dashboard settings).",
    });
  }
  c.set("auth", { kind: "publishable", workspace: found.workspace, origin });
  await next();
});
refuses(requirePublishableKey, [401, 403]);

/** `Authorization: Bearer JWT` beside the publishable key: the learner the widget acts for. */
export const requireLearnerToken = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearer(c.req.header("Authorization"));
  if (!token) throw new ApiError("unauthorized", "Send the learner token as `Authorization: Bearer …`");
  const { workspace } = c.var.auth;
  c.set("learner", await verifyLearnerToken({ clock: c.var.deps.clock, workspace }, { token }));
  await next();
});
refuses(requireLearnerToken, [401]);

/** The header the dashboard sends on every change: a cross-site form or image cannot set it. */
const readMethods = ["GET", "HEAD"];

export const dashboardHeader = "X-Chorus-Dashboard";

/**
 * The secret key (acting as an owner), or a team member's session cookie, whose role must be
 * allowed for this route by the permission table (server/lib/permissions.ts); the member is read
 * on every request, so a removed member is refused at once and a new role applies at once.
 * Changes made with a cookie also need the `X-Chorus-Dashboard: 1` header: with SameSite=Strict
 * that is a second lock against CSRF.
 */
export const requireSecretKeyOrSession = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header("Authorization") !== undefined) return requireSecretKey(c, next);
  const token = getCookie(c, sessionCookie);
  if (!token)
    throw new ApiError(
      "unauthorized",
      "Send the secret key as `Authorization: Bearer sk_…` (or sign in to the dashboard)",
      undefined,
      { "WWW-Authenticate": 'Bearer realm="chorus"' },
    );
  const { db, clock } = c.var.deps;
  const signedIn = await sessionMember({ db, clock }, { token });
  if (!signedIn) {
    deleteCookie(c, sessionCookie, { path: "/", secure: reachedOverHttps(c) });
    throw new ApiError("unauthorized", "The dashboard session is not valid any more: sign in again");
  }
  if (!readMethods.includes(c.req.method) && c.req.header(dashboardHeader) !== "1")
    throw new ApiError("forbidden", `Changes from the dashboard need the header \`${dashboardHeader}: 1\``);
  const { member, workspace } = signedIn;
  if (!mayCall(member.role, c.req.method, c.req.routePath)) {
    // A member trying a route above their role is something the owner should be able to see.
    await recordAudit(
      {
        tx: db,
        workspace,
        clock,
        audit: { actor: { kind: "member", id: member.id }, requestId: c.var.requestId ?? null },
      },
      { action: "access.refused", after: { method: c.req.method, route: c.req.routePath, role: member.role } },
    );
    throw new ApiError("forbidden", `Your role (${member.role}) does not allow this`, {
      reason: "role",
      role: member.role,
      allowed: rolesFor(c.req.method === "HEAD" ? "GET" : c.req.method, c.req.routePath) ?? [],
    });
  }
  c.set("auth", { kind: "member", workspace, member });
  c.set("member", member);
  await next();
});
refuses(requireSecretKeyOrSession, () => [401, 403]);

/**
 * `X-Chorus-Dashboard: 1` on a sign-in that takes a password: the header rule of every other
 * change, so another site cannot post a form that signs the browser into someone else's account.
 */
export const requireDashboardHeader = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header(dashboardHeader) !== "1")
    throw new ApiError("forbidden", `Signing in from the dashboard needs the header \`${dashboardHeader}: 1\``);
  await next();
});
refuses(requireDashboardHeader, [403]);

/** The OpenAPI `security` of routes guarded by requireSecretKeyOrSession. */
export const secretKeyOrSession: Record<string, string[]>[] = [{ secretKey: [] }, { dashboardSession: [] }];
