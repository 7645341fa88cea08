import { and, count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { conversions, rewards, webhookEvents } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { clickFactory, type Referrer, referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let referrer: Referrer;
let post: ReturnType<typeof poster>;
beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  referrer = await referrerFactory(t.db, ws.id, { sub: "advocate-1" }, { now: t.clock.now() });
  post = poster(t, ws.secretKey);
});
afterEach(() => t.cleanup());

async function rowsFor(externalId: string) {
  const rows = await t.db
    .select()
    .from(conversions)
    .where(and(eq(conversions.workspaceId, ws.id), eq(conversions.externalId, externalId)));
  const [rewardCount] = await t.db
    .select({ n: count() })
    .from(rewards)
    .where(eq(rewards.conversionId, rows[0]?.id ?? "none"));
  return { rows, rewards: rewardCount?.n ?? 0 };
}

describe("conversions are idempotent by the provider's id", () => {
  it("answers a replay with 200 and the original body, without a second row or reward", async () => {
    const click = await clickFactory(t.db, referrer, { at: t.clock.now() });
    const body = enrollment({ clickId: click.id });
    const first = await post(body);
    expect(first.status).toBe(201);
    expect(first.json.rewards).toHaveLength(2);
    t.clock.advance(3_600_000);
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(await again.response.text()).toBe(await first.response.text());
    expect(await rowsFor(body.id)).toMatchObject({ rows: [expect.anything()], rewards: 2 });
  });

  it("treats the same body with keys in another order as the same request", async () => {
    const first = await post({ type: "signup", id: "signup-7", customer: { name: "Ravi", id: "c-7" } });
    const again = await post({ customer: { id: "c-7", name: "Ravi" }, id: "signup-7", type: "signup" });
    expect([first.status, again.status]).toEqual([201, 200]);
  });

  it("refuses the same id with a different body with 409 and keeps the original", async () => {
    const body = enrollment();
    expect((await post(body)).status).toBe(201);
    const changed = await t.call("POST", "/v1/conversions", {
      body: { ...body, amount: 1 },
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    await expectError(changed, 409, "conflict");
    const { rows } = await rowsFor(body.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.amount).toBe(499_900);
  });

  it("turns 50 concurrent posts of one conversion into one row, one set of rewards and one event", async () => {
    const click = await clickFactory(t.db, referrer, { at: t.clock.now() });
    const body = enrollment({ clickId: click.id });
    const results = await Promise.all(Array.from({ length: 50 }, () => post(body)));
    const statuses = results.map((result) => result.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(49);
    const bodies = new Set(await Promise.all(results.map((result) => result.response.text())));
    expect(bodies.size).toBe(1);
    expect(await rowsFor(body.id)).toMatchObject({ rows: [expect.anything()], rewards: 2 });
    const events = await t.db.select().from(webhookEvents).where(eq(webhookEvents.workspaceId, ws.id));
    expect(events.filter((event) => event.type === "conversion.attributed")).toHaveLength(1);
    expect(events.filter((event) => event.type === "reward.created")).toHaveLength(2);
  });

  it("keeps the same id apart in two workspaces", async () => {
    const other = await workspaceFactory(t.db, { name: "Other" });
    const body = enrollment();
    expect((await post(body)).status).toBe(201);
    expect((await poster(t, other.secretKey)(body)).status).toBe(201);
  });
});
