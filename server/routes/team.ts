/**
 * The Team page's API: the workspace's members (owners invite, change roles, remove), the
 * signed-in member's own passkeys (adding one is a WebAuthn registration against a challenge the
 * server keeps) and their own password. Who may call what is the permission table's (server/lib/permissions.ts).
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { ApiError, errorResponses } from "../errors.ts";
import { roles } from "../lib/permissions.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { publicBase } from "../lib/urls.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { sessionCookie } from "../services/dashboard-sessions.ts";
import type { registerPasskey } from "../services/passkeys.ts";
import type { TeamMember } from "../services/team-members.ts";
import type { AppEnv } from "../types.ts";
import { serviceContext, workspaceContext } from "./context.ts";

/**
 * The team, password and passkey services, loaded on first use: signing in and managing the team
 * are rare next to the API's other requests, and left out of the worker's cold start
 * (worker.build.ts) they keep it small.
 */
const memberLinks = () => import("../services/member-links.ts");
const memberPasswords = () => import("../services/member-passwords.ts");
const passkeyService = () => import("../services/passkeys.ts");
const teamMembers = () => import("../services/team-members.ts");

const Role = z.enum(roles).openapi("Role");
const Member = z
  .object({
    id: z.string(),
    email: z.string(),
    role: Role,
    status: z.enum(["invited", "active"]),
    createdAt: z.string(),
  })
  .openapi("TeamMember");
export type TeamMemberView = z.infer<typeof Member>;

const view = (member: TeamMember): TeamMemberView => ({
  id: member.id,
  email: member.email,
  role: member.role,
  status: member.joinedAt === null ? "invited" : "active",
  createdAt: new Date(member.createdAt).toISOString(),
});

const memberId = z.object({ id: z.string().min(1).max(64) });

const list = apiRoute({
  method: "get",
  path: "/v1/admin/members",
  tags: ["Team"],
  summary: "The workspace's team members and open invitations",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: {
    200: {
      description: "Members, oldest first",
      content: { "application/json": { schema: z.object({ items: z.array(Member) }).openapi("TeamMemberList") } },
    },
  },
});

const invite = apiRoute({
  method: "post",
  path: "/v1/admin/members",
  tags: ["Team"],
  summary: "Invite an address with a role (mails a one-time link that works for 7 days)",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({ email: z.string().min(3).max(254), role: Role, locale: z.enum(["en", "hi"]).default("en") })
            .strict()
            .openapi("TeamInvitation"),
        },
      },
    },
  },
  responses: {
    201: { description: "Invited", content: { "application/json": { schema: Member } } },
    ...errorResponses(409),
  },
});

const update = apiRoute({
  method: "patch",
  path: "/v1/admin/members/{id}",
  tags: ["Team"],
  summary: "Change a member's role (applies from their next request)",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    params: memberId,
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ role: Role }).strict().openapi("TeamRoleChange") } },
    },
  },
  responses: {
    200: { description: "Changed", content: { "application/json": { schema: Member } } },
    ...errorResponses(404, 409),
  },
});

const remove = apiRoute({
  method: "delete",
  path: "/v1/admin/members/{id}",
  tags: ["Team"],
  summary: "Remove a member: their sessions end at once, their passkeys and links go",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: { params: memberId },
  responses: { 204: { description: "Removed" }, ...errorResponses(404, 409) },
});

const Passkey = z
  .object({ id: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() })
  .openapi("TeamPasskey");

const passkeys = apiRoute({
  method: "get",
  path: "/v1/dashboard/passkeys",
  tags: ["Team"],
  summary: "The signed-in member's passkeys",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: {
    200: {
      description: "Passkeys",
      content: { "application/json": { schema: z.object({ items: z.array(Passkey) }).openapi("TeamPasskeyList") } },
    },
    ...errorResponses(403),
  },
});

const addOptions = apiRoute({
  method: "post",
  path: "/v1/dashboard/passkeys/options",
  tags: ["Team"],
  summary: "A WebAuthn challenge for adding a passkey (works once, for five minutes)",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: {
    200: {
      description: "Options for navigator.credentials.create()",
      content: {
        "application/json": {
          schema: z
            .object({ challengeId: z.string(), options: z.record(z.string(), z.unknown()) })
            .openapi("PasskeyRegistrationOptions"),
        },
      },
    },
    ...errorResponses(403),
  },
});

const add = apiRoute({
  method: "post",
  path: "/v1/dashboard/passkeys",
  tags: ["Team"],
  summary: "Add a passkey: the authenticator's answer to the challenge",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({ challengeId: z.string().min(1).max(64), response: z.record(z.string(), z.unknown()) })
            .openapi("PasskeyRegistration"),
        },
      },
    },
  },
  responses: {
    201: { description: "Added", content: { "application/json": { schema: z.object({ id: z.string() }) } } },
    ...errorResponses(401, 403, 409),
  },
});

const drop = apiRoute({
  method: "delete",
  path: "/v1/dashboard/passkeys/{id}",
  tags: ["Team"],
  summary: "Remove one of your passkeys",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: { params: z.object({ id: z.string().min(1).max(1400) }) },
  responses: { 204: { description: "Removed" }, ...errorResponses(403, 404) },
});

const password = apiRoute({
  method: "get",
  path: "/v1/dashboard/password",
  tags: ["Team"],
  summary: "Whether the signed-in member has a password",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: {
    200: {
      description: "Set or not (the hash is never shown)",
      content: { "application/json": { schema: z.object({ set: z.boolean() }).openapi("TeamPasswordStatus") } },
    },
    ...errorResponses(403),
  },
});

const OtherSessionsEnded = z.object({ endedSessions: z.number().int() }).openapi("TeamPasswordChanged");

const putPassword = apiRoute({
  method: "put",
  path: "/v1/dashboard/password",
  tags: ["Team"],
  summary: "Set or change your password (your other sessions end)",
  description:
    "At least 12 characters; the most common passwords, one repeated character and your own address are refused. Stored as a scrypt hash only.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({ password: z.string().min(1).max(1024) })
            .strict()
            .openapi("TeamPasswordChange"),
        },
      },
    },
  },
  responses: {
    200: { description: "Set", content: { "application/json": { schema: OtherSessionsEnded } } },
    ...errorResponses(403, 404),
  },
});

const dropPassword = apiRoute({
  method: "delete",
  path: "/v1/dashboard/password",
  tags: ["Team"],
  summary: "Remove your password (your other sessions end)",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: {
    200: { description: "Removed", content: { "application/json": { schema: OtherSessionsEnded } } },
    ...errorResponses(403, 404),
  },
});

/** Passkeys and passwords belong to a person: the secret key has none. */
function signedInMember(c: Context<AppEnv>) {
  const member = c.var.member;
  if (!member)
    throw new ApiError("forbidden", "Passkeys and passwords belong to a signed-in member, not to the secret key");
  return member;
}

export const teamRoutes = createRouter()
  .openapi(list, async (c) =>
    c.json({ items: (await (await teamMembers()).listMembers(workspaceContext(c))).map(view) }, 200),
  )
  .openapi(invite, async (c) => {
    const { email, role, locale } = c.req.valid("json");
    const member = await (await memberLinks()).inviteMember(workspaceContext(c), {
      email,
      role,
      locale,
      invitedBy: c.var.member?.id ?? null,
    });
    return c.json(view(member), 201);
  })
  .openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const { role } = c.req.valid("json");
    return c.json(view(await (await teamMembers()).changeRole(workspaceContext(c), { id, role })), 200);
  })
  .openapi(remove, async (c) => {
    await (await teamMembers()).removeMember(workspaceContext(c), c.req.valid("param"));
    return c.body(null, 204);
  })
  .openapi(passkeys, async (c) => {
    const items = await (await passkeyService()).listPasskeys(serviceContext(c), { member: signedInMember(c) });
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return c.json(
      {
        items: items.map((p) => ({
          id: p.id,
          createdAt: new Date(p.createdAt).toISOString(),
          lastUsedAt: iso(p.lastUsedAt),
        })),
      },
      200,
    );
  })
  .openapi(addOptions, async (c) => {
    c.header("Cache-Control", "no-store");
    const passkeys = await passkeyService();
    const options = await passkeys.registrationOptions(serviceContext(c), {
      member: signedInMember(c),
      rp: passkeys.relyingParty(publicBase(c)),
    });
    return c.json(options, 200);
  })
  .openapi(add, async (c) => {
    const { challengeId, response } = c.req.valid("json");
    const passkeys = await passkeyService();
    const added = await passkeys.registerPasskey(workspaceContext(c), {
      member: signedInMember(c),
      rp: passkeys.relyingParty(publicBase(c)),
      challengeId,
      // The library checks every field it reads; a malformed answer fails verification (401).
      response: response as unknown as Parameters<typeof registerPasskey>[1]["response"],
    });
    return c.json(added, 201);
  })
  .openapi(drop, async (c) => {
    await (await passkeyService()).removePasskey(workspaceContext(c), {
      member: signedInMember(c),
      id: c.req.valid("param").id,
    });
    return c.body(null, 204);
  })
  .openapi(password, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(
      await (await memberPasswords()).passwordStatus(serviceContext(c), { member: signedInMember(c) }),
      200,
    );
  })
  .openapi(putPassword, async (c) => {
    const member = signedInMember(c);
    const keepToken = getCookie(c, sessionCookie) ?? null;
    return c.json(
      await (await memberPasswords()).setPassword(workspaceContext(c), {
        member,
        password: c.req.valid("json").password,
        keepToken,
      }),
      200,
    );
  })
  .openapi(dropPassword, async (c) => {
    const member = signedInMember(c);
    return c.json(
      await (await memberPasswords()).removePassword(workspaceContext(c), {
        member,
        keepToken: getCookie(c, sessionCookie) ?? null,
      }),
      200,
    );
  });
