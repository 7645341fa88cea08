/**
 * Email outbox throughput (issue 16): how many messages a second the Node worker sends from the
 * outbox to a local SMTP server, as `npm start` runs it (the background worker, a tick every
 * second, the default claim of 25 with 5 in flight per workspace), and the size of each template
 * as rendered. A temporary database file, `--messages` queued across 10 workspaces before the
 * worker starts, the real SMTP transport (nodemailer) and a real SMTP server (smtp-server) on
 * 127.0.0.1 that accepts everything.
 *
 *   npx tsx bench/mail.ts [--messages 1000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { mailMessages } from "../db/schema.ts";
import { writeTransaction } from "../server/lib/write-transaction.ts";
import { openDatabase } from "../server/node-database.ts";
import { createSmtpTransport } from "../server/node-mail.ts";
import { startBackgroundWorker } from "../server/services/background.ts";
import { enqueueMail } from "../server/services/mail-outbox.ts";
import { type MailTemplate, type MailTemplates, renderMail } from "../server/services/mail-templates.ts";
import { createWorkspace } from "../server/services/workspaces.ts";
import { report } from "./support/report.ts";

const arg = process.argv.indexOf("--messages");
const messages = Math.min(20_000, Math.max(100, Number(arg > 0 ? process.argv[arg + 1] : 1000)));
const workspaceCount = 10;

const dir = mkdtempSync(join(tmpdir(), "chorus-bench-mail-"));
// Opened as the Node server opens its file (pragmas on every pooled connection, migrations).
const { client, db } = await openDatabase({ url: `file:${join(dir, "bench.db")}` }, "apply");
const clock = { now: () => new Date() };
const secret = "bench-secret-0123456789-0123456789-0123";

let received = 0;
let bytes = 0;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onData(stream, _session, callback) {
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    stream.on("end", () => {
      received++;
      callback();
    });
  },
});
await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
const port = (smtp.server.address() as { port: number }).port;

const spaces: { id: string }[] = [];
for (let i = 0; i < workspaceCount; i++)
  spaces.push(
    await createWorkspace({ db, clock }, { name: `Academy ${i}`, origins: [], settings: { storeEmails: true } }),
  );
const data = { firstName: "Priya", reward: "500.00 INR credit", holdUntil: "2026-12-18", shareCode: "priya7x" };
for (let start = 0; start < messages; start += 200) {
  await writeTransaction(db, async (tx) => {
    for (let i = start; i < Math.min(messages, start + 200); i++)
      await enqueueMail(
        { tx, clock },
        {
          workspaceId: spaces[i % workspaceCount]!.id,
          key: `bench:${i}`,
          category: "rewards",
          template: "reward-earned",
          locale: i % 2 ? "hi" : "en",
          data,
          learnerId: null,
          to: { name: `Learner ${i}`, address: `learner${i}@learners.example` },
          // One recipient per message: the daily cap does not apply.
          toHash: `hash-${i}`,
        },
      );
  });
}

const began = performance.now();
const worker = startBackgroundWorker(
  { db, clock },
  {
    intervalMs: 1000,
    mail: {
      transport: createSmtpTransport(`smtp://127.0.0.1:${port}?tls=off`),
      from: { name: null, address: "rewards@chorus.example" },
      secret,
      publicUrl: "https://chorus.example",
    },
  },
);
while (received < messages) await new Promise((resolve) => setTimeout(resolve, 20));
const seconds = (performance.now() - began) / 1000;
await worker.stop();
const notSent = await db.$count(mailMessages, eq(mailMessages.status, "queued"));
const rate = Math.round(messages / seconds);
console.log(
  `${messages} messages in ${seconds.toFixed(2)} s: ${rate} mails/s (${Math.round(bytes / messages)} bytes each on the wire), ${notSent} left queued`,
);
report({
  bench: "mail",
  name: "outbox → local SMTP, Node worker",
  unit: "mails/s",
  rate,
  note: `${messages} messages, ${workspaceCount} workspaces, ${Math.round(bytes / messages)} bytes each on the wire`,
});

const brand = { name: "Acme Academy", logoUrl: "https://acme.example/logo.png", color: "#1d4ed8" };
const unsubscribeUrl = `https://chorus.example/v1/mail/unsubscribe?t=ws_${"x".repeat(16)}.rewards.${"0".repeat(64)}.${"0".repeat(64)}`;
/** One sample of each template, filled as its message would be (a logo, a share code, lists at their longest). */
const samples: { [T in MailTemplate]: MailTemplates[T] } = {
  "reward-earned": data,
  "team-link": { linkId: "mbl_x", purpose: "invite", role: "moderator", days: 7, minutes: 0 },
  "reward-status": { firstName: "Priya", reward: "500.00 INR credit", status: "approved", shareCode: "priya7x" },
  friend: { firstName: "Priya", friendName: "Rahul", stage: "enrollment", shareCode: "priya7x" },
  completion: {
    firstName: "Priya",
    shareCode: "priya7x",
    storyUrl: "https://acme.example/stories",
    addToLinkedIn: "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=Data%20Analytics",
  },
  milestone: {
    firstName: "Priya",
    count: 5,
    bonus: "1,000.00 INR credit",
    next: { count: 10, bonus: "2,500.00 INR credit" },
    shareCode: "priya7x",
  },
  "story-request": {
    firstName: "Priya",
    course: "Data Analytics",
    storyUrl: "https://acme.example/stories?chorus_story=srq_x.0000",
    tokenId: "srq_x",
  },
  digest: {
    frequency: "daily",
    day: "2026-12-04",
    stories: { count: 4, items: ["Data Analytics, 5 stars", "UX Design, 4 stars", "Cloud Basics, 5 stars"] },
    rewards: { count: 2, items: ["500.00 INR credit", "1,000.00 INR credit"] },
    holds: { count: 1, items: ["500.00 INR credit: self-referral"] },
  },
  "sign-in": { linkId: "mlk_x", slug: "acme", minutes: 15, url: "https://chorus.example/p/acme/link?t=0000" },
};
for (const template of Object.keys(samples) as MailTemplate[]) {
  for (const locale of ["en", "hi"] as const) {
    const mail = renderMail({
      template,
      locale,
      data: samples[template],
      brand,
      unsubscribeUrl: template === "sign-in" ? null : unsubscribeUrl,
      publicUrl: "https://chorus.example",
    });
    const html = Buffer.byteLength(mail.html);
    const text = Buffer.byteLength(mail.text);
    console.log(`${template} (${locale}): HTML ${html} bytes, text ${text} bytes`);
    report(
      { bench: "mail", name: `${template} (${locale}) HTML`, unit: "bytes", value: html },
      { bench: "mail", name: `${template} (${locale}) text`, unit: "bytes", value: text },
    );
  }
}

await new Promise<void>((resolve) => smtp.close(() => resolve()));
client.close();
rmSync(dir, { recursive: true, force: true });
