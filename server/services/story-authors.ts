/**
 * What a story's author does through the widgets: post a story, edit it, withdraw it, read its
 * verification receipt. The author proves authorship with the story's edit token or a learner
 * token for the story's learner; a learner token that is sent must be valid even where it is
 * optional, so a broken token is never silently taken for an anonymous caller.
 */
import { and, desc, eq, ne } from "drizzle-orm";
import { learners, stories } from "../../db/schema.ts";
import { sha256Hex, timingSafeEqual } from "../lib/crypto.ts";
import { newId, newSecret } from "../lib/ids.ts";
import type { CredentialInput } from "./credentials/types.ts";
import { DomainError } from "./errors.ts";
import { type LearnerClaims, verifyLearnerToken } from "./learner-tokens.ts";
import { upsertLearner } from "./learners.ts";
import type { MediaContext } from "./media-store.ts";
import { codeForLearner } from "./referrals.ts";
import {
  createStory,
  findStory,
  fullStory,
  learnerById,
  type StoryContext,
  type StoryFields,
  type StoryPatch,
  type StoryRow,
  setStoryPhotoByAuthor,
  updateStoryByAuthor,
  withdrawStory,
} from "./stories.ts";
import { applyAutoApprove } from "./story-auto-approve.ts";
import { checkedPhoto, forgetPhotoCopies, photoKey } from "./story-photos.ts";
import { receiptOf } from "./story-receipt.ts";
import { checkStoryToken, consumeStoryToken } from "./story-requests.ts";
import type { Learner, Visitor, WorkspaceContext } from "./types.ts";

/** The author's calls answer with their share link, so they also need the base every printed link starts with. */
export type AuthorContext = StoryContext & { publicBase: string };

/**
 * The learner token as sent: absent when none was sent, `null` when something was sent that is
 * not a bearer token (refused where the token is read).
 */
export type SentLearnerToken = string | null | undefined;

/** What a caller offers as proof of authorship. */
export type AuthorProof = { editToken?: string; learnerToken?: SentLearnerToken };

/** The story as its author sees it: everything, its share link, and (once, on posting) its edit token. */
export type AuthorStory = ReturnType<typeof fullStory> & { editToken?: string; shareLink: string | null };

/** The claims of a learner token when one is sent: optional, but a token that is sent must be valid. */
async function learnerClaims(ctx: WorkspaceContext, token: SentLearnerToken): Promise<LearnerClaims | null> {
  if (token === undefined) return null;
  if (token === null) throw new DomainError("unauthorized", "Send the learner token as `Authorization: Bearer …`");
  return verifyLearnerToken(ctx, { token });
}

/** Whether the caller wrote the story: its edit token, or a learner token for its learner. */
async function isAuthor(
  ctx: WorkspaceContext,
  story: StoryRow,
  proof: { editToken?: string; learnerExternalId?: string },
): Promise<boolean> {
  if (proof.editToken && timingSafeEqual(await sha256Hex(proof.editToken), story.editTokenHash)) return true;
  if (proof.learnerExternalId && story.learnerId) {
    const [learner] = await ctx.db
      .select({ id: learners.id })
      .from(learners)
      .where(and(eq(learners.workspaceId, story.workspaceId), eq(learners.externalId, proof.learnerExternalId)));
    return learner?.id === story.learnerId;
  }
  return false;
}

async function requireAuthor(
  ctx: WorkspaceContext,
  id: string,
  proof: { editToken?: string; learnerExternalId?: string },
): Promise<StoryRow> {
  if (!proof.editToken && !proof.learnerExternalId) {
    throw new DomainError(
      "unauthorized",
      "Send the story's edit token in `Chorus-Edit-Token`, or the author's learner token",
    );
  }
  const story = await findStory(ctx, { id });
  if (!(await isAuthor(ctx, story, proof))) throw new DomainError("forbidden", "Only the story's author can do this");
  return story;
}

/** The author's referral link for this story (`?s=` credits clicks to it); null for a story without a learner. */
async function shareLink(ctx: AuthorContext, story: StoryRow, learner: Learner | null): Promise<string | null> {
  if (!story.learnerId) return null;
  const owner = learner?.id === story.learnerId ? learner : await learnerById(ctx, { id: story.learnerId });
  if (!owner) return null;
  const code = await codeForLearner(ctx, { learner: owner, course: story.course });
  return `${ctx.publicBase}/r/${code.code}?s=${story.id}`;
}

/** A bot filled the hidden field: an answer like a success, so it learns nothing; nothing is stored. */
function honeypotAnswer(fields: StoryFields, learnerLinked: boolean, now: Date): AuthorStory {
  return {
    ...fields,
    id: newId("sty"),
    status: "pending",
    learnerLinked,
    outcome: {
      type: fields.outcome.type,
      salaryIncreasePct: fields.outcome.salaryIncreasePct ?? null,
      monthsToOutcome: fields.outcome.monthsToOutcome ?? null,
    },
    consent: { ...fields.consent },
    photoUrl: fields.photoUrl ?? null,
    video: null,
    transcript: fields.transcript ?? null,
    featured: false,
    tags: [],
    verificationLevel: "self_reported",
    verification: null,
    createdAt: now.toISOString(),
    updatedAt: null,
    approvedAt: null,
    editToken: newSecret("edit"),
    shareLink: null,
  };
}

export type PostedStory = StoryFields & {
  credential?: CredentialInput;
  /** The honeypot: hidden from people by the form, filled by bots. */
  website?: string;
};

/**
 * A story posted through the widget, pending moderation. With a learner token the story is
 * linked to the learner (made or refreshed from the token's claims), which brings provider
 * attestation, the credential's recipient check and a share link.
 */
export async function submitStory(
  ctx: AuthorContext,
  input: { story: PostedStory; learnerToken?: SentLearnerToken; storyToken?: string; visitor: Visitor },
): Promise<AuthorStory> {
  const { website, credential, ...fields } = input.story;
  if (input.storyToken !== undefined && input.learnerToken !== undefined)
    throw new DomainError("invalid_request", "Send a learner token or a story link's token, not both");
  const claims = await learnerClaims(ctx, input.learnerToken);
  // A story link (story-requests.ts) stands for the learner it was mailed to, for its course only.
  const grant = input.storyToken === undefined ? null : await checkStoryToken(ctx, { token: input.storyToken });
  if (grant && fields.course !== grant.course)
    throw new DomainError("invalid_request", "This story link is for another course", [
      { path: "course", message: `must be ${grant.course}` },
    ]);
  if (website && website.trim().length > 0)
    return honeypotAnswer(fields, claims !== null || grant !== null, ctx.clock.now());
  const learner = claims ? await upsertLearner(ctx, claims) : (grant?.learner ?? null);
  const { story, editToken } = await createStory(ctx, {
    fields,
    credential,
    learner,
    // The link reached the learner's mailbox: their stored address is the credential's recipient to match.
    learnerEmail: claims?.email ?? grant?.learner.email ?? undefined,
    visitor: input.visitor,
    alsoInTransaction: grant
      ? (tx, row) => consumeStoryToken(tx, { grant, storyId: row.id, at: row.createdAt })
      : undefined,
  });
  const decided = await applyAutoApprove(ctx, story);
  return { ...fullStory(decided), editToken, shareLink: await shareLink(ctx, decided, learner) };
}

/** The author's edit: changed content goes back to moderation, consents apply at once. */
export async function editStory(
  ctx: AuthorContext,
  input: { id: string; proof: AuthorProof; patch: StoryPatch },
): Promise<AuthorStory> {
  const claims = await learnerClaims(ctx, input.proof.learnerToken);
  const story = await requireAuthor(ctx, input.id, {
    editToken: input.proof.editToken,
    learnerExternalId: claims?.sub,
  });
  const learner = story.learnerId ? await learnerById(ctx, { id: story.learnerId }) : null;
  // The recipient check uses the caller's email only when the caller is the story's learner.
  const callerIsLearner = claims !== null && learner !== null && learner.externalId === claims.sub;
  const updated = await updateStoryByAuthor(ctx, {
    story,
    patch: input.patch,
    learner,
    learnerEmail: callerIsLearner ? claims.email : undefined,
  });
  // Back in moderation after the edit (or still there): the auto-approve rule decides again.
  const decided = await applyAutoApprove(ctx, updated);
  return { ...fullStory(decided), shareLink: await shareLink(ctx, decided, learner) };
}

/**
 * The stories the learner of this token told about a course (withdrawn ones aside), newest first:
 * how the story form finds its author's story again on a later visit. Never an edit token.
 */
export async function ownStories(
  ctx: AuthorContext,
  input: { learnerToken: SentLearnerToken; course: string },
): Promise<AuthorStory[]> {
  if (input.learnerToken === undefined)
    throw new DomainError("unauthorized", "Send the author's learner token as `Authorization: Bearer …`");
  const claims = await learnerClaims(ctx, input.learnerToken);
  if (!claims) return [];
  const [learner] = await ctx.db
    .select()
    .from(learners)
    .where(and(eq(learners.workspaceId, ctx.workspace.id), eq(learners.externalId, claims.sub)));
  if (!learner) return [];
  const rows = await ctx.db
    .select()
    .from(stories)
    .where(
      and(
        eq(stories.workspaceId, ctx.workspace.id),
        eq(stories.learnerId, learner.id),
        eq(stories.course, input.course),
        ne(stories.status, "withdrawn"),
      ),
    )
    .orderBy(desc(stories.createdAt), desc(stories.id))
    .limit(10);
  return Promise.all(rows.map(async (row) => ({ ...fullStory(row), shareLink: await shareLink(ctx, row, learner) })));
}

/** The story the caller proves they wrote (edit token or the author's learner token), for their video upload. */
export async function authorsStory(
  ctx: WorkspaceContext,
  input: { id: string; proof: AuthorProof },
): Promise<StoryRow> {
  const claims = await learnerClaims(ctx, input.proof.learnerToken);
  return requireAuthor(ctx, input.id, { editToken: input.proof.editToken, learnerExternalId: claims?.sub });
}

/**
 * The author's photo for their story, as uploaded (the form resizes it in the browser first):
 * checked again here (photo-bytes.ts: real image header, JPEG, PNG or WebP, size, bytes, nothing
 * after the image's end, metadata dropped), kept in the media store, and shown once a moderator
 * approves the story. `bytes: null` removes the story's photo.
 */
export async function setOwnPhoto(
  ctx: AuthorContext,
  input: { id: string; proof: AuthorProof; bytes: Uint8Array | null },
): Promise<AuthorStory> {
  const claims = await learnerClaims(ctx, input.proof.learnerToken);
  const story = await requireAuthor(ctx, input.id, {
    editToken: input.proof.editToken,
    learnerExternalId: claims?.sub,
  });
  if (story.status === "withdrawn") throw new DomainError("conflict", "This story was withdrawn");
  let photo: Awaited<ReturnType<typeof checkedPhoto>> | null = null;
  if (input.bytes) {
    photo = await checkedPhoto(input.bytes);
    if (!photo.ok) throw new DomainError("invalid_request", photo.reason, [{ path: "photo", message: photo.reason }]);
    // The copy is stored before the row that names it, so a reader never finds a row without bytes.
    await ctx.media.put(photoKey(story, photo.hash), photo.bytes, photo.contentType);
  }
  const kept = photo?.ok ? photo : null;
  let updated: StoryRow;
  try {
    updated = await setStoryPhotoByAuthor(ctx, { story, photo: kept });
  } catch (error) {
    // Not kept after all (withdrawn meanwhile): the copy goes, unless it was already the story's.
    if (kept && kept.hash !== story.photoHash) await forgetPhotoCopies(ctx, [photoKey(story, kept.hash)]);
    throw error;
  }
  const learner = updated.learnerId ? await learnerById(ctx, { id: updated.learnerId }) : null;
  return { ...fullStory(updated), shareLink: await shareLink(ctx, updated, learner) };
}

/** The author withdraws their story; withdrawing again changes nothing. */
export async function withdrawOwnStory(
  ctx: WorkspaceContext & MediaContext,
  input: { id: string; proof: AuthorProof },
): Promise<void> {
  const claims = await learnerClaims(ctx, input.proof.learnerToken);
  const story = await requireAuthor(ctx, input.id, {
    editToken: input.proof.editToken,
    learnerExternalId: claims?.sub,
  });
  if (story.status !== "withdrawn") await withdrawStory(ctx, { id: story.id });
}

/** A story's verification receipt: public for approved stories, for the author at any other status. */
export async function storyVerification(ctx: WorkspaceContext, input: { id: string; proof: AuthorProof }) {
  const story = await findStory(ctx, { id: input.id });
  if (story.status !== "approved") {
    const claims = await learnerClaims(ctx, input.proof.learnerToken);
    const author = await isAuthor(ctx, story, {
      editToken: input.proof.editToken,
      learnerExternalId: claims?.sub,
    });
    // Unapproved stories do not exist for anyone but their author.
    if (!author || story.status === "withdrawn") throw new DomainError("not_found", "No such story in this workspace");
  }
  return receiptOf(story);
}
