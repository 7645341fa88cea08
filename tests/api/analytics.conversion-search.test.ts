/** The dashboard's conversion search: prefix match, filters, pages, decision logs, tenancy. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversions } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { advocateFactory, conversionRow } from "../support/analytics-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
beforeAll(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  const other = await workspaceFactory(t.db, { name: "Other" });
  const advocate = await advocateFactory(t.db, ws.id, { name: "Priya Sharma", externalId: "priya" });
  const decision = [
    { rule: "click", result: "pass" as const, detail: "matched click clk_1 from 3 days ago via whatsapp" },
    { rule: "self_referral", result: "pass" as const, detail: "not self-referral" },
  ];
  const rows = [];
  for (let i = 0; i < 7; i++)
    rows.push(
      conversionRow(ws.id, {
        externalId: `order-10${i}`,
        customerId: i === 3 ? "cust_%_weird" : `cust-${i}`,
        type: i % 2 ? "enrollment" : "signup",
        referrerId: advocate.learnerId,
        decision,
        occurredAt: Date.UTC(2026, 9, 1 + i),
      }),
    );
  rows.push(conversionRow(other.id, { externalId: "order-100-foreign", type: "signup" }));
  await t.db.insert(conversions).values(rows);
});
afterAll(() => t.cleanup());

const search = async (query: string) => {
  const response = await t.call("GET", `/v1/analytics/conversions?${query}`, {
    headers: { Authorization: `Bearer ${ws.secretKey}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { items: Record<string, unknown>[]; nextCursor: string | null };
};

describe("GET /v1/analytics/conversions", () => {
  it("newest first with the decision log and the referrer", async () => {
    const page = await search("q=order-106");
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      externalId: "order-106",
      referrer: { learnerId: "priya", name: "Priya Sharma" },
      decision: [
        expect.objectContaining({ detail: "matched click clk_1 from 3 days ago via whatsapp" }),
        expect.objectContaining({ rule: "self_referral" }),
      ],
      occurredAt: "2026-10-07T00:00:00.000Z",
    });
  });

  it("prefix search never leaks another workspace; wildcards are literal", async () => {
    const page = await search("q=order-10&limit=100");
    expect(page.items.map((item) => item.externalId)).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `order-10${i}`));
    expect((await search(`q=${encodeURIComponent("%")}`)).items).toEqual([]);
    expect((await search(`q=${encodeURIComponent("cust_%")}`)).items.map((item) => item.customerId)).toEqual([
      "cust_%_weird",
    ]);
  });

  it("filters by type and pages with a cursor", async () => {
    const first = await search("type=signup&limit=2");
    expect(first.items.map((item) => item.externalId)).toEqual(["order-106", "order-104"]);
    // URL-safe as it comes: a client that puts it in the query string as is still gets page two.
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await search(`type=signup&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((item) => item.externalId)).toEqual(["order-102", "order-100"]);
    expect(second.nextCursor).toBeNull();
  });

  it("refuses a forged cursor and bad filters with 400", async () => {
    const get = (query: string) =>
      t.call("GET", `/v1/analytics/conversions?${query}`, { headers: { Authorization: `Bearer ${ws.secretKey}` } });
    await expectError(await get(`cursor=${btoa("1' OR 1=1|x")}`), 400, "invalid_request");
    await expectError(await get("cursor=%%%"), 400, "invalid_request");
    await expectError(await get("type=purchase"), 400, "invalid_request");
    await expectError(await get(`q=${"x".repeat(101)}`), 400, "invalid_request");
  });
});
