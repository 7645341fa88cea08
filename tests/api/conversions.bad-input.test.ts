import { count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { conversions, rewards, webhookEvents } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment } from "../support/conversions.ts";
import { testOrigin, workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let code: string;
beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  code = (await referrerFactory(t.db, ws.id, { sub: "priya" }, { now: t.clock.now() })).code;
});
afterEach(() => t.cleanup());

async function nothingStored() {
  const [c] = await t.db.select({ n: count() }).from(conversions).where(eq(conversions.workspaceId, ws.id));
  const [r] = await t.db.select({ n: count() }).from(rewards).where(eq(rewards.workspaceId, ws.id));
  const [e] = await t.db.select({ n: count() }).from(webhookEvents).where(eq(webhookEvents.workspaceId, ws.id));
  expect([c?.n, r?.n, e?.n]).toEqual([0, 0, 0]);
}

const post = (body: unknown, headers?: Record<string, string>) =>
  t.call("POST", "/v1/conversions", { body, headers: headers ?? { Authorization: `Bearer ${ws.secretKey}` } });

describe("bad conversions get a clear 4xx and store nothing", () => {
  it.each([
    ["a negative amount", { amount: -1 }, "amount"],
    ["a fractional amount", { amount: 10.5 }, "amount"],
    ["an amount without a currency", { amount: 100, currency: undefined }, "currency"],
    ["an unknown currency", { currency: "XYZ" }, "currency"],
    ["a lower-case currency", { currency: "inr" }, "currency"],
    ["an unknown type", { type: "purchase" }, "type"],
    ["a missing customer", { customer: undefined }, "customer"],
    ["an unknown field", { discount: 5 }, ""],
    ["a refund without refundOf", { type: "refund" }, "refundOf"],
    ["refundOf on an enrolment", { refundOf: "order-1" }, "refundOf"],
    ["a timestamp that is not ISO 8601", { occurredAt: "yesterday" }, "occurredAt"],
    ["a timestamp far in the future", { occurredAt: "2027-01-01T00:00:00Z" }, "occurredAt"],
    ["a timestamp from another century", { occurredAt: "1999-01-01T00:00:00Z" }, "occurredAt"],
    [
      "oversized metadata",
      {
        metadata: {
          note: "x".repeat(500),
          a: "x".repeat(500),
          b: "x".repeat(500),
          c: "x".repeat(500),
          d: "x".repeat(500),
        },
      },
      "metadata",
    ],
    [
      "too many metadata keys",
      { metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) },
      "metadata",
    ],
    ["nested metadata", { metadata: { deep: { a: 1 } } }, "metadata.deep"],
    ["an empty id", { id: "" }, "id"],
  ])("%s", async (_name, patch, path) => {
    const response = await post(enrollment({ code, ...patch }));
    const error = await expectError(response, 400, "invalid_request");
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    await nothingStored();
  });

  it("accepts a timestamp in the past (an import) and a few seconds ahead (clock skew)", async () => {
    expect((await post(enrollment({ occurredAt: "2026-06-01T00:00:00Z" }))).status).toBe(201);
    expect((await post(enrollment({ occurredAt: "2026-11-01T10:01:00+00:00" }))).status).toBe(201);
  });

  it("refuses a publishable key with 401, even from an allowed origin", async () => {
    await expectError(
      await post(enrollment({ code }), { "Chorus-Key": ws.publishableKey, Origin: testOrigin }),
      401,
      "unauthorized",
    );
    await expectError(
      await post(enrollment({ code }), { Authorization: `Bearer ${ws.publishableKey}` }),
      401,
      "unauthorized",
    );
    await nothingStored();
  });

  it("refuses broken JSON and other content types", async () => {
    await expectError(await post("{", undefined), 400, "invalid_json");
    await expectError(
      await t.call("POST", "/v1/conversions", {
        body: "id=1",
        headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "text/plain" },
      }),
      415,
      "unsupported_media_type",
    );
    await nothingStored();
  });
});
