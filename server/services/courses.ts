/** The provider's courses: a title for reports and the page a course's referral links land on. */
import { asc, eq } from "drizzle-orm";
import { courses } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import type { WorkspaceContext } from "./types.ts";

export type CourseInput = { slug: string; title: string; url: string | null };

export async function upsertCourse({ db, clock, workspace }: WorkspaceContext, input: CourseInput) {
  const { slug, title, url } = input;
  const [row] = await db
    .insert(courses)
    .values({ id: newId("crs"), workspaceId: workspace.id, slug, title, url, createdAt: clock.now().getTime() })
    .onConflictDoUpdate({ target: [courses.workspaceId, courses.slug], set: { title, url } })
    .returning();
  if (!row) throw new Error("course upsert returned nothing");
  return row;
}

export function listCourses({ db, workspace }: WorkspaceContext) {
  return db.select().from(courses).where(eq(courses.workspaceId, workspace.id)).orderBy(asc(courses.slug));
}
