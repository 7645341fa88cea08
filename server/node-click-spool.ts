/**
 * Clicks kept while an embedded replica's primary does not answer. libSQL sends every write of a
 * replica to the primary (write delegation) and has no way to commit locally and push later with
 * a self-hosted libSQL server ("offline writes" need Turso's own sync service: tursodatabase/libsql
 * issue 2037). Most writes can wait for the primary, because whoever sent them is told 503 and
 * retries (a server posting a conversion, Stripe's webhooks, a learner pressing a button again).
 * A friend following a referral link cannot: the redirect is their only request, and a click not
 * kept is a referral lost. So while the primary is down, clicks go to a plain local libSQL file
 * beside the replica (`<database>.held-clicks`), committed before the redirect answers, and are
 * written to the primary, oldest first, once it answers again.
 *
 * Once anything is held, new clicks queue behind it until the file is empty, so clicks reach the
 * primary in the order they were made. Writing a held batch and then forgetting it are two
 * transactions in two databases: if the process dies between them, the next attempt skips the
 * clicks the primary already has (by id), so none is written twice.
 */
import { type Client, createClient } from "@libsql/client";
import type { Db } from "../db/index.ts";
import { type ClickRow, insertClicks } from "./services/click-writer.ts";
import { primaryAway } from "./services/errors.ts";

/** Clicks written to the primary per attempt (as the group committer's batches). */
const drainBatch = 500;

export type ClickSpool = {
  /** Clicks kept locally and not yet on the primary. */
  readonly held: number;
  /** The group committer's write: to the primary, or kept here when it does not answer. */
  write(rows: ClickRow[]): Promise<void>;
  /** Writes what is held to the primary, oldest first; stops quietly while it still does not answer. */
  drain(): Promise<void>;
  close(): void;
};

/** The held-clicks file of a replica at `databaseFile`; created on first use. */
export async function openClickSpool(
  db: Db,
  databaseFile: string,
  write: (rows: ClickRow[]) => Promise<void> = (rows) => insertClicks({ db }, { rows }),
): Promise<ClickSpool> {
  const file: Client = createClient({ url: `file:${databaseFile}.held-clicks` });
  // An acknowledged click must survive a crash: FULL syncs the WAL on every commit.
  await file.execute("PRAGMA journal_mode = WAL");
  await file.execute("PRAGMA synchronous = FULL");
  await file.execute(
    "CREATE TABLE IF NOT EXISTS held_clicks (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, row TEXT NOT NULL)",
  );
  let held = Number((await file.execute("SELECT count(*) AS n FROM held_clicks")).rows[0]?.n ?? 0);
  let draining: Promise<void> | null = null;

  async function hold(rows: ClickRow[]): Promise<void> {
    await file.batch(
      rows.map((row) => ({
        sql: "INSERT INTO held_clicks (id, row) VALUES (?, ?)",
        args: [row.id, JSON.stringify(row)],
      })),
      "write",
    );
    held += rows.length;
  }

  async function drainOnce(): Promise<void> {
    while (held > 0) {
      const { rows } = await file.execute({
        sql: "SELECT seq, row FROM held_clicks ORDER BY seq LIMIT ?",
        args: [drainBatch],
      });
      if (rows.length === 0) {
        held = 0;
        return;
      }
      const clicks = rows.map((row) => JSON.parse(String(row.row)) as ClickRow);
      // A batch written before a crash, and not forgotten here: the primary already has it.
      const ids = clicks.map((click) => click.id);
      const present = new Set(
        (
          await db.$client.execute({
            sql: `SELECT id FROM clicks WHERE id IN (${ids.map(() => "?").join(", ")})`,
            args: ids,
          })
        ).rows.map((row) => String(row.id)),
      );
      try {
        await write(clicks.filter((click) => !present.has(click.id)));
      } catch (error) {
        if (primaryAway(error)) return;
        throw error;
      }
      const last = Number(rows[rows.length - 1]?.seq);
      await file.execute({ sql: "DELETE FROM held_clicks WHERE seq <= ?", args: [last] });
      held -= rows.length;
    }
  }

  return {
    get held() {
      return held;
    },
    async write(rows) {
      if (held === 0 && !draining) {
        try {
          return await write(rows);
        } catch (error) {
          if (!primaryAway(error)) throw error;
        }
      }
      await hold(rows);
    },
    drain() {
      draining ??= drainOnce().finally(() => {
        draining = null;
      });
      return draining;
    },
    close() {
      file.close();
    },
  };
}
