/**
 * Signing in to the dashboard: the secret key for a signed, HttpOnly, SameSite=Strict cookie
 * (Secure whenever browsers reach the server over https), failed attempts throttled per address;
 * signing out revokes the session on the server, not only in the browser.
 */
import { z } from "@hono/zod-openapi";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { reachedOverHttps } from "../lib/urls.ts";
import { requireSecretKeyOrSession } from "../middleware/auth.ts";
import { throttleFailedSignIns } from "../middleware/rate-limit.ts";
import {
  signOut as endSession,
  sessionCookie,
  sessionTtlMs,
  signIn as startSession,
} from "../services/dashboard-sessions.ts";
import { serviceContext } from "./context.ts";

export const SessionInfo = z
  .object({ workspace: z.object({ id: z.string(), name: z.string() }), expiresAt: z.string().nullable() })
  .openapi("DashboardSession");
export type SessionInfo = z.infer<typeof SessionInfo>;

const signIn = apiRoute({
  method: "post",
  path: "/v1/dashboard/session",
  tags: ["Dashboard"],
  summary: "Sign in with the secret key; answers with a session cookie",
  description: "Failed attempts are limited per address (10 per 15 minutes; then 429 with Retry-After).",
  middleware: [throttleFailedSignIns] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": { schema: z.object({ secretKey: z.string().min(1).max(200) }).openapi("DashboardSignIn") },
      },
    },
  },
  responses: {
    200: { description: "Signed in (the cookie is set)", content: { "application/json": { schema: SessionInfo } } },
    ...errorResponses(401),
  },
});

const current = apiRoute({
  method: "get",
  path: "/v1/dashboard/session",
  tags: ["Dashboard"],
  summary: "The signed-in workspace",
  security: [{ dashboardSession: [] }],
  middleware: [requireSecretKeyOrSession] as const,
  responses: {
    200: { description: "Signed in", content: { "application/json": { schema: SessionInfo } } },
  },
});

const signOut = apiRoute({
  method: "delete",
  path: "/v1/dashboard/session",
  tags: ["Dashboard"],
  summary: "Sign out (ends the session on the server and clears the cookie)",
  responses: { 204: { description: "Signed out" } },
});

export const dashboardSessionRoutes = createRouter()
  .openapi(signIn, async (c) => {
    const { secretKey } = c.req.valid("json");
    const { cookie, workspace, expiresAt } = await startSession(serviceContext(c), { secretKey });
    setCookie(c, sessionCookie, cookie, {
      path: "/",
      httpOnly: true,
      sameSite: "Strict",
      secure: reachedOverHttps(c),
      maxAge: sessionTtlMs / 1000,
    });
    c.header("Cache-Control", "no-store");
    return c.json(
      {
        workspace: { id: workspace.id, name: workspace.name },
        expiresAt: new Date(expiresAt).toISOString(),
      },
      200,
    );
  })
  .openapi(current, (c) => {
    const { workspace } = c.var.auth;
    c.header("Cache-Control", "no-store");
    return c.json({ workspace: { id: workspace.id, name: workspace.name }, expiresAt: null }, 200);
  })
  .openapi(signOut, async (c) => {
    const value = getCookie(c, sessionCookie);
    if (value) await endSession(serviceContext(c), { value });
    deleteCookie(c, sessionCookie, { path: "/", secure: reachedOverHttps(c), httpOnly: true, sameSite: "Strict" });
    return c.body(null, 204);
  });
