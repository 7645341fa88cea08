/** The email page's strings (mail on or off, the outbox and why a message was not sent), in English and Hindi. */
import { catalog } from "../lib/i18n.ts";

const en = {
  title: "Email",
  on: "Mail is on: messages are sent through the server's SMTP server.",
  off: "Mail is off: this server has no SMTP_URL and MAIL_FROM. Messages wait in the outbox and are sent once mail is configured.",
  queued: "Queued",
  sent: "Sent",
  failed: "Failed",
  suppressed: "Suppressed",
  counts: "Messages by state",
  latest: "Latest messages, newest first",
  none: "No messages yet.",
  message: "Message",
  state: "State",
  attempts: "Attempts",
  reason: "Reason",
  created: "Created",
  nextAttempt: "next attempt {date}",
};

export const mailText = catalog(en, () => import("./mail-strings.hi.ts"));
