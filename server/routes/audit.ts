/**
 * `/v1/admin/audit`: the workspace's audit trail (who changed what, when, from which values to
 * which), filtered by actor, action and day, as JSON pages or one CSV file. Read-only: the rows
 * are written by the services that make the changes (services/audit.ts).
 */
import { z } from "@hono/zod-openapi";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { type AuditFilter, auditCsv, listAudit } from "../services/audit.ts";
import { workspaceContext } from "./context.ts";
import { cursorQuery } from "./schemas.ts";

const dayMs = 86_400_000;
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD")
  .refine((text) => !Number.isNaN(Date.parse(text)), "a real day");

const AuditQuery = z.object({
  actor: z.string().max(64).optional().openapi({ description: "The key (key_…) or member that made the changes" }),
  action: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)?$/)
    .max(64)
    .optional()
    .openapi({ description: "An action (`reward.approve`) or a resource (`reward`)" }),
  from: day.optional().openapi({ description: "First day (UTC), inclusive" }),
  to: day.optional().openapi({ description: "Last day (UTC), inclusive" }),
});

export const AuditEvent = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.object({
      kind: z.enum(["key", "dashboard", "member", "system"]),
      id: z.string(),
      email: z.string().nullable().openapi({ description: "A team member's address while they are on the team" }),
    }),
    action: z.string(),
    targetId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
  })
  .openapi("AuditEvent");
export type AuditEvent = z.infer<typeof AuditEvent>;
export const AuditList = z
  .object({ items: z.array(AuditEvent), nextCursor: z.string().nullable() })
  .openapi("AuditList");
export type AuditList = z.infer<typeof AuditList>;

const list = apiRoute({
  method: "get",
  path: "/v1/admin/audit",
  tags: ["Audit"],
  summary: "The audit trail, newest first",
  description:
    "Personal data in `before` and `after` is masked; an erased learner's rows keep only who, when and what.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: { query: AuditQuery.extend(cursorQuery) },
  responses: { 200: { description: "A page of the trail", content: { "application/json": { schema: AuditList } } } },
});

const exportRoute = apiRoute({
  method: "get",
  path: "/v1/admin/audit/export",
  tags: ["Audit"],
  summary: "The filtered audit trail as CSV (streamed)",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: { query: AuditQuery },
  responses: {
    200: { description: "RFC 4180 CSV with a header line", content: { "text/csv": { schema: z.string() } } },
  },
});

function filterOf(query: z.infer<typeof AuditQuery>): Omit<AuditFilter, "limit" | "cursor"> {
  return {
    actor: query.actor,
    action: query.action,
    from: query.from ? Date.parse(query.from) : undefined,
    to: query.to ? Date.parse(query.to) + dayMs : undefined,
  };
}

export const auditRoutes = createRouter()
  .openapi(list, async (c) => {
    const query = c.req.valid("query");
    return c.json(
      await listAudit(workspaceContext(c), { ...filterOf(query), cursor: query.cursor, limit: query.limit }),
      200,
    );
  })
  .openapi(exportRoute, async (c) => {
    return c.body(auditCsv(workspaceContext(c), filterOf(c.req.valid("query"))), 200, {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": 'attachment; filename="chorus-audit.csv"',
      "Cache-Control": "private, no-store",
    }) as never;
  });
