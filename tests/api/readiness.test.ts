/**
 * GET /readyz: 200 when the database answers, has every migration of this build and the outboxes
 * drain; 503 with the error envelope naming each failing check otherwise. Each reason is made
 * real: a migration row removed, the database closed, a due webhook or email left unclaimed past
 * READY_OUTBOX_MAX_AGE_SECONDS. A message waiting out a back-off, or mail when mail is off, is
 * no reason. /healthz stays the one cheap query.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { MailTransport } from "../../server/services/mail-outbox.ts";
import { sendDueMail } from "../../server/services/mail-outbox.ts";
import { deliverDueWebhooks } from "../../server/services/webhooks.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createOpsApp, type OpsApp } from "../support/ops-app.ts";
import { expectError, testConfig } from "../support/test-app.ts";

let t: OpsApp | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

type Checks = { database: string; migrations: string; webhooks: string; mail: string };

async function notReady(app: OpsApp): Promise<{ message: string; checks: Checks }> {
  const error = await expectError(await app.call("GET", "/readyz"), 503, "unavailable");
  return { message: error.message, checks: (error.details as { checks: Checks }).checks };
}

/** A workspace with a webhook endpoint and a conversion whose events wait in the outbox. */
async function pendingWebhook(app: OpsApp) {
  const ws = await workspaceFactory(app.db, { settings: { storeEmails: true } });
  const hook = await app.call("POST", "/v1/admin/webhooks", {
    headers: { Authorization: `Bearer ${ws.secretKey}` },
    body: { url: "https://hooks.academy.example/chorus", events: ["conversion.attributed"] },
  });
  expect(hook.status).toBe(201);
  const priya = await referrerFactory(
    app.db,
    ws.id,
    { sub: "priya", email: "priya@learners.example" },
    { now: app.clock.now() },
  );
  expect((await poster(app, ws.secretKey)(enrollment({ code: priya.code }))).status).toBe(201);
}

const accepting: MailTransport = { send: async () => {} };
const mailOptions = {
  transport: accepting,
  from: { name: null, address: "rewards@chorus.example" },
  secret: testConfig.secret,
  publicUrl: "https://chorus.test",
};

describe("GET /readyz", () => {
  it("is ready on a migrated database with empty outboxes, and says what it checked", async () => {
    t = await createOpsApp();
    const response = await t.call("GET", "/readyz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "ready",
      checks: {
        database: "ok",
        migrations: "ok",
        webhooks: "ok",
        mail: "skipped: this server does not send it",
        primary: "skipped: not an embedded replica",
      },
    });
  });

  it("is not ready when the database lacks a migration of this build", async () => {
    t = await createOpsApp();
    await t.client.execute(
      "delete from __drizzle_migrations where created_at = (select max(created_at) from __drizzle_migrations)",
    );
    const { message, checks } = await notReady(t);
    expect(checks.migrations).toMatch(/^missing 0\d{3}_\w+: run `chorus db migrate` with this build$/);
    expect(message).toContain("migrations: missing");
    expect(checks.database).toBe("ok");
    // Liveness is not readiness: the process is fine and should not be restarted for this.
    expect((await t.call("GET", "/healthz")).status).toBe(200);
  });

  it("is not ready when the database does not answer", async () => {
    t = await createOpsApp();
    t.client.close();
    const { checks } = await notReady(t);
    expect(checks.database).toBe("the database does not answer");
    expect(checks.webhooks).toBe("skipped: the database does not answer");
  });

  it("is not ready when a due webhook waits unclaimed past the limit, and ready again once delivered", async () => {
    t = await createOpsApp({ config: { readyOutboxMaxAgeSeconds: 120 } });
    await pendingWebhook(t);
    // Due now, not yet overdue: the worker has a whole limit's time to pick it up.
    t.clock.advance(120_000);
    expect((await t.call("GET", "/readyz")).status).toBe(200);
    t.clock.advance(1_000);
    const { checks } = await notReady(t);
    expect(checks.webhooks).toBe("not draining: a due message has waited 121 s unclaimed (the limit is 120 s)");

    const receiver = async () => new Response(null, { status: 204 });
    expect(await deliverDueWebhooks({ db: t.db, clock: t.clock }, { fetch: receiver })).toMatchObject({
      delivered: 1,
    });
    expect((await t.call("GET", "/readyz")).status).toBe(200);
  });

  it("does not count a delivery waiting out its endpoint's back-off (the receiver is down, not this server)", async () => {
    t = await createOpsApp({ config: { readyOutboxMaxAgeSeconds: 120 } });
    await pendingWebhook(t);
    const down = async () => new Response(null, { status: 503 });
    const hour = 3_600_000;
    expect(
      await deliverDueWebhooks({ db: t.db, clock: t.clock }, { fetch: down, baseBackoffMs: hour, random: () => 0 }),
    ).toMatchObject({ retrying: 1 });
    t.clock.advance(hour - 1_000);
    expect((await t.call("GET", "/readyz")).status).toBe(200);
    // Once the back-off has passed the retry is due, and a stuck worker shows again.
    t.clock.advance(122_000);
    expect((await notReady(t)).checks.webhooks).toMatch(/^not draining: a due message has waited 121 s/);
  });

  it("does not count deliveries held by an endpoint a person must resume (paused after failures)", async () => {
    t = await createOpsApp({ config: { readyOutboxMaxAgeSeconds: 120 } });
    await pendingWebhook(t);
    const down = async () => new Response(null, { status: 503 });
    const options = { fetch: down, baseBackoffMs: 1_000, pauseAfterFailures: 1, random: () => 0 };
    expect(await deliverDueWebhooks({ db: t.db, clock: t.clock }, options)).toMatchObject({ retrying: 1 });
    const [endpoint] = (await t.client.execute("select paused_at from webhook_endpoints")).rows;
    expect(endpoint?.paused_at).not.toBeNull();
    t.clock.advance(86_400_000);
    expect((await t.call("GET", "/readyz")).status).toBe(200);
  });

  it("checks the mail outbox only where mail is on", async () => {
    t = await createOpsApp({ config: { readyOutboxMaxAgeSeconds: 120 } });
    await pendingWebhook(t);
    await deliverDueWebhooks({ db: t.db, clock: t.clock }, { fetch: async () => new Response(null, { status: 204 }) });
    t.clock.advance(600_000);
    // Mail off: the reward-earned message waits by design, and the server stays ready.
    expect(Number((await t.client.execute("select count(*) as n from mail_messages")).rows[0]?.n)).toBe(1);
    expect((await t.call("GET", "/readyz")).status).toBe(200);
    t.cleanup();

    t = await createOpsApp({ config: { readyOutboxMaxAgeSeconds: 120 }, deps: { mailTransport: accepting } });
    await pendingWebhook(t);
    await deliverDueWebhooks({ db: t.db, clock: t.clock }, { fetch: async () => new Response(null, { status: 204 }) });
    t.clock.advance(600_000);
    const { checks } = await notReady(t);
    expect(checks).toMatchObject({ webhooks: "ok", mail: expect.stringMatching(/^not draining: .* 600 s/) });
    expect(await sendDueMail({ db: t.db, clock: t.clock }, mailOptions)).toMatchObject({ sent: 1 });
    expect((await t.call("GET", "/readyz")).status).toBe(200);
  });
});
