/**
 * The email outbox and its worker, with the webhook outbox's guarantees. A message is written
 * with `enqueueMail` in the transaction of the event that causes it (never mailed for a change
 * that rolled back, never lost for one that committed), once per `key` and workspace (a unique
 * index: retries and concurrent requests write one row). The worker claims due messages with one
 * UPDATE … RETURNING that sets a lease, round robin across workspaces, so two workers never send
 * the same row and a worker that dies mid-send lets it become due again: delivery is at least
 * once, and a resend carries the same stored `Message-ID`, so receivers can drop the copy.
 *
 * Before each send the worker checks, in a write transaction, the suppression list (one-click
 * unsubscribes) and the cap per recipient per day; a message they stop is `suppressed` with the
 * reason. The transport is a dependency (SMTP through nodemailer on Node, server/node-mail.ts):
 * a refusing, down or hanging server costs the worker a retry with back-off, never a request.
 */
import { and, count, eq, gt, inArray, ne, sql } from "drizzle-orm";
import { learners, mailMessages, mailSuppressions, stories, storyRequestTokens, workspaces } from "../../db/schema.ts";
import { jitteredBackoffMs } from "../lib/backoff.ts";
import { hmacSha256Hex, timingSafeEqual } from "../lib/crypto.ts";
import { noMetrics, type SendOutcome, silentLogger, type Telemetry } from "../lib/telemetry.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { DomainError } from "./errors.ts";
import { dashboardLinkUrl, magicLinkUrl } from "./magic-link-token.ts";
import type {
  MailLocale,
  MailTemplate,
  MailTemplates,
  SignInData,
  StoryRequestData,
  TeamLinkData,
} from "./mail-templates.ts";
import type { DbOrTx } from "./outbox.ts";
import { mintStoryToken, storyRequestLink } from "./story-request-tokens.ts";
import type { Clock, ServiceContext } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

export const mailCategories = ["rewards", "completion", "friends", "stories", "digest"] as const;
/**
 * `sign-in`: a magic link the recipient asked for on the hosted advocate page. It has no
 * unsubscribe (nobody is mailed who did not ask, and a suppressed sign-in would lock the learner
 * out), and it counts against its own daily cap, so a flood of sign-in requests for an address
 * can never use up the allowance of its reward mail.
 */
export type MailCategory = (typeof mailCategories)[number] | "sign-in";
const requestedCategory = "sign-in";

/** A name and address as the transport receives them: never spliced into a header by hand. */
export type MailAddress = { name: string | null; address: string };

/** One message as a transport sends it. */
export type OutgoingMail = {
  from: MailAddress;
  to: MailAddress;
  subject: string;
  text: string;
  html: string;
  /** `<id@domain>`, the same on every attempt of this message. */
  messageId: string;
  /** RFC 8058: List-Unsubscribe and List-Unsubscribe-Post. */
  headers: Record<string, string>;
};

/**
 * Sends one message or throws. SMTP on Node; an HTTP email API fits the same shape (it receives
 * the whole message, address objects included). `signal` ends a send that takes too long.
 */
export type MailTransport = { send(mail: OutgoingMail, signal: AbortSignal): Promise<void> };

/**
 * A transport's error, as a class with no remote text: what the dashboard shows as the reason.
 * `permanent`: the server refused this message for good (an HTTP API's 4xx), so it fails now
 * instead of being retried.
 */
export class MailSendError extends Error {
  readonly permanent: boolean;
  constructor(message: string, options: { permanent?: boolean } = {}) {
    super(message);
    this.permanent = options.permanent ?? false;
  }
}

export type MailInput<T extends MailTemplate = MailTemplate> = {
  workspaceId: string;
  /** Deduplicates: one message per key and workspace, however often the cause is retried. */
  key: string;
  category: MailCategory;
  template: T;
  locale: MailLocale;
  data: MailTemplates[T];
  /** The learner it is about: their erasure drops it. */
  learnerId: string | null;
  to: MailAddress;
  /** The address's salted hash (learners.emailHash). */
  toHash: string;
  /** Not sent before this instant (ms): a message due later, such as a story request days after a completion. */
  notBefore?: number;
};

/** Control characters (CR and LF among them) and Unicode line separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const lineBreaking = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

/** Headers carry no line breaks and stay short: a name or subject can never add a header. */
const headerSafe = (value: string, max: number) => value.replace(lineBreaking, " ").trim().slice(0, max);

/** An address a message may go to: one plain mailbox, no spaces, CR/LF or angle brackets. */
export function isSendableAddress(address: string): boolean {
  return address.length <= 254 && /^[^\s<>"(),;:\\@]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/.test(address);
}

/**
 * Writes one message in the caller's transaction, unless one with this key is already there;
 * answers whether it wrote. An address that cannot be sent to is recorded as suppressed.
 */
export async function enqueueMail({ tx, clock }: { tx: DbOrTx; clock: Clock }, input: MailInput): Promise<boolean> {
  const now = clock.now().getTime();
  const sendable = isSendableAddress(input.to.address);
  const id = `mail_${crypto.randomUUID().replaceAll("-", "")}`;
  const rows = await tx
    .insert(mailMessages)
    .values({
      id,
      workspaceId: input.workspaceId,
      key: input.key,
      category: input.category,
      template: input.template,
      locale: input.locale,
      data: input.data,
      learnerId: input.learnerId,
      toAddress: sendable ? input.to.address : null,
      toName: input.to.name === null ? null : headerSafe(input.to.name, 100),
      toHash: input.toHash,
      messageId: `<${id}@chorus.mail>`,
      status: sendable ? "queued" : "suppressed",
      reason: sendable ? null : "invalid address",
      nextAttemptAt: Math.max(now, input.notBefore ?? now),
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: mailMessages.id });
  return rows.length > 0;
}

export type MailWorkerOptions = {
  transport: MailTransport;
  from: MailAddress;
  /** Signs unsubscribe links (the server secret). */
  secret: string;
  /** The public base URL: unsubscribe links point at it. */
  publicUrl: string;
  /** The most messages one address receives from a workspace in 24 hours; the rest are suppressed. */
  perRecipientPerDay?: number;
  batchSize?: number;
  /** Messages in flight at once per workspace, across runs and processes. */
  perWorkspace?: number;
  leaseMs?: number;
  timeoutMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  maxAttempts?: number;
  random?: () => number;
  /** Where each send is logged and counted; absent, silently. */
  telemetry?: Telemetry;
};

export type MailReport = { claimed: number; sent: number; retrying: number; failed: number; suppressed: number };

type Claim = { id: string; attempts: number };

const dayMs = 86_400_000;

/** Claims due messages, round robin across workspaces (see the webhook worker's claim), each with a lease. */
export async function claimDueMail({ db, clock }: ServiceContext, options: MailWorkerOptions): Promise<Claim[]> {
  const { batchSize = 25, perWorkspace = 5, leaseMs = 60_000 } = options;
  const now = clock.now().getTime();
  return writeTransaction(db, (tx) =>
    tx.all<Claim>(sql`
    update ${mailMessages}
    set next_attempt_at = ${now + leaseMs}, lease_until = ${now + leaseMs}, attempts = attempts + 1
    where rowid in (
      with in_flight as (
        select workspace_id from ${mailMessages} where status = 'queued' and lease_until > ${now}
      ),
      fair as (
        select m.rowid as rid, m.next_attempt_at,
          row_number() over (partition by m.workspace_id order by m.next_attempt_at, m.created_at, m.id)
            + (select count(*) from in_flight f where f.workspace_id = m.workspace_id) as slot
        from ${mailMessages} m where m.status = 'queued' and m.next_attempt_at <= ${now}
      )
      select rid from fair where slot <= ${perWorkspace} order by slot, next_attempt_at limit ${batchSize}
    ) and status = 'queued' and next_attempt_at <= ${now}
    returning id, attempts`),
  );
}

/** The `t` of an unsubscribe link: workspace, category and address hash, signed with the server secret. */
export function unsubscribeToken(
  secret: string,
  target: { workspaceId: string; category: string; addressHash: string },
): string {
  const body = `${target.workspaceId}.${target.category}.${target.addressHash}`;
  return `${body}.${hmacSha256Hex(secret, `unsubscribe:${body}`)}`;
}

/** What a valid token names; a forged, altered or malformed one is refused. */
export function readUnsubscribeToken(secret: string, token: string) {
  const parts = token.split(".");
  const [workspaceId, category, addressHash, signature] = parts;
  const valid =
    parts.length === 4 &&
    workspaceId &&
    addressHash &&
    signature &&
    (mailCategories as readonly string[]).includes(category ?? "") &&
    timingSafeEqual(signature, hmacSha256Hex(secret, `unsubscribe:${workspaceId}.${category}.${addressHash}`));
  if (!valid) throw new DomainError("invalid_request", "This unsubscribe link is not valid", { field: "t" });
  return { workspaceId, category: category as MailCategory, addressHash };
}

type Row = typeof mailMessages.$inferSelect;

/**
 * Decides, in one write transaction, whether a claimed message may go: suppressed (unsubscribed,
 * over the daily cap) or counted against the cap now (`sentAt` set before the send, cleared if
 * it fails), so two messages to one address in one batch cannot both pass the last place.
 */
async function admit({ db, clock }: ServiceContext, row: Row, cap: number): Promise<"send" | "suppressed"> {
  const now = clock.now().getTime();
  return writeTransaction(db, async (tx) => {
    const [unsubscribed] = await tx
      .select({ at: mailSuppressions.createdAt })
      .from(mailSuppressions)
      .where(
        and(
          eq(mailSuppressions.workspaceId, row.workspaceId),
          eq(mailSuppressions.addressHash, row.toHash),
          eq(mailSuppressions.category, row.category),
        ),
      );
    const [recent] = await tx
      .select({ n: count() })
      .from(mailMessages)
      .where(
        and(
          eq(mailMessages.workspaceId, row.workspaceId),
          eq(mailMessages.toHash, row.toHash),
          gt(mailMessages.sentAt, now - dayMs),
          ne(mailMessages.id, row.id),
          row.category === requestedCategory
            ? eq(mailMessages.category, requestedCategory)
            : ne(mailMessages.category, requestedCategory),
        ),
      );
    const reason = unsubscribed
      ? `unsubscribed from ${row.category}`
      : ((await noLongerWanted(tx, row)) ??
        ((recent?.n ?? 0) >= cap ? `over the cap of ${cap} messages per recipient per day` : null));
    const mine = and(
      eq(mailMessages.id, row.id),
      eq(mailMessages.attempts, row.attempts),
      eq(mailMessages.status, "queued"),
    );
    if (reason) {
      await tx
        .update(mailMessages)
        .set({ status: "suppressed", reason, toAddress: null, leaseUntil: null })
        .where(mine);
      return "suppressed";
    }
    await tx.update(mailMessages).set({ sentAt: now }).where(mine);
    return "send";
  });
}

/**
 * Why a message enqueued ahead of its time has lost its point by then, or null. A story request
 * is not sent once the learner has told a story of that course (or used the link), nor to a
 * learner erased meanwhile.
 */
async function noLongerWanted(tx: DbOrTx, row: Row): Promise<string | null> {
  if (row.template !== "story-request" || !row.learnerId) return null;
  const data = row.data as StoryRequestData;
  const [learner] = await tx
    .select({ erasedAt: learners.erasedAt })
    .from(learners)
    .where(and(eq(learners.workspaceId, row.workspaceId), eq(learners.id, row.learnerId)));
  if (!learner || learner.erasedAt !== null) return "learner erased";
  const [token] = await tx
    .select({ usedAt: storyRequestTokens.usedAt, course: storyRequestTokens.course })
    .from(storyRequestTokens)
    .where(and(eq(storyRequestTokens.workspaceId, row.workspaceId), eq(storyRequestTokens.id, data.tokenId)));
  if (!token || token.usedAt !== null) return "story already told";
  const [story] = await tx
    .select({ id: stories.id })
    .from(stories)
    .where(
      and(
        eq(stories.workspaceId, row.workspaceId),
        eq(stories.learnerId, row.learnerId),
        eq(stories.course, token.course),
      ),
    )
    .limit(1);
  return story ? "story already told" : null;
}

function workspaceBrand(row: typeof workspaces.$inferSelect) {
  const { name, settings } = parseWorkspace(row);
  return { name: settings.brand.name ?? name, logoUrl: settings.brand.logoUrl, color: settings.brand.color };
}

/** The message as the transport gets it: rendered now, with the unsubscribe headers of its category. */
export async function outgoingMail(row: Row, brand: ReturnType<typeof workspaceBrand>, options: MailWorkerOptions) {
  const token = unsubscribeToken(options.secret, {
    workspaceId: row.workspaceId,
    category: row.category,
    addressHash: row.toHash,
  });
  const requested = row.category === requestedCategory;
  const unsubscribeUrl = requested ? null : `${options.publicUrl}/v1/mail/unsubscribe?t=${token}`;
  // Every email's words and layout, loaded by the first message sent rather than at start-up
  // (worker.build.ts: a request's cold start on Workers does not parse them).
  const { renderMail } = await import("./mail-templates.ts");
  const rendered = renderMail({
    template: row.template as MailTemplate,
    locale: row.locale as MailLocale,
    data: row.template === "sign-in" ? withSignInUrl(row, options) : withSecrets(row, options),
    brand,
    unsubscribeUrl,
    publicUrl: options.publicUrl,
  });
  return {
    from: { name: headerSafe(brand.name, 100), address: options.from.address },
    to: { name: row.toName, address: row.toAddress ?? "" },
    subject: headerSafe(rendered.subject, 200),
    text: rendered.text,
    html: rendered.html,
    messageId: row.messageId,
    headers: (unsubscribeUrl
      ? { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
      : {}) as Record<string, string>,
  } satisfies OutgoingMail;
}

/**
 * The message's data as rendered: a story request's link (the hosted advocate page, else the
 * provider's story page) gains its one-time token, minted now (never stored).
 */
function withSecrets(row: Row, options: MailWorkerOptions): MailTemplates[MailTemplate] {
  if (row.template === "team-link") {
    const data = row.data as TeamLinkData;
    return { ...data, url: dashboardLinkUrl(options.publicUrl, { secret: options.secret, linkId: data.linkId }) };
  }
  if (row.template !== "story-request") return row.data as MailTemplates[MailTemplate];
  const data = row.data as StoryRequestData;
  const page = data.slug ? `${options.publicUrl}/p/${encodeURIComponent(data.slug)}` : data.storyUrl;
  return { ...data, storyUrl: page && storyRequestLink(page, mintStoryToken(options.secret, data.tokenId)) };
}

/** A sign-in mail's link, made from the stored link id with the server secret (never stored itself). */
function withSignInUrl(row: Row, options: MailWorkerOptions): SignInData {
  const data = row.data as SignInData;
  const lang = row.locale === "hi" ? "hi" : "en";
  return {
    ...data,
    url: magicLinkUrl(options.publicUrl, { secret: options.secret, linkId: data.linkId, slug: data.slug, lang }),
  };
}

async function sendWithTimeout(transport: MailTransport, mail: OutgoingMail, timeoutMs: number) {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new MailSendError(`timeout: no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
  });
  try {
    await Promise.race([transport.send(mail, controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Claims due messages and starts sending them; answers once claimed, with `finished` settling
 * when every outcome is recorded (the Node worker claims again meanwhile).
 */
export async function startDueMail(
  ctx: ServiceContext,
  options: MailWorkerOptions,
): Promise<{ claimed: number; finished: Promise<MailReport> }> {
  const { db, clock } = ctx;
  const {
    perRecipientPerDay = 10,
    timeoutMs = 30_000,
    baseBackoffMs = 60_000,
    maxBackoffMs = 6 * 3_600_000,
    maxAttempts = 8,
    random = Math.random,
  } = options;
  const { log = silentLogger, metrics = noMetrics } = options.telemetry ?? {};
  // Ids and figures only: never the address, the subject or the server's own words.
  const record = (row: Row, attempt: number, outcome: SendOutcome, error: string | null, durationMs: number) => {
    metrics.sent("mail", outcome);
    log[outcome === "delivered" ? "info" : "warn"](
      {
        job: "mail.send",
        workspaceId: row.workspaceId,
        messageId: row.id,
        category: row.category,
        template: row.template,
        attempt,
        outcome,
        error,
        durationMs,
      },
      "mail send",
    );
  };
  const claimed = await claimDueMail(ctx, options);
  const report: MailReport = { claimed: claimed.length, sent: 0, retrying: 0, failed: 0, suppressed: 0 };
  if (claimed.length === 0) return { claimed: 0, finished: Promise.resolve(report) };
  const rows = await db
    .select()
    .from(mailMessages)
    .where(
      inArray(
        mailMessages.id,
        claimed.map((claim) => claim.id),
      ),
    );
  const spaces = await db
    .select()
    .from(workspaces)
    .where(inArray(workspaces.id, [...new Set(rows.map((row) => row.workspaceId))]));
  const finished = Promise.all(
    claimed.map(async (claim) => {
      const row = rows.find((candidate) => candidate.id === claim.id);
      const space = spaces.find((candidate) => candidate.id === row?.workspaceId);
      // Dropped since the claim (the learner was erased): nothing to send.
      if (!row || !space || row.status !== "queued" || row.toAddress === null) return;
      if ((await admit(ctx, row, perRecipientPerDay)) === "suppressed") {
        report.suppressed++;
        record(row, claim.attempts, "suppressed", null, 0);
        return;
      }
      let error: string | null = null;
      let permanent = false;
      const started = performance.now();
      try {
        await sendWithTimeout(options.transport, await outgoingMail(row, workspaceBrand(space), options), timeoutMs);
      } catch (caught) {
        error = caught instanceof MailSendError ? caught.message : "network: the mail server could not be reached";
        permanent = caught instanceof MailSendError && caught.permanent;
      }
      const durationMs = Math.round(performance.now() - started);
      const at = clock.now().getTime();
      const mine = and(
        eq(mailMessages.id, row.id),
        eq(mailMessages.attempts, claim.attempts),
        eq(mailMessages.status, "queued"),
      );
      if (error === null) {
        await writeTransaction(db, (tx) =>
          tx
            .update(mailMessages)
            .set({ status: "sent", sentAt: at, reason: null, toAddress: null, leaseUntil: null })
            .where(mine),
        );
        report.sent++;
        record(row, claim.attempts, "delivered", null, durationMs);
        return;
      }
      const last = permanent || claim.attempts >= maxAttempts;
      await writeTransaction(db, (tx) =>
        tx
          .update(mailMessages)
          .set(
            last
              ? { status: "failed", reason: error, sentAt: null, toAddress: null, leaseUntil: null }
              : {
                  reason: error,
                  sentAt: null,
                  leaseUntil: null,
                  nextAttemptAt: at + jitteredBackoffMs(claim.attempts, baseBackoffMs, maxBackoffMs, random),
                },
          )
          .where(mine),
      );
      report[last ? "failed" : "retrying"]++;
      record(row, claim.attempts, last ? "failed" : "retrying", error, durationMs);
    }),
  ).then(() => report);
  return { claimed: claimed.length, finished };
}

/** Sends every message this run may claim once, then answers what became of them. */
export async function sendDueMail(ctx: ServiceContext, options: MailWorkerOptions): Promise<MailReport> {
  return (await startDueMail(ctx, options)).finished;
}
