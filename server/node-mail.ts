/**
 * The SMTP mail transport on Node (nodemailer). Addresses go to nodemailer as objects, never as
 * strings we format, so a name cannot close the address and add a recipient or a header; its
 * timeouts make a hanging server fail the attempt (the worker retries later with back-off).
 */
import nodemailer from "nodemailer";
import { MailSendError, type MailTransport } from "./services/mail-outbox.ts";

/** Why SMTP refused or failed, as a class: the server's own text may quote the address. */
function smtpFailure(error: unknown): MailSendError {
  const failure = error as { code?: string; responseCode?: number } | null;
  if (failure?.responseCode) return new MailSendError(`smtp: the server answered ${failure.responseCode}`);
  if (failure?.code === "ECONNECTION" || failure?.code === "ESOCKET")
    return new MailSendError("refused: the mail server could not be reached");
  if (failure?.code === "ETIMEDOUT") return new MailSendError("timeout: the mail server did not answer");
  return new MailSendError("network: sending failed");
}

export function createSmtpTransport(smtpUrl: string, options: { timeoutMs?: number } = {}): MailTransport {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === "smtps:" ? 465 : 587,
    secure: url.protocol === "smtps:",
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A local relay without TLS (tests, a sidecar) is allowed; elsewhere STARTTLS is used when offered.
    ignoreTLS: url.searchParams.get("tls") === "off",
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    async send(mail) {
      try {
        await transport.sendMail({
          from: { name: mail.from.name ?? "", address: mail.from.address },
          to: { name: mail.to.name ?? "", address: mail.to.address },
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          headers: mail.headers,
          disableFileAccess: true,
          disableUrlAccess: true,
        });
      } catch (error) {
        throw smtpFailure(error);
      }
    },
  };
}
