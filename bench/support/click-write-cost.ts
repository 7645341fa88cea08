/**
 * What one click costs the database, in CPU time of this process (steadier than wall time on a
 * shared machine): insertClicks for batches of new visitors (everything the group committer
 * writes: rollups, the "seen today?" probe, the INSERT, the commit), then the bare INSERT with
 * and without the visitor index, to show what the random-keyed index costs by itself.
 *
 *   npx tsx bench/support/click-write-cost.ts [--batch 50] [--seconds 3]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { hmacSha256Hex } from "../../server/lib/crypto.ts";
import { newClickId } from "../../server/lib/ids.ts";
import { openDatabase } from "../../server/node-database.ts";
import { type ClickRow, insertClicks } from "../../server/services/click-writer.ts";

const { values } = parseArgs({
  options: { batch: { type: "string", default: "50" }, seconds: { type: "string", default: "3" } },
});
const batch = Number(values.batch);
const seconds = Number(values.seconds);
const dir = mkdtempSync(join(tmpdir(), "chorus-click-cost-"));

let serial = 0;
function newVisitors(): ClickRow[] {
  const now = Date.now();
  return Array.from({ length: batch }, () => {
    const n = serial++;
    return {
      id: newClickId(now),
      workspaceId: "ws_bench0000000000",
      codeId: "ref_bench0000000000",
      learnerId: "lrn_bench0000000000",
      course: "",
      channel: "whatsapp",
      visitorHash: hmacSha256Hex("bench", `visitor ${n}`),
      ipHash: hmacSha256Hex("bench", `ip ${n}`),
      source: "redirect",
      createdAt: now,
    };
  });
}

/** CPU microseconds per click of `write`, after 20 warm-up batches, for `seconds` of wall time. */
async function measure(name: string, write: (rows: ClickRow[]) => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await write(newVisitors());
  let rows = 0;
  let cpu = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const some = newVisitors(); // hashing the test rows is not part of the measurement
    const before = process.cpuUsage();
    await write(some);
    const used = process.cpuUsage(before);
    cpu += used.user + used.system;
    rows += some.length;
  }
  console.log(
    JSON.stringify({ measured: name, batch, clicks: rows, cpuMicrosecondsPerClick: Number((cpu / rows).toFixed(1)) }),
  );
}

const full = await openDatabase({ url: `file:${join(dir, "full.db")}` }, "apply");
await measure("insertClicks (rollups + insert + commit)", (rows) => insertClicks({ db: full.db }, { rows: rows }));
full.client.close();

const columns = "id, workspace_id, code_id, learner_id, course, channel, visitor_hash, ip_hash, source, created_at";
const bareInsert = (client: typeof full.client) => (rows: ClickRow[]) =>
  client.execute({
    sql: `INSERT INTO clicks (${columns}) VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
    args: rows.flatMap((r) => [
      r.id,
      r.workspaceId,
      r.codeId,
      r.learnerId ?? null,
      r.course ?? "",
      r.channel ?? "",
      r.visitorHash,
      r.ipHash ?? null,
      r.source,
      r.createdAt,
    ]),
  });
const bare = await openDatabase({ url: `file:${join(dir, "bare.db")}` }, "apply");
await measure("INSERT alone, all click indexes", bareInsert(bare.client));
bare.client.close();
const noVisitor = await openDatabase({ url: `file:${join(dir, "no-visitor.db")}` }, "apply");
await noVisitor.client.execute("DROP INDEX clicks_workspace_visitor");
await measure("INSERT alone, without clicks_workspace_visitor", bareInsert(noVisitor.client));
noVisitor.client.close();
rmSync(dir, { recursive: true, force: true });
