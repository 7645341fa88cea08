/**
 * `npm run bench:seed [-- --file data/bench.db --clicks 1000000 --conversions 100000]`: one
 * workspace with a year of referral traffic, written in batches (one transaction each) through
 * the same tables, triggers and click writer as production, so the rollups are built the way they
 * are live.
 * Progress goes to stderr; the last line on stdout is JSON the bench reads.
 */
import { existsSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";
import type { InStatement } from "@libsql/client";
import { learners, referralCodes } from "../db/schema.ts";
import { openDatabase } from "../server/node-database.ts";
import { type ClickRow, insertClicks } from "../server/services/click-writer.ts";
import { createWorkspace } from "../server/services/workspaces.ts";

const { values } = parseArgs({
  options: {
    file: { type: "string", default: "data/bench.db" },
    clicks: { type: "string", default: "1000000" },
    conversions: { type: "string", default: "100000" },
    advocates: { type: "string", default: "5000" },
  },
});
const file = values.file as string;
const totalClicks = Number(values.clicks);
const totalConversions = Number(values.conversions);
const advocateCount = Number(values.advocates);

/** The bench's "today": the data covers the 365 days before it. */
export const benchToday = Date.UTC(2026, 10, 28);
const dayMs = 86_400_000;
const start = benchToday - 365 * dayMs;

// Deterministic, so two seeds give the same data set.
let state = 42;
const rand = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(list: readonly T[]) => list[int(list.length)] as T;
const hex = (n: number) => Array.from({ length: n }, () => int(16).toString(16)).join("");
/** Word of mouth is skewed: a few advocates bring most clicks. */
const skewed = (n: number) => Math.floor(n * rand() ** 3);

const courses = ["data-analytics", "ux-design", "cloud-basics", "python-101", "product-management", "sql-mastery"];
const channels = [
  "whatsapp",
  "whatsapp",
  "linkedin",
  "linkedin",
  "x",
  "facebook",
  "telegram",
  "email",
  "sms",
  "copy",
  "qr",
  "direct",
];
const countries = ["IN", "IN", "IN", "US", "GB", "NG", "BR", "DE", null];

function progress(label: string, done: number, total: number, started: number) {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const rate = done / Math.max(0.001, (performance.now() - started) / 1000);
  process.stderr.write(
    `\r${label.padEnd(12)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}% ${done.toLocaleString("en")}/${total.toLocaleString("en")} ${Math.round(rate).toLocaleString("en")}/s   `,
  );
  if (done === total) process.stderr.write("\n");
}

/** Multi-row INSERT statements, `perStatement` rows each (SQLite bounds bound parameters). */
function inserts(table: string, columns: string[], rows: unknown[][], perStatement: number): InStatement[] {
  const statements: InStatement[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const placeholders = chunk.map(() => `(${columns.map(() => "?").join(", ")})`).join(", ");
    statements.push({
      sql: `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${placeholders}`,
      args: chunk.flat() as never,
    });
  }
  return statements;
}

async function main() {
  const began = performance.now();
  for (const suffix of ["", "-wal", "-shm"]) if (existsSync(file + suffix)) rmSync(file + suffix);
  const { client, db } = await openDatabase(`file:${file}`);
  // Seeding is a bulk load: NORMAL is durable enough and much faster than FULL per batch.
  await client.execute("PRAGMA synchronous = NORMAL");
  const now = new Date(benchToday);
  const ws = await createWorkspace(db, { name: "Bench Academy", origins: ["https://bench.example"] }, now);

  const advocates: { learnerId: string; codeId: string }[] = [];
  const learnerRows = [];
  const codeRows = [];
  for (let i = 0; i < advocateCount; i++) {
    const learnerId = `lrn_bench${String(i).padStart(11, "0")}`;
    const codeId = `ref_bench${String(i).padStart(11, "0")}`;
    advocates.push({ learnerId, codeId });
    learnerRows.push({
      id: learnerId,
      workspaceId: ws.id,
      externalId: `learner-${i}`,
      name: `Learner ${i}`,
      createdAt: start,
    });
    codeRows.push({
      id: codeId,
      workspaceId: ws.id,
      code: `bench${i}`,
      kind: "generated" as const,
      learnerId,
      course: "",
    });
  }
  for (let i = 0; i < learnerRows.length; i += 500) {
    await db.insert(learners).values(learnerRows.slice(i, i + 500));
    await db.insert(referralCodes).values(codeRows.slice(i, i + 500));
  }

  // Clicks, in time order (as they arrive), 5,000 per transaction, through insertClicks as the
  // redirect's writer does (it keeps the click rollups).
  const clickTimes = Array.from({ length: totalClicks }, () => start + int(365 * dayMs)).sort((a, b) => a - b);
  const clickIndex: { id: string; at: number; advocate: number; course: string; channel: string }[] = [];
  const batch = 5000;
  let started = performance.now();
  for (let i = 0; i < totalClicks; i += batch) {
    const rows: ClickRow[] = [];
    for (let j = i; j < Math.min(totalClicks, i + batch); j++) {
      const at = clickTimes[j] as number;
      const advocate = skewed(advocateCount);
      const { learnerId, codeId } = advocates[advocate] as { learnerId: string; codeId: string };
      const course = pick(courses);
      const channel = pick(channels);
      const id = `clk_b${String(j).padStart(15, "0")}`;
      // About 1.3 clicks per visitor and day.
      const visitor = `${Math.floor(at / dayMs)}-${int(Math.ceil(totalClicks / 365 / 1.3))}`;
      rows.push({
        id,
        workspaceId: ws.id,
        codeId,
        learnerId,
        course,
        channel,
        storyId: int(50) === 0 ? `sty_bench${String(int(40)).padStart(11, "0")}` : null,
        visitorHash: visitor.padEnd(32, "0"),
        ipHash: hex(32),
        country: pick(countries),
        source: "redirect",
        createdAt: at,
      });
      if (j % 10 === 0) clickIndex.push({ id, at, advocate, course, channel });
    }
    await insertClicks(db, rows);
    progress("clicks", Math.min(totalClicks, i + batch), totalClicks, started);
  }

  const shareColumns = ["id", "workspace_id", "code_id", "learner_id", "channel", "course", "created_at"];
  const totalShares = Math.round(totalClicks / 10);
  started = performance.now();
  for (let i = 0; i < totalShares; i += batch) {
    const rows: unknown[][] = [];
    for (let j = i; j < Math.min(totalShares, i + batch); j++) {
      const { learnerId, codeId } = advocates[skewed(advocateCount)] as { learnerId: string; codeId: string };
      rows.push([
        `shr_b${String(j).padStart(15, "0")}`,
        ws.id,
        codeId,
        learnerId,
        pick(channels),
        pick(courses),
        start + int(365 * dayMs),
      ]);
    }
    await client.batch(inserts("share_events", shareColumns, rows, 100), "write");
    progress("shares", Math.min(totalShares, i + batch), totalShares, started);
  }

  // Conversions follow clicks by minutes to weeks; rewards for a third of the enrolments.
  const conversionColumns = [
    "id",
    "workspace_id",
    "external_id",
    "type",
    "customer_id",
    "course",
    "amount",
    "currency",
    "click_id",
    "code_id",
    "referrer_id",
    "channel",
    "status",
    "decision",
    "request_hash",
    "response",
    "occurred_at",
    "created_at",
  ];
  const rewardColumns = [
    "id",
    "workspace_id",
    "conversion_id",
    "side",
    "learner_id",
    "kind",
    "amount",
    "currency",
    "status",
    "created_at",
  ];
  started = performance.now();
  let rewardCount = 0;
  for (let i = 0; i < totalConversions; i += batch) {
    const rows: unknown[][] = [];
    const rewardRows: unknown[][] = [];
    for (let j = i; j < Math.min(totalConversions, i + batch); j++) {
      const click = pick(clickIndex);
      const { learnerId, codeId } = advocates[click.advocate] as { learnerId: string; codeId: string };
      const type = pick([
        "signup",
        "signup",
        "signup",
        "enrollment",
        "enrollment",
        "enrollment",
        "completion",
        "completion",
        "refund",
      ] as const);
      const attributed = int(10) !== 0;
      const currency = int(4) === 0 ? "USD" : "INR";
      const amount = type === "enrollment" || type === "refund" ? (currency === "USD" ? 4900 : 399_900) : null;
      const at = Math.min(benchToday - 1, click.at + Math.floor(dayMs * 14 * rand() ** 2));
      const id = `cnv_b${String(j).padStart(15, "0")}`;
      const decision = JSON.stringify([
        {
          rule: "click",
          result: attributed ? "pass" : "fail",
          detail: attributed ? `matched click ${click.id}` : "no click in window",
        },
      ]);
      rows.push([
        id,
        ws.id,
        `order-${j}`,
        type,
        `customer-${j}`,
        click.course,
        amount,
        amount === null ? null : currency,
        attributed ? click.id : null,
        attributed ? codeId : null,
        attributed ? learnerId : null,
        attributed ? click.channel : null,
        attributed ? "attributed" : "unattributed",
        decision,
        `h${j}`,
        "{}",
        at,
        at,
      ]);
      if (attributed && type === "enrollment" && int(3) === 0) {
        rewardRows.push([
          `rwd_b${String(rewardCount++).padStart(15, "0")}`,
          ws.id,
          id,
          "referrer",
          learnerId,
          "credit",
          50_000,
          "INR",
          pick(["pending", "approved", "issued"]),
          at,
        ]);
      }
    }
    const statements = inserts("conversions", conversionColumns, rows, 50);
    if (rewardRows.length) statements.push(...inserts("rewards", rewardColumns, rewardRows, 80));
    await client.batch(statements, "write");
    progress("conversions", Math.min(totalConversions, i + batch), totalConversions, started);
  }

  await client.execute("PRAGMA optimize");
  await client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  client.close();
  const seconds = Math.round((performance.now() - began) / 100) / 10;
  process.stderr.write(`seeded ${file} in ${seconds} s\n`);
  console.log(
    JSON.stringify({
      file,
      workspaceId: ws.id,
      secretKey: ws.secretKey,
      seconds,
      clicks: totalClicks,
      conversions: totalConversions,
      shares: totalShares,
      rewards: rewardCount,
    }),
  );
}

await main();
