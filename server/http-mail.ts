/**
 * The HTTP mail transport (Workers, or anywhere `fetch` is): one documented email API, Resend's
 * `POST https://api.resend.com/emails` (JSON, `Authorization: Bearer KEY`). Web APIs only, so it
 * bundles into the worker. The List-Unsubscribe headers and our stored Message-ID go in the
 * request's `headers` object; the Message-ID is also the `Idempotency-Key`, so a resend after a
 * crash within the API's 24-hour window is not delivered twice.
 *
 * Failures are classes, never the API's text (it may quote the address): 429 and 5xx are
 * retried by the outbox with back-off; any other 4xx means the request itself is wrong (a bad
 * key, an unverified sender), so it fails at once with its status.
 */
import { type MailAddress, MailSendError, type MailTransport, type OutgoingMail } from "./services/mail-outbox.ts";

export const defaultMailApiUrl = "https://api.resend.com/emails";

/**
 * `"Name" <address>` as RFC 5322 writes it: the name quoted, its quotes and backslashes escaped
 * (the outbox already removed line breaks), so a name can never close the address and add one.
 */
export function mailbox({ name, address }: MailAddress): string {
  if (!name) return address;
  return `"${name.replace(/["\\]/g, "\\$&")}" <${address}>`;
}

export function httpMailRequestBody(mail: OutgoingMail) {
  return {
    from: mailbox(mail.from),
    to: [mailbox(mail.to)],
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    headers: { ...mail.headers, "Message-ID": mail.messageId },
  };
}

function statusFailure(status: number): MailSendError {
  if (status === 429) return new MailSendError("rate limited: the mail API answered 429");
  if (status >= 500) return new MailSendError(`server: the mail API answered ${status}`);
  // A bad key, an unverified sender, a malformed message: the same request cannot succeed later.
  return new MailSendError(`rejected: the mail API answered ${status}`, { permanent: true });
}

export function createHttpMailTransport(input: {
  apiKey: string;
  apiUrl?: string;
  fetch?: typeof fetch;
}): MailTransport {
  const { apiKey, apiUrl = defaultMailApiUrl, fetch: send = (request, init) => fetch(request, init) } = input;
  return {
    async send(mail, signal) {
      let response: Response;
      try {
        response = await send(apiUrl, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${apiKey}`,
            "Content-Type": "application/json",
            "Idempotency-Key": mail.messageId,
          },
          body: JSON.stringify(httpMailRequestBody(mail)),
          signal,
          redirect: "manual",
        });
      } catch {
        throw new MailSendError(
          signal.aborted ? "timeout: the mail API did not answer" : "network: the mail API could not be reached",
        );
      }
      // The body is not read (nothing in it is kept), but released so the connection can be reused.
      await response.body?.cancel().catch(() => undefined);
      if (response.status < 200 || response.status >= 300) throw statusFailure(response.status);
    },
  };
}
