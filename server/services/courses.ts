/** The provider's courses: a title for reports and the page a course's referral links land on. */
import { and, asc, eq } from "drizzle-orm";
import { courses } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import type { WorkspaceContext } from "./types.ts";

export type CourseInput = { slug: string; title: string; url: string | null };

export async function upsertCourse(ctx: WorkspaceContext, input: CourseInput) {
  const { db, clock, workspace } = ctx;
  const { slug, title, url } = input;
  return writeTransaction(db, async (tx) => {
    const [before] = await tx
      .select({ title: courses.title, url: courses.url })
      .from(courses)
      .where(and(eq(courses.workspaceId, workspace.id), eq(courses.slug, slug)));
    const [row] = await tx
      .insert(courses)
      .values({ id: newId("crs"), workspaceId: workspace.id, slug, title, url, createdAt: clock.now().getTime() })
      .onConflictDoUpdate({ target: [courses.workspaceId, courses.slug], set: { title, url } })
      .returning();
    if (!row) throw new Error("course upsert returned nothing");
    await recordAudit(
      { ...ctx, tx },
      { action: "course.upsert", targetId: slug, before: before ?? null, after: { title, url } },
    );
    return row;
  });
}

export function listCourses({ db, workspace }: WorkspaceContext) {
  return db.select().from(courses).where(eq(courses.workspaceId, workspace.id)).orderBy(asc(courses.slug));
}
