/**
 * The keyset condition of lists sorted newest first by (created at, id), both descending: the rows
 * of the next page are those strictly before the last row shown (the decoded cursor's key).
 */
import { and, type Column, eq, lt, or, type SQL } from "drizzle-orm";

/** Rows after `after` in the list's order; no condition on the first page (no cursor). */
export function olderThan(createdAt: Column, id: Column, after: readonly [number, string] | null): SQL | undefined {
  if (!after) return undefined;
  const [at, key] = after;
  return or(lt(createdAt, at), and(eq(createdAt, at), lt(id, key)));
}
