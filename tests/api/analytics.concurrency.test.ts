/**
 * Rollups under concurrent writers: many redirects at once (the click group committer) while two
 * other connections write conversions and shares to the same file. The figures must equal a
 * recount from the raw rows.
 */
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../db/index.ts";
import { prepareFileDatabase } from "../../db/migrate.ts";
import { conversions, shareEvents } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { type Advocate, advocateFactory, conversionRow } from "../support/analytics-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { visitor } from "../support/referrals.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let advocates: Advocate[];
beforeAll(async () => {
  t = await createTestApp({ trustProxy: true });
  ws = await workspaceFactory(t.db, { settings: { defaultTargetUrl: "https://academy.example/" } });
  advocates = [await advocateFactory(t.db, ws.id), await advocateFactory(t.db, ws.id)];
  t.clock.set("2026-10-10T09:00:00Z");
});
afterAll(() => t.cleanup());

async function otherConnection() {
  const client = createClient({ url: t.url });
  await prepareFileDatabase(client);
  return { client, db: createDb(client) };
}

describe("rollups stay exact under concurrent writes", () => {
  it("redirects, conversions and shares from three connections at once", async () => {
    const a = await otherConnection();
    const b = await otherConnection();
    const at = Date.UTC(2026, 9, 10, 9);
    const redirects = Array.from({ length: 120 }, (_, i) =>
      t.call("GET", `/r/${advocates[i < 60 ? 0 : 1]?.code}?ch=${i % 3 ? "whatsapp" : "email"}`, {
        headers: visitor(`198.51.100.${i % 40}`),
      }),
    );
    const conversionWrites = Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? a : b).db.insert(conversions).values(
        conversionRow(ws.id, {
          type: i % 4 === 0 ? "signup" : "enrollment",
          referrerId: advocates[i % 2]?.learnerId,
          amount: 1000,
          currency: "INR",
          occurredAt: at + i,
        }),
      ),
    );
    const shareWrites = Array.from({ length: 30 }, (_, i) =>
      a.db.insert(shareEvents).values({
        id: `shr_concurrent${String(i).padStart(4, "0")}`,
        workspaceId: ws.id,
        codeId: advocates[i % 2]?.codeId as string,
        learnerId: advocates[i % 2]?.learnerId,
        channel: "whatsapp",
        course: "",
        createdAt: at + i,
      }),
    );
    const answers = await Promise.all([...redirects, ...conversionWrites, ...shareWrites]);
    for (const answer of answers.slice(0, redirects.length)) expect((answer as Response).status).toBe(302);
    a.client.close();
    b.client.close();

    // The recount, straight from the raw rows.
    const raw = await t.client.execute({
      sql: `select
        (select count(*) from clicks where workspace_id = ?1 and is_bot = 0) as clicks,
        (select count(distinct visitor_hash) from clicks where workspace_id = ?1) as visitors,
        (select count(*) from share_events where workspace_id = ?1) as shares,
        (select count(*) from conversions where workspace_id = ?1 and type = 'signup') as signups,
        (select count(*) from conversions where workspace_id = ?1 and type = 'enrollment') as enrollments,
        (select sum(amount) from conversions where workspace_id = ?1 and type = 'enrollment') as revenue`,
      args: [ws.id],
    });
    const expected = raw.rows[0] as unknown as Record<string, number>;
    expect(Number(expected.clicks)).toBe(80); // 40 visitors × 2 codes, repeats within the hour not counted
    const response = await t.call("GET", "/v1/analytics/funnel?from=2026-10-10&to=2026-10-10", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(await response.json()).toMatchObject({
      clicks: Number(expected.clicks),
      visitors: Number(expected.visitors),
      shares: Number(expected.shares),
      signups: Number(expected.signups),
      enrollments: Number(expected.enrollments),
      revenue: [{ currency: "INR", amount: Number(expected.revenue) }],
    });
    const byAdvocate = await t.call("GET", "/v1/analytics/breakdown?dimension=advocate&from=2026-10-10&to=2026-10-10", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    const rows = ((await byAdvocate.json()) as { items: { clicks: number; visitors: number }[] }).items;
    expect(rows.map((row) => row.clicks)).toEqual([40, 40]);
    expect(rows.map((row) => row.visitors)).toEqual([40, 40]);
  });
});
