/** CSV exports parse back (RFC 4180) to exactly the rows in the database, page after page. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversions, rewards } from "../../db/schema.ts";
import { exportCsv } from "../../server/services/analytics-export.ts";
import { type CreatedWorkspace, getWorkspace } from "../../server/services/workspaces.ts";
import { conversionRow, type DataSet, rewardRow, seedDataSet, storyRow } from "../support/analytics-factories.ts";
import { csvObjects, exportHeaders, parseCsv } from "../support/csv.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let data: DataSet;
const range = "from=2026-09-01&to=2026-11-10";

beforeAll(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  const other = await workspaceFactory(t.db, { name: "Other" });
  data = await seedDataSet(t.db, ws.id, 11);
  await seedDataSet(t.db, other.id, 12);
  await storyRow(t.db, other.id, { headline: "Not yours" });
});
afterAll(() => t.cleanup());

async function download(dataset: string, extra = "") {
  const response = await t.call("GET", `/v1/analytics/export.csv?dataset=${dataset}&${range}${extra}`, {
    headers: { Authorization: `Bearer ${ws.secretKey}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toMatch(/^text\/csv/);
  expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="chorus-${dataset}.csv"`);
  return response.text();
}

describe("GET /v1/analytics/export.csv", () => {
  it("clicks: every human click of the workspace, in time order, without visitor or IP hashes", async () => {
    const text = await download("clicks");
    const [header] = parseCsv(text);
    expect(header).toEqual(exportHeaders.clicks);
    expect(text).not.toMatch(/v-\d+-\d/); // the visitor hashes of the data set
    const rows = csvObjects(text);
    const expected = data.clicks
      .filter((c) => !c.isBot)
      .sort((a, b) => Number(a.createdAt) - Number(b.createdAt) || a.id.localeCompare(b.id));
    const advocates = new Map(data.advocates.map((a) => [a.learnerId, a]));
    expect(rows).toEqual(
      expected.map((c) => ({
        clickId: c.id,
        createdAt: new Date(Number(c.createdAt)).toISOString(),
        code: advocates.get(c.learnerId as string)?.code,
        advocateId: advocates.get(c.learnerId as string)?.externalId,
        course: c.course,
        channel: c.channel,
        storyId: c.storyId ?? "",
        country: c.country ?? "",
        source: "redirect",
      })),
    );
  });

  it("conversions, filtered by course, with amounts and status", async () => {
    const rows = csvObjects(await download("conversions", "&course=ux-design"));
    const expected = data.conversions.filter((v) => v.course === "ux-design");
    expect(rows.map((row) => row.conversionId).sort()).toEqual(expected.map((v) => v.id).sort());
    for (const row of rows) {
      const v = expected.find((e) => e.id === row.conversionId) as (typeof expected)[number];
      expect(row).toMatchObject({
        externalId: v.externalId,
        type: v.type,
        customerId: v.customerId,
        amount: v.amount == null ? "" : String(v.amount),
        currency: v.currency ?? "",
        status: v.status,
        flagged: "false",
        occurredAt: new Date(Number(v.occurredAt)).toISOString(),
      });
    }
  });

  it("rewards and stories, with quotes, commas and line breaks escaped", async () => {
    const conversion = conversionRow(ws.id, { type: "enrollment", occurredAt: Date.UTC(2026, 9, 4) });
    await t.db.insert(conversions).values(conversion);
    const reward = rewardRow(ws.id, { conversionId: conversion.id, reason: "x", createdAt: Date.UTC(2026, 9, 5) });
    await t.db.insert(rewards).values(reward);
    const rewardRows = csvObjects(await download("rewards"));
    expect(rewardRows).toEqual([
      expect.objectContaining({ rewardId: reward.id, conversionId: conversion.id, amount: "500", status: "pending" }),
    ]);

    const tricky = 'He said "yes", then\r\nleft, = 1+1';
    const id = await storyRow(t.db, ws.id, { headline: tricky, tags: ["a", "b"], consentName: false });
    const storyRows = csvObjects(await download("stories"));
    expect(storyRows).toEqual([
      expect.objectContaining({ storyId: id, headline: tricky, tags: "a;b", name: "", status: "pending" }),
    ]);
  });

  it("pages through rows with a keyset: small pages give the same export", async () => {
    const whole = await download("clicks");
    const workspace = (await getWorkspace({ db: t.db }, { id: ws.id }))!;
    const stream = exportCsv(
      { db: t.db, clock: t.clock, workspace },
      { dataset: "clicks", range: { fromDay: 20697, toDay: 20767, course: "*" }, pageSize: 7 },
    );
    const paged = await new Response(stream).text();
    expect(paged).toBe(whole);
  });

  it("streams: a page of rows is read only when the client has taken the previous one", async () => {
    const workspace = (await getWorkspace({ db: t.db }, { id: ws.id }))!;
    let pagesRead = 0;
    // The real database, with its page queries counted.
    const db = new Proxy(t.db, {
      get: (target, key, receiver) =>
        key === "all"
          ? (...args: Parameters<typeof target.all>) => {
              pagesRead++;
              return target.all(...args);
            }
          : Reflect.get(target, key, receiver),
    });
    const stream = exportCsv(
      { db, clock: t.clock, workspace },
      { dataset: "conversions", range: { fromDay: 20697, toDay: 20767, course: "*" }, pageSize: 3 },
    );
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (let i = 0; i < 2; i++) text += decoder.decode((await reader.read()).value);
    // Give an eager stream every chance to read ahead: round trips to the database, no timer.
    for (let i = 0; i < 20; i++) await t.client.execute("select 1");
    expect(pagesRead).toBe(1);
    // A row written now, after every other in time, is still in the export: nothing past the
    // first page had been read.
    const late = conversionRow(ws.id, { type: "signup", occurredAt: Date.UTC(2026, 10, 10, 23) });
    await t.db.insert(conversions).values(late);
    for (let part = await reader.read(); !part.done; part = await reader.read()) text += decoder.decode(part.value);
    const rows = csvObjects(text);
    expect(pagesRead).toBe(Math.floor(rows.length / 3) + 1);
    expect(rows.at(-1)?.conversionId).toBe(late.id);
    await t.client.execute({ sql: "delete from conversions where id = ?", args: [late.id] });
  });

  it("an empty export is the header line alone", async () => {
    const text = await download("rewards", "&course=cloud-basics");
    expect(parseCsv(text)).toHaveLength(1);
  });

  it("defuses spreadsheet formulas in text, and keeps negative amounts as numbers", async () => {
    const formula = '=HYPERLINK("https://evil.example","Open")';
    const id = await storyRow(t.db, ws.id, {
      headline: formula,
      name: "@SUM(A1:A9)",
      tags: ["+1", "ok"],
      createdAt: Date.UTC(2026, 9, 20),
    });
    const refund = conversionRow(ws.id, {
      type: "refund",
      customerId: "-2+3",
      amount: -5000,
      course: "sql-basics",
      occurredAt: Date.UTC(2026, 9, 21),
    });
    await t.db.insert(conversions).values(refund);

    const story = csvObjects(await download("stories")).find((row) => row.storyId === id);
    expect(story).toMatchObject({ headline: `'${formula}`, name: "'@SUM(A1:A9)", tags: "'+1;ok" });
    const [row] = csvObjects(await download("conversions", "&course=sql-basics"));
    expect(row).toMatchObject({ conversionId: refund.id, customerId: "'-2+3", amount: "-5000" });
  });

  it("quotes a field holding a semicolon or a tab and defuses a formula after any separator", async () => {
    // A spreadsheet set to split on ";" (common where "," is the decimal mark) ignores commas.
    const id = await storyRow(t.db, ws.id, {
      headline: "Great course;=1+1",
      name: "Asha\t@SUM(A1:A9)",
      tags: ["ok", "-2"],
      createdAt: Date.UTC(2026, 9, 20),
    });
    const text = await download("stories");
    const line = text.split("\r\n").find((candidate) => candidate.startsWith(`${id},`)) ?? "";
    expect(line).toContain(`,"Great course;'=1+1",`);
    expect(line).toContain(`,"Asha\t'@SUM(A1:A9)",`);
    expect(line).toContain(`,"ok;'-2"`);
    const story = csvObjects(text).find((row) => row.storyId === id);
    expect(story).toMatchObject({ headline: "Great course;'=1+1", name: "Asha\t'@SUM(A1:A9)", tags: "ok;'-2" });
  });
});
