import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { ApiError, errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";

const Health = z.object({ status: z.literal("ok"), database: z.literal("ok"), time: z.string() }).openapi("Health");

const health = apiRoute({
  method: "get",
  path: "/healthz",
  tags: ["System"],
  summary: "Liveness and database check",
  responses: {
    200: { description: "The server and its database answer", content: { "application/json": { schema: Health } } },
    ...errorResponses(503),
  },
});

export const healthRoutes = createRouter().openapi(health, async (c) => {
  const { db, clock } = c.var.deps;
  try {
    await db.run(sql`select 1`);
  } catch {
    throw new ApiError("unavailable", "The database does not answer");
  }
  return c.json({ status: "ok" as const, database: "ok" as const, time: clock.now().toISOString() }, 200);
});
