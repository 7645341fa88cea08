/**
 * `chorus import conversions FILE` (server/import-conversions.ts) over real CSV and NDJSON files:
 * each row recorded as by the API, refused rows written with their reason, and a run cut short
 * resumed by running it again (rows already recorded are replayed, never doubled).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importConversions } from "../../server/import-conversions.ts";
import type { Workspace } from "../../server/services/types.ts";
import { getWorkspace } from "../../server/services/workspaces.ts";
import { type Referrer, referrerFactory } from "../support/click-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp, testConfig } from "../support/test-app.ts";

let t: TestApp;
let workspace: Workspace;
let priya: Referrer;
let dir: string;
beforeAll(async () => {
  t = await createTestApp();
  const ws = await workspaceFactory(t.db);
  workspace = (await getWorkspace({ db: t.db }, { id: ws.id })) as Workspace;
  priya = await referrerFactory(t.db, ws.id, { sub: "priya", name: "Priya" }, { now: t.clock.now() });
  dir = mkdtempSync(join(tmpdir(), "chorus-import-"));
});
afterAll(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const run = (file: string) =>
  importConversions({ db: t.db, clock: t.clock, secret: testConfig.secret, workspace }, file);
const count = async (sql: string) => Number((await t.client.execute(sql)).rows[0]?.n);

describe("chorus import conversions", () => {
  it("records a CSV history as the API would, and writes refused rows with their reason", async () => {
    const lines = [
      "id,type,customer_id,customer_email,course,amount,currency,code,refund_of,occurred_at",
      ...Array.from(
        { length: 30 },
        (_, i) =>
          `csv-${i},enrollment,friend-${i},friend-${i}@example.org,data-analytics,499900,INR,${priya.code},,2026-10-0${(i % 9) + 1}T10:00:00Z`,
      ),
      `csv-refund,refund,friend-0,,,,,,csv-0,2026-10-20T10:00:00Z`,
      `csv-bad,enrollment,friend-x,,,12.5,INR,,,`,
      `csv-orphan,refund,friend-y,,,,,,no-such-order,`,
    ];
    const file = join(dir, "history.csv");
    writeFileSync(file, `${lines.join("\n")}\n`);
    expect(await run(file)).toMatchObject({ rows: 33, recorded: 31, replayed: 0, refused: 2 });
    expect(await count("select count(*) as n from conversions where status = 'attributed'")).toBe(31);
    // Both rewards per enrolment, the refunded one's voided: the same rules as the API.
    expect(await count("select count(*) as n from rewards")).toBe(60);
    expect(await count("select count(*) as n from rewards where status = 'void'")).toBe(2);
    const refused = readFileSync(`${file}.refused.ndjson`, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(refused.map((row) => [row.line, row.row.id, row.error.code])).toEqual([
      [33, "csv-bad", "invalid_request"],
      [34, "csv-orphan", "invalid_request"],
    ]);
    expect(JSON.stringify(refused[0].error.details)).toContain("amount");
  });

  it("resumes an NDJSON import that was cut short: the rerun replays what is done and records the rest", async () => {
    const rows = Array.from({ length: 60 }, (_, i) =>
      JSON.stringify({ id: `nd-${i}`, type: "signup", customer: { id: `nd-friend-${i}` }, code: priya.code }),
    );
    const full = join(dir, "history.ndjson");
    writeFileSync(full, `${rows.join("\n")}\n`);
    // The first run stopped after 40 rows (a copy that ends there stands for the interruption).
    const partial = join(dir, "partial.ndjson");
    writeFileSync(partial, `${rows.slice(0, 40).join("\n")}\n{"id": "torn`);
    expect(await run(partial)).toMatchObject({ rows: 41, recorded: 40, replayed: 0, refused: 1 });
    expect(await run(full)).toMatchObject({ rows: 60, recorded: 20, replayed: 40, refused: 0 });
    expect(await count("select count(*) as n from conversions where external_id like 'nd-%'")).toBe(60);
    expect(await count("select count(distinct external_id) as n from conversions where external_id like 'nd-%'")).toBe(
      60,
    );
    expect(readFileSync(`${full}.refused.ndjson`, "utf8")).toBe("");
  });
});
