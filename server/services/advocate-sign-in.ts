/**
 * Signing in on the hosted advocate page (`/p/SLUG`) with a magic link, for learners of providers
 * that run no server of their own to sign learner tokens.
 *
 * Asking: every well-formed address gets the same answer and costs the same work (one lookup,
 * one write of a `magic_links` row per address and window), whether it may sign in or not, so
 * the page cannot be used to find out who is a learner. Only an address the workspace's policy
 * admits gets a mail, through the outbox (category `sign-in`), and at most one per address per
 * window: the row's unique (workspace, address hash, window) holds concurrent requests too.
 *
 * Following: the link's token (derived from the row id with the server secret, stored only as a
 * hash) is good once, for 15 minutes, in any browser, and becomes a learner session: a random
 * token in an HttpOnly cookie, its hash in `learner_sessions`, ended by idleness, an absolute
 * expiry, sign-out or the learner's erasure.
 */
import { and, asc, eq, gt, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { conversions, learnerSessions, learners, magicLinks, workspaces } from "../../db/schema.ts";
import { sha256Hex } from "../lib/crypto.ts";
import { newId, secretToken } from "../lib/ids.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { DomainError } from "./errors.ts";
import { emailHash, exactEmailHash, upsertLearner } from "./learners.ts";
import { magicLinkToken, magicLinkTokenHash } from "./magic-link-token.ts";
import { enqueueMail, isSendableAddress } from "./mail-outbox.ts";
import type { MailLocale } from "./mail-templates.ts";
import type { Learner, SecretContext, ServiceContext, Workspace, WorkspaceContext } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

/** A link works this long after it was asked for. */
export const magicLinkTtlMs = 15 * 60_000;
/** One mail per address per window, however many requests arrive in it. */
export const signInWindowMs = 5 * 60_000;
/** A session ends after this long without a visit… */
export const sessionIdleMs = 7 * 24 * 3_600_000;
/** …and after this long in any case. */
export const sessionMaxMs = 30 * 24 * 3_600_000;

/** The workspace whose hosted page is `/p/SLUG`, or not found (the same for no slug and a foreign one). */
export async function workspaceBySlug(
  { db }: Pick<ServiceContext, "db">,
  { slug }: { slug: string },
): Promise<Workspace> {
  const [row] = await db.select().from(workspaces).where(sql`(${workspaces.settings} ->> '$.slug') = ${slug}`);
  if (!row) throw new DomainError("not_found", "There is no advocate page at this address");
  return parseWorkspace(row);
}

/**
 * An address the page accepts: one plain ASCII mailbox (what the outbox can send to). Refused:
 * `a@b`, local parts over 64 characters, line breaks, spaces, and any non-ASCII character, so an
 * address that only looks like another (Cyrillic `а` for Latin `a`) is never a second spelling.
 */
export function acceptableAddress(email: string): boolean {
  return !/[^\u0021-\u007e]/.test(email) && isSendableAddress(email);
}

/** Who the address signs in as, under the workspace's policy; null when nobody. */
async function subjectFor(ctx: WorkspaceContext & SecretContext, email: string): Promise<string | null> {
  const { db, workspace, secret } = ctx;
  const hashes = [...new Set([emailHash(secret, email), exactEmailHash(secret, email)])];
  // A learner the provider named in a token (or a completion) with this address.
  const [learner] = await db
    .select({ externalId: learners.externalId })
    .from(learners)
    .where(and(eq(learners.workspaceId, workspace.id), inArray(learners.emailHash, hashes), isNull(learners.erasedAt)))
    .orderBy(asc(learners.createdAt))
    .limit(1);
  if (learner) return learner.externalId;
  // A customer of a conversion (API, Stripe or another integration) with this address.
  const [customer] = await db
    .select({ customerId: conversions.customerId })
    .from(conversions)
    .where(and(eq(conversions.workspaceId, workspace.id), inArray(conversions.customerEmailHash, hashes)))
    .orderBy(asc(conversions.occurredAt))
    .limit(1);
  if (customer) return customer.customerId;
  const { policy, domains } = workspace.settings.advocateSignIn;
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  const admitted = policy === "anyone" || (policy === "domains" && domains.includes(domain));
  // Someone new starts with no history, under the id guest checkouts get (stripe.ts).
  return admitted ? `email:${emailHash(secret, email)}` : null;
}

/**
 * `POST /p/SLUG/sign-in`: a magic link for `email`, if the policy admits it and none was sent to
 * it in this window. Answers nothing either way (the caller shows the same page).
 */
export async function requestSignIn(
  ctx: WorkspaceContext & SecretContext,
  input: { email: string; locale: MailLocale },
): Promise<void> {
  const { db, workspace, secret, clock } = ctx;
  const email = input.email.trim();
  if (!acceptableAddress(email))
    throw new DomainError("invalid_request", "That is not an email address we can send to", { field: "email" });
  const slug = workspace.settings.slug;
  if (!slug) throw new DomainError("not_found", "There is no advocate page at this address");
  const subject = await subjectFor(ctx, email);
  const now = clock.now().getTime();
  const id = `mlk_${crypto.randomUUID().replaceAll("-", "")}`;
  const tokenHash = await magicLinkTokenHash(magicLinkToken(secret, id));
  const hash = emailHash(secret, email);
  await writeTransaction(db, async (tx) => {
    // Links of this workspace past their expiry go as new ones come: the table holds live ones.
    await tx.delete(magicLinks).where(and(eq(magicLinks.workspaceId, workspace.id), lte(magicLinks.expiresAt, now)));
    const [written] = await tx
      .insert(magicLinks)
      .values({
        id,
        workspaceId: workspace.id,
        emailHash: hash,
        window: now - (now % signInWindowMs),
        subject,
        tokenHash,
        expiresAt: now + magicLinkTtlMs,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: magicLinks.id });
    if (!written || subject === null) return;
    await enqueueMail(
      { tx, clock },
      {
        workspaceId: workspace.id,
        key: `sign-in:${id}`,
        category: "sign-in",
        template: "sign-in",
        locale: input.locale,
        data: { linkId: id, slug, minutes: magicLinkTtlMs / 60_000 },
        learnerId: null,
        to: { name: null, address: email },
        toHash: hash,
      },
    );
  });
}

/** A used, expired, unknown or foreign link: all alike, so a link says nothing of another workspace. */
export const linkGone = () =>
  new DomainError("unauthorized", "This sign-in link has expired or was already used", { reason: "link_gone" });

/** The live, unused link a token names in this workspace; anything else is one clear refusal. */
async function liveLink(ctx: WorkspaceContext, token: string) {
  const { db, workspace, clock } = ctx;
  if (!/^[0-9a-f]{64}$/.test(token)) throw linkGone();
  const [link] = await db
    .select()
    .from(magicLinks)
    .where(and(eq(magicLinks.tokenHash, await magicLinkTokenHash(token)), eq(magicLinks.workspaceId, workspace.id)));
  if (!link || link.subject === null || link.usedAt !== null || link.expiresAt <= clock.now().getTime())
    throw linkGone();
  return { ...link, subject: link.subject };
}

/** `GET /p/SLUG/link`: whether the link would sign in, without using it (link scanners follow GETs). */
export async function checkMagicLink(ctx: WorkspaceContext, { token }: { token: string }): Promise<void> {
  await liveLink(ctx, token);
}

/**
 * `POST /p/SLUG/link`: uses the link (once: the UPDATE that marks it used is the only way past,
 * so two browsers racing with one link get one session) and starts a session for its learner.
 * Every other unused link of that address goes with it.
 */
export async function consumeMagicLink(
  ctx: WorkspaceContext & SecretContext,
  { token }: { token: string },
): Promise<{ sessionToken: string; expiresAt: number }> {
  const { db, workspace, clock } = ctx;
  const link = await liveLink(ctx, token);
  const now = clock.now().getTime();
  const used = await db
    .update(magicLinks)
    .set({ usedAt: now })
    .where(and(eq(magicLinks.id, link.id), isNull(magicLinks.usedAt), gt(magicLinks.expiresAt, now)))
    .returning({ id: magicLinks.id });
  if (used.length === 0) throw linkGone();
  const learner = await upsertLearner(ctx, { sub: link.subject });
  if (learner.erasedAt !== null) throw linkGone();
  const sessionToken = secretToken();
  const expiresAt = now + sessionMaxMs;
  await db.batch([
    db
      .update(magicLinks)
      .set({ usedAt: now })
      .where(
        and(
          eq(magicLinks.workspaceId, workspace.id),
          eq(magicLinks.emailHash, link.emailHash),
          isNull(magicLinks.usedAt),
        ),
      ),
    db
      .delete(learnerSessions)
      .where(
        and(
          eq(learnerSessions.workspaceId, workspace.id),
          or(lte(learnerSessions.expiresAt, now), lte(learnerSessions.lastSeenAt, now - sessionIdleMs)),
        ),
      ),
    db.insert(learnerSessions).values({
      id: newId("ses"),
      workspaceId: workspace.id,
      learnerId: learner.id,
      tokenHash: await sessionTokenHash(sessionToken),
      lastSeenAt: now,
      expiresAt,
      createdAt: now,
    }),
  ]);
  return { sessionToken, expiresAt };
}

/** What `learner_sessions` stores of a session's cookie. */
export const sessionTokenHash = (token: string) => sha256Hex(`learner-session:${token}`);

/**
 * The learner a session cookie stands for in this workspace, or null (unknown, expired, idle too
 * long, another workspace's, or an erased learner's). A visit keeps the session alive.
 */
export async function sessionLearner(ctx: WorkspaceContext, { token }: { token: string }): Promise<Learner | null> {
  const { db, workspace, clock } = ctx;
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const now = clock.now().getTime();
  const [row] = await db
    .select({ session: learnerSessions, learner: learners })
    .from(learnerSessions)
    .innerJoin(learners, eq(learners.id, learnerSessions.learnerId))
    .where(
      and(eq(learnerSessions.tokenHash, await sessionTokenHash(token)), eq(learnerSessions.workspaceId, workspace.id)),
    );
  if (!row || row.learner.workspaceId !== workspace.id || row.learner.erasedAt !== null) return null;
  if (row.session.expiresAt <= now || row.session.lastSeenAt <= now - sessionIdleMs) return null;
  await db.update(learnerSessions).set({ lastSeenAt: now }).where(eq(learnerSessions.id, row.session.id));
  return row.learner;
}

/** Signing out: the session's row goes, so a copy of the cookie opens nothing either. */
export async function endLearnerSession(ctx: WorkspaceContext, { token }: { token: string }): Promise<void> {
  await ctx.db
    .delete(learnerSessions)
    .where(
      and(
        eq(learnerSessions.tokenHash, await sessionTokenHash(token)),
        eq(learnerSessions.workspaceId, ctx.workspace.id),
      ),
    );
}
