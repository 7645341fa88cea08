/**
 * `/v1/admin/reserved-codes`: brand names only this workspace may use as vanity codes (codes are
 * one namespace across the server). The rules are in services/reserved-codes.ts.
 */
import { z } from "@hono/zod-openapi";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { listReservedCodes, releaseReservedCode, reserveCode } from "../services/reserved-codes.ts";
import { workspaceContext } from "./context.ts";

export const ReservedCode = z.object({ name: z.string(), createdAt: z.string() }).openapi("ReservedCode");
export type ReservedCode = z.infer<typeof ReservedCode>;
export const ReservedCodeList = z.object({ items: z.array(ReservedCode) }).openapi("ReservedCodeList");
export type ReservedCodeList = z.infer<typeof ReservedCodeList>;

const nameParam = z.object({
  name: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "name", in: "path" }, example: "skillbridge" }),
});

const list = apiRoute({
  method: "get",
  path: "/v1/admin/reserved-codes",
  tags: ["Program"],
  summary: "List the brand names this workspace reserved",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: { 200: { description: "The names", content: { "application/json": { schema: ReservedCodeList } } } },
});

const reserve = apiRoute({
  method: "put",
  path: "/v1/admin/reserved-codes/{name}",
  tags: ["Program"],
  summary: "Reserve a brand name",
  description:
    "No other workspace may then create a vanity code with this name, or one that reads like it (hyphens " +
    "dropped, look-alike characters such as 0/o and 1/l/i folded). Refused with 409 when another workspace " +
    "reserved it or already uses it as a code; at most 50 names per workspace.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: { params: nameParam },
  responses: {
    200: { description: "Reserved already", content: { "application/json": { schema: ReservedCode } } },
    201: { description: "Reserved", content: { "application/json": { schema: ReservedCode } } },
    ...errorResponses(409),
  },
});

const release = apiRoute({
  method: "delete",
  path: "/v1/admin/reserved-codes/{name}",
  tags: ["Program"],
  summary: "Release a reserved name",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: { params: nameParam },
  responses: { 204: { description: "Released" }, ...errorResponses(404) },
});

export const reservedCodeRoutes = createRouter()
  .openapi(list, async (c) => c.json({ items: await listReservedCodes(workspaceContext(c)) }, 200))
  .openapi(reserve, async (c) => {
    const { created, reservation } = await reserveCode(workspaceContext(c), { name: c.req.valid("param").name });
    return c.json(reservation, created ? 201 : 200);
  })
  .openapi(release, async (c) => {
    await releaseReservedCode(workspaceContext(c), { name: c.req.valid("param").name });
    return c.body(null, 204);
  });
