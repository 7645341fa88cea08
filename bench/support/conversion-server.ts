/**
 * What the conversion benches share: the real app on a real @hono/node-server over a temporary
 * database file, with one workspace and 50 advocates whose codes the conversions name (so each
 * is attributed and earns both rewards). `BENCH_SYNC` sets the file's `synchronous` pragma.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createClient } from "@libsql/client";
import Database from "libsql";
import { createDb } from "../../db/index.ts";
import { migrateDatabase, prepareFileDatabase } from "../../db/migrate.ts";
import { cachePreparedStatements } from "../../db/statement-cache.ts";
import { createApp } from "../../server/app.ts";
import { upsertLearner } from "../../server/services/learners.ts";
import { codeForLearner } from "../../server/services/referrals.ts";
import { createWorkspace, getWorkspace } from "../../server/services/workspaces.ts";

/**
 * Statements the app issued so far: the client prepares (or, with the cache, looks up) each
 * statement it runs exactly once, so counting `prepare` calls counts statements, without the
 * cache's own schema-version checks.
 */
let statementsIssued = 0;
function countStatements(): void {
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function counted(this: Database.Database, sql: string) {
    statementsIssued++;
    return prepare.call(this, sql);
  } as typeof prepare;
}

export async function startConversionServer() {
  cachePreparedStatements(); // as server/node-database.ts does for `npm start`
  countStatements();
  const dir = mkdtempSync(join(tmpdir(), "chorus-bench-"));
  const client = createClient({ url: `file:${join(dir, "bench.db")}` });
  await prepareFileDatabase(client);
  // What `npm start` runs with; the test harness uses FULL for durability assertions too.
  if (process.env.BENCH_SYNC) await client.execute(`PRAGMA synchronous = ${process.env.BENCH_SYNC}`);
  await migrateDatabase(client);
  const db = createDb(client);
  const clock = { now: () => new Date() };
  const secret = "bench-secret-0123456789-0123456789-0123";
  const app = createApp({ db, clock, config: { secret, bodyLimitBytes: 65536, trustProxy: false } });

  const created = await createWorkspace({ db, clock }, { name: "Bench", origins: [], settings: { holdDays: 14 } });
  const workspace = (await getWorkspace({ db }, { id: created.id }))!;
  const codes: string[] = [];
  for (let i = 0; i < 50; i++) {
    const learner = await upsertLearner(
      { db, clock, secret, workspace },
      { sub: `advocate-${i}`, name: `Advocate ${i}` },
    );
    codes.push((await codeForLearner({ db, workspace, clock }, { learner, course: "" })).code);
  }

  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    secretKey: created.secretKey,
    codes,
    statements: () => statementsIssued,
    close() {
      server.close();
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
