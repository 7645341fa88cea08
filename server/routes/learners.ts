/** A learner's record and the erasure of their personal data (secret key, server to server). */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { publicBase } from "../lib/urls.ts";
import { requireSecretKey } from "../middleware/auth.ts";
import { mediaContext, workspaceContext } from "./context.ts";

const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "id", in: "path" }, description: "Your learner id (the learner token's `sub`)" }),
});

const LearnerRecord = z
  .object({
    id: z.string().openapi({ description: "Chorus's id of the learner" }),
    externalId: z.string().openapi({ description: "Your learner id (the token's `sub`)" }),
    name: z.string().nullable(),
    email: z.string().nullable().openapi({ description: "Only when the program stores emails (`storeEmails`)" }),
    createdAt: z.string(),
    codes: z.array(
      z.object({
        code: z.string(),
        link: z.string(),
        kind: z.enum(["generated", "vanity"]),
        course: z.string().nullable(),
        disabled: z.boolean(),
        createdAt: z.string(),
      }),
    ),
    counts: z.object({
      clicks: z.number(),
      shares: z.number(),
      signups: z.number(),
      enrollments: z.number(),
      completions: z.number(),
      stories: z.number(),
      rewards: z.number(),
    }),
  })
  .openapi("Learner");

const ErasureReceipt = z
  .object({
    erasedAt: z.string(),
    codesDisabled: z.number(),
    vanityCodesErased: z.number(),
    storiesWithdrawn: z.number(),
    signalsDeleted: z.number(),
    clicksScrubbed: z.number(),
    conversionsScrubbed: z.number(),
    webhookEventsScrubbed: z.number(),
    mailSuppressed: z.number(),
    connectorEventsDropped: z.number(),
    friendCouponsErased: z.number(),
  })
  .openapi("LearnerErasure");

const getLearner = apiRoute({
  method: "get",
  path: "/v1/learners/{id}",
  tags: ["Learners"],
  summary: "A learner: who they are to Chorus, their codes and what their sharing brought",
  security: [{ secretKey: [] }],
  middleware: [requireSecretKey] as const,
  request: { params: idParam },
  responses: {
    200: { description: "The learner", content: { "application/json": { schema: LearnerRecord } } },
    ...errorResponses(404),
  },
});

const deleteLearner = apiRoute({
  method: "delete",
  path: "/v1/learners/{id}",
  tags: ["Learners"],
  summary: "Erase a learner's personal data; aggregates stay",
  description:
    "Erases the learner's name, email, email hash and id, their browser signals and the hashes of their own " +
    "clicks (those made with their browser's visitor id, never others' clicks from the same address), withdraws and " +
    "empties their stories, disables their generated codes (links then land on the workspace's `fallbackUrl`), " +
    "erases their vanity codes (the links then answer like an unknown code, and the names are free again), drops the email hash of conversions they made as a customer, and removes their name and id " +
    "from stored decision logs, answers and webhook payloads. Every count, rollup and reward total stays the same. " +
    "Answers 200 with what was erased; afterwards Chorus no longer knows the id, so a repeated DELETE answers 404 " +
    "(treat it as done). A later learner token with the same `sub` starts a new learner.",
  security: [{ secretKey: [] }],
  middleware: [requireSecretKey] as const,
  request: { params: idParam },
  responses: {
    200: { description: "What was erased", content: { "application/json": { schema: ErasureReceipt } } },
    ...errorResponses(404),
  },
});

/** Loaded by the first learner request, not at start-up (worker.build.ts: a cold start does not parse it). */
const lazyErasure = () => import("../services/learner-erasure.ts");

export const learnerRoutes = createRouter()
  .openapi(getLearner, async (c) => {
    const { id } = c.req.valid("param");
    const { learnerRecord } = await lazyErasure();
    return c.json(await learnerRecord(workspaceContext(c), { externalId: id, publicBase: publicBase(c) }), 200);
  })
  .openapi(deleteLearner, async (c) => {
    const { id } = c.req.valid("param");
    const { eraseLearner } = await lazyErasure();
    const receipt = await eraseLearner({ ...workspaceContext(c), ...mediaContext(c) }, { externalId: id });
    // Disabled codes must reach the redirect at once.
    c.var.codes.clear();
    return c.json(receipt, 200);
  });
