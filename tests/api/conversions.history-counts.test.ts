/**
 * The counts a conversion reads over its referrer's history (the velocity rule's referred
 * customers in the last day, the successful referrals that tiers and milestones count, the monthly
 * cap) grow with that history: a conversion batch of an established advocate's referrals read
 * every earlier conversion and reward row for each item. Each must be answered from an index alone
 * (its plan says COVERING INDEX), so the rows themselves are never read.
 */
import Database from "libsql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
/** Every statement the app prepared while one attributed enrolment was recorded. */
const issued: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const ws = await workspaceFactory(t.db, {
    now: t.clock.now(),
    settings: { monthlyCap: 10 },
  });
  const priya = await referrerFactory(t.db, ws.id, { sub: "priya", name: "Priya" }, { now: t.clock.now() });
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function recorded(this: Database.Database, sql: string) {
    issued.push(sql);
    return prepare.call(this, sql);
  } as typeof prepare;
  try {
    const response = await poster(t, ws.secretKey)(enrollment({ code: priya.code }));
    expect(response.status).toBe(201);
  } finally {
    Database.prototype.prepare = prepare;
  }
});
afterAll(() => t?.cleanup());

async function plan(sql: string): Promise<string> {
  const rows = await t.client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args: [] });
  return rows.rows.map((row) => String(row.detail)).join("; ");
}

describe("the counts over a referrer's history", () => {
  it("reads the velocity rule's referred customers from an index alone", async () => {
    const velocity = issued.filter((sql) => /count\(distinct "customer_id"\) from "conversions"/.test(sql));
    expect(velocity).toHaveLength(1);
    expect(await plan(velocity[0] as string)).toMatch(/COVERING INDEX conversions_workspace_referrer/);
  });

  it("reads the referrer's reward counts (successful referrals, monthly cap) from an index alone", async () => {
    const counts = [...new Set(issued.filter((sql) => /count\(\*\) from "rewards"/.test(sql)))];
    expect(counts.length).toBeGreaterThanOrEqual(2);
    for (const sql of counts) expect(await plan(sql), sql).toMatch(/COVERING INDEX rewards_workspace_learner/);
  });
});
