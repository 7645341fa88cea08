/**
 * Success stories for the widgets: submit, edit, withdraw, list approved ones, read a receipt.
 * The author proves authorship with the edit token (header `Chorus-Edit-Token`) or a learner
 * token for the story's learner.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError, errorResponses } from "../errors.ts";
import { newId, newSecret } from "../lib/ids.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { publicBase } from "../lib/urls.ts";
import { requirePublishableKey } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { guardedFetch } from "../services/credentials/fetch.ts";
import { addToLinkedInUrl } from "../services/credentials/linkedin.ts";
import { type LearnerClaims, verifyLearnerToken } from "../services/learner-tokens.ts";
import { upsertLearner } from "../services/learners.ts";
import { codeForLearner } from "../services/referrals.ts";
import {
  createStory,
  findStory,
  fullStory,
  isAuthor,
  learnerById,
  listPublicStories,
  outcomeTypes,
  publicStory,
  requireAuthor,
  type StoryRow,
  updateStoryByAuthor,
  withdrawStory,
} from "../services/stories.ts";
import type { Learner } from "../services/types.ts";
import { visitorHash } from "../services/visitors.ts";
import type { AppEnv } from "../types.ts";
import { workspaceContext } from "./context.ts";
import { cursorParam } from "./schemas.ts";
import { AuthorStory, courseSlug, NewStory, PublicStory, StoryPatch, StoryVerification } from "./story-schemas.ts";

const editTokenHeader = "Chorus-Edit-Token";
const security: Record<string, string[]>[] = [{ publishableKey: [] }, { publishableKey: [], learnerToken: [] }];
const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});
const authorHeaders = z.object({
  "chorus-edit-token": z.string().max(200).optional().openapi({ description: "The edit token from POST /v1/stories" }),
});

/** The learner token when one is sent: optional here, but a token that is sent must be valid. */
async function optionalLearner(c: Context<AppEnv>): Promise<LearnerClaims | null> {
  const header = c.req.header("Authorization");
  if (!header) return null;
  const token = header.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw new ApiError("unauthorized", "Send the learner token as `Authorization: Bearer …`");
  return verifyLearnerToken(workspaceContext(c), { token });
}

async function shareLink(c: Context<AppEnv>, story: StoryRow, learner: Learner | null): Promise<string | null> {
  if (!story.learnerId) return null;
  const owner =
    learner?.id === story.learnerId ? learner : await learnerById(c.var.deps.db, story.workspaceId, story.learnerId);
  if (!owner) return null;
  const code = await codeForLearner(workspaceContext(c), { learner: owner, course: story.course });
  return `${publicBase(c)}/r/${code.code}?s=${story.id}`;
}

const postStory = apiRoute({
  method: "post",
  path: "/v1/stories",
  tags: ["Stories"],
  summary: "Submit a success story (pending moderation)",
  description:
    "With a learner token the story is linked to the learner (provider attestation, recipient check, share link). " +
    "`consent.publish` must be true. Text is stored as plain text without bidi or control characters. " +
    "A credential never rejects the story: its result is the verification level and the receipt. " +
    "The `website` field is a honeypot: when it is filled the answer looks like success but nothing is stored. " +
    "Rate limited per visitor and per workspace (`rateLimits.stories` in the program settings; 429 with Retry-After).",
  security,
  middleware: [requirePublishableKey, rateLimit("stories")] as const,
  request: { body: { required: true, content: { "application/json": { schema: NewStory } } } },
  responses: {
    201: {
      description: "The story, its edit token (shown once) and its verification",
      content: { "application/json": { schema: AuthorStory } },
    },
  },
});

const patchStory = apiRoute({
  method: "patch",
  path: "/v1/stories/{id}",
  tags: ["Stories"],
  summary: "Edit a story (its author)",
  description:
    "Send the edit token in `Chorus-Edit-Token` or the author's learner token. Changed content (text, rating, " +
    "outcome, photo, credential) goes back to moderation; consent changes apply at once. `credential: null` removes it.",
  security,
  middleware: [requirePublishableKey] as const,
  request: {
    params: idParam,
    headers: authorHeaders,
    body: { required: true, content: { "application/json": { schema: StoryPatch } } },
  },
  responses: {
    200: { description: "The story after the change", content: { "application/json": { schema: AuthorStory } } },
    ...errorResponses(404, 409),
  },
});

const deleteStory = apiRoute({
  method: "delete",
  path: "/v1/stories/{id}",
  tags: ["Stories"],
  summary: "Withdraw a story (its author)",
  description:
    "The story leaves every list, statistic and JSON-LD at once and its text is erased. Withdrawing again is a no-op.",
  security,
  middleware: [requirePublishableKey] as const,
  request: { params: idParam, headers: authorHeaders },
  responses: { 204: { description: "Withdrawn" }, ...errorResponses(404) },
});

const listStories = apiRoute({
  method: "get",
  path: "/v1/stories",
  tags: ["Stories"],
  summary: "Approved stories, consents applied",
  description:
    "Featured first, then newest approval first. `verified=true` keeps provider-attested and credential-verified stories.",
  security: [{ publishableKey: [] }],
  middleware: [requirePublishableKey] as const,
  request: {
    query: z.object({
      course: courseSlug.optional(),
      outcome: z.enum(outcomeTypes).optional(),
      verified: z.enum(["true", "provider_attested", "credential_verified"]).optional(),
      cursor: cursorParam,
      limit: z.coerce.number().int().min(1).max(50).default(12),
    }),
  },
  responses: {
    200: {
      description: "A page of stories",
      content: {
        "application/json": {
          schema: z.object({ items: z.array(PublicStory), nextCursor: z.string().nullable() }).openapi("StoryPage"),
        },
      },
    },
  },
});

const getVerification = apiRoute({
  method: "get",
  path: "/v1/stories/{id}/verification",
  tags: ["Stories"],
  summary: "A story's verification receipt",
  description: "Public for approved stories; the author (edit token or learner token) can read it at any status.",
  security,
  middleware: [requirePublishableKey] as const,
  request: { params: idParam, headers: authorHeaders },
  responses: {
    200: { description: "The receipt", content: { "application/json": { schema: StoryVerification } } },
    ...errorResponses(404),
  },
});

export const storyRoutes = createRouter()
  .openapi(postStory, async (c) => {
    const { db, clock, config } = c.var.deps;
    const { workspace } = c.var.auth;
    const now = clock.now();
    const { website, credential, ...fields } = c.req.valid("json");
    const claims = await optionalLearner(c);
    if (website && website.trim().length > 0) {
      // A bot filled the hidden field: answer like a success so it learns nothing, store nothing.
      const fake = { id: newId("sty"), editToken: newSecret("edit") };
      return c.json(
        {
          ...fields,
          id: fake.id,
          status: "pending" as const,
          learnerLinked: claims !== null,
          outcome: {
            type: fields.outcome.type,
            salaryIncreasePct: fields.outcome.salaryIncreasePct ?? null,
            monthsToOutcome: fields.outcome.monthsToOutcome ?? null,
          },
          consent: { ...fields.consent },
          photoUrl: fields.photoUrl ?? null,
          featured: false,
          tags: [],
          verificationLevel: "self_reported" as const,
          verification: null,
          createdAt: now.toISOString(),
          updatedAt: null,
          approvedAt: null,
          editToken: fake.editToken,
          shareLink: null,
        },
        201,
      );
    }
    const learner = claims ? await upsertLearner(db, config.secret, workspace, claims, now) : null;
    const { story, editToken } = await createStory(db, {
      workspace,
      fields,
      credential,
      learner,
      learnerEmail: claims?.email,
      visitorHash: visitorHash(
        { secret: c.var.deps.config.secret },
        { workspaceId: workspace.id, visitor: c.var.visitor, now: c.var.deps.clock.now() },
      ),
      fetch: c.var.deps.fetch ?? guardedFetch,
      now,
    });
    return c.json({ ...fullStory(story), editToken, shareLink: await shareLink(c, story, learner) }, 201);
  })
  .openapi(patchStory, async (c) => {
    const { db, clock } = c.var.deps;
    const { workspace } = c.var.auth;
    const claims = await optionalLearner(c);
    const story = await requireAuthor(db, workspace.id, c.req.valid("param").id, {
      editToken: c.req.header(editTokenHeader),
      learnerExternalId: claims?.sub,
    });
    const learner = story.learnerId ? await learnerById(db, workspace.id, story.learnerId) : null;
    const updated = await updateStoryByAuthor(db, story, {
      workspace,
      patch: c.req.valid("json"),
      learner: claims && learner?.externalId === claims.sub ? learner : null,
      learnerEmail: claims?.email,
      fetch: c.var.deps.fetch ?? guardedFetch,
      now: clock.now(),
    });
    return c.json({ ...fullStory(updated), shareLink: await shareLink(c, updated, learner) }, 200);
  })
  .openapi(deleteStory, async (c) => {
    const { db, clock } = c.var.deps;
    const claims = await optionalLearner(c);
    const story = await requireAuthor(db, c.var.auth.workspace.id, c.req.valid("param").id, {
      editToken: c.req.header(editTokenHeader),
      learnerExternalId: claims?.sub,
    });
    if (story.status !== "withdrawn") await withdrawStory(db, story, clock.now());
    return c.body(null, 204);
  })
  .openapi(listStories, async (c) => {
    const page = await listPublicStories(c.var.deps.db, c.var.auth.workspace.id, c.req.valid("query"));
    return c.json({ items: page.items.map(publicStory), nextCursor: page.nextCursor }, 200);
  })
  .openapi(getVerification, async (c) => {
    const { db } = c.var.deps;
    const story = await findStory(db, c.var.auth.workspace.id, c.req.valid("param").id);
    if (story.status !== "approved") {
      const claims = await optionalLearner(c);
      const author = await isAuthor(db, story, {
        editToken: c.req.header(editTokenHeader),
        learnerExternalId: claims?.sub,
      });
      // Unapproved stories do not exist for anyone but their author.
      if (!author || story.status === "withdrawn") throw new ApiError("not_found", "No such story in this workspace");
    }
    const receipt = story.verification;
    const linkedIn =
      story.verificationLevel === "credential_verified" && receipt?.credential && receipt.issuer
        ? addToLinkedInUrl(receipt.credential, receipt.issuer)
        : null;
    return c.json(
      {
        storyId: story.id,
        level: story.verificationLevel,
        checkedAt: receipt?.checkedAt ?? new Date(story.createdAt).toISOString(),
        checks: receipt?.checks ?? [],
        credentialHash: receipt?.credentialHash ?? null,
        issuer: receipt?.issuer ?? null,
        credential: receipt?.credential ?? null,
        addToLinkedIn: linkedIn,
      },
      200,
    );
  });
