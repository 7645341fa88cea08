/**
 * A real SMTP server inside the test process (smtp-server), keeping every message it accepts
 * parsed by mailparser with its envelope: what a mail provider would have received.
 */
import { createServer } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { createSmtpTransport } from "../../server/node-mail.ts";
import { type MailWorkerOptions, sendDueMail } from "../../server/services/mail-outbox.ts";
import type { ServiceContext } from "../../server/services/types.ts";
import { testConfig } from "./test-app.ts";

export type ReceivedMail = { parsed: ParsedMail; raw: string; envelope: { from: string; to: string[] } };

export type SmtpSink = {
  /** `smtp://127.0.0.1:PORT?tls=off`, as SMTP_URL. */
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Answer the next messages' DATA with this SMTP error code (550: refused). */
  refuseWith(code: number | null): void;
  /**
   * Keep the next messages (they count as received) but never answer their DATA: the sender has
   * sent and not yet heard back, the moment a crash loses the record of a send.
   */
  holdReplies(hold: boolean): void;
  close(): Promise<void>;
};

/** A port nothing listens on (yet): a "down" server's address. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let refusal: number | null = null;
  let holding = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", async () => {
        if (refusal !== null) {
          const error = Object.assign(new Error("refused by the test"), { responseCode: refusal });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        received.push({ parsed: await simpleParser(raw), raw, envelope: { from, to } });
        if (!holding) callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${bound}?tls=off`,
    port: bound,
    received,
    refuseWith: (code) => {
      refusal = code;
    },
    holdReplies: (hold) => {
      holding = hold;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Sends what the outbox holds due to `sink`, once, as the Node background worker would (real
 * SMTP through nodemailer), with the test app's secret behind the unsubscribe links.
 */
export function drainMailTo(sink: SmtpSink, { db, clock }: Pick<ServiceContext, "db" | "clock">) {
  return sendDueMail({ db, clock }, mailOptionsFor(sink));
}

/** The mail worker's options as the Node server builds them, sending to `sink`. */
export function mailOptionsFor(sink: SmtpSink): MailWorkerOptions {
  return {
    transport: createSmtpTransport(sink.url, { timeoutMs: 2000 }),
    from: { name: null, address: "hello@chorus.example" },
    secret: testConfig.secret,
    publicUrl: "https://chorus.test",
  };
}
