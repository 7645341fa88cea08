/** Rewards for the program admin: list with filters, approve, void, mark issued. */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { changeReward, listRewards, type RewardAction } from "../services/rewards.ts";
import { workspaceContext } from "./context.ts";
import { cursorQuery, Reward } from "./schemas.ts";

export const RewardList = z.object({ items: z.array(Reward), nextCursor: z.string().nullable() }).openapi("RewardList");
export type RewardList = z.infer<typeof RewardList>;

const list = apiRoute({
  method: "get",
  path: "/v1/admin/rewards",
  tags: ["Rewards"],
  summary: "List rewards, newest first",
  description: "Rewards whose hold has ended are approved first (unless flagged or void).",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    query: z.object({
      status: z.enum(["pending", "approved", "issued", "void"]).optional(),
      side: z.enum(["referrer", "friend"]).optional(),
      flagged: z.enum(["true", "false"]).optional(),
      learner: z.string().max(200).optional().openapi({ description: "Your id of the referrer" }),
      conversion: z.string().max(64).optional().openapi({ description: "Chorus's conversion id (cnv_…)" }),
      ...cursorQuery,
    }),
  },
  responses: {
    200: {
      description: "A page of rewards",
      content: {
        "application/json": {
          schema: RewardList,
        },
      },
    },
  },
});

function action(name: RewardAction, summary: string) {
  return apiRoute({
    method: "post",
    path: `/v1/admin/rewards/{id}/${name}`,
    tags: ["Rewards"],
    summary,
    security: secretKeyOrSession,
    middleware: [requireSecretKeyOrSession] as const,
    request: { params: z.object({ id: z.string().min(1).max(64) }) },
    responses: {
      200: { description: "The reward after the change", content: { "application/json": { schema: Reward } } },
      ...errorResponses(404, 409),
    },
  });
}

const approve = action("approve", "Approve a pending reward (also a flagged one, after review)");
const voidRoute = action("void", "Void a pending or approved reward");
const issue = action("issue", "Mark an approved reward as issued (paid out, coupon sent)");

export const rewardRoutes = createRouter()
  .openapi(list, async (c) => {
    const query = c.req.valid("query");
    const filter = {
      status: query.status,
      side: query.side,
      flagged: query.flagged === undefined ? undefined : query.flagged === "true",
      learnerExternalId: query.learner,
      conversionId: query.conversion,
      cursor: query.cursor,
      limit: query.limit,
    };
    return c.json(await listRewards(workspaceContext(c), filter), 200);
  })
  .openapi(approve, async (c) => {
    const rewardId = c.req.valid("param").id;
    return c.json(await changeReward(workspaceContext(c), { rewardId, action: "approve" }), 200);
  })
  .openapi(voidRoute, async (c) => {
    const rewardId = c.req.valid("param").id;
    return c.json(await changeReward(workspaceContext(c), { rewardId, action: "void" }), 200);
  })
  .openapi(issue, async (c) => {
    const rewardId = c.req.valid("param").id;
    return c.json(await changeReward(workspaceContext(c), { rewardId, action: "issue" }), 200);
  });
