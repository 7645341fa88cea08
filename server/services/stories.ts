/**
 * Success stories: submission, the author's edits and withdrawal, moderation, and the public
 * list. Consents are applied in `publicStory`, the only shape that leaves the server for
 * visitors: no name, photo or salary figure without its consent. The author's use cases over the
 * widget API (tokens, the honeypot, share links, the receipt) are in `story-authors.ts`.
 */
import { and, count, desc, eq, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import { learners, stories, storyPhotos } from "../../db/schema.ts";
import { sha256Hex } from "../lib/crypto.ts";
import { decodeCursor } from "../lib/cursor.ts";
import { newId, newSecret } from "../lib/ids.ts";
import { olderThan } from "../lib/newest-first.ts";
import { paginate } from "../lib/paginate.ts";
import { type Tx, writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { fixedClock } from "./clock.ts";
import type { CredentialInput } from "./credentials/types.ts";
import { DomainError } from "./errors.ts";
import type { MediaContext } from "./media-store.ts";
import { enqueueEvent } from "./outbox.ts";
import {
  type CheckedPhoto,
  deleteStoryPhoto,
  forgetPhotoCopies,
  type PhotoContext,
  photoKey,
  photoPath,
  photoRow,
  prepareStoryPhoto,
  wantsPhoto,
} from "./story-photos.ts";
import { assessStory, claimCredential, isSameCredential, type VerificationContext } from "./story-verification.ts";
import { assertPublishable, deleteStoryVideo, videoPaths } from "./story-videos.ts";
import type { Learner, SecretContext, Visitor, WorkspaceContext } from "./types.ts";
import { visitorHash } from "./visitors.ts";

export type StoryRow = typeof stories.$inferSelect;
export const outcomeTypes = stories.outcomeType.enumValues;
export type OutcomeType = (typeof outcomeTypes)[number];

export type StoryFields = {
  course: string;
  name: string;
  headline: string;
  body: string;
  rating: number;
  outcome: { type: OutcomeType; salaryIncreasePct?: number | null; monthsToOutcome?: number | null };
  consent: { publish: true; name: boolean; photo: boolean; salary: boolean };
  photoUrl?: string | null;
  /** What is said in the story's video (required before a video story is approved). */
  transcript?: string | null;
};

// Bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) can make a story display other
// text than it contains; C0/C1 controls other than tab and newline have no place in a story.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const unsafeCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** Story text as stored: NFC, without bidi or control characters, trimmed. HTML stays text. */
export function cleanText(value: string): string {
  return value.normalize("NFC").replace(unsafeCharacters, "").replace(/\r\n?/g, "\n").trim();
}

function cleanFields<T extends Partial<Pick<StoryFields, "name" | "headline" | "body">>>(fields: T): T {
  const cleaned = { ...fields };
  for (const key of ["name", "headline", "body"] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    const text = cleanText(value);
    if (text.length === 0) {
      throw new DomainError("invalid_request", `The ${key} is empty`, [{ path: key, message: "must not be empty" }]);
    }
    cleaned[key] = text;
  }
  return cleaned;
}

/** A transcript as stored: clean text, or null when nothing is left of it. */
function cleanTranscript(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  return cleanText(value) || null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * What visitors see: approved stories with every consent applied. The photo is Chorus's checked
 * copy at `publicBase` (the author's URL is never shown), and only once it passed the check.
 */
export function publicStory(row: StoryRow, publicBase: string) {
  return {
    id: row.id,
    course: row.course,
    name: row.consentName ? row.name : null,
    headline: row.headline,
    body: row.body,
    rating: row.rating,
    outcome: {
      type: row.outcomeType,
      salaryIncreasePct: row.consentSalary ? row.salaryIncreasePct : null,
      monthsToOutcome: row.monthsToOutcome,
    },
    photoUrl: row.consentPhoto && row.photoHash ? `${publicBase}${photoPath(row)}` : null,
    video: publicVideo(row, publicBase),
    featured: row.featured,
    tags: row.tags,
    verificationLevel: row.verificationLevel,
    approvedAt: iso(row.approvedAt),
  };
}

/** A video story's media as the wall plays it: Chorus URLs only, with the transcript that captions it. */
function publicVideo(row: StoryRow, publicBase: string) {
  const paths = videoPaths(row);
  if (!paths || !row.videoType) return null;
  return {
    url: `${publicBase}${paths.video}`,
    type: row.videoType,
    posterUrl: paths.poster ? `${publicBase}${paths.poster}` : null,
    captionsUrl: `${publicBase}${paths.captions}`,
    durationMs: row.videoDurationMs,
    transcript: row.transcript ?? "",
  };
}

/**
 * What the moderator sees: everything, and `published`, the story exactly as the wall would show
 * it once approved. Its photo is Chorus's checked copy too: the preview path (fetched on first
 * view, with the moderator's session) until the story is approved, never the author's URL, so the
 * marketer's browser never loads a stranger's image. `photoRefusal` says why there is no photo.
 */
export function moderationStory(row: StoryRow, publicBase: string) {
  const published = publicStory(row, publicBase);
  // Until approval the public path answers 404: an uploaded (or already fetched) copy is shown
  // through the preview too.
  const unpublished = row.photoHash === null || row.status !== "approved";
  const unchecked = wantsPhoto(row) && unpublished && row.photoRefusal === null;
  const photoUrl = unchecked ? `${publicBase}/v1/admin/stories/${row.id}/photo` : published.photoUrl;
  return {
    ...fullStory(row),
    source: row.source,
    importedFrom: row.importedFrom,
    photoRefusal: wantsPhoto(row) ? row.photoRefusal : null,
    published: { ...published, photoUrl, video: moderationVideo(row, publicBase) },
  };
}

/** The moderator watches the video before approving: served to the dashboard's session at any status. */
function moderationVideo(row: StoryRow, publicBase: string) {
  const video = publicVideo(row, publicBase);
  if (!video) return null;
  const admin = `${publicBase}/v1/admin/stories/${row.id}`;
  return { ...video, url: `${admin}/video`, posterUrl: row.posterHash ? `${admin}/poster` : null };
}

/** What the author and the provider see: everything they gave, with status and receipt. */
export function fullStory(row: StoryRow) {
  return {
    id: row.id,
    status: row.status,
    course: row.course,
    learnerLinked: row.learnerId !== null,
    name: row.name,
    headline: row.headline,
    body: row.body,
    rating: row.rating,
    outcome: { type: row.outcomeType, salaryIncreasePct: row.salaryIncreasePct, monthsToOutcome: row.monthsToOutcome },
    consent: { publish: row.consentPublish, name: row.consentName, photo: row.consentPhoto, salary: row.consentSalary },
    photoUrl: row.photoUrl,
    video: row.videoType
      ? { type: row.videoType, bytes: row.videoBytes, durationMs: row.videoDurationMs, poster: row.posterHash !== null }
      : null,
    transcript: row.transcript,
    featured: row.featured,
    tags: row.tags,
    verificationLevel: row.verificationLevel,
    verification: row.verification,
    createdAt: iso(row.createdAt) as string,
    updatedAt: iso(row.updatedAt),
    approvedAt: iso(row.approvedAt),
  };
}

/** The webhook payload: the provider's own data, without secrets. */
const eventData = (row: StoryRow) => ({ story: fullStory(row) });

/** What writing a story needs: the workspace, the server secret (visitor hashes) and outbound HTTP (credentials). */
export type StoryContext = VerificationContext & SecretContext & MediaContext;

export type NewStory = {
  fields: StoryFields;
  credential?: CredentialInput;
  /** The learner the story is linked to (from the author's learner token), if any. */
  learner: Learner | null;
  /** The email of the author's learner token, for the credential's recipient check. */
  learnerEmail?: string;
  /** Who posted it: kept only as a salted hash of the day, to rate limit and spot duplicates. */
  visitor: Visitor;
  /** Runs inside the story's write transaction (a one-time token is used up there); a throw stores nothing. */
  alsoInTransaction?: (tx: Tx, story: StoryRow) => Promise<void>;
};

/** Stores a new story, pending moderation, with its verification; the edit token is returned once. */
export async function createStory(ctx: StoryContext, input: NewStory): Promise<{ story: StoryRow; editToken: string }> {
  const { db, clock, workspace, secret } = ctx;
  const now = clock.now();
  const fields = cleanFields(input.fields);
  const assessment = await assessStory(ctx, {
    learner: input.learner,
    learnerEmail: input.learnerEmail,
    course: fields.course,
    credential: input.credential,
  });
  const editToken = newSecret("edit");
  const row: StoryRow = {
    id: newId("sty"),
    workspaceId: workspace.id,
    learnerId: input.learner?.id ?? null,
    course: fields.course,
    name: fields.name,
    headline: fields.headline,
    body: fields.body,
    rating: fields.rating,
    outcomeType: fields.outcome.type,
    salaryIncreasePct: fields.outcome.salaryIncreasePct ?? null,
    monthsToOutcome: fields.outcome.monthsToOutcome ?? null,
    consentPublish: true,
    consentName: fields.consent.name,
    consentPhoto: fields.consent.photo,
    consentSalary: fields.consent.salary,
    photoUrl: fields.photoUrl ?? null,
    photoHash: null,
    photoRefusal: null,
    status: "pending",
    featured: false,
    tags: [],
    verificationLevel: assessment.level,
    verification: assessment.receipt,
    credentialKey: assessment.credentialKey,
    videoHash: null,
    videoType: null,
    videoBytes: null,
    videoDurationMs: null,
    posterHash: null,
    posterType: null,
    transcript: cleanTranscript(fields.transcript) ?? null,
    editTokenHash: await sha256Hex(editToken),
    visitorHash: visitorHash({ secret }, { workspaceId: workspace.id, visitor: input.visitor, now }),
    createdAt: now.getTime(),
    updatedAt: null,
    approvedAt: null,
    source: "form",
    importedFrom: null,
    importKey: null,
  };
  await writeTransaction(db, async (tx) => {
    const claimed = await claimCredential(tx, { workspaceId: workspace.id, storyId: row.id, assessment });
    Object.assign(row, {
      verificationLevel: claimed.level,
      verification: claimed.receipt,
      credentialKey: claimed.credentialKey,
    });
    await tx.insert(stories).values(row);
    await input.alsoInTransaction?.(tx, row);
    await enqueueEvent(
      { tx, clock: fixedClock(now) },
      { workspaceId: row.workspaceId, type: "story.submitted", data: eventData(row) },
    );
  });
  return { story: row, editToken };
}

/** The story with this id in the workspace; not_found otherwise. */
export async function findStory({ db, workspace }: WorkspaceContext, input: { id: string }): Promise<StoryRow> {
  const [row] = await db
    .select()
    .from(stories)
    .where(and(eq(stories.workspaceId, workspace.id), eq(stories.id, input.id)));
  if (!row) throw new DomainError("not_found", "No such story in this workspace");
  return row;
}

export type StoryPatch = Partial<Omit<StoryFields, "course">> & { credential?: CredentialInput | null };

/**
 * The author's change to their story. `learner` is the story's learner (it decides provider
 * attestation); `learnerEmail` is given only when the caller's token is that learner's.
 */
export async function updateStoryByAuthor(
  ctx: VerificationContext & MediaContext,
  input: { story: StoryRow; patch: StoryPatch; learner: Learner | null; learnerEmail?: string },
): Promise<StoryRow> {
  const { db, clock } = ctx;
  const { story } = input;
  const now = clock.now();
  if (story.status === "withdrawn") throw new DomainError("conflict", "This story was withdrawn");
  const patch = cleanFields(input.patch);
  const set: Partial<StoryRow> = { updatedAt: now.getTime() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.headline !== undefined) set.headline = patch.headline;
  if (patch.body !== undefined) set.body = patch.body;
  if (patch.rating !== undefined) set.rating = patch.rating;
  if (patch.transcript !== undefined) set.transcript = cleanTranscript(patch.transcript) ?? null;
  if (patch.outcome !== undefined) {
    set.outcomeType = patch.outcome.type;
    set.salaryIncreasePct = patch.outcome.salaryIncreasePct ?? null;
    set.monthsToOutcome = patch.outcome.monthsToOutcome ?? null;
  }
  const photoChanged = patch.photoUrl !== undefined && patch.photoUrl !== story.photoUrl;
  if (photoChanged) Object.assign(set, { photoUrl: patch.photoUrl ?? null, photoHash: null, photoRefusal: null });
  if (patch.consent !== undefined) {
    set.consentName = patch.consent.name;
    set.consentPhoto = patch.consent.photo;
    set.consentSalary = patch.consent.salary;
  }
  // The credential the story already has is not checked again (each check costs fetches), unless
  // the author now shows a learner token that may bind a merely genuine one to them.
  const credentialChanged =
    patch.credential === null ||
    (patch.credential !== undefined && !(await isSameCredential(story.verification, patch.credential)));
  const mayBindNow = input.learnerEmail !== undefined && story.verificationLevel === "credential_genuine";
  // The learner of the story (not the caller's token) decides provider attestation; the
  // credential is claimed inside the write below.
  const assessment =
    patch.credential !== undefined && (credentialChanged || mayBindNow)
      ? await assessStory(ctx, {
          learner: input.learner,
          learnerEmail: input.learnerEmail,
          course: story.course,
          credential: patch.credential,
        })
      : undefined;
  // What a moderator approved must be approved again once what the wall would show changes: new
  // content, or a consent that shows more (a name, a photo, a figure the moderator never saw
  // published). A consent taken back only hides something, so it applies at once.
  const widened =
    patch.consent !== undefined &&
    ((patch.consent.name && !story.consentName) ||
      (patch.consent.photo && !story.consentPhoto) ||
      (patch.consent.salary && !story.consentSalary));
  const contentChanged =
    widened ||
    photoChanged ||
    credentialChanged ||
    (["name", "headline", "body", "rating", "outcome", "transcript"] as const).some((key) => patch[key] !== undefined);
  // The status is read again inside the write: a moderator may have approved (or the author
  // withdrawn) since `story` was read, and an approval must never carry over to unreviewed text.
  let staleCopies: string[] = [];
  const written = await writeTransaction(db, async (tx) => {
    const current = await currentStory(tx, story);
    if (current.status === "withdrawn") throw new DomainError("conflict", "This story was withdrawn");
    if (assessment) {
      const claimed = await claimCredential(tx, { workspaceId: story.workspaceId, storyId: story.id, assessment });
      set.verificationLevel = claimed.level;
      set.verification = claimed.receipt;
      set.credentialKey = claimed.credentialKey;
    }
    const updated = await writeAuthorChange(tx, { current, set, toModeration: contentChanged, now });
    if (photoChanged) staleCopies = await deleteStoryPhoto({ db: tx }, story);
    return updated;
  });
  await forgetPhotoCopies(ctx, staleCopies);
  return written;
}

/**
 * The author's uploaded photo (checked by story-photos.ts, its copy already in the media store
 * under `photoKey`) replaces the story's photo, URL or upload, and the story goes back to
 * moderation like any other change a moderator has not seen; `null` removes the photo, which
 * shows less and so applies at once. Returns the story after the change.
 */
export async function setStoryPhotoByAuthor(
  ctx: WorkspaceContext & MediaContext,
  input: { story: StoryRow; photo: CheckedPhoto | null },
): Promise<StoryRow> {
  const { db, clock } = ctx;
  const { story, photo } = input;
  const now = clock.now();
  let staleCopies: string[] = [];
  const written = await writeTransaction(db, async (tx) => {
    const current = await currentStory(tx, story);
    if (current.status === "withdrawn") throw new DomainError("conflict", "This story was withdrawn");
    const set: Partial<StoryRow> = {
      updatedAt: now.getTime(),
      photoUrl: null,
      photoHash: photo?.hash ?? null,
      photoRefusal: null,
    };
    const updated = await writeAuthorChange(tx, { current, set, toModeration: photo !== null, now });
    staleCopies = await deleteStoryPhoto({ db: tx }, story);
    if (photo) await tx.insert(storyPhotos).values(photoRow(ctx, story, photo, null));
    return updated;
  });
  // The same photo uploaded again keeps its key: that copy stays.
  const kept = photo ? photoKey(story, photo.hash) : null;
  await forgetPhotoCopies(
    ctx,
    staleCopies.filter((key) => key !== kept),
  );
  return written;
}

/**
 * An author's change written over the story as it stands inside the write. A change a moderator
 * has not seen sends the story back to moderation, and a story that had left it is announced as
 * submitted again (`story.submitted`), as a new one is.
 */
async function writeAuthorChange(
  tx: Tx,
  input: { current: StoryRow; set: Partial<StoryRow>; toModeration: boolean; now: Date },
): Promise<StoryRow> {
  const { current, set, toModeration, now } = input;
  const resubmitted = toModeration && current.status !== "pending";
  if (toModeration) {
    set.status = "pending";
    set.approvedAt = null;
  }
  const updated = { ...current, ...set };
  await tx
    .update(stories)
    .set(set)
    .where(and(eq(stories.workspaceId, current.workspaceId), eq(stories.id, current.id)));
  if (resubmitted) {
    await enqueueEvent(
      { tx, clock: fixedClock(now) },
      { workspaceId: current.workspaceId, type: "story.submitted", data: eventData(updated) },
    );
  }
  return updated;
}

/** The story as it stands now, inside a write transaction. */
async function currentStory(tx: Tx, story: Pick<StoryRow, "workspaceId" | "id">): Promise<StoryRow> {
  const [row] = await tx
    .select()
    .from(stories)
    .where(and(eq(stories.workspaceId, story.workspaceId), eq(stories.id, story.id)));
  if (!row) throw new DomainError("not_found", "No such story in this workspace");
  return row;
}

/** What a withdrawn story keeps of what its author wrote: nothing. */
export const withdrawnStory = {
  status: "withdrawn",
  name: "",
  headline: "",
  body: "",
  photoUrl: null,
  photoHash: null,
  photoRefusal: null,
  salaryIncreasePct: null,
  monthsToOutcome: null,
  featured: false,
  tags: [],
  // Frees the credential for another story of the workspace.
  credentialKey: null,
  // The video and poster leave the media store with deleteStoryVideo.
  videoHash: null,
  videoType: null,
  videoBytes: null,
  videoDurationMs: null,
  posterHash: null,
  posterType: null,
  transcript: null,
} satisfies Partial<typeof stories.$inferInsert>;

/**
 * Withdrawal hides the story from every list, statistic and JSON-LD at once (they all read
 * approved stories only) and erases what the author wrote; the row stays so earlier clicks and
 * conversions that name it keep a valid reference.
 */
export async function withdrawStory(ctx: WorkspaceContext & MediaContext, input: { id: string }): Promise<void> {
  const { db, clock, workspace } = ctx;
  const story = await findStory(ctx, input);
  const copies = await db.transaction(async (tx) => {
    await tx
      .update(stories)
      .set({ ...withdrawnStory, updatedAt: clock.now().getTime() })
      .where(and(eq(stories.workspaceId, workspace.id), eq(stories.id, input.id)));
    return deleteStoryPhoto({ db: tx }, { workspaceId: workspace.id, id: input.id });
  });
  await forgetPhotoCopies(ctx, copies);
  await deleteStoryVideo(ctx, story);
}

/** A decision a rule makes instead of a moderator (story-auto-approve.ts): its audit row, and its last check. */
export type AutomaticDecision = {
  action: string;
  detail: Record<string, unknown>;
  /** Checked on the story as it stands inside the write: false changes nothing. */
  onlyIf: (current: StoryRow) => boolean;
};

export type ModerationChange = {
  status?: "approved" | "rejected";
  featured?: boolean;
  tags?: string[];
  /** The moderator's correction of a video story's transcript (what the captions say). */
  transcript?: string;
};

/**
 * The provider's decision on a story: approve or reject, feature, tag. Approving fetches and
 * checks the photo first (once; see story-photos.ts): a photo that fails the check does not stop
 * the approval, the story is published without it and `photoRefusal` tells the moderator why.
 */
export async function moderateStory(
  ctx: PhotoContext,
  input: { id: string } & ModerationChange,
  automatic?: AutomaticDecision,
): Promise<StoryRow> {
  const { db, clock, workspace } = ctx;
  const { id, ...change } = input;
  const workspaceId = workspace.id;
  const now = clock.now();
  if (change.status === "approved") await prepareStoryPhoto(ctx, await findStory(ctx, { id }));
  // Decided on the story as it stands inside the write, so a concurrent withdrawal or edit is
  // never overwritten and `story.approved` is announced once, with the text that was approved.
  return writeTransaction(db, async (tx) => {
    const story = await currentStory(tx, { workspaceId, id });
    if (story.status === "withdrawn") throw new DomainError("conflict", "The author withdrew this story");
    if (automatic && !automatic.onlyIf(story)) return story;
    const set: Partial<StoryRow> = { updatedAt: now.getTime() };
    if (change.featured !== undefined) set.featured = change.featured;
    if (change.tags !== undefined) set.tags = [...new Set(change.tags.map((tag) => cleanText(tag)).filter(Boolean))];
    if (change.transcript !== undefined) set.transcript = cleanTranscript(change.transcript) ?? null;
    const approving = change.status === "approved" && story.status !== "approved";
    if (change.status !== undefined) set.status = change.status;
    if (approving) set.approvedAt = now.getTime();
    if (change.status === "rejected") set.approvedAt = null;
    const updated = { ...story, ...set };
    if (updated.status === "approved") assertPublishable(updated);
    await tx
      .update(stories)
      .set(set)
      .where(and(eq(stories.workspaceId, workspaceId), eq(stories.id, id)));
    const moderated = (row: StoryRow) => ({
      status: row.status,
      featured: row.featured,
      tags: row.tags,
      // The transcript's length, not its words: the audit trail keeps no story text to erase.
      ...(change.transcript !== undefined ? { transcriptLength: row.transcript?.length ?? 0 } : {}),
    });
    await recordAudit(
      { ...ctx, tx, clock: fixedClock(now) },
      {
        action: automatic?.action ?? "story.moderate",
        targetId: id,
        before: moderated(story),
        after: { ...moderated(updated), ...automatic?.detail },
        learnerId: story.learnerId,
      },
    );
    if (approving)
      await enqueueEvent(
        { tx, clock: fixedClock(now) },
        { workspaceId, type: "story.approved", data: eventData(updated) },
      );
    return updated;
  });
}

/** A learner of the workspace by id; null when there is none (erased, or never there). */
export async function learnerById({ db, workspace }: WorkspaceContext, input: { id: string }): Promise<Learner | null> {
  const [row] = await db
    .select()
    .from(learners)
    .where(and(eq(learners.workspaceId, workspace.id), eq(learners.id, input.id)));
  return row ?? null;
}

export type PublicFilter = {
  course?: string;
  outcome?: OutcomeType;
  verified?: "true" | "provider_attested" | "credential_verified" | "credential_genuine";
  cursor?: string;
  limit: number;
};

/** Approved stories, featured first, newest approval first. */
export async function listPublicStories({ db, workspace }: WorkspaceContext, filter: PublicFilter) {
  const where: (SQL | undefined)[] = [eq(stories.workspaceId, workspace.id), eq(stories.status, "approved")];
  if (filter.course) where.push(eq(stories.course, filter.course));
  if (filter.outcome) where.push(eq(stories.outcomeType, filter.outcome));
  if (filter.verified === "true")
    where.push(inArray(stories.verificationLevel, ["provider_attested", "credential_verified"]));
  else if (filter.verified) where.push(eq(stories.verificationLevel, filter.verified));
  const after = decodeCursor(filter.cursor, ["number", "number", "string"]);
  if (after) {
    const [f, a, id] = after;
    where.push(
      or(
        lt(sql`${stories.featured}`, f),
        and(eq(sql`${stories.featured}`, f), lt(stories.approvedAt, a)),
        and(eq(sql`${stories.featured}`, f), eq(stories.approvedAt, a), lt(stories.id, id)),
      ),
    );
  }
  const rows = await db
    .select()
    .from(stories)
    .where(and(...where))
    .orderBy(desc(stories.featured), desc(stories.approvedAt), desc(stories.id))
    .limit(filter.limit + 1);
  return paginate(rows, filter.limit, (last) => [last.featured ? 1 : 0, last.approvedAt ?? 0, last.id]);
}

/**
 * A course's rating from its approved stories (count and mean, to one decimal), for its
 * schema.org `aggregateRating`; null below the workspace's minimum sample (the same k that
 * suppresses outcome figures), where a mean of a handful of stories would say little.
 */
export async function courseRating(
  { db, workspace }: WorkspaceContext,
  input: { course: string },
): Promise<{ count: number; average: number } | null> {
  const [row] = await db
    .select({ count: count(), sum: sql<number>`coalesce(sum(${stories.rating}), 0)` })
    .from(stories)
    .where(
      and(eq(stories.workspaceId, workspace.id), eq(stories.status, "approved"), eq(stories.course, input.course)),
    );
  const n = Number(row?.count ?? 0);
  if (n === 0 || n < workspace.settings.minSampleSize) return null;
  return { count: n, average: Math.round((Number(row?.sum) / n) * 10) / 10 };
}

/** The moderation queue: every story of the workspace, newest first, optionally by status. */
export async function listStoriesForAdmin(
  { db, workspace }: WorkspaceContext,
  filter: { status?: StoryRow["status"]; course?: string; cursor?: string; limit: number },
) {
  const where: (SQL | undefined)[] = [eq(stories.workspaceId, workspace.id)];
  if (filter.status) where.push(eq(stories.status, filter.status));
  if (filter.course) where.push(eq(stories.course, filter.course));
  const after = decodeCursor(filter.cursor, ["number", "string"]);
  where.push(olderThan(stories.createdAt, stories.id, after));
  const rows = await db
    .select()
    .from(stories)
    .where(and(...where))
    .orderBy(desc(stories.createdAt), desc(stories.id))
    .limit(filter.limit + 1);
  return paginate(rows, filter.limit, (last) => [last.createdAt, last.id]);
}
