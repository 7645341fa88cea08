import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deliverDueWebhooks } from "../../server/services/webhooks.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { startReceiver } from "../support/webhook-receiver.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
});
afterEach(async () => {
  vi.useRealTimers();
  await receiver?.close();
  receiver = undefined;
  t.cleanup();
});

describe("webhook deliveries under the Standard Webhooks convention", () => {
  it("verify with the standardwebhooks library and the endpoint's secret as Chorus gave it", async () => {
    receiver = await startReceiver([500, 200]);
    const created = await t.call("POST", "/v1/admin/webhooks", {
      body: { url: receiver.url, events: ["conversion.attributed"], allowPrivateNetwork: true },
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    const { secret } = (await created.json()) as { secret: string };
    const priya = await referrerFactory(t.db, ws.id, { sub: "priya" }, { now: t.clock.now() });
    await poster(t, ws.secretKey)(enrollment({ id: "order-sw", code: priya.code }));
    const deps = { db: t.db, clock: t.clock };
    expect(await deliverDueWebhooks(deps, { baseBackoffMs: 1000 })).toMatchObject({ retrying: 1 });
    t.clock.advance(1000);
    expect(await deliverDueWebhooks(deps, { baseBackoffMs: 1000 })).toMatchObject({ delivered: 1 });
    expect(receiver.received).toHaveLength(2);

    // The library checks the timestamp against Date.now(): let it see the test clock's time.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(t.clock.now());
    const webhook = new Webhook(secret);
    for (const { headers, body } of receiver.received) {
      const standard = {
        "webhook-id": String(headers["webhook-id"]),
        "webhook-timestamp": String(headers["webhook-timestamp"]),
        "webhook-signature": String(headers["webhook-signature"]),
      };
      expect(webhook.verify(body, standard)).toMatchObject({
        type: "conversion.attributed",
        data: { conversion: { externalId: "order-sw" } },
      });
      // The id is the event's: the same on the retry, so receivers deduplicate on it.
      expect(standard["webhook-id"]).toBe(headers["chorus-event-id"]);
      expect(headers["chorus-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      // A changed body, another secret or a replayed old timestamp fail.
      expect(() => webhook.verify(body.replace("order-sw", "order-xx"), standard)).toThrow();
      expect(() => new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").verify(body, standard)).toThrow();
    }
    vi.setSystemTime(t.clock.now().getTime() + 6 * 60_000);
    const [first] = receiver.received;
    expect(() =>
      webhook.verify(first!.body, {
        "webhook-id": String(first!.headers["webhook-id"]),
        "webhook-timestamp": String(first!.headers["webhook-timestamp"]),
        "webhook-signature": String(first!.headers["webhook-signature"]),
      }),
    ).toThrow(/too old/);
  });
});
