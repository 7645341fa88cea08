/**
 * Importing earlier testimonials from CSV: the preview's row errors (each kind) and file-level
 * refusals (encodings, columns, quotes), the import's batches and idempotency, formula cells kept
 * as text (and defused on export), 100,000 rows streamed, tenant isolation, and imported stories
 * counting as self-reported in the statistics and on the wall.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importStoriesFile } from "../../server/import-stories.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { getWorkspace } from "../../server/services/workspaces.ts";
import { workspaceFactory } from "../support/factories.ts";
import { storyClient } from "../support/stories.ts";
import { memberSession } from "../support/team.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.cleanup());

const header = "name,headline,body,rating,date,course,outcome,consent_publish,consent_name,consent_photo,photo_url\r\n";
const good = (n: number, extra = "") =>
  `Learner ${n},Headline ${n},"Body ${n}, with a comma and ""quotes""",5,2024-03-${String((n % 28) + 1).padStart(2, "0")},data-analytics,new_job,yes,yes,no,${extra}\r\n`;

/** A workspace with the course the rows name. */
async function workspace(): Promise<CreatedWorkspace & { admin: Record<string, string> }> {
  const ws = await workspaceFactory(t.db);
  const admin = { Authorization: `Bearer ${ws.secretKey}` };
  const course = await t.call("PUT", "/v1/admin/courses/data-analytics", {
    body: { title: "Data analytics", url: "https://academy.example/data" },
    headers: admin,
  });
  expect(course.status).toBe(200);
  return { ...ws, admin };
}

type Body = string | Uint8Array | ReadableStream<Uint8Array>;
function send(path: string, body: Body, headers: Record<string, string>, contentType = "text/csv") {
  return t.app.request(`https://chorus.test${path}`, {
    method: "POST",
    headers: { ...headers, "Content-Type": contentType },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

type Preview = {
  rows: number;
  valid: number;
  refused: number;
  alreadyImported: number;
  errors: { row: number; column: string | null; reason: string }[];
  sample: Record<string, unknown>[];
  ignoredColumns: string[];
};
async function preview(headers: Record<string, string>, body: Body): Promise<Preview> {
  const response = await send("/v1/admin/stories/imports/preview?label=old.csv", body, headers);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Preview;
}

type Line = {
  type: "progress" | "done" | "error";
  imported: number;
  duplicates: number;
  refused: number;
  rows: number;
};
async function importFile(headers: Record<string, string>, body: Body, label = "old.csv"): Promise<Line[]> {
  const response = await send(`/v1/admin/stories/imports?label=${encodeURIComponent(label)}`, body, headers);
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get("Content-Type")).toContain("application/x-ndjson");
  return (await response.text())
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Line);
}

const storiesOf = async (workspaceId: string) =>
  (
    await t.client.execute({
      sql: "select * from stories where workspace_id = ? order by created_at, name",
      args: [workspaceId],
    })
  ).rows;

describe("preview", () => {
  it("names every row error by row, column and reason, counts the rows, and saves nothing", async () => {
    const ws = await workspace();
    const file =
      header +
      good(1) +
      "Asha,Promoted,Great course,6,2024-01-05,data-analytics,promotion,yes,yes,no,\r\n" + // row 3: rating
      "Ravi,New job,Loved it,4,2024-01-05,cooking,new_job,yes,yes,no,\r\n" + // row 4: course unknown
      "Meera,Switch,Worth it,5,2024-01-05,data-analytics,career_switch,yes,,no,\r\n" + // row 5: consent empty
      "Kiran,Switch,Worth it,5,2024-01-05,data-analytics,career_switch,no,yes,no,\r\n" + // row 6: publish refused
      "\r\n" + // row 7: blank, skipped
      "Dev,Raise,Good,5,05/01/2024,data-analytics,astronaut,yes,yes,maybe,http://x.example/a.jpg\r\n" + // row 8: four
      "Too,few,cells\r\n" + // row 9
      ",Headline,   ,4.5,2099-01-01,data-analytics,skills,yes,yes,yes,\r\n" + // row 10: name, body, rating, date
      good(2);
    const answer = await preview(ws.admin, file);
    expect(answer).toMatchObject({ rows: 9, valid: 2, refused: 7, alreadyImported: 0, ignoredColumns: [] });
    const where = answer.errors.map((error) => [error.row, error.column]);
    expect(where).toEqual([
      [3, "rating"],
      [4, "course"],
      [5, "consent_name"],
      [6, "consent_publish"],
      [8, "date"],
      [8, "outcome"],
      [8, "consent_photo"],
      [8, "photo_url"],
      [9, null],
      [10, "name"],
      [10, "body"],
      [10, "rating"],
      [10, "date"],
    ]);
    const reason = (row: number, column: string | null) =>
      answer.errors.find((error) => error.row === row && error.column === column)?.reason;
    expect(reason(3, "rating")).toBe('must be a whole number from 1 to 5 (it says "6")');
    expect(reason(4, "course")).toContain('no course "cooking" in this workspace');
    expect(reason(5, "consent_name")).toBe("is empty: say yes or no");
    expect(reason(6, "consent_publish")).toContain("must be yes");
    expect(reason(9, null)).toContain("has 3 cells where the header has 11");
    expect(reason(10, "date")).toBe("is in the future");
    expect(answer.sample.map((row) => [row.row, row.name, row.body, row.date])).toEqual([
      [2, "Learner 1", 'Body 1, with a comma and "quotes"', "2024-03-02T00:00:00.000Z"],
      [11, "Learner 2", 'Body 2, with a comma and "quotes"', "2024-03-03T00:00:00.000Z"],
    ]);
    expect(await storiesOf(ws.id)).toEqual([]);
  });

  it("refuses a file without the required columns, naming them, and ignores unknown ones", async () => {
    const ws = await workspace();
    const missing = await send("/v1/admin/stories/imports/preview", "name,headline,body\r\nA,B,C\r\n", ws.admin);
    const error = await expectError(missing, 400, "invalid_request");
    expect(error.message).toContain(
      "missing: rating, date, course, outcome, consent_publish, consent_name, consent_photo",
    );
    const extra = await preview(ws.admin, `Source,${header.trimEnd()}\r\nSenja,${good(1)}`);
    expect(extra).toMatchObject({ valid: 1, ignoredColumns: ["Source"] });
  });

  it("reads UTF-8 with or without a BOM and UTF-16 with one; refuses other bytes in plain words", async () => {
    const ws = await workspace();
    const text = header + good(1).replace("Learner 1", "Zoë Łukasz प्रिया");
    const utf8 = new TextEncoder().encode(text);
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
    const utf16 = new Uint8Array(2 + text.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) utf16.set([text.charCodeAt(i) & 0xff, text.charCodeAt(i) >> 8], 2 + i * 2);
    for (const body of [utf8, withBom, utf16]) {
      const answer = await preview(ws.admin, body);
      expect(answer).toMatchObject({ rows: 1, valid: 1 });
      expect(answer.sample[0]?.name).toBe("Zoë Łukasz प्रिया");
    }
    // Latin-1 (as an old spreadsheet saves "Zoë"), and UTF-16 without its BOM.
    const latin1 = new Uint8Array([
      ...new TextEncoder().encode(header),
      0x5a,
      0x6f,
      0xeb,
      ...utf8.slice(header.length + 9),
    ]);
    const refused = await expectError(
      await send("/v1/admin/stories/imports/preview", latin1, ws.admin),
      400,
      "invalid_request",
    );
    expect(refused.message).toContain("The file is not UTF-8 text");
    expect(refused.message).toContain('"CSV UTF-8"');
    const noBom = await send("/v1/admin/stories/imports/preview", utf16.slice(2), ws.admin);
    expect((await expectError(noBom, 400, "invalid_request")).message).toContain("NUL bytes");
  });

  it("refuses an unclosed quote with its row, other content types, and an empty file", async () => {
    const ws = await workspace();
    const unclosed = await send("/v1/admin/stories/imports/preview", `${header}${good(1)}"Open,quote\r\n`, ws.admin);
    expect((await expectError(unclosed, 400, "invalid_request")).message).toContain("from row 3 on");
    await expectError(
      await send("/v1/admin/stories/imports/preview", header, ws.admin, "application/json"),
      415,
      "unsupported_media_type",
    );
    await expectError(
      await send("/v1/admin/stories/imports", header, ws.admin, "text/plain"),
      415,
      "unsupported_media_type",
    );
    await expectError(await send("/v1/admin/stories/imports/preview", "\r\n\r\n", ws.admin), 400, "invalid_request");
  });
});

describe("import", () => {
  it("saves valid rows as pending, self-reported, imported stories; twice the same file adds nothing", async () => {
    const ws = await workspace();
    const file =
      header +
      good(1, "https://images.example/one.jpg") +
      good(2) +
      "Asha,Promoted,Great course,0,2024-01-05,data-analytics,promotion,yes,yes,no,\r\n";
    const lines = await importFile(ws.admin, file, "testimonials-2023.csv");
    expect(lines.at(-1)).toMatchObject({ type: "done", rows: 3, imported: 2, duplicates: 0, refused: 1 });
    const rows = await storiesOf(ws.id);
    expect(rows.map((row) => [row.name, row.status, row.source, row.imported_from, row.verification_level])).toEqual([
      ["Learner 1", "pending", "import", "testimonials-2023.csv", "self_reported"],
      ["Learner 2", "pending", "import", "testimonials-2023.csv", "self_reported"],
    ]);
    expect(rows[0]).toMatchObject({ learner_id: null, photo_url: "https://images.example/one.jpg", consent_photo: 0 });
    expect(new Date(Number(rows[0]?.created_at)).toISOString()).toBe("2024-03-02T00:00:00.000Z");

    // The same rows again (one more new, under another name): only the new one is written.
    const again = await importFile(ws.admin, file + good(3), "testimonials-2023 (1).csv");
    expect(again.at(-1)).toMatchObject({ type: "done", rows: 4, imported: 1, duplicates: 2, refused: 1 });
    expect(await storiesOf(ws.id)).toHaveLength(3);
    expect(await preview(ws.admin, file)).toMatchObject({ valid: 2, alreadyImported: 2 });

    const audit = await t.client.execute({
      sql: "select action, after from audit_events where workspace_id = ? and action = 'story.import'",
      args: [ws.id],
    });
    expect(audit.rows.map((row) => JSON.parse(String(row.after)))).toEqual([
      { label: "testimonials-2023.csv", rows: 3, valid: 2, refused: 1, imported: 2, duplicates: 0 },
      { label: "testimonials-2023 (1).csv", rows: 4, valid: 3, refused: 1, imported: 1, duplicates: 2 },
    ]);
    const [listed] = (
      (await (await t.call("GET", "/v1/admin/stories", { headers: ws.admin })).json()) as {
        items: Record<string, unknown>[];
      }
    ).items;
    expect(listed).toMatchObject({ source: "import", importedFrom: "testimonials-2023 (1).csv", learnerLinked: false });
  });

  it("keeps formula cells as the text they are, and the stories export defuses them", async () => {
    const ws = await workspace();
    const file = `${header}"=HYPERLINK(""https://evil.example"",""click"")",+91 salary jump,@SUM(A1:A9),5,2024-02-01,data-analytics,new_job,yes,yes,no,\r\n-Meera,-10% stress,=1+1,4,2024-02-02,data-analytics,skills,yes,yes,no,\r\n`;
    expect((await importFile(ws.admin, file)).at(-1)).toMatchObject({ imported: 2, refused: 0 });
    const rows = await storiesOf(ws.id);
    expect(rows.map((row) => [row.name, row.headline, row.body])).toEqual([
      ['=HYPERLINK("https://evil.example","click")', "+91 salary jump", "@SUM(A1:A9)"],
      ["-Meera", "-10% stress", "=1+1"],
    ]);
    const csv = await (
      await t.call("GET", "/v1/analytics/export.csv?dataset=stories&from=2024-01-01&to=2024-12-31", {
        headers: ws.admin,
      })
    ).text();
    expect(csv).toContain(`"'=HYPERLINK(""https://evil.example"",""click"")",'+91 salary jump`);
    expect(csv).toContain("'-Meera,'-10% stress");
  });

  it("streams a large file in batches, with progress after each", { timeout: 60_000 }, async () => {
    const ws = await workspace();
    // 20,000 rows keep the suite's time; IMPORT_ROWS=100000 runs the full size (13–17 s alone
    // on 2 cores, nearly all of it SQLite's inserts into five indexes). The stream is the same.
    const total = Number(process.env.IMPORT_ROWS ?? 20_000);
    let next = 0;
    const encoder = new TextEncoder();
    // Generated as it is read: the file never exists whole, in the test or the server.
    const file = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (next === 0) controller.enqueue(encoder.encode(header));
        let chunk = "";
        for (const end = Math.min(next + 2000, total); next < end; next++) chunk += good(next);
        controller.enqueue(encoder.encode(chunk));
        if (next === total) controller.close();
      },
    });
    const lines = await importFile(ws.admin, file);
    const progress = lines.filter((line) => line.type === "progress").map((line) => line.rows);
    expect(progress.slice(0, 3)).toEqual([1000, 2000, 3000]);
    expect(progress.length).toBeGreaterThanOrEqual(Math.floor(total / 1000));
    expect(lines.at(-1)).toMatchObject({ type: "done", rows: total, imported: total, duplicates: 0, refused: 0 });
    const [count] = (
      await t.client.execute({ sql: "select count(*) n from stories where workspace_id = ?", args: [ws.id] })
    ).rows;
    expect(Number(count?.n)).toBe(total);
  });
});

describe("who and whose", () => {
  it("is the moderators' and owners' (and the secret key's), not a marketer's", async () => {
    const ws = await workspace();
    for (const [role, status] of [
      ["moderator", 200],
      ["owner", 200],
      ["marketer", 403],
      ["viewer", 403],
    ] as const) {
      const cookie = await memberSession(t, ws.id, role, `${role}-${Math.random()}@example.org`);
      const response = await send("/v1/admin/stories/imports/preview", header + good(1), {
        Cookie: cookie,
        "X-Chorus-Dashboard": "1",
      });
      expect(response.status, role).toBe(status);
    }
    await expectError(
      await send("/v1/admin/stories/imports", header, { "Chorus-Key": ws.publishableKey }),
      401,
      "unauthorized",
    );
  });

  it("never reads or writes another workspace: its courses, its stories, its duplicates", async () => {
    const alpha = await workspace();
    const bravo = await workspace();
    const only = await t.call("PUT", "/v1/admin/courses/bravo-only", {
      body: { title: "Bravo's", url: "https://bravo.example/c" },
      headers: bravo.admin,
    });
    expect(only.status).toBe(200);
    expect((await importFile(bravo.admin, header + good(1))).at(-1)).toMatchObject({ imported: 1 });

    // Alpha's copy of Bravo's row is new to Alpha; Bravo's course is unknown to Alpha.
    const file = header + good(1) + good(2).replace("data-analytics", "bravo-only");
    expect(await preview(alpha.admin, file)).toMatchObject({ valid: 1, refused: 1, alreadyImported: 0 });
    expect((await importFile(alpha.admin, file)).at(-1)).toMatchObject({ imported: 1, duplicates: 0, refused: 1 });
    expect(await storiesOf(alpha.id)).toHaveLength(1);
    expect(await storiesOf(bravo.id)).toHaveLength(1);
  });
});

describe("chorus import stories FILE", () => {
  it("imports a file from disk through the same service, with the row errors, idempotently", async () => {
    const ws = await workspace();
    const workspaceRow = await getWorkspace({ db: t.db }, { id: ws.id });
    const dir = mkdtempSync(join(tmpdir(), "chorus-import-"));
    const file = join(dir, "testimonials.csv");
    writeFileSync(file, `\uFEFF${header}${good(1)}${good(2).replace(",5,", ",7,")}${good(3)}`);
    try {
      const ctx = { db: t.db, clock: t.clock, workspace: workspaceRow as NonNullable<typeof workspaceRow> };
      const first = await importStoriesFile(ctx, file);
      expect(first).toMatchObject({ rows: 3, imported: 2, refused: 1, duplicates: 0 });
      expect(first.errors.map((error) => [error.row, error.column])).toEqual([[3, "rating"]]);
      expect(await importStoriesFile(ctx, file)).toMatchObject({ imported: 0, duplicates: 2 });
      expect((await storiesOf(ws.id)).map((row) => row.imported_from)).toEqual([
        "testimonials.csv",
        "testimonials.csv",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("erasure", () => {
  it("erases an imported author by erasing the story (owner or secret key); the same file does not bring it back", async () => {
    const ws = await workspace();
    const file = header + good(1, "https://images.example/one.jpg") + good(2);
    await importFile(ws.admin, file);
    const [first] = await storiesOf(ws.id);
    const id = String(first?.id);
    const moderator = await memberSession(t, ws.id, "moderator", "mod-erase@example.org");
    const refused = await t.call("DELETE", `/v1/admin/stories/${id}`, {
      headers: { Cookie: moderator, "X-Chorus-Dashboard": "1" },
    });
    await expectError(refused, 403, "forbidden");
    expect((await t.call("DELETE", `/v1/admin/stories/${id}`, { headers: ws.admin })).status).toBe(204);
    const [erased] = (await t.client.execute({ sql: "select * from stories where id = ?", args: [id] })).rows;
    expect(erased).toMatchObject({ status: "withdrawn", name: "", headline: "", body: "", photo_url: null });
    expect(JSON.stringify(await storiesOf(ws.id))).not.toContain("Learner 1");
    expect((await importFile(ws.admin, file)).at(-1)).toMatchObject({ imported: 0, duplicates: 2 });
    const audit = await t.client.execute({
      sql: "select target_id from audit_events where workspace_id = ? and action = 'story.erase'",
      args: [ws.id],
    });
    expect(audit.rows.map((row) => row.target_id)).toEqual([id]);
    await expectError(await t.call("DELETE", "/v1/admin/stories/sty_nope", { headers: ws.admin }), 404, "not_found");
  });
});

describe("imported stories are self-reported", () => {
  it("never count as verified in the statistics or the wall's verified filter", async () => {
    const ws = await workspace();
    await t.call("PATCH", "/v1/admin/program", { body: { minSampleSize: 1 }, headers: ws.admin });
    const api = storyClient(t, ws);
    expect((await importFile(ws.admin, header + good(1) + good(2))).at(-1)).toMatchObject({ imported: 2 });
    for (const row of await storiesOf(ws.id)) {
      expect((await api.moderate(String(row.id), { status: "approved" })).status).toBe(200);
    }
    const wall = (await (await api.list()).json()) as { items: { verificationLevel: string }[] };
    expect(wall.items.map((item) => item.verificationLevel)).toEqual(["self_reported", "self_reported"]);
    const verifiedWall = (await (await api.list("?verified=true")).json()) as { items: unknown[] };
    expect(verifiedWall.items).toEqual([]);
    const outcomes = (await (await api.outcomes()).json()) as { n: number; verified: Record<string, unknown> };
    expect(outcomes.n).toBe(2);
    expect(outcomes.verified).toMatchObject({ count: 0, credentialVerified: 0, n: 2, share: 0 });
  });
});
