/**
 * `POST /v1/conversions/batch` does for each item exactly what `POST /v1/conversions` does for it
 * alone: the same conversions, posted one by one to one database and as one batch to another,
 * leave the same rows everywhere (conversions, rewards, webhook events and deliveries, mail,
 * rollups), ids aside, and each item's result carries the status and body the single post answered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { clickFactory, type Referrer, referrerFactory } from "../support/click-factories.ts";
import { enrollment } from "../support/conversions.ts";
import { dumpDatabase } from "../support/database-dump.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

type World = { t: TestApp; ws: CreatedWorkspace; priya: Referrer; ravi: Referrer; clickId: string };

/** Two workspaces built the same way: their rows differ only by ids, codes and keys. */
async function world(): Promise<World> {
  const t = await createTestApp();
  const ws = await workspaceFactory(t.db, { now: t.clock.now() });
  const now = t.clock.now();
  const priya = await referrerFactory(
    t.db,
    ws.id,
    { sub: "priya", name: "Priya", email: "priya@example.org" },
    { now },
  );
  const ravi = await referrerFactory(t.db, ws.id, { sub: "ravi", name: "Ravi" }, { now });
  const click = await clickFactory(t.db, ravi, { at: now, visitorHash: "visitor-1", ipHash: "ip-1" });
  const hook = await t.call("POST", "/v1/admin/webhooks", {
    body: { url: "http://127.0.0.1:9/hook", allowPrivateNetwork: true },
    headers: { Authorization: `Bearer ${ws.secretKey}` },
  });
  expect(hook.status).toBe(201);
  return { t, ws, priya, ravi, clickId: click.id };
}

/** A mix that walks every path: attributed by code and by click, flagged, unattributed, refunds, replays, refusals. */
function conversionsFor(w: World): unknown[] {
  const paid = { course: "data-analytics", amount: 499_900, currency: "INR" };
  return [
    { id: "o-1", type: "signup", customer: { id: "f-1", email: "asha@example.org" }, code: w.priya.code },
    { id: "o-2", type: "enrollment", customer: { id: "f-1", email: "asha@example.org" }, code: w.priya.code, ...paid },
    { id: "o-3", type: "enrollment", customer: { id: "f-2" }, clickId: w.clickId, ...paid },
    // Priya referring herself: flagged by the fraud rules, rewards held as flagged.
    { id: "o-4", type: "enrollment", customer: { id: "f-3", email: "priya@example.org" }, code: w.priya.code, ...paid },
    { id: "o-5", type: "enrollment", customer: { id: "f-4" }, ...paid },
    { id: "o-6", type: "completion", customer: { id: "f-1", email: "asha@example.org" }, course: "data-analytics" },
    { id: "o-7", type: "refund", customer: { id: "f-2" }, refundOf: "o-3", amount: 100_000, currency: "INR" },
    { id: "o-8", type: "refund", customer: { id: "f-1" }, refundOf: "o-2" },
    // The same id and body again: a replay; the same id with another body: a conflict.
    { id: "o-1", type: "signup", customer: { id: "f-1", email: "asha@example.org" }, code: w.priya.code },
    { id: "o-2", type: "enrollment", customer: { id: "f-1" }, code: w.priya.code, ...paid, amount: 1 },
    // Refused at the edge, by the clock, and by the domain: each refuses only itself.
    { id: "o-9", type: "enrollment", customer: { id: "f-5" }, amount: 10 },
    { id: "o-10", type: "signup", customer: { id: "f-6" }, occurredAt: "2099-01-01T00:00:00Z" },
    { id: "o-11", type: "refund", customer: { id: "f-7" }, refundOf: "no-such-order" },
    42,
    { id: "o-12", type: "enrollment", customer: { id: "f-8" }, code: w.ravi.code, ...paid },
  ];
}

/** A dump with every id, code and key replaced by its order of first appearance: rows compare ids aside. */
async function normalisedDump(w: World): Promise<Map<string, string>> {
  const dump = await dumpDatabase(w.t.client);
  // Keys, signing secrets and the workspace row hold secrets made at random; the rest must match.
  for (const table of ["api_keys", "workspaces", "webhook_endpoints", "__drizzle_migrations"]) dump.delete(table);
  const names = new Map<string, string>();
  const rename = (token: string) => {
    if (!names.has(token)) names.set(token, `#${names.size}`);
    return names.get(token) as string;
  };
  const codes = new RegExp(`\\b(${w.priya.code}|${w.ravi.code})\\b`, "gi");
  const normalise = (text: string) =>
    text
      .replace(/\b[a-z]{2,3}_[0-9A-Za-z]{16,}\b/g, rename)
      .replace(codes, rename)
      // The request's hash covers the code it sent, which differs between the two workspaces.
      .replace(/request_hash=[0-9a-f]{64}/g, "request_hash=#")
      // Each request has its own id (the audit trail records it): a batch is one request, not fifteen.
      .replace(/request_id=[0-9a-f-]{36}/g, "request_id=#");
  // Names are given in the order rows were written (these tables keep insertion order), then
  // every table's lines are sorted: rollup tables are ordered by their key, which holds ids.
  for (const table of ["learners", "referral_codes", "clicks", "conversions", "rewards", "webhook_events"])
    normalise(dump.get(table) ?? "");
  for (const [table, text] of dump) dump.set(table, normalise(text).split("\n").sort().join("\n"));
  return dump;
}

let single: World;
let batch: World;
const singleAnswers: { status: number; body: unknown }[] = [];
let batchAnswer: {
  results: { index: number; id: string | null; status: number; body: unknown }[];
  recorded: number;
  replayed: number;
  refused: number;
};

beforeAll(async () => {
  [single, batch] = [await world(), await world()];
  for (const body of conversionsFor(single)) {
    const response = await single.t.call("POST", "/v1/conversions", {
      body,
      headers: { Authorization: `Bearer ${single.ws.secretKey}` },
    });
    singleAnswers.push({ status: response.status, body: await response.json() });
  }
  const response = await batch.t.call("POST", "/v1/conversions/batch", {
    body: { conversions: conversionsFor(batch) },
    headers: { Authorization: `Bearer ${batch.ws.secretKey}` },
  });
  expect(response.status).toBe(200);
  batchAnswer = await response.json();
});
afterAll(async () => {
  await single?.t.cleanup();
  await batch?.t.cleanup();
});

describe("a batch of conversions", () => {
  it("leaves the database exactly as the same conversions posted one by one (ids aside)", async () => {
    const [one, many] = [await normalisedDump(single), await normalisedDump(batch)];
    expect([...many.keys()]).toEqual([...one.keys()]);
    for (const [table, text] of one) expect(many.get(table), table).toBe(text);
    // The comparison covers real work, not two empty databases.
    expect(one.get("rewards")?.split("\n").length).toBeGreaterThanOrEqual(6);
    expect(one.get("webhook_deliveries")?.length).toBeGreaterThan(0);
  });

  it("answers each item with the status the single post answered, and its body (error envelopes too)", () => {
    const normal = (body: unknown) =>
      JSON.parse(
        JSON.stringify(body)
          .replace(/\b[a-z]{2,3}_[0-9A-Za-z]{16,}\b/g, "#id")
          .replace(/"requestId":"[^"]*"/g, '"requestId":"#"')
          .replace(
            new RegExp(`${single.priya.code}|${single.ravi.code}|${batch.priya.code}|${batch.ravi.code}`, "gi"),
            "#code",
          ),
      );
    expect(batchAnswer.results.map((result) => result.status)).toEqual(singleAnswers.map((answer) => answer.status));
    expect(batchAnswer.results.map((result) => result.status)).toEqual([
      201, 201, 201, 201, 201, 201, 201, 201, 200, 409, 400, 400, 400, 400, 201,
    ]);
    batchAnswer.results.forEach((result, index) => {
      expect(result.index).toBe(index);
      expect(normal(result.body)).toEqual(normal(singleAnswers[index]?.body));
    });
    expect(batchAnswer.results[13]?.id).toBeNull();
    expect(batchAnswer.results[9]?.id).toBe("o-2");
    expect([batchAnswer.recorded, batchAnswer.replayed, batchAnswer.refused]).toEqual([9, 1, 5]);
  });

  it("adds the rollups as the triggers do one by one across chunks of a batch and across days, weeks, months and quarters", async () => {
    // More than one write transaction's worth (100), spread over 300 days: the batch adds each
    // transaction's rollups in grouped upserts, onto rows that already hold counts.
    const spread = (w: World) =>
      Array.from({ length: 104 }, (_, i) => {
        // Those by click happen now, after the click (their delays count); the others up to 300 days back.
        const back = i % 5 === 0 ? 0 : i * 2.9 * 86_400_000;
        const occurredAt = new Date(w.t.clock.now().getTime() - back).toISOString();
        const type = (["enrollment", "signup", "completion"] as const)[i % 3];
        const referral =
          i % 7 === 0 ? {} : i % 5 === 0 ? { clickId: w.clickId } : { code: (i % 2 ? w.priya : w.ravi).code };
        const paid = type === "enrollment" ? { amount: 1_000 + i, currency: i % 4 ? "INR" : "USD" } : {};
        return {
          id: `s-${i}`,
          type,
          customer: { id: `s-friend-${i}` },
          course: `course-${i % 3}`,
          occurredAt,
          ...referral,
          ...paid,
        };
      }).concat([{ id: "s-refund", type: "refund", customer: { id: "s-friend-3" }, refundOf: "s-3" } as never]);
    for (const body of spread(single)) {
      const response = await single.t.call("POST", "/v1/conversions", {
        body,
        headers: { Authorization: `Bearer ${single.ws.secretKey}` },
      });
      expect(response.status).toBe(201);
    }
    const response = await batch.t.call("POST", "/v1/conversions/batch", {
      body: { conversions: spread(batch) },
      headers: { Authorization: `Bearer ${batch.ws.secretKey}` },
    });
    expect((await response.json()).recorded).toBe(105);
    const [one, many] = [await normalisedDump(single), await normalisedDump(batch)];
    for (const [table, text] of one) expect(many.get(table), table).toBe(text);
    expect(new Set(one.get("analytics_daily")?.match(/grain=q\tday=\d+/g)).size).toBeGreaterThanOrEqual(3);
    expect(one.get("analytics_delays")?.split("\n").length).toBeGreaterThan(10);
  });

  it("replays the whole batch when it is sent again, writing nothing", async () => {
    const before = await normalisedDump(batch);
    const again = await batch.t.call("POST", "/v1/conversions/batch", {
      body: { conversions: conversionsFor(batch) },
      headers: { Authorization: `Bearer ${batch.ws.secretKey}` },
    });
    const json = await again.json();
    expect([json.recorded, json.replayed, json.refused]).toEqual([0, 10, 5]);
    expect(await normalisedDump(batch)).toEqual(before);
  });

  it("refuses a batch that is empty, too long or not a list, with the error envelope", async () => {
    const auth = { Authorization: `Bearer ${batch.ws.secretKey}` };
    const post = (body: unknown) => batch.t.call("POST", "/v1/conversions/batch", { body, headers: auth });
    await expectError(await post({ conversions: [] }), 400, "invalid_request");
    await expectError(await post({ conversions: {} }), 400, "invalid_request");
    await expectError(await post([enrollment()]), 400, "invalid_request");
    const tooMany = Array.from({ length: 1001 }, () => enrollment());
    await expectError(await post({ conversions: tooMany }), 400, "invalid_request");
  });

  it("takes a body larger than the usual body limit", async () => {
    const auth = { Authorization: `Bearer ${batch.ws.secretKey}` };
    const note = "x".repeat(480);
    const metadata = { a: note, b: note, c: note, d: note };
    const conversions = Array.from({ length: 40 }, (_, i) => enrollment({ id: `bulk-${i}`, metadata }));
    expect(JSON.stringify({ conversions }).length).toBeGreaterThan(64 * 1024);
    const response = await batch.t.call("POST", "/v1/conversions/batch", { body: { conversions }, headers: auth });
    expect(response.status).toBe(200);
    expect((await response.json()).recorded).toBe(40);
  });

  it("leaves out an item refused after it wrote (a refund of an unknown order), and keeps the items around it", async () => {
    const stored = await batch.t.client.execute({
      sql: "select external_id from conversions where workspace_id = ? and external_id in ('o-10', 'o-11', 'o-12') order by 1",
      args: [batch.ws.id],
    });
    expect(stored.rows.map((row) => row.external_id)).toEqual(["o-12"]);
    expect(batchAnswer.results[12]?.status).toBe(400);
  });

  it("hands the rollups back to the triggers when a batch commits: its gate row is gone and a single post counts", async () => {
    const gate = await batch.t.client.execute("select count(*) as n from analytics_conversions_deferred");
    expect(Number(gate.rows[0]?.n)).toBe(0);
    const signups = async () =>
      Number(
        (
          await batch.t.client.execute({
            sql: "select coalesce(sum(signups), 0) as n from analytics_daily where workspace_id = ? and dim = 'total' and course = '*' and grain = 'd'",
            args: [batch.ws.id],
          })
        ).rows[0]?.n,
      );
    const before = await signups();
    const response = await batch.t.call("POST", "/v1/conversions", {
      body: { id: "after-batch", type: "signup", customer: { id: "after-batch-friend" }, code: batch.priya.code },
      headers: { Authorization: `Bearer ${batch.ws.secretKey}` },
    });
    expect(response.status).toBe(201);
    expect((await response.json()).attribution.status).toBe("attributed");
    expect(await signups()).toBe(before + 1);
  });

  it("delivers to the webhook endpoints as they stand when each batch runs: one added after a batch hears the next", async () => {
    const auth = { Authorization: `Bearer ${batch.ws.secretKey}` };
    const hook = await batch.t.call("POST", "/v1/admin/webhooks", {
      body: { url: "http://127.0.0.1:9/later", allowPrivateNetwork: true },
      headers: auth,
    });
    expect(hook.status).toBe(201);
    const endpointId = (await hook.json()).id as string;
    const count = async (sql: string, arg: string) =>
      Number((await batch.t.client.execute({ sql, args: [arg] })).rows[0]?.n);
    const allEvents = () => count("select count(*) as n from webhook_events where workspace_id = ?", batch.ws.id);
    const eventsBefore = await allEvents();
    const conversions = ["late-1", "late-2"].map((id, n) =>
      enrollment({ id, customer: { id: `late-friend-${n}` }, code: batch.priya.code }),
    );
    const response = await batch.t.call("POST", "/v1/conversions/batch", { body: { conversions }, headers: auth });
    expect((await response.json()).recorded).toBe(2);
    // Every event of the later batch (each conversion and each of its rewards), to the new endpoint too.
    const events = (await allEvents()) - eventsBefore;
    expect(events).toBeGreaterThanOrEqual(4);
    expect(await count("select count(*) as n from webhook_deliveries where endpoint_id = ?", endpointId)).toBe(events);
  });

  it("needs the secret key", async () => {
    const response = await batch.t.call("POST", "/v1/conversions/batch", { body: { conversions: [enrollment()] } });
    await expectError(response, 401, "unauthorized");
  });
});
