/**
 * Team members and dashboard sessions for tests: `memberSession` makes (or reuses) a member with a
 * role and answers a session cookie `chorus_session=…`, as a passkey or link sign-in would, so
 * tests of other features need no sign-in ceremony.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { teamMembers } from "../../db/schema.ts";
import type { Role } from "../../server/lib/permissions.ts";
import { sessionCookie, startSession } from "../../server/services/dashboard-sessions.ts";
import { createLink } from "../../server/services/member-links.ts";
import { addMember, type TeamMember } from "../../server/services/team-members.ts";
import type { Clock } from "../../server/services/types.ts";
import { testConfig } from "./test-app.ts";

type Ctx = { db: Db; clock: Clock };

/** The member with this role's default address (`owner@team.test`, …), made on first use. */
export async function teamMember(
  ctx: Ctx,
  workspaceId: string,
  role: Role = "owner",
  email = `${role}@team.test`,
): Promise<TeamMember> {
  const [existing] = await ctx.db
    .select()
    .from(teamMembers)
    .where(and(eq(teamMembers.workspaceId, workspaceId), eq(teamMembers.emailKey, email.toLowerCase())));
  return existing ?? addMember(ctx, { workspaceId, email, role, joined: true });
}

/** A session cookie (`chorus_session=…`) of a member with `role`, live for 12 hours from the clock's now. */
export async function memberSession(ctx: Ctx, workspaceId: string, role: Role = "owner", email?: string) {
  const member = await teamMember(ctx, workspaceId, role, email);
  const { token } = await startSession(ctx, { member });
  return `${sessionCookie}=${token}`;
}

/**
 * A one-time dashboard link (`BASE/dashboard#link=TOKEN`) for a member with `role`, as
 * `chorus member add` prints one: for browser tests that open the dashboard signed in.
 */
export async function dashboardLink(
  ctx: Ctx & { secret?: string },
  baseUrl: string,
  workspaceId: string,
  role: Role = "owner",
  email?: string,
): Promise<string> {
  const member = await teamMember(ctx, workspaceId, role, email);
  const secret = ctx.secret ?? testConfig.secret;
  const { token } = await createLink({ ...ctx, secret }, { member, purpose: "sign-in", ttlMs: 3_600_000 });
  return `${baseUrl}/dashboard#link=${token}`;
}
