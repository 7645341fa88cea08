import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliverDueWebhooks } from "../../server/services/webhooks.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { type Referrer, referrerFactory } from "../support/click-factories.ts";
import { type ConversionJson, enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";
import { startReceiver } from "../support/webhook-receiver.ts";

let t: TestApp;
let a: CreatedWorkspace;
let b: CreatedWorkspace;
let aRef: Referrer;
let aConversion: ConversionJson;
let aWebhook: { id: string };
const as = (ws: CreatedWorkspace) => ({ Authorization: `Bearer ${ws.secretKey}` });

beforeEach(async () => {
  t = await createTestApp();
  a = await workspaceFactory(t.db, { name: "Academy A" });
  b = await workspaceFactory(t.db, { name: "Academy B" });
  aRef = await referrerFactory(t.db, a.id, { sub: "priya" }, { now: t.clock.now() });
  aWebhook = await (
    await t.call("POST", "/v1/admin/webhooks", { body: { url: "http://127.0.0.1:9/a-hooks" }, headers: as(a) })
  ).json();
  aConversion = (await poster(t, a.secretKey)(enrollment({ id: "order-a", code: aRef.code }))).json;
});
afterEach(() => t.cleanup());

describe("one workspace never sees or touches another's", () => {
  it("conversions", async () => {
    await expectError(await t.call("GET", "/v1/conversions/order-a", { headers: as(b) }), 404, "not_found");
    await expectError(
      await t.call("GET", `/v1/conversions/${aConversion.conversion.id}`, { headers: as(b) }),
      404,
      "not_found",
    );
    // B cannot refund A's order, nor attribute with A's code.
    await expectError(
      await t.call("POST", "/v1/conversions", {
        body: { id: "r", type: "refund", refundOf: "order-a", customer: { id: "x" } },
        headers: as(b),
      }),
      400,
      "invalid_request",
    );
    const withForeignCode = await poster(t, b.secretKey)(enrollment({ code: aRef.code }));
    expect(withForeignCode.json.attribution.status).toBe("unattributed");
    // A's order is untouched.
    const still = await (await t.call("GET", "/v1/conversions/order-a", { headers: as(a) })).json();
    expect(still.rewards.map((reward: { status: string }) => reward.status)).toEqual(["pending", "pending"]);
  });

  it("rewards", async () => {
    expect((await (await t.call("GET", "/v1/admin/rewards", { headers: as(b) })).json()).items).toEqual([]);
    for (const reward of aConversion.rewards) {
      for (const action of ["approve", "void", "issue"]) {
        await expectError(
          await t.call("POST", `/v1/admin/rewards/${reward.id}/${action}`, { headers: as(b) }),
          404,
          "not_found",
        );
      }
    }
    expect((await (await t.call("GET", "/v1/admin/rewards?learner=priya", { headers: as(b) })).json()).items).toEqual(
      [],
    );
    const own = await (await t.call("GET", "/v1/admin/rewards", { headers: as(a) })).json();
    expect(own.items.map((reward: { status: string }) => reward.status)).toEqual(["pending", "pending"]);
  });

  it("webhooks and their deliveries", async () => {
    expect((await (await t.call("GET", "/v1/admin/webhooks", { headers: as(b) })).json()).items).toEqual([]);
    await expectError(
      await t.call("DELETE", `/v1/admin/webhooks/${aWebhook.id}`, { headers: as(b) }),
      404,
      "not_found",
    );
    await expectError(
      await t.call("GET", `/v1/admin/webhooks/${aWebhook.id}/deliveries`, { headers: as(b) }),
      404,
      "not_found",
    );
    const log = await (await t.call("GET", `/v1/admin/webhooks/${aWebhook.id}/deliveries`, { headers: as(a) })).json();
    const eventId = log.items[0].eventId;
    await expectError(
      await t.call("POST", `/v1/admin/webhooks/${aWebhook.id}/deliveries/${eventId}/resend`, { headers: as(b) }),
      404,
      "not_found",
    );
    expect((await (await t.call("GET", "/v1/admin/webhooks", { headers: as(a) })).json()).items).toHaveLength(1);
  });

  it("events: B's endpoint receives only B's events", async () => {
    const receiver = await startReceiver();
    try {
      await t.call("POST", "/v1/admin/webhooks", { body: { url: receiver.url }, headers: as(b) });
      const bRef = await referrerFactory(t.db, b.id, { sub: "ravi" }, { now: t.clock.now() });
      await poster(t, a.secretKey)(enrollment({ code: aRef.code }));
      await poster(t, b.secretKey)(enrollment({ id: "order-b", code: bRef.code }));
      await deliverDueWebhooks({ db: t.db, clock: t.clock }, { timeoutMs: 500 });
      expect(receiver.received).toHaveLength(3);
      for (const request of receiver.received) expect(request.body).not.toContain("order-a");
    } finally {
      await receiver.close();
    }
  });
});
