/**
 * The email outbox end to end, against a real SMTP server in this process (smtp-server, read
 * back with mailparser): the reward-earned message as received, one-click unsubscribe through
 * the link in its header, deduplication under concurrency, an SMTP server that is down or
 * refuses, a worker that dies between claim and send, the daily cap and an erased learner.
 */
import { and, eq } from "drizzle-orm";
import type { ParsedMail } from "mailparser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mailMessages } from "../../db/schema.ts";
import { writeTransaction } from "../../server/lib/write-transaction.ts";
import { createSmtpTransport } from "../../server/node-mail.ts";
import { startBackgroundWorker } from "../../server/services/background.ts";
import {
  claimDueMail,
  enqueueMail,
  type MailTransport,
  type MailWorkerOptions,
  sendDueMail,
} from "../../server/services/mail-outbox.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { freePort, type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { createTestApp, type TestApp, testConfig } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let sink: SmtpSink | undefined;
let priya: Awaited<ReturnType<typeof referrerFactory>>;

const brand = { name: "Acme Academy", logoUrl: "https://acme.example/logo.png", color: "#ffdd00" };

async function program(name = "Priya Sharma", mailLocale: "en" | "hi" = "en") {
  ws = await workspaceFactory(t.db, { settings: { storeEmails: true, brand, mailLocale } });
  priya = await referrerFactory(
    t.db,
    ws.id,
    { sub: "priya", name, email: "priya@learners.example" },
    { now: t.clock.now() },
  );
}

beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await sink?.close();
  sink = undefined;
  t.cleanup();
});

const worker = (transport: MailTransport, options: Partial<MailWorkerOptions> = {}): MailWorkerOptions => ({
  transport,
  from: { name: null, address: "rewards@chorus.example" },
  secret: testConfig.secret,
  publicUrl: "https://chorus.test",
  baseBackoffMs: 1000,
  random: () => 0,
  ...options,
});
const smtp = (url: string) => createSmtpTransport(url, { timeoutMs: 2000 });
const ctx = () => ({ db: t.db, clock: t.clock });
const earn = () => poster(t, ws.secretKey)(enrollment({ code: priya.code }));
/** A header as it arrived (unfolded), by its raw line: mailparser reshapes List-* headers. */
function header(parsed: ParsedMail, name: string): string | undefined {
  const line = parsed.headerLines.find((candidate) => candidate.key === name.toLowerCase())?.line;
  return line
    ?.slice(name.length + 1)
    .replace(/\r?\n\s+/g, "")
    .trim();
}
const unsubscribeUrl = (parsed: ParsedMail) => header(parsed, "List-Unsubscribe")!.slice(1, -1);
const rows = () => t.db.select().from(mailMessages).where(eq(mailMessages.workspaceId, ws.id));

describe("the reward-earned message", () => {
  it("arrives with its headers, both parts, links tagged ch=email and a working one-click unsubscribe", async () => {
    await program();
    sink = await startSmtpSink();
    expect((await earn()).status).toBe(201);
    expect(await sendDueMail(ctx(), worker(smtp(sink.url)))).toMatchObject({ claimed: 1, sent: 1 });

    expect(sink.received).toHaveLength(1);
    const [mail] = sink.received;
    const { parsed } = mail!;
    const [row] = await rows();
    expect(parsed.from?.value).toEqual([{ name: "Acme Academy", address: "rewards@chorus.example" }]);
    expect(parsed.to).toMatchObject({ value: [{ name: "Priya Sharma", address: "priya@learners.example" }] });
    expect(parsed.subject).toBe("You earned a reward from Acme Academy: 500.00 INR credit");
    expect(parsed.messageId).toBe(row?.messageId);
    const unsubscribe = { url: unsubscribeUrl(parsed) };
    expect(header(parsed, "List-Unsubscribe")).toMatch(/^<https:\/\/chorus\.test\/v1\/mail\/unsubscribe\?t=[^>]+>$/);
    expect(header(parsed, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    const link = `https://chorus.test/r/${priya.code}?ch=email`;
    expect(parsed.text).toContain("Hello Priya,");
    expect(parsed.text).toContain(link);
    expect(parsed.text).toContain(unsubscribe.url);
    const html = String(parsed.html);
    expect(html).toContain(`href="${link}"`);
    expect(html).toMatch(/<h1[^>]*>You earned a reward<\/h1>/);
    expect(html).toContain('alt="Acme Academy logo"');
    // The only image is the provider's logo: no tracking pixel.
    expect(html.match(/<img /g)).toHaveLength(1);
    // Black text on the yellow accent (white would fail contrast).
    expect(html).toContain("color:#000000");
    // The address is kept only until the message is finished.
    expect(row).toMatchObject({ status: "sent", toAddress: null });

    // The link followed, as a link scanner would: a confirm page, nothing unsubscribed.
    const path = unsubscribe.url.replace("https://chorus.test", "");
    const confirm = await t.app.request(path);
    expect(confirm.status).toBe(200);
    const confirmPage = await confirm.text();
    expect(confirmPage).toContain('<form method="post"');
    // It names what stops, in words, not the category's id.
    expect(confirmPage).toContain("Stop receiving emails about your rewards at this address?");
    // What a mail provider's unsubscribe button sends (RFC 8058).
    const oneClick = await t.app.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain("You will receive no more emails about your rewards.");

    expect((await earn()).status).toBe(201);
    expect(await sendDueMail(ctx(), worker(smtp(sink.url)))).toMatchObject({ claimed: 1, suppressed: 1 });
    expect(sink.received).toHaveLength(1);
    const statuses = (await rows()).map((r) => [r.status, r.reason]);
    expect(statuses).toContainEqual(["suppressed", "unsubscribed from rewards"]);
  });

  it("is in Hindi where the program says so", async () => {
    await program("प्रिया शर्मा", "hi");
    sink = await startSmtpSink();
    await earn();
    await sendDueMail(ctx(), worker(smtp(sink.url)));
    const { parsed } = sink.received[0]!;
    expect(parsed.subject).toBe("Acme Academy से आपको इनाम मिला: 500.00 INR credit");
    expect(parsed.to).toMatchObject({ value: [{ name: "प्रिया शर्मा" }] });
    expect(String(parsed.html)).toContain('<html lang="hi">');
    expect(parsed.text).toContain("नमस्ते प्रिया,");
    // The unsubscribe pages answer in the email's language.
    const path = header(parsed, "List-Unsubscribe")!.slice(1, -1).replace("https://chorus.test", "");
    const confirm = await (await t.app.request(path)).text();
    expect(confirm).toContain('<html lang="hi">');
    expect(confirm).toContain("क्या इस पते पर आपके इनामों के बारे में ईमेल बंद करें?");
    const done = await (await t.app.request(path, { method: "POST", body: "List-Unsubscribe=One-Click" })).text();
    expect(done).toContain("अब आपको आपके इनामों के बारे में ईमेल नहीं मिलेंगे।");
  });

  it("is not written when the provider keeps no emails", async () => {
    ws = await workspaceFactory(t.db, { settings: { storeEmails: false } });
    priya = await referrerFactory(t.db, ws.id, { sub: "priya", email: "priya@learners.example" });
    expect((await earn()).status).toBe(201);
    expect(await rows()).toEqual([]);
  });

  it("refuses a forged or altered unsubscribe token with the error envelope", async () => {
    await program();
    sink = await startSmtpSink();
    await earn();
    await sendDueMail(ctx(), worker(smtp(sink.url)));
    const url = unsubscribeUrl(sink.received[0]!.parsed);
    const token = new URL(url).searchParams.get("t")!;
    // Another address's hash with this signature, and a made-up token.
    const altered = token.replace(/\.([0-9a-f])/, (_, c: string) => `.${c === "0" ? "1" : "0"}`);
    for (const t2 of [altered, "ws_x.rewards.abc.def", "x"]) {
      for (const method of ["GET", "POST"]) {
        const response = await t.app.request(`/v1/mail/unsubscribe?t=${encodeURIComponent(t2)}`, { method });
        expect(response.status).toBe(400);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
      }
    }
  });
});

describe("the outbox's guarantees", () => {
  it("writes one message for 20 simultaneous causes with the same key", async () => {
    await program();
    const input = {
      workspaceId: ws.id,
      key: "reward-earned:same",
      category: "rewards" as const,
      template: "reward-earned" as const,
      locale: "en" as const,
      data: { firstName: "Priya", reward: "500.00 INR credit", holdUntil: null, shareCode: null },
      learnerId: priya.learner.id,
      to: { name: "Priya", address: "priya@learners.example" },
      toHash: priya.learner.emailHash!,
    };
    const written = await Promise.all(
      Array.from({ length: 20 }, () => writeTransaction(t.db, (tx) => enqueueMail({ tx, clock: t.clock }, input))),
    );
    expect(written.filter(Boolean)).toHaveLength(1);
    expect(await rows()).toHaveLength(1);
  });

  it("writes one message for 20 simultaneous posts of the conversion that earns the reward", async () => {
    await program();
    const body = enrollment({ code: priya.code });
    const answers = await Promise.all(Array.from({ length: 20 }, () => poster(t, ws.secretKey)(body)));
    expect(answers.every((answer) => answer.status === 201 || answer.status === 200)).toBe(true);
    expect((await rows()).map((row) => row.template)).toEqual(["reward-earned"]);
  });

  it("answers the causing request while SMTP is down, and sends once the server is up", async () => {
    await program();
    const port = await freePort();
    const url = `smtp://127.0.0.1:${port}?tls=off`;
    expect((await earn()).status).toBe(201);
    expect(await sendDueMail(ctx(), worker(smtp(url)))).toMatchObject({ claimed: 1, retrying: 1 });
    const [waiting] = await rows();
    expect(waiting).toMatchObject({ status: "queued", reason: "refused: the mail server could not be reached" });
    // Not due yet: the back-off holds it.
    expect(await sendDueMail(ctx(), worker(smtp(url)))).toMatchObject({ claimed: 0 });
    sink = await startSmtpSink(port);
    t.clock.advance(1000);
    expect(await sendDueMail(ctx(), worker(smtp(url)))).toMatchObject({ claimed: 1, sent: 1 });
    expect(sink.received).toHaveLength(1);
  });

  it("retries a message the server refuses, with the SMTP code as the reason", async () => {
    await program();
    sink = await startSmtpSink();
    sink.refuseWith(451);
    await earn();
    expect(await sendDueMail(ctx(), worker(smtp(sink.url)))).toMatchObject({ retrying: 1 });
    expect((await rows())[0]?.reason).toBe("smtp: the server answered 451");
    sink.refuseWith(null);
    t.clock.advance(1000);
    expect(await sendDueMail(ctx(), worker(smtp(sink.url)))).toMatchObject({ sent: 1 });
  });

  it("fails an attempt on a server that never answers, and retries it", async () => {
    await program();
    // Accepts connections and says nothing: nodemailer's greeting timeout ends the attempt.
    const { createServer } = await import("node:net");
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      await earn();
      const hanging = createSmtpTransport(`smtp://127.0.0.1:${port}?tls=off`, { timeoutMs: 200 });
      expect(await sendDueMail(ctx(), worker(hanging))).toMatchObject({ retrying: 1 });
      expect((await rows())[0]?.status).toBe("queued");
    } finally {
      silent.close();
    }
  });

  it("sends a message again after its worker died between claim and send, with the same Message-ID", async () => {
    await program();
    sink = await startSmtpSink();
    await earn();
    // A worker claims it and dies: the row is leased, not sent.
    expect(await claimDueMail(ctx(), worker(smtp(sink.url)))).toHaveLength(1);
    expect(await sendDueMail(ctx(), worker(smtp(sink.url)))).toMatchObject({ claimed: 0 });
    t.clock.advance(60_000);
    expect(await sendDueMail(ctx(), worker(smtp(sink.url)))).toMatchObject({ claimed: 1, sent: 1 });
    const [row] = await rows();
    expect(row?.attempts).toBe(2);
    expect(sink.received.map((mail) => mail.parsed.messageId)).toEqual([row?.messageId]);
  });

  it("suppresses what is over the cap per recipient per day, with the reason", async () => {
    await program();
    sink = await startSmtpSink();
    await earn();
    await earn();
    const report = await sendDueMail(ctx(), worker(smtp(sink.url), { perRecipientPerDay: 1 }));
    expect(report).toMatchObject({ claimed: 2, sent: 1, suppressed: 1 });
    expect(sink.received).toHaveLength(1);
    expect((await rows()).map((r) => r.reason)).toContain("over the cap of 1 messages per recipient per day");
    // A day later the address may receive mail again.
    t.clock.advance(86_400_000);
    await earn();
    expect(await sendDueMail(ctx(), worker(smtp(sink.url), { perRecipientPerDay: 1 }))).toMatchObject({ sent: 1 });
  });

  it("sends nothing to an erased learner: their queued mail is suppressed and emptied", async () => {
    await program();
    sink = await startSmtpSink();
    await earn();
    const erased = await t.call("DELETE", "/v1/learners/priya", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(erased.status).toBe(200);
    expect(((await erased.json()) as { mailSuppressed: number }).mailSuppressed).toBe(1);
    expect(await sendDueMail(ctx(), worker(smtp(sink.url)))).toMatchObject({ claimed: 0 });
    const [row] = await rows();
    expect(row).toMatchObject({ status: "suppressed", reason: "learner erased", toAddress: null, toName: null });
    expect(row?.data).toEqual({});
    expect(sink.received).toHaveLength(0);
  });
});

describe("header injection", () => {
  it("keeps CR/LF and very long names out of the headers: one recipient, no added header", async () => {
    const name = `Priya\r\nBcc: attacker@evil.example\r\nX-Injected: yes ${"a".repeat(300)}`;
    await program(name);
    sink = await startSmtpSink();
    await earn();
    await sendDueMail(ctx(), worker(smtp(sink.url)));
    const mail = sink.received[0]!;
    expect(mail.envelope.to).toEqual(["priya@learners.example"]);
    expect(mail.parsed.headers.has("bcc")).toBe(false);
    expect(mail.parsed.headers.has("x-injected")).toBe(false);
    const to = (mail.parsed.to as { value: { name: string }[] }).value[0]!.name;
    expect(to).not.toMatch(/[\r\n]/);
    expect(to.length).toBeLessThanOrEqual(100);
    expect(mail.parsed.subject?.length).toBeLessThanOrEqual(200);
  });

  it("records an address that is not one plain mailbox as suppressed, never sent", async () => {
    await program();
    await t.db
      .update(mailMessages)
      .set({ toAddress: null })
      .where(and(eq(mailMessages.workspaceId, ws.id)));
    const input = {
      workspaceId: ws.id,
      category: "rewards" as const,
      template: "reward-earned" as const,
      locale: "en" as const,
      data: { firstName: null, reward: "x", holdUntil: null, shareCode: null },
      learnerId: null,
      to: { name: null, address: "" },
      toHash: "h",
    };
    const bad = ["a@b", `${"x".repeat(300)}@acme.example`, "a@acme.example\r\nBcc: e@evil.example", "a b@acme.example"];
    for (const [i, address] of bad.entries())
      await writeTransaction(t.db, (tx) =>
        enqueueMail({ tx, clock: t.clock }, { ...input, key: `k${i}`, to: { name: null, address } }),
      );
    expect((await rows()).map((r) => [r.status, r.reason])).toEqual(bad.map(() => ["suppressed", "invalid address"]));
  });
});

describe("the Node background worker", () => {
  it("drains the outbox as npm start runs it", async () => {
    await program();
    sink = await startSmtpSink();
    await earn();
    const running = startBackgroundWorker(ctx(), { intervalMs: 60_000, mail: worker(smtp(sink.url)) });
    try {
      await expect.poll(() => sink?.received.length, { timeout: 10_000 }).toBe(1);
    } finally {
      await running.stop();
    }
    expect((await rows())[0]?.status).toBe("sent");
  });
});

describe("the brand settings", () => {
  it("takes a name, an https logo and a #rrggbb colour, and refuses anything else with 400", async () => {
    await program();
    const auth = { Authorization: `Bearer ${ws.secretKey}` };
    const ok = await t.call("PATCH", "/v1/admin/program", {
      body: { brand: { name: "Acme", logoUrl: "https://acme.example/l.png", color: "#112233" }, mailLocale: "hi" },
      headers: auth,
    });
    expect(ok.status).toBe(200);
    for (const brand of [
      { color: "red" },
      { color: "#12345" },
      { logoUrl: "http://acme.example/l.png" },
      { logoUrl: "https://user:pw@acme.example/l.png" },
      { logoUrl: "javascript:alert(1)" },
      { name: "x".repeat(101) },
    ]) {
      const response = await t.call("PATCH", "/v1/admin/program", { body: { brand }, headers: auth });
      expect(response.status, JSON.stringify(brand)).toBe(400);
    }
    const bad = await t.call("PATCH", "/v1/admin/program", { body: { mailLocale: "fr" }, headers: auth });
    expect(bad.status).toBe(400);
  });
});

describe("GET /v1/admin/mail", () => {
  it("says mail is off without a transport, and shows the queued message waiting", async () => {
    await program();
    await earn();
    const response = await t.call("GET", "/v1/admin/mail", { headers: { Authorization: `Bearer ${ws.secretKey}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { enabled: boolean; counts: Record<string, number>; items: unknown[] };
    expect(body).toMatchObject({ enabled: false, counts: { queued: 1, sent: 0, failed: 0, suppressed: 0 } });
    expect(body.items).toHaveLength(1);
  });

  it("says mail is on with a transport, and shows only this workspace's messages", async () => {
    const on = await createTestApp({}, { mailTransport: { send: async () => {} } });
    try {
      const other = await workspaceFactory(on.db, {});
      const response = await on.call("GET", "/v1/admin/mail", {
        headers: { Authorization: `Bearer ${other.secretKey}` },
      });
      expect(await response.json()).toMatchObject({ enabled: true, counts: { queued: 0 }, items: [] });
    } finally {
      on.cleanup();
    }
  });
});
