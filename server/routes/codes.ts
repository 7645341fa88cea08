/** Vanity codes, chosen by the provider (`POST /v1/codes`, secret key). */
import { z } from "@hono/zod-openapi";
import { webUrl } from "../../db/web-url.ts";
import { errorResponses } from "../errors.ts";
import { courseSlug } from "../lib/fields.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { publicBase } from "../lib/urls.ts";
import { requireSecretKey } from "../middleware/auth.ts";
import { createVanityCode } from "../services/codes.ts";
import { workspaceContext } from "./context.ts";

const VanityInput = z
  .object({
    code: z.string().min(3).max(32).openapi({ example: "priya-data" }),
    learnerId: z.string().min(1).max(200).optional().openapi({ description: "Your learner id (the token's `sub`)" }),
    course: courseSlug.optional(),
    targetUrl: webUrl().max(2000).optional().openapi({
      description: "On one of the workspace's allowed origins, its course pages' or its default target's origin",
    }),
  })
  .strict()
  .openapi("VanityCodeInput");

const Code = z
  .object({
    id: z.string(),
    code: z.string(),
    link: z.string(),
    course: z.string().nullable(),
    targetUrl: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Code");

const create = apiRoute({
  method: "post",
  path: "/v1/codes",
  tags: ["Referrals"],
  summary: "Create a vanity code",
  description:
    "3–32 characters of a-z, 0-9 and hyphens; unique across the server whatever the case; reserved words refused.",
  security: [{ secretKey: [] }],
  middleware: [requireSecretKey] as const,
  request: { body: { required: true, content: { "application/json": { schema: VanityInput } } } },
  responses: {
    201: { description: "The code", content: { "application/json": { schema: Code } } },
    ...errorResponses(404, 409),
  },
});

export const codeRoutes = createRouter().openapi(create, async (c) => {
  const row = await createVanityCode(workspaceContext(c), c.req.valid("json"));
  c.var.codes.clear();
  return c.json(
    {
      id: row.id,
      code: row.code,
      link: `${publicBase(c)}/r/${row.code}`,
      course: row.course || null,
      targetUrl: row.targetUrl,
      createdAt: new Date(row.createdAt).toISOString(),
    },
    201,
  );
});
