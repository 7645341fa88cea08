/**
 * One-time links into the dashboard: an invitation (an owner invites an address with a role), a
 * sign-in link mailed to a member who asks (the fallback when they have no passkey at hand), and
 * the CLI's first link for a new owner. Tokens are made as the advocate page's magic links are
 * (magic-link-token.ts): derived from the row id with the server secret, only their hash stored.
 * A link works once (the UPDATE that marks it used is the only way past) and expires.
 */
import { and, eq, gt, isNull, lte } from "drizzle-orm";
import { memberLinks, teamMembers } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { startSession } from "./dashboard-sessions.ts";
import { DomainError } from "./errors.ts";
import { magicLinkToken, magicLinkTokenHash } from "./magic-link-token.ts";
import { enqueueMail } from "./mail-outbox.ts";
import type { MailLocale } from "./mail-templates.ts";
import type { DbOrTx } from "./outbox.ts";
import { addMember, emailKey, type TeamMember } from "./team-members.ts";
import type { Clock, SecretContext, ServiceContext, WorkspaceContext } from "./types.ts";

/** An emailed sign-in link works this long… */
export const signInLinkTtlMs = 15 * 60_000;
/** …an invitation this long… */
export const invitationTtlMs = 7 * 24 * 3_600_000;
/** …and the link the CLI prints for a new member this long. */
export const cliLinkTtlMs = 24 * 3_600_000;

type Purpose = (typeof memberLinks.$inferSelect)["purpose"];

/**
 * Writes a link for a member (on the database, or inside the caller's transaction); answers its
 * id and token (the mail makes the token again from the id when it is sent).
 */
export async function createLink(
  { db, clock, secret }: { db: DbOrTx; clock: Clock } & SecretContext,
  input: { member: Pick<TeamMember, "id" | "workspaceId">; purpose: Purpose; ttlMs: number },
): Promise<{ linkId: string; token: string }> {
  const now = clock.now().getTime();
  const linkId = newId("mbl");
  const token = magicLinkToken(secret, linkId);
  const tokenHash = await magicLinkTokenHash(token);
  // Expired links of the workspace go as new ones come: the table holds live ones.
  await db
    .delete(memberLinks)
    .where(and(eq(memberLinks.workspaceId, input.member.workspaceId), lte(memberLinks.expiresAt, now)));
  await db.insert(memberLinks).values({
    id: linkId,
    workspaceId: input.member.workspaceId,
    memberId: input.member.id,
    purpose: input.purpose,
    tokenHash,
    expiresAt: now + input.ttlMs,
    createdAt: now,
  });
  return { linkId, token };
}

/**
 * An owner invites an address with a role: a member not yet joined, a link, its audit row and the
 * mail, written in one transaction (all or none).
 */
export async function inviteMember(
  ctx: WorkspaceContext & SecretContext,
  input: { email: string; role: string; locale: MailLocale; invitedBy: string | null },
): Promise<TeamMember> {
  return writeTransaction(ctx.db, async (tx) => {
    const member = await addMember(
      { ...ctx, db: tx },
      {
        workspaceId: ctx.workspace.id,
        email: input.email,
        role: input.role,
        joined: false,
      },
    );
    const { linkId } = await createLink({ ...ctx, db: tx }, { member, purpose: "invite", ttlMs: invitationTtlMs });
    await recordAudit(
      { ...ctx, tx },
      { action: "member.invite", targetId: member.id, after: { email: member.email, role: member.role } },
    );
    await enqueueMail(
      { tx, clock: ctx.clock },
      {
        workspaceId: ctx.workspace.id,
        key: `team-link:${linkId}`,
        category: "sign-in",
        template: "team-link",
        locale: input.locale,
        data: { linkId, purpose: "invite", role: member.role, days: invitationTtlMs / 86_400_000, minutes: 0 },
        learnerId: null,
        to: { name: null, address: member.email },
        toHash: `member:${member.id}`,
      },
    );
    return member;
  });
}

/**
 * A member asks for a sign-in link by address: one mail per workspace the address belongs to.
 * The answer is the same whether the address is a member or not (the route says nothing).
 */
export async function requestSignInLink(
  ctx: ServiceContext & SecretContext,
  input: { email: string; locale: MailLocale },
): Promise<void> {
  const members = await ctx.db
    .select()
    .from(teamMembers)
    .where(eq(teamMembers.emailKey, emailKey(input.email)));
  for (const member of members) {
    const { linkId } = await createLink(ctx, { member, purpose: "sign-in", ttlMs: signInLinkTtlMs });
    await enqueueMail(
      { tx: ctx.db, clock: ctx.clock },
      {
        workspaceId: member.workspaceId,
        key: `team-link:${linkId}`,
        category: "sign-in",
        template: "team-link",
        locale: input.locale,
        data: { linkId, purpose: "sign-in", role: member.role, days: 0, minutes: signInLinkTtlMs / 60_000 },
        learnerId: null,
        to: { name: null, address: member.email },
        toHash: `member:${member.id}`,
      },
    );
  }
}

/** A used, expired, unknown or forged link: all alike. */
const linkGone = () =>
  new DomainError("unauthorized", "This sign-in link has expired or was already used", { reason: "link_gone" });

/**
 * Uses a link (once: two browsers racing with one link get one session) and starts a session for
 * its member; an invitation's member has joined from then on.
 */
export async function consumeLink(
  ctx: ServiceContext,
  { token }: { token: string },
): Promise<{ token: string; expiresAt: number; member: TeamMember }> {
  const { db, clock } = ctx;
  if (!/^[0-9a-f]{64}$/.test(token)) throw linkGone();
  const now = clock.now().getTime();
  const [used] = await db
    .update(memberLinks)
    .set({ usedAt: now })
    .where(
      and(
        eq(memberLinks.tokenHash, await magicLinkTokenHash(token)),
        isNull(memberLinks.usedAt),
        gt(memberLinks.expiresAt, now),
      ),
    )
    .returning();
  if (!used) throw linkGone();
  const [member] = await db
    .select()
    .from(teamMembers)
    .where(and(eq(teamMembers.id, used.memberId), eq(teamMembers.workspaceId, used.workspaceId)));
  if (!member) throw linkGone();
  if (member.joinedAt === null)
    await db.update(teamMembers).set({ joinedAt: now }).where(eq(teamMembers.id, member.id));
  const session = await startSession(ctx, { member });
  return { ...session, member: { ...member, joinedAt: member.joinedAt ?? now } };
}
