/**
 * Success stories for the widgets: submit, edit, withdraw, list approved ones, read a receipt.
 * The author proves authorship with the edit token (header `Chorus-Edit-Token`) or a learner
 * token for the story's learner.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError, errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { publicBase } from "../lib/urls.ts";
import { requirePublishableKey } from "../middleware/auth.ts";
import { rateLimit } from "../middleware/rate-limit.ts";
import { credentialFetch } from "../services/credentials/fetch.ts";
import { courseRating, listPublicStories, outcomeTypes, publicStory } from "../services/stories.ts";
import {
  type AuthorContext,
  type AuthorProof,
  editStory,
  type SentLearnerToken,
  setOwnPhoto,
  storyVerification,
  submitStory,
  withdrawOwnStory,
} from "../services/story-authors.ts";
import type { AppEnv } from "../types.ts";
import { mediaContext, workspaceContext } from "./context.ts";
import { cursorParam } from "./schemas.ts";
import { storyTokenHeaders } from "./story-requests.ts";
import {
  AuthorStory,
  courseSlug,
  NewStory,
  StoryPage,
  StoryPatch,
  StoryVerification,
  storyIdParam,
} from "./story-schemas.ts";

const editTokenHeader = "Chorus-Edit-Token";
const security: Record<string, string[]>[] = [{ publishableKey: [] }, { publishableKey: [], learnerToken: [] }];
const authorHeaders = z.object({
  "chorus-edit-token": z.string().max(200).optional().openapi({ description: "The edit token from POST /v1/stories" }),
});

/**
 * The author's calls verify credentials over the app's outbound HTTP (with the app's cache of
 * status lists and key sets) and print links from its public base.
 */
function authorContext(c: Context<AppEnv>): AuthorContext {
  return {
    ...workspaceContext(c),
    ...mediaContext(c),
    fetch: c.var.deps.fetch ?? credentialFetch(c.var.deps.outbound),
    credentialCache: c.var.credentialCache,
    publicBase: publicBase(c),
  };
}

/** The learner token as sent in `Authorization`; the service checks it (and refuses a malformed header). */
function learnerToken(c: Context<AppEnv>): SentLearnerToken {
  const header = c.req.header("Authorization");
  if (!header) return undefined;
  return header.match(/^Bearer\s+(\S+)$/i)?.[1] ?? null;
}

function authorProof(c: Context<AppEnv>): AuthorProof {
  return { editToken: c.req.header(editTokenHeader), learnerToken: learnerToken(c) };
}

const postStory = apiRoute({
  method: "post",
  path: "/v1/stories",
  tags: ["Stories"],
  summary: "Submit a success story (pending moderation)",
  description:
    "With a learner token the story is linked to the learner (provider attestation, recipient check, share link); " +
    "so it is with the one-time token of a story request email's link in `Chorus-Story-Token` (for its course only, " +
    "used up by this story: a second use answers 409; an unknown token 404). " +
    "`consent.publish` must be true. Text is stored as plain text without bidi or control characters. " +
    "A credential never rejects the story: its result is the verification level and the receipt. " +
    "The `website` field is a honeypot: when it is filled the answer looks like success but nothing is stored. " +
    "Rate limited per visitor and per workspace (`rateLimits.stories` in the program settings; 429 with Retry-After).",
  security,
  middleware: [requirePublishableKey, rateLimit("stories")] as const,
  request: {
    headers: storyTokenHeaders,
    body: { required: true, content: { "application/json": { schema: NewStory } } },
  },
  responses: {
    201: {
      description: "The story, its edit token (shown once) and its verification",
      content: { "application/json": { schema: AuthorStory } },
    },
    ...errorResponses(404, 409),
  },
});

const patchStory = apiRoute({
  method: "patch",
  path: "/v1/stories/{id}",
  tags: ["Stories"],
  summary: "Edit a story (its author)",
  description:
    "Send the edit token in `Chorus-Edit-Token` or the author's learner token. Changed content (text, rating, " +
    "outcome, photo, credential) goes back to moderation; consent changes apply at once. `credential: null` removes it; " +
    "the credential the story already has is not checked again. " +
    "Rate limited together with `POST /v1/stories` (`rateLimits.stories`; 429 with Retry-After).",
  security,
  // Counted with story submissions: an edit can carry a new credential to check, as a submission can.
  middleware: [requirePublishableKey, rateLimit("stories")] as const,
  request: {
    params: storyIdParam,
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
  request: { params: storyIdParam, headers: authorHeaders },
  responses: { 204: { description: "Withdrawn" }, ...errorResponses(404) },
});

const listStories = apiRoute({
  method: "get",
  path: "/v1/stories",
  tags: ["Stories"],
  summary: "Approved stories, consents applied",
  description:
    "Featured first, then newest approval first. `verified=true` keeps provider-attested and credential-verified stories (not `credential_genuine`: a genuine " +
    "credential not shown to be the author's).",
  security: [{ publishableKey: [] }],
  middleware: [requirePublishableKey] as const,
  request: {
    query: z.object({
      course: courseSlug.optional(),
      outcome: z.enum(outcomeTypes).optional(),
      verified: z.enum(["true", "provider_attested", "credential_verified", "credential_genuine"]).optional(),
      cursor: cursorParam,
      limit: z.coerce.number().int().min(1).max(50).default(12),
    }),
  },
  responses: {
    200: {
      description: "A page of stories",
      content: {
        "application/json": {
          schema: StoryPage,
        },
      },
    },
  },
});

/** What an upload may declare; the bytes decide what it is (services/photo-bytes.ts). */
const uploadTypes = ["image/jpeg", "image/png", "image/webp", "application/octet-stream"];
const imageBody = z.string().openapi({ type: "string", format: "binary" });

const putPhoto = apiRoute({
  method: "put",
  path: "/v1/stories/{id}/photo",
  tags: ["Stories"],
  summary: "Upload the story's photo (its author)",
  description:
    "The body is the image itself (`Content-Type: image/jpeg`, `image/png` or `image/webp`), at most 2 MiB. The form " +
    "element resizes it in the browser first (at most 512 pixels a side, re-encoded, which drops EXIF and location). " +
    "Chorus checks the bytes, never the declared type: a real JPEG, PNG or WebP header, 32 to 4096 pixels a side, no " +
    "data after the image's end (polyglots are refused); SVG and GIF are refused. EXIF, XMP and text metadata are " +
    "dropped from the kept copy. The photo replaces any earlier one (or `photoUrl`) and the story goes back to " +
    "moderation; it is shown on the wall, from Chorus, once approved and while `consent.photo` is true. Send the edit " +
    "token in `Chorus-Edit-Token` or the author's learner token. Rate limited with `POST /v1/stories`.",
  security,
  middleware: [requirePublishableKey, rateLimit("stories")] as const,
  request: {
    params: storyIdParam,
    headers: authorHeaders,
    body: {
      required: true,
      content: {
        "image/jpeg": { schema: imageBody },
        "image/png": { schema: imageBody },
        "image/webp": { schema: imageBody },
      },
    },
  },
  responses: {
    200: { description: "The story after the change", content: { "application/json": { schema: AuthorStory } } },
    ...errorResponses(404, 409, 413, 415),
  },
});

const deletePhoto = apiRoute({
  method: "delete",
  path: "/v1/stories/{id}/photo",
  tags: ["Stories"],
  summary: "Remove the story's photo (its author)",
  description: "The uploaded copy (or the copy of `photoUrl`) is deleted and the story shows no photo, at once.",
  security,
  middleware: [requirePublishableKey] as const,
  request: { params: storyIdParam, headers: authorHeaders },
  responses: {
    200: { description: "The story after the change", content: { "application/json": { schema: AuthorStory } } },
    ...errorResponses(404, 409),
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
  request: { params: storyIdParam, headers: authorHeaders },
  responses: {
    200: { description: "The receipt", content: { "application/json": { schema: StoryVerification } } },
    ...errorResponses(404),
  },
});

export const storyRoutes = createRouter()
  .openapi(postStory, async (c) => {
    const story = await submitStory(authorContext(c), {
      story: c.req.valid("json"),
      learnerToken: learnerToken(c),
      storyToken: c.req.valid("header")["chorus-story-token"],
      visitor: c.var.visitor,
    });
    return c.json(story, 201);
  })
  .openapi(patchStory, async (c) => {
    const { id } = c.req.valid("param");
    const story = await editStory(authorContext(c), { id, proof: authorProof(c), patch: c.req.valid("json") });
    return c.json(story, 200);
  })
  .openapi(deleteStory, async (c) => {
    await withdrawOwnStory(
      { ...workspaceContext(c), ...mediaContext(c) },
      { id: c.req.valid("param").id, proof: authorProof(c) },
    );
    return c.body(null, 204);
  })
  .openapi(putPhoto, async (c) => {
    const type = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!uploadTypes.includes(type))
      throw new ApiError(
        "unsupported_media_type",
        "Send the photo as the body, with `Content-Type: image/jpeg`, `image/png` or `image/webp`",
      );
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength === 0) throw new ApiError("invalid_request", "The body is empty: send the photo's bytes");
    const story = await setOwnPhoto(authorContext(c), { id: c.req.valid("param").id, proof: authorProof(c), bytes });
    return c.json(story, 200);
  })
  .openapi(deletePhoto, async (c) => {
    const story = await setOwnPhoto(authorContext(c), {
      id: c.req.valid("param").id,
      proof: authorProof(c),
      bytes: null,
    });
    return c.json(story, 200);
  })
  .openapi(listStories, async (c) => {
    const query = c.req.valid("query");
    const ctx = workspaceContext(c);
    const page = await listPublicStories(ctx, query);
    // A rating of the whole course: not of a filtered subset, and once per wall (its first page).
    const rating =
      query.course && !query.outcome && !query.verified && !query.cursor
        ? await courseRating(ctx, { course: query.course })
        : null;
    const base = publicBase(c);
    return c.json({ items: page.items.map((row) => publicStory(row, base)), nextCursor: page.nextCursor, rating }, 200);
  })
  .openapi(getVerification, async (c) => {
    const receipt = await storyVerification(workspaceContext(c), {
      id: c.req.valid("param").id,
      proof: authorProof(c),
    });
    return c.json(receipt, 200);
  });
