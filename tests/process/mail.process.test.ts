/**
 * The email outbox in the real Node server (`npm start` with SMTP_URL and MAIL_FROM): killed with
 * SIGKILL after its SMTP server received a message but before the server's answer was recorded,
 * then restarted on the same file. The message is sent again (at least once), carrying the same
 * `Message-ID`, so the receiving side can drop the copy.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createDb } from "../../db/index.ts";
import { migrateDatabase, prepareFileDatabase } from "../../db/migrate.ts";
import { writeTransaction } from "../../server/lib/write-transaction.ts";
import { enqueueMail } from "../../server/services/mail-outbox.ts";
import { workspaceFactory } from "../support/factories.ts";
import { type RunningServer, startServer } from "../support/processes.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { testConfig } from "../support/test-app.ts";

let dir: string;
let sink: SmtpSink;
let server: RunningServer | undefined;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "chorus-mail-"));
  sink = await startSmtpSink();
});
afterEach(async () => {
  if (server && server.process.exitCode === null && server.process.signalCode === null) {
    server.process.kill("SIGKILL");
    await server.exited;
  }
  server = undefined;
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until(check: () => boolean | Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await check()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

it("sends a message again after a SIGKILL between send and record, with the same Message-ID", async () => {
  const url = `file:${join(dir, "chorus.db")}`;
  const client = createClient({ url });
  await prepareFileDatabase(client);
  await migrateDatabase(client);
  const db = createDb(client);
  const ws = await workspaceFactory(db, { settings: { storeEmails: true } });
  await writeTransaction(db, (tx) =>
    enqueueMail(
      { tx, clock: { now: () => new Date() } },
      {
        workspaceId: ws.id,
        key: "reward-earned:crash",
        category: "rewards",
        template: "reward-earned",
        locale: "en",
        data: { firstName: "Priya", reward: "500.00 INR credit", holdUntil: null, shareCode: null },
        learnerId: null,
        to: { name: "Priya", address: "priya@learners.example" },
        toHash: "crash-test",
      },
    ),
  );
  const status = async () =>
    (await client.execute("select status, attempts, message_id from mail_messages")).rows[0] as unknown as {
      status: string;
      attempts: number;
      message_id: string;
    };

  const env = {
    DATABASE_URL: url,
    CHORUS_DEMO: "0",
    CHORUS_SECRET: testConfig.secret,
    SMTP_URL: sink.url,
    MAIL_FROM: "rewards@chorus.example",
  };
  sink.holdReplies(true);
  server = await startServer(env);
  expect(server.output()).toContain("Mail: on, from rewards@chorus.example");
  await until(() => sink.received.length === 1, 20_000);
  expect(sink.received).toHaveLength(1);
  server.process.kill("SIGKILL");
  await server.exited;
  expect(await status()).toMatchObject({ status: "queued", attempts: 1 });

  // The claim's lease (60 s) has run out: moved forward in the file rather than waited for.
  await client.execute("update mail_messages set next_attempt_at = 0, lease_until = 0");
  sink.holdReplies(false);
  server = await startServer(env);
  await until(async () => (await status()).status === "sent", 20_000);
  const row = await status();
  expect(row).toMatchObject({ status: "sent", attempts: 2 });
  expect(sink.received.map((mail) => mail.parsed.messageId)).toEqual([row.message_id, row.message_id]);
  await server.stop("SIGTERM");
  client.close();
});

it("starts without mail settings and says mail is off", async () => {
  server = await startServer({ DATABASE_URL: `file:${join(dir, "chorus.db")}`, CHORUS_DEMO: "0" });
  expect(server.output()).toContain("Mail: off (set SMTP_URL and MAIL_FROM)");
  await server.stop("SIGTERM");
});
