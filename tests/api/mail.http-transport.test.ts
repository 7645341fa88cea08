/**
 * The HTTP mail transport (the Workers one, Resend's request shape) through the real outbox,
 * against a real HTTP server on 127.0.0.1: the request as it arrives, and the API's failures
 * recorded as classes (429 and 5xx retried, another 4xx failed at once with its status).
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mailMessages } from "../../db/schema.ts";
import { createHttpMailTransport, mailbox } from "../../server/http-mail.ts";
import { type MailWorkerOptions, sendDueMail } from "../../server/services/mail-outbox.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp, testConfig } from "../support/test-app.ts";
import { startReceiver } from "../support/webhook-receiver.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db, {
    settings: { storeEmails: true, brand: { name: 'Acme "Academy"', logoUrl: null, color: "#1d4ed8" } },
  });
  const priya = await referrerFactory(
    t.db,
    ws.id,
    { sub: "priya", name: "Priya Sharma", email: "priya@learners.example" },
    { now: t.clock.now() },
  );
  expect((await poster(t, ws.secretKey)(enrollment({ code: priya.code }))).status).toBe(201);
});
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  t.cleanup();
});

const worker = (apiUrl: string): MailWorkerOptions => ({
  transport: createHttpMailTransport({ apiKey: "re_test_key", apiUrl }),
  from: { name: null, address: "rewards@chorus.example" },
  secret: testConfig.secret,
  publicUrl: "https://chorus.test",
  baseBackoffMs: 1000,
  random: () => 0,
});
const ctx = () => ({ db: t.db, clock: t.clock });
const message = async () => (await t.db.select().from(mailMessages).where(eq(mailMessages.workspaceId, ws.id)))[0];

describe("the HTTP mail transport", () => {
  it("posts the message as Resend documents it: key, mailboxes, both parts, unsubscribe headers, Message-ID", async () => {
    receiver = await startReceiver([200]);
    expect(await sendDueMail(ctx(), worker(receiver.url))).toMatchObject({ claimed: 1, sent: 1 });
    const [request] = receiver.received;
    expect(request?.headers.authorization).toBe("Bearer re_test_key");
    expect(request?.headers["content-type"]).toBe("application/json");
    const { messageId } = (await message())!;
    // The stored Message-ID is the idempotency key: the API drops a resend after a crash.
    expect(request?.headers["idempotency-key"]).toBe(messageId);
    const body = JSON.parse(request?.body ?? "{}");
    expect(body).toMatchObject({
      from: '"Acme \\"Academy\\"" <rewards@chorus.example>',
      to: ['"Priya Sharma" <priya@learners.example>'],
      subject: expect.stringContaining("reward"),
      headers: { "Message-ID": messageId, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    });
    expect(body.html).toContain("<h1");
    expect(body.text).toContain("https://chorus.test/v1/mail/unsubscribe?t=");
    expect(body.headers["List-Unsubscribe"]).toMatch(/^<https:\/\/chorus\.test\/v1\/mail\/unsubscribe\?t=[^>]+>$/);
    expect(await message()).toMatchObject({ status: "sent", toAddress: null });
  });

  it("retries 429 and 5xx with the class as the reason, and fails a 422 at once with its status", async () => {
    receiver = await startReceiver([429, 500, 422]);
    expect(await sendDueMail(ctx(), worker(receiver.url))).toMatchObject({ retrying: 1 });
    expect(await message()).toMatchObject({ status: "queued", reason: "rate limited: the mail API answered 429" });
    t.clock.advance(3_600_000);
    expect(await sendDueMail(ctx(), worker(receiver.url))).toMatchObject({ retrying: 1 });
    expect(await message()).toMatchObject({ status: "queued", reason: "server: the mail API answered 500" });
    t.clock.advance(3_600_000);
    expect(await sendDueMail(ctx(), worker(receiver.url))).toMatchObject({ failed: 1 });
    // Failed on its third attempt of eight: the same request cannot succeed later.
    expect(await message()).toMatchObject({
      status: "failed",
      attempts: 3,
      reason: "rejected: the mail API answered 422",
      toAddress: null,
    });
    t.clock.advance(86_400_000);
    expect(await sendDueMail(ctx(), worker(receiver.url))).toMatchObject({ claimed: 0 });
    expect(receiver.received).toHaveLength(3);
  });

  it("retries when the API cannot be reached, without its text", async () => {
    receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    expect(await sendDueMail(ctx(), worker(url))).toMatchObject({ retrying: 1 });
    expect(await message()).toMatchObject({
      status: "queued",
      reason: "network: the mail API could not be reached",
    });
  });

  it("quotes a hostile display name so it can never close the mailbox or add one", () => {
    expect(mailbox({ name: 'Eve", bcc@evil.example <x', address: "a@b.example" })).toBe(
      '"Eve\\", bcc@evil.example <x" <a@b.example>',
    );
    expect(mailbox({ name: "back\\slash", address: "a@b.example" })).toBe('"back\\\\slash" <a@b.example>');
    expect(mailbox({ name: null, address: "a@b.example" })).toBe("a@b.example");
  });
});
