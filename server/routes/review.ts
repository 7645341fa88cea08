/**
 * `/v1/admin/review` and `/v1/admin/blocks`: the fraud review queue (held cases with the rules
 * that fired in plain words and their notes), decisions on one case or many, and the block list
 * that judges future conversions. The rules are in services/review-queue.ts and block-lists.ts.
 */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { addBlock, listBlocks, removeBlock } from "../services/block-lists.ts";
import { addReviewNote, decideCases, listReviewQueue } from "../services/review-queue.ts";
import { workspaceContext } from "./context.ts";
import { cursorQuery, Reward } from "./schemas.ts";

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });
const common = { tags: ["Review"], security: secretKeyOrSession, middleware: [requireSecretKeyOrSession] };

const Note = z.object({ id: z.string(), body: z.string(), by: z.string(), at: z.string() }).openapi("ReviewNote");
export const ReviewCase = z
  .object({
    conversionId: z.string(),
    externalId: z.string(),
    type: z.string(),
    occurredAt: z.string(),
    referrer: z.string().nullable(),
    amount: z.number().int().nullable(),
    currency: z.string().nullable(),
    rules: z.array(z.object({ rule: z.string(), evidence: z.string(), detail: z.string() })),
    rewards: z.array(Reward),
    notes: z.array(Note),
  })
  .openapi("ReviewCase");
export type ReviewCase = z.infer<typeof ReviewCase>;
export const ReviewQueue = z
  .object({ items: z.array(ReviewCase), nextCursor: z.string().nullable() })
  .openapi("ReviewQueue");
export type ReviewQueue = z.infer<typeof ReviewQueue>;
export const Block = z
  .object({
    id: z.string(),
    kind: z.enum(["email", "domain", "network", "ip", "referrer"]),
    value: z.string(),
    reason: z.string(),
    createdAt: z.string(),
  })
  .openapi("Block");
export type Block = z.infer<typeof Block>;

const queue = apiRoute({
  ...common,
  method: "get",
  path: "/v1/admin/review",
  summary: "Open cases: flagged conversions whose rewards are held, newest first",
  request: { query: z.object(cursorQuery) },
  responses: { 200: { description: "A page of cases", ...json(ReviewQueue) } },
});

const decide = apiRoute({
  ...common,
  method: "post",
  path: "/v1/admin/review/decisions",
  summary: "Approve, void or ban the referrer, for one case or many at once (all or none)",
  request: {
    body: {
      required: true,
      ...json(
        z
          .object({
            conversionIds: z.array(z.string().min(1).max(64)).min(1).max(100),
            action: z.enum(["approve", "void", "ban"]),
            reason: z.string().max(500).optional().openapi({ description: "Required for a ban" }),
          })
          .strict(),
      ),
    },
  },
  responses: {
    200: {
      description: "What changed",
      ...json(z.object({ decided: z.number().int(), rewardsChanged: z.number().int() })),
    },
    ...errorResponses(404, 409),
  },
});

const note = apiRoute({
  ...common,
  method: "post",
  path: "/v1/admin/review/{id}/notes",
  summary: "Add a note to a case",
  request: {
    params: z.object({ id: z.string().min(1).max(64) }),
    body: { required: true, ...json(z.object({ body: z.string().min(1).max(2000) }).strict()) },
  },
  responses: { 201: { description: "The note", ...json(Note) }, ...errorResponses(404) },
});

const blocks = apiRoute({
  ...common,
  method: "get",
  path: "/v1/admin/blocks",
  summary: "The workspace's block list",
  responses: { 200: { description: "The entries", ...json(z.object({ items: z.array(Block) })) } },
});

const block = apiRoute({
  ...common,
  method: "post",
  path: "/v1/admin/blocks",
  summary: "Block an email, an email domain or a case's network for future conversions",
  description:
    "`email`: `value` (an address, stored as its salted hash) or the customer of `conversionId`; `domain`: `value`; " +
    "`network`: the click of `conversionId` (its network key, else its IP hash).",
  request: {
    body: {
      required: true,
      ...json(
        z
          .object({
            kind: z.enum(["email", "domain", "network"]),
            value: z.string().min(1).max(320).optional(),
            conversionId: z.string().min(1).max(64).optional(),
            reason: z.string().min(1).max(500),
          })
          .strict(),
      ),
    },
  },
  responses: { 201: { description: "The entry", ...json(Block) }, ...errorResponses(404, 409) },
});

const unblock = apiRoute({
  ...common,
  method: "delete",
  path: "/v1/admin/blocks/{id}",
  summary: "Remove an entry from the block list",
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: "Removed" }, ...errorResponses(404) },
});

export const reviewRoutes = createRouter()
  .openapi(queue, async (c) => c.json(await listReviewQueue(workspaceContext(c), c.req.valid("query")), 200))
  .openapi(decide, async (c) => c.json(await decideCases(workspaceContext(c), c.req.valid("json")), 200))
  .openapi(note, async (c) =>
    c.json(
      await addReviewNote(workspaceContext(c), {
        conversionId: c.req.valid("param").id,
        body: c.req.valid("json").body,
      }),
      201,
    ),
  )
  .openapi(blocks, async (c) => c.json(await listBlocks(workspaceContext(c)), 200))
  .openapi(block, async (c) => c.json(await addBlock(workspaceContext(c), c.req.valid("json")), 201))
  .openapi(unblock, async (c) => {
    await removeBlock(workspaceContext(c), c.req.valid("param"));
    return c.body(null, 204);
  });
