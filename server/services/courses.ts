/** The provider's courses: a title for reports and the page a course's referral links land on. */
import { asc, eq } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { courses } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";

export type CourseInput = { title: string; url: string | null };

export async function upsertCourse(db: Db, workspaceId: string, slug: string, input: CourseInput, now: Date) {
  const [row] = await db
    .insert(courses)
    .values({ id: newId("crs"), workspaceId, slug, title: input.title, url: input.url, createdAt: now.getTime() })
    .onConflictDoUpdate({ target: [courses.workspaceId, courses.slug], set: { title: input.title, url: input.url } })
    .returning();
  if (!row) throw new Error("course upsert returned nothing");
  return row;
}

export function listCourses(db: Db, workspaceId: string) {
  return db.select().from(courses).where(eq(courses.workspaceId, workspaceId)).orderBy(asc(courses.slug));
}
