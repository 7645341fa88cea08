/**
 * Mail on Workers, in real workerd against a real sqld: a queued message is sent when the cron
 * trigger runs (fired through wrangler's /__scheduled test endpoint, as Cloudflare's cron would),
 * through the HTTP mail transport, to a local HTTP server standing in for the email API
 * (`MAIL_API_URL`), which records the request as it arrived.
 */
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../db/index.ts";
import { writeTransaction } from "../../server/lib/write-transaction.ts";
import { enqueueMail } from "../../server/services/mail-outbox.ts";
import { buildAssets } from "../support/assets.ts";
import { workspaceFactory } from "../support/factories.ts";
import { runCli } from "../support/processes.ts";
import { type RunningSqld, startSqld } from "../support/sqld.ts";
import { startReceiver } from "../support/webhook-receiver.ts";
import { type RunningWorker, startWranglerDev } from "../support/wrangler-dev.ts";

let sqld: RunningSqld;
let worker: RunningWorker;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  buildAssets({ onlyIfMissing: true });
  sqld = await startSqld();
  expect(runCli(["db", "migrate"], { DATABASE_URL: sqld.url }).status).toBe(0);
  receiver = await startReceiver([200]);
  client = createClient({ url: sqld.url });
  worker = await startWranglerDev({
    DATABASE_URL: sqld.url,
    CHORUS_SECRET: "worker-mail-test-secret-0123456789abcdef",
    PUBLIC_URL: "https://go.acme.example",
    MAIL_API_URL: receiver.url,
    MAIL_API_KEY: "re_worker_test_key",
    MAIL_FROM: "rewards@acme.example",
  });
}, 120_000);
afterAll(async () => {
  client?.close();
  await receiver?.close();
  await worker?.stop();
  await sqld?.stop();
});

const row = async () =>
  (await client.execute("select status, attempts, message_id, reason from mail_messages")).rows[0] as unknown as {
    status: string;
    attempts: number;
    message_id: string;
    reason: string | null;
  };

describe("mail on workerd", () => {
  it("drains the outbox from the cron trigger through the HTTP mail transport", async () => {
    const db = createDb(client);
    const ws = await workspaceFactory(db, {
      settings: { storeEmails: true, brand: { name: "Acme Academy", logoUrl: null, color: "#1d4ed8" } },
    });
    await writeTransaction(db, (tx) =>
      enqueueMail(
        { tx, clock: { now: () => new Date() } },
        {
          workspaceId: ws.id,
          key: "reward-earned:workerd",
          category: "rewards",
          template: "reward-earned",
          locale: "en",
          data: { firstName: "Priya", reward: "500.00 INR credit", holdUntil: null, shareCode: null },
          learnerId: null,
          to: { name: "Priya Sharma", address: "priya@learners.example" },
          toHash: "workerd-test",
        },
      ),
    );
    expect(receiver.received).toHaveLength(0);

    expect((await fetch(`${worker.baseUrl}/__scheduled?cron=*+*+*+*+*`)).status).toBe(200);
    await expect.poll(async () => (await row()).status, { timeout: 15_000 }).toBe("sent");
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    const { message_id: messageId } = await row();
    expect(request?.headers.authorization).toBe("Bearer re_worker_test_key");
    expect(request?.headers["idempotency-key"]).toBe(messageId);
    const body = JSON.parse(request?.body ?? "{}");
    expect(body).toMatchObject({
      from: '"Acme Academy" <rewards@acme.example>',
      to: ['"Priya Sharma" <priya@learners.example>'],
      subject: expect.stringContaining("reward"),
      headers: { "Message-ID": messageId, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    });
    expect(body.html).toContain("500.00 INR credit");
    expect(body.text).toContain("500.00 INR credit");
    const unsubscribe = String(body.headers["List-Unsubscribe"]);
    expect(unsubscribe).toMatch(/^<https:\/\/go\.acme\.example\/v1\/mail\/unsubscribe\?t=[^>]+>$/);

    // The one-click link works against the worker itself (RFC 8058: a POST, no cookies).
    const link = new URL(unsubscribe.slice(1, -1));
    const unsubscribed = await fetch(`${worker.baseUrl}${link.pathname}${link.search}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(unsubscribed.status).toBeLessThan(300);
    const [suppressed] = (
      await client.execute({
        sql: "select category from mail_suppressions where workspace_id = ?",
        args: [ws.id],
      })
    ).rows;
    expect(suppressed?.category).toBe("rewards");

    // The dashboard's mail page, answered by the worker, says mail is on and shows the message sent.
    const overview = await fetch(`${worker.baseUrl}/v1/admin/mail`, {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(await overview.json()).toMatchObject({ enabled: true, counts: { sent: 1 } });

    // A second cron run finds nothing due and sends nothing more.
    expect((await fetch(`${worker.baseUrl}/__scheduled?cron=*+*+*+*+*`)).status).toBe(200);
    expect((await row()).attempts).toBe(1);
    expect(receiver.received).toHaveLength(1);
  });
});
