import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createDb } from "../../db/index.ts";
import { migrateDatabase, prepareFileDatabase } from "../../db/migrate.ts";
import { upsertLearner } from "../../server/services/learners.ts";
import { codeForLearner } from "../../server/services/referrals.ts";
import { createWorkspace, getWorkspace } from "../../server/services/workspaces.ts";
import { runReportingScript } from "../support/processes.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-conversions-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("records one conversion once when two processes post it 25 times each at the same moment", async () => {
  const url = `file:${join(dir, "chorus.db")}`;
  const client = createClient({ url });
  await prepareFileDatabase(client);
  await migrateDatabase(client);
  const db = createDb(client);
  const created = await createWorkspace({ db, clock: { now: () => new Date() } }, { name: "Race", origins: [] });
  const workspace = (await getWorkspace({ db }, { id: created.id }))!;
  const clock = { now: () => new Date() };
  const learner = await upsertLearner({ db, clock, secret: "s".repeat(32), workspace }, { sub: "priya" });
  const code = await codeForLearner({ db, workspace, clock }, { learner, course: "" });
  const body = JSON.stringify({ id: "order-race", type: "enrollment", customer: { id: "meera" }, code: code.code });

  const run = () =>
    runReportingScript<{ created: number; replayed: number }>("conversion-runner.ts", {
      DATABASE_URL: url,
      WORKSPACE_ID: created.id,
      BODY: body,
    });
  const reports = await Promise.all([run(), run()]);
  expect(reports.reduce((sum, report) => sum + report.created, 0)).toBe(1);
  expect(reports.reduce((sum, report) => sum + report.replayed, 0)).toBe(49);
  const rows = await client.execute(
    "select (select count(*) from conversions) as c, (select count(*) from rewards) as r",
  );
  expect([rows.rows[0]?.c, rows.rows[0]?.r]).toEqual([1, 2]);
  client.close();
});
