/**
 * One page of a keyset list. Every list queries `limit + 1` rows in its sort order after the
 * decoded cursor's key; the extra row only says that there is a next page, whose cursor is the
 * key of the last row shown. Plain TypeScript: services page their own queries with it.
 */
import { type CursorKey, encodeCursor } from "./cursor.ts";

/** What every list answers: `{ items, nextCursor }`, nextCursor null on the last page. */
export type Page<Item> = { items: Item[]; nextCursor: string | null };

/** `rows` is the query's result for `limit + 1`; `keyOf` gives a row's sort key. */
export function paginate<Row>(rows: readonly Row[], limit: number, keyOf: (row: Row) => CursorKey): Page<Row> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
