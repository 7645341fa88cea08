/** `GET|PUT /v1/admin/courses…`: course titles and landing pages (where course links go). */
import { z } from "@hono/zod-openapi";
import { webUrl } from "../../db/web-url.ts";
import { courseSlug } from "../lib/fields.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { listCourses, upsertCourse } from "../services/courses.ts";
import { workspaceContext } from "./context.ts";

export const Course = z
  .object({ slug: z.string(), title: z.string(), url: z.string().nullable(), createdAt: z.string() })
  .openapi("Course");
export type Course = z.infer<typeof Course>;
export const CourseList = z.object({ items: z.array(Course), nextCursor: z.null() });
export type CourseList = z.infer<typeof CourseList>;
const CourseInput = z
  .object({
    title: z.string().trim().min(1).max(200),
    url: webUrl().max(2000).nullable().default(null),
  })
  .strict()
  .openapi("CourseInput");

const list = apiRoute({
  method: "get",
  path: "/v1/admin/courses",
  tags: ["Program"],
  summary: "List courses",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: {
    200: {
      description: "The courses",
      content: { "application/json": { schema: CourseList } },
    },
  },
});

const put = apiRoute({
  method: "put",
  path: "/v1/admin/courses/{slug}",
  tags: ["Program"],
  summary: "Create or change a course",
  description: "Referral links for the course land on `url` unless the code has its own target.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    params: z.object({ slug: courseSlug }),
    body: { required: true, content: { "application/json": { schema: CourseInput } } },
  },
  responses: {
    200: { description: "The course", content: { "application/json": { schema: Course } } },
  },
});

const present = (row: { slug: string; title: string; url: string | null; createdAt: number }) => ({
  slug: row.slug,
  title: row.title,
  url: row.url,
  createdAt: new Date(row.createdAt).toISOString(),
});

export const courseRoutes = createRouter()
  .openapi(list, async (c) => {
    const rows = await listCourses(workspaceContext(c));
    return c.json({ items: rows.map(present), nextCursor: null }, 200);
  })
  .openapi(put, async (c) => {
    const row = await upsertCourse(workspaceContext(c), { ...c.req.valid("json"), slug: c.req.valid("param").slug });
    c.var.codes.clear();
    return c.json(present(row), 200);
  });
