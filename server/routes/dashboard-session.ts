/**
 * Signing in to the dashboard as a team member: with a passkey, with a one-time link (mailed on
 * request, an invitation, or printed by the CLI), or with the member's own password where neither
 * is at hand. Every sign-in answers a session cookie:
 * HttpOnly, SameSite=Strict, Secure whenever browsers reach the server over https. Failed
 * attempts are throttled per address; asking for links counts every request. The secret key
 * signs nobody in: it is the servers' credential.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { errorResponses } from "../errors.ts";
import { allowedRoutes, roles } from "../lib/permissions.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { publicBase, reachedOverHttps } from "../lib/urls.ts";
import { requireDashboardHeader, requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { throttleFailedSignIns, throttleSignInRequests } from "../middleware/rate-limit.ts";
import { endSession, sessionCookie, sessionMaxMs } from "../services/dashboard-sessions.ts";
import type { signInWithPasskey } from "../services/passkeys.ts";
import { getWorkspace } from "../services/workspaces.ts";
import type { AppEnv } from "../types.ts";
import { serviceContext } from "./context.ts";

/**
 * The sign-in services (links, passwords, passkeys), loaded on first use: signing in is rare next
 * to the API's other requests, and left out of the worker's cold start (worker.build.ts) they keep
 * it small.
 */
const memberLinks = () => import("../services/member-links.ts");
const memberPasswords = () => import("../services/member-passwords.ts");
const passkeyService = () => import("../services/passkeys.ts");

export const SessionInfo = z
  .object({
    workspace: z.object({ id: z.string(), name: z.string() }),
    member: z
      .object({ id: z.string(), email: z.string(), role: z.enum(roles) })
      .nullable()
      .openapi({ description: "The signed-in member; null for the secret key (which acts as an owner)." }),
    expiresAt: z.string().nullable(),
    permissions: z
      .array(z.string())
      .openapi({ description: "The routes (`METHOD /path`) the caller's role may call, from the permission table." }),
  })
  .openapi("DashboardSession");
export type SessionInfo = z.infer<typeof SessionInfo>;

const SignedIn = z
  .object({
    workspace: z.object({ id: z.string(), name: z.string() }),
    member: z.object({ id: z.string(), email: z.string(), role: z.enum(roles) }),
    expiresAt: z.string(),
  })
  .openapi("DashboardSignedIn");

/** Sets the session cookie and answers who signed in. */
async function signedIn(
  c: Context<AppEnv>,
  session: {
    token: string;
    expiresAt: number;
    member: { id: string; email: string; role: (typeof roles)[number]; workspaceId: string };
  },
) {
  setCookie(c, sessionCookie, session.token, {
    path: "/",
    httpOnly: true,
    sameSite: "Strict",
    secure: reachedOverHttps(c),
    maxAge: sessionMaxMs / 1000,
  });
  c.header("Cache-Control", "no-store");
  const workspace = await getWorkspace(c.var.deps, { id: session.member.workspaceId });
  const { id, email, role } = session.member;
  return c.json(
    {
      workspace: { id: session.member.workspaceId, name: workspace?.name ?? "" },
      member: { id, email, role },
      expiresAt: new Date(session.expiresAt).toISOString(),
    },
    200,
  );
}

const current = apiRoute({
  method: "get",
  path: "/v1/dashboard/session",
  tags: ["Dashboard"],
  summary: "Who is signed in, in which workspace and role",
  security: secretKeyOrSession,
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

const askForLink = apiRoute({
  method: "post",
  path: "/v1/dashboard/links",
  tags: ["Dashboard"],
  summary: "Mail a one-time sign-in link to a team member's address",
  description:
    "Answers 202 whether or not the address belongs to a member. Requests are limited per address (10 per 15 minutes; then 429 with Retry-After). The link works once, for 15 minutes.",
  middleware: [throttleSignInRequests] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({ email: z.string().min(3).max(254), locale: z.enum(["en", "hi"]).default("en") })
            .openapi("DashboardLinkRequest"),
        },
      },
    },
  },
  responses: { 202: { description: "If the address is a member's, a link is on its way" } },
});

const useLink = apiRoute({
  method: "post",
  path: "/v1/dashboard/links/use",
  tags: ["Dashboard"],
  summary: "Sign in with a one-time link's token (a sign-in link, an invitation or the CLI's)",
  description: "Failed attempts are limited per address (10 per 15 minutes; then 429 with Retry-After).",
  middleware: [throttleFailedSignIns] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": { schema: z.object({ token: z.string().min(1).max(200) }).openapi("DashboardLinkUse") },
      },
    },
  },
  responses: {
    200: { description: "Signed in (the cookie is set)", content: { "application/json": { schema: SignedIn } } },
    ...errorResponses(401),
  },
});

const passkeyOptions = apiRoute({
  method: "post",
  path: "/v1/dashboard/passkey/options",
  tags: ["Dashboard"],
  summary: "A WebAuthn challenge for signing in with a passkey",
  description: "The challenge is kept on the server, works once and expires after five minutes.",
  middleware: [throttleFailedSignIns] as const,
  responses: {
    200: {
      description: "Options for navigator.credentials.get()",
      content: {
        "application/json": {
          schema: z
            .object({ challengeId: z.string(), options: z.record(z.string(), z.unknown()) })
            .openapi("PasskeyOptions"),
        },
      },
    },
  },
});

const passkeySignIn = apiRoute({
  method: "post",
  path: "/v1/dashboard/passkey",
  tags: ["Dashboard"],
  summary: "Sign in with a passkey: the authenticator's answer to the challenge",
  description: "Failed attempts are limited per address (10 per 15 minutes; then 429 with Retry-After).",
  middleware: [throttleFailedSignIns] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({ challengeId: z.string().min(1).max(64), response: z.record(z.string(), z.unknown()) })
            .openapi("PasskeySignIn"),
        },
      },
    },
  },
  responses: {
    200: { description: "Signed in (the cookie is set)", content: { "application/json": { schema: SignedIn } } },
    ...errorResponses(401),
  },
});

const passwordSignIn = apiRoute({
  method: "post",
  path: "/v1/dashboard/password/sign-in",
  tags: ["Dashboard"],
  summary: "Sign in with a team member's address and password",
  description:
    "An unknown address, a member without a password and a wrong password get the same 401. Failed attempts count in the same allowance per address as every other sign-in (10 per 15 minutes; then 429 with Retry-After). Needs `X-Chorus-Dashboard: 1`.",
  middleware: [throttleFailedSignIns, requireDashboardHeader] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({ email: z.string().min(3).max(254), password: z.string().min(1).max(1024) })
            .strict()
            .openapi("DashboardPasswordSignIn"),
        },
      },
    },
  },
  responses: {
    200: { description: "Signed in (the cookie is set)", content: { "application/json": { schema: SignedIn } } },
    ...errorResponses(401),
  },
});

export const dashboardSessionRoutes = createRouter()
  .openapi(current, (c) => {
    const { workspace } = c.var.auth;
    const member = c.var.member;
    c.header("Cache-Control", "no-store");
    return c.json(
      {
        workspace: { id: workspace.id, name: workspace.name },
        member: member ? { id: member.id, email: member.email, role: member.role } : null,
        expiresAt: null,
        permissions: allowedRoutes(member?.role ?? "owner"),
      },
      200,
    );
  })
  .openapi(signOut, async (c) => {
    const token = getCookie(c, sessionCookie);
    if (token) await endSession(c.var.deps, { token });
    deleteCookie(c, sessionCookie, { path: "/", secure: reachedOverHttps(c), httpOnly: true, sameSite: "Strict" });
    return c.body(null, 204);
  })
  .openapi(askForLink, async (c) => {
    const { email, locale } = c.req.valid("json");
    await (await memberLinks()).requestSignInLink(serviceContext(c), { email, locale });
    return c.body(null, 202);
  })
  .openapi(useLink, async (c) => {
    const { token } = c.req.valid("json");
    return signedIn(c, await (await memberLinks()).consumeLink(serviceContext(c), { token }));
  })
  .openapi(passkeyOptions, async (c) => {
    c.header("Cache-Control", "no-store");
    const passkeys = await passkeyService();
    return c.json(
      await passkeys.authenticationOptions(serviceContext(c), { rp: passkeys.relyingParty(publicBase(c)) }),
      200,
    );
  })
  .openapi(passkeySignIn, async (c) => {
    const { challengeId, response } = c.req.valid("json");
    const passkeys = await passkeyService();
    const session = await passkeys.signInWithPasskey(serviceContext(c), {
      rp: passkeys.relyingParty(publicBase(c)),
      challengeId,
      // The library checks every field it reads; a malformed answer fails verification (401).
      response: response as unknown as Parameters<typeof signInWithPasskey>[1]["response"],
    });
    return signedIn(c, session);
  })
  .openapi(passwordSignIn, async (c) => {
    const { email, password } = c.req.valid("json");
    return signedIn(c, await (await memberPasswords()).signInWithPassword(serviceContext(c), { email, password }));
  });
