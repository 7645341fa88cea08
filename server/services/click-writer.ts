/** Where clicks go: a group committer over the database, shared by every request of a process. */
import type { Db } from "../../db/index.ts";
import { clicks } from "../../db/schema.ts";
import { type GroupCommitter, groupCommit } from "../lib/group-commit.ts";

export type ClickRow = typeof clicks.$inferInsert;
export type ClickWriter = GroupCommitter<ClickRow>;

export function createClickWriter(db: Db): ClickWriter {
  // One multi-row INSERT is one implicit transaction: one fsync for the whole batch.
  // 500 rows x 15 columns stays under SQLite's limit on bound parameters.
  return groupCommit<ClickRow>(async (rows) => {
    await db.insert(clicks).values(rows);
  }, 500);
}
