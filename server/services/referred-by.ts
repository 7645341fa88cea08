/**
 * "Who referred you?": a friend who never clicked a link (told in person, on a call) names their
 * referrer by email or by name and course, and that becomes a referral for their browser: a click
 * like a link's (source `named`), so a later conversion that sends its click id attributes to the
 * referrer and the decision log says "named by the friend".
 *
 * It must not become a way to list learners, so a question answers the same whether or not anyone
 * matched: the same status, the same fields, built from what the friend typed only (the initial
 * of the typed name, the course's title), and an opaque one-time token either way. Both cost the
 * same queries: one candidate search and one insert. Only the server knows, in the token's row,
 * whether it named someone. Confirming the token (from the same browser, once, within the hour)
 * answers a click id either way too: a real click for a match, for no match an id no click has,
 * which a conversion then finds nothing for. Matching is exact and unambiguous: the normalised
 * email's salted hash (as learners' are stored), or the full name plus the course of the learner's
 * referral code with exactly one such learner (two or more is no match: nobody is guessed).
 * The self-referral rules apply at conversion as to any click (the click keeps the visitor's
 * hashes). Rate limited per visitor and per workspace (`rateLimits.referredBy`).
 */
import { and, asc, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { courses, learners, referralCodes, referredByAnswers } from "../../db/schema.ts";
import { sha256Hex } from "../lib/crypto.ts";
import { newClickId, newId, newSecret } from "../lib/ids.ts";
import { isAutomated } from "./clicks.ts";
import { DomainError } from "./errors.ts";
import { emailHash, exactEmailHash } from "./learners.ts";
import type { LinkContext } from "./links.ts";
import type { SecretContext, Visitor, WorkspaceContext } from "./types.ts";
import { visitorHash } from "./visitors.ts";

/** How long the friend has to confirm. */
export const referredByTokenMs = 60 * 60 * 1000;

/** What the friend typed: an email, or a name with the course. */
export type ReferredByQuestion = { email: string; course?: string | undefined } | { name: string; course: string };

/** The same for a match and for none: what the friend is asked to confirm, from their own words. */
export type ReferredByAnswer = {
  token: string;
  confirm: { initial: string | null; course: string | null };
};

/**
 * Names compare trimmed, with runs of spaces as one, ASCII letters in lower case: the form SQLite's
 * lower(trim()) gives the stored name, whose other letters (Devanagari has no case) stay as typed.
 */
export function nameKey(name: string): string {
  return name
    .normalize("NFC")
    .trim()
    .replace(/\s+/g, " ")
    .replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/** The first letter of the typed name, upper-cased: all the confirmation shows ("Is it P. from …?"). */
function initialOf(name: string): string {
  const [first = ""] = name.trim();
  return first.toLocaleUpperCase("en");
}

const tokenHash = (token: string) => sha256Hex(`referred-by:${token}`);

type Candidate = { learnerId: string; codeId: string };

/** At most one referrer: every candidate row is of one learner, else nobody. */
function onlyOne(rows: Candidate[]): string | null {
  const learnersFound = new Set(rows.map((row) => row.learnerId));
  return learnersFound.size === 1 ? (rows[0]?.codeId ?? null) : null;
}

/**
 * Learners with a live referral code, as (learner, code) rows: by email hash (their code for the
 * course first, then their all-courses one), or by name with a code for that course. One query.
 */
async function candidates(ctx: WorkspaceContext & SecretContext, question: ReferredByQuestion): Promise<Candidate[]> {
  const { db, workspace, secret } = ctx;
  const course = question.course ?? "";
  const who =
    "email" in question
      ? inArray(learners.emailHash, [emailHash(secret, question.email), exactEmailHash(secret, question.email)])
      : and(sql`lower(trim(${learners.name})) = ${nameKey(question.name)}`, eq(referralCodes.course, course));
  return db
    .select({ learnerId: learners.id, codeId: referralCodes.id })
    .from(learners)
    .innerJoin(
      referralCodes,
      and(
        eq(referralCodes.workspaceId, workspace.id),
        eq(referralCodes.learnerId, learners.id),
        isNull(referralCodes.disabledAt),
      ),
    )
    .where(and(eq(learners.workspaceId, workspace.id), isNull(learners.erasedAt), who))
    .orderBy(
      desc(sql`${referralCodes.course} = ${course}`),
      desc(sql`${referralCodes.course} = ''`),
      asc(referralCodes.kind),
      asc(referralCodes.createdAt),
    )
    .limit(10);
}

/** The course as the friend reads it: its title, else the slug they gave. */
async function courseTitle({ db, workspace }: WorkspaceContext, slug: string | undefined): Promise<string | null> {
  if (!slug) return null;
  const [row] = await db
    .select({ title: courses.title })
    .from(courses)
    .where(and(eq(courses.workspaceId, workspace.id), eq(courses.slug, slug)));
  return row?.title ?? slug;
}

/** `POST /v1/referred-by`: looks the referrer up and answers alike for a match and for none. */
export async function askReferredBy(
  ctx: WorkspaceContext & SecretContext,
  input: { question: ReferredByQuestion; visitor: Visitor },
): Promise<ReferredByAnswer> {
  const { db, workspace, clock } = ctx;
  const now = clock.now();
  const { question } = input;
  const codeId = onlyOne(await candidates(ctx, question));
  const course = await courseTitle(ctx, question.course);
  const token = newSecret("rby");
  await db.insert(referredByAnswers).values({
    id: newId("rby"),
    workspaceId: workspace.id,
    tokenHash: await tokenHash(token),
    visitorHash: visitorHash(ctx, { workspaceId: workspace.id, visitor: input.visitor, now }),
    codeId,
    expiresAt: now.getTime() + referredByTokenMs,
    createdAt: now.getTime(),
  });
  return { token, confirm: { initial: "name" in question ? initialOf(question.name) : null, course } };
}

/**
 * `POST /v1/referred-by/confirm`: the friend said yes. Uses the token once, from the browser that
 * asked; a match becomes a click of the referrer's code (source `named`). Answers a click id
 * either way (see the header); an unknown, used, expired or other browser's token is 404.
 */
export async function confirmReferredBy(
  ctx: LinkContext & WorkspaceContext & SecretContext,
  input: { token: string; visitor: Visitor; visitorId?: string | undefined },
): Promise<{ clickId: string }> {
  const { db, workspace, clock } = ctx;
  const now = clock.now();
  const [answer] = await db
    .update(referredByAnswers)
    .set({ usedAt: now.getTime() })
    .where(
      and(
        eq(referredByAnswers.workspaceId, workspace.id),
        eq(referredByAnswers.tokenHash, await tokenHash(input.token)),
        eq(referredByAnswers.visitorHash, visitorHash(ctx, { workspaceId: workspace.id, visitor: input.visitor, now })),
        isNull(referredByAnswers.usedAt),
        gt(referredByAnswers.expiresAt, now.getTime()),
      ),
    )
    .returning({ codeId: referredByAnswers.codeId });
  if (!answer) throw new DomainError("not_found", "No such question from this browser, or it was already answered");
  const code = answer.codeId ? await namedCode(ctx, answer.codeId, now.getTime()) : null;
  if (!code || isAutomated(input.visitor.userAgent)) return { clickId: newClickId(now.getTime()) };
  const { clickId } = await ctx.clicks.record({
    code,
    channel: "direct",
    storyId: null,
    visitor: input.visitor,
    visitorId: input.visitorId ?? null,
    source: "named",
    now,
    waitUntil: ctx.waitUntil,
  });
  return { clickId };
}

/** The matched code as the click recorder takes it; null when it was disabled since. */
async function namedCode(ctx: LinkContext & WorkspaceContext, codeId: string, now: number) {
  const [row] = await ctx.db
    .select({ code: referralCodes.code })
    .from(referralCodes)
    .where(and(eq(referralCodes.workspaceId, ctx.workspace.id), eq(referralCodes.id, codeId)));
  const resolved = row ? await ctx.codes.get(ctx, row.code, now) : null;
  return resolved && !resolved.disabled && resolved.workspaceId === ctx.workspace.id ? resolved : null;
}
