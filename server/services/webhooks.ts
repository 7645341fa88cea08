/**
 * Webhook endpoints, their delivery log, and the delivery worker.
 *
 * The worker claims due deliveries with one UPDATE … RETURNING that pushes their next attempt
 * a lease into the future: SQLite runs each statement atomically, so two workers (two Node
 * processes, or a cron run overlapping the next) never claim the same row. A worker that dies
 * mid-send loses its lease and the row becomes due again: delivery is at least once, and
 * receivers deduplicate by the event id. Claims are fair across workspaces (round robin, a
 * limit in flight per workspace and per endpoint), and an endpoint that keeps failing backs off
 * and then pauses (issue 15: one workspace's hanging endpoints delayed everyone's deliveries).
 */
import { and, count, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "../../db/schema.ts";
import { jitteredBackoffMs } from "../lib/backoff.ts";
import { hmacSha256Base64, hmacSha256Hex } from "../lib/crypto.ts";
import { decodeCursor } from "../lib/cursor.ts";
import { newId, newSecret } from "../lib/ids.ts";
import { olderThan } from "../lib/newest-first.ts";
import { assertPublicTarget, type Outbound, type OutboundFetch, webOutbound } from "../lib/outbound/guard.ts";
import { paginate } from "../lib/paginate.ts";
import { noMetrics, silentLogger, type Telemetry } from "../lib/telemetry.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { DomainError } from "./errors.ts";
import type { ServiceContext, WorkspaceContext } from "./types.ts";

type EndpointRow = typeof webhookEndpoints.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function endpointJson(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    allowPrivateNetwork: row.allowPrivateNetwork,
    /** Paused endpoints keep their queue but are not attempted until resumed. */
    status: row.pausedAt === null ? ("active" as const) : ("paused" as const),
    pausedAt: iso(row.pausedAt),
    pauseReason: row.pauseReason,
    consecutiveFailures: row.consecutiveFailures,
    /** While failing: no delivery to it is attempted before this. */
    retryAt: iso(row.retryAt),
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** Endpoints a workspace may have unless the server says otherwise (CHORUS_WEBHOOK_ENDPOINTS_MAX). */
export const defaultEndpointLimit = 20;

export type EndpointInput = {
  url: string;
  events: string[];
  /** Deliveries may go to private and loopback addresses (self-hosting). */
  allowPrivateNetwork?: boolean;
  /** The most active endpoints one workspace may have (each adds a delivery to every event). */
  endpointLimit?: number;
};

/** Creating an endpoint checks its target with the runtime's outbound guard (its resolver, where it has one). */
export type EndpointContext = WorkspaceContext & { outbound?: Outbound };

/**
 * Adds an endpoint (an empty `events` subscribes to all) with a new signing secret. A private or
 * loopback target (a literal, or a name resolving to one) is refused unless the admin opted in.
 */
export async function createEndpoint(ctx: EndpointContext, input: EndpointInput) {
  const { db, clock, workspace, outbound } = ctx;
  const allowPrivateNetwork = input.allowPrivateNetwork ?? false;
  if (!allowPrivateNetwork) {
    await assertPublicTarget(new URL(input.url), outbound?.resolve).catch(() => {
      throw new DomainError(
        "invalid_request",
        "The webhook URL is not a public address; to deliver inside your own network, set allowPrivateNetwork",
        { field: "url" },
      );
    });
  }
  const secret = newSecret("whsec");
  const createdAt = clock.now().getTime();
  const limit = input.endpointLimit ?? defaultEndpointLimit;
  const [row] = await writeTransaction(db, async (tx) => {
    // Counted in the write transaction, so two creations at once cannot both take the last place.
    const [active] = await tx
      .select({ n: count() })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.workspaceId, workspace.id), isNull(webhookEndpoints.disabledAt)));
    if ((active?.n ?? 0) >= limit)
      throw new DomainError(
        "conflict",
        `This workspace has ${limit} webhook endpoints, the most it may have: delete one before adding another`,
        { limit },
      );
    const inserted = await tx
      .insert(webhookEndpoints)
      .values({
        id: newId("whk"),
        workspaceId: workspace.id,
        url: input.url,
        secret,
        events: input.events,
        allowPrivateNetwork,
        createdAt,
      })
      .returning();
    const after = { url: input.url, events: input.events, allowPrivateNetwork };
    await recordAudit({ ...ctx, tx }, { action: "webhook.create", targetId: inserted[0]?.id, before: null, after });
    return inserted;
  });
  if (!row) throw new Error("endpoint insert returned nothing");
  // The only time the secret leaves the server: the receiver needs it to verify signatures.
  return { ...endpointJson(row), secret };
}

/** The workspace's endpoints, newest first (their secrets never again). */
export async function listEndpoints({ db, workspace }: WorkspaceContext) {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspaceId, workspace.id), isNull(webhookEndpoints.disabledAt)))
    .orderBy(desc(webhookEndpoints.createdAt));
  return { items: rows.map(endpointJson), nextCursor: null };
}

async function activeEndpoint({ db, workspace }: WorkspaceContext, id: string): Promise<EndpointRow> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.workspaceId, workspace.id),
        eq(webhookEndpoints.id, id),
        isNull(webhookEndpoints.disabledAt),
      ),
    );
  if (!row) throw new DomainError("not_found", `No webhook endpoint ${id} in this workspace`);
  return row;
}

/**
 * Deleting keeps the row (disabled) so its delivery log still explains what was sent, and drops
 * its queue in the same transaction: pending deliveries are marked failed, never attempted, so a
 * deleted endpoint's backlog takes no worker's time.
 */
export async function deleteEndpoint(ctx: WorkspaceContext, { endpointId: id }: { endpointId: string }): Promise<void> {
  const { db, clock, workspace } = ctx;
  const disabledAt = clock.now().getTime();
  const changed = await writeTransaction(db, async (tx) => {
    const disabled = await tx
      .update(webhookEndpoints)
      .set({ disabledAt })
      .where(
        and(
          eq(webhookEndpoints.workspaceId, workspace.id),
          eq(webhookEndpoints.id, id),
          isNull(webhookEndpoints.disabledAt),
        ),
      )
      .returning({ id: webhookEndpoints.id, url: webhookEndpoints.url });
    if (disabled.length > 0)
      await recordAudit(
        { ...ctx, tx },
        { action: "webhook.delete", targetId: id, before: { url: disabled[0]?.url }, after: { disabledAt } },
      );
    if (disabled.length > 0)
      await tx
        .update(webhookDeliveries)
        .set({ status: "failed", lastError: "endpoint deleted", leaseUntil: null })
        .where(
          and(
            eq(webhookDeliveries.workspaceId, workspace.id),
            eq(webhookDeliveries.endpointId, id),
            eq(webhookDeliveries.status, "pending"),
          ),
        );
    return disabled;
  });
  if (changed.length === 0) throw new DomainError("not_found", `No webhook endpoint ${id} in this workspace`);
}

/** Resumes a paused endpoint: its queue is attempted again at the next run, its failures forgotten. */
export async function resumeEndpoint(ctx: WorkspaceContext, { endpointId: id }: { endpointId: string }) {
  const { db, workspace } = ctx;
  const [row] = await writeTransaction(db, async (tx) => {
    const where = and(
      eq(webhookEndpoints.workspaceId, workspace.id),
      eq(webhookEndpoints.id, id),
      isNull(webhookEndpoints.disabledAt),
    );
    const [before] = await tx.select({ pausedAt: webhookEndpoints.pausedAt }).from(webhookEndpoints).where(where);
    const resumed = await tx
      .update(webhookEndpoints)
      .set({ pausedAt: null, pauseReason: null, consecutiveFailures: 0, retryAt: null })
      .where(where)
      .returning();
    if (before)
      await recordAudit(
        { ...ctx, tx },
        { action: "webhook.resume", targetId: id, before: { pausedAt: before.pausedAt }, after: { pausedAt: null } },
      );
    return resumed;
  });
  if (!row) throw new DomainError("not_found", `No webhook endpoint ${id} in this workspace`);
  return endpointJson(row);
}

function deliveryJson(row: DeliveryRow, type: string | null) {
  return {
    eventId: row.eventId,
    endpointId: row.endpointId,
    type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === "pending" ? iso(row.nextAttemptAt) : null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: iso(row.deliveredAt),
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export type DeliveryFilter = {
  endpointId: string;
  status?: DeliveryRow["status"];
  /** Only this event's delivery. */
  eventId?: string;
  cursor?: string;
  limit: number;
};

/** One page of an active endpoint's delivery log, newest first. */
export async function listDeliveries(ctx: WorkspaceContext, filter: DeliveryFilter) {
  const { db, workspace } = ctx;
  const { endpointId } = filter;
  const after = decodeCursor(filter.cursor, ["number", "string"]);
  await activeEndpoint(ctx, endpointId);
  const where: (SQL | undefined)[] = [
    eq(webhookDeliveries.workspaceId, workspace.id),
    eq(webhookDeliveries.endpointId, endpointId),
    filter.status ? eq(webhookDeliveries.status, filter.status) : undefined,
    filter.eventId ? eq(webhookDeliveries.eventId, filter.eventId) : undefined,
  ];
  where.push(olderThan(webhookDeliveries.createdAt, webhookDeliveries.eventId, after));
  const rows = await db
    .select({ delivery: webhookDeliveries, type: webhookEvents.type })
    .from(webhookDeliveries)
    .innerJoin(
      webhookEvents,
      and(
        eq(webhookEvents.id, webhookDeliveries.eventId),
        eq(webhookEvents.workspaceId, webhookDeliveries.workspaceId),
      ),
    )
    .where(and(...where))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.eventId))
    .limit(filter.limit + 1);
  const page = paginate(rows, filter.limit, ({ delivery }) => [delivery.createdAt, delivery.eventId]);
  return { items: page.items.map((row) => deliveryJson(row.delivery, row.type)), nextCursor: page.nextCursor };
}

/** Queues one delivery again, now, whatever became of it. */
export async function resendDelivery(ctx: WorkspaceContext, input: { endpointId: string; eventId: string }) {
  const { db, clock, workspace } = ctx;
  const { endpointId, eventId } = input;
  const nextAttemptAt = clock.now().getTime();
  await activeEndpoint(ctx, endpointId);
  const [row] = await writeTransaction(db, async (tx) => {
    const resent = await tx
      .update(webhookDeliveries)
      .set({ status: "pending", nextAttemptAt, lastError: null })
      .where(
        and(
          eq(webhookDeliveries.workspaceId, workspace.id),
          eq(webhookDeliveries.endpointId, endpointId),
          eq(webhookDeliveries.eventId, eventId),
        ),
      )
      .returning();
    // A person asking for it now overrides the endpoint's back-off (a pause stays until resumed).
    if (resent.length > 0)
      await recordAudit(
        { ...ctx, tx },
        {
          action: "webhook.resend",
          targetId: `${endpointId}/${eventId}`,
          before: { status: resent[0]?.status === "pending" ? "(any)" : null },
          after: { status: "pending" },
        },
      );
    if (resent.length > 0)
      await tx
        .update(webhookEndpoints)
        .set({ retryAt: null })
        .where(and(eq(webhookEndpoints.workspaceId, workspace.id), eq(webhookEndpoints.id, endpointId)));
    return resent;
  });
  if (!row) throw new DomainError("not_found", `No delivery of event ${eventId} to endpoint ${endpointId}`);
  const [event] = await db
    .select({ type: webhookEvents.type })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.workspaceId, workspace.id), eq(webhookEvents.id, eventId)));
  return deliveryJson(row, event?.type ?? null);
}

/** The `Chorus-Signature` header value: `t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret, t + "." + body))`. */
export async function signatureHeader(secret: string, body: string, timestampSeconds: number): Promise<string> {
  return `t=${timestampSeconds},v1=${await hmacSha256Hex(secret, `${timestampSeconds}.${body}`)}`;
}

/**
 * The key bytes of a `whsec_…` secret under the Standard Webhooks convention: the part after
 * `whsec_`, base64-decoded (what the `standardwebhooks` libraries do with the same string). Chorus
 * secrets are 32 base62 characters, which are valid base64 (24 bytes), so every existing secret
 * works as it is; one that is not base64 falls back to its own UTF-8 bytes (`format: "raw"`).
 */
export function standardWebhooksKey(secret: string): Uint8Array {
  const tail = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  try {
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(tail) && tail.length % 4 !== 1)
      return Uint8Array.from(atob(tail.padEnd(Math.ceil(tail.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
  } catch {
    // not base64 after all: the raw bytes below
  }
  return new TextEncoder().encode(secret);
}

/**
 * The Standard Webhooks headers (standardwebhooks.com): `webhook-signature` is
 * `v1,BASE64(HMAC-SHA256(key, id + "." + timestamp + "." + body))`. The id is the event's, so a
 * retry carries the same id and receivers can deduplicate on it.
 */
export function standardWebhookHeaders(secret: string, id: string, body: string, timestampSeconds: number) {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${hmacSha256Base64(standardWebhooksKey(secret), `${id}.${timestampSeconds}.${body}`)}`,
  };
}

export type DeliveryOptions = {
  /** Deliveries claimed per run, across all workspaces. */
  batchSize?: number;
  /**
   * Deliveries in flight at once per workspace and per endpoint (across runs and processes):
   * a workspace whose endpoints never answer holds only its own slots, never another's.
   */
  perWorkspace?: number;
  perEndpoint?: number;
  /** An endpoint's back-off after its first failure; doubles with each failure in a row. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** After this many failed attempts a delivery is marked failed (a person can resend it). */
  maxAttempts?: number;
  /** After this many failures in a row an endpoint is paused until a person resumes it. */
  pauseAfterFailures?: number;
  timeoutMs?: number;
  /** How long a claim lasts; a worker that dies mid-send lets the row become due after it. */
  leaseMs?: number;
  /** In [0, 1): the jitter of each back-off (tests pin it). */
  random?: () => number;
  /** The runtime's outbound guard (server/node-outbound.ts on Node); absent, the Web guard (URL checks only). */
  fetch?: OutboundFetch;
  /** Where each attempt is logged and counted; absent, silently. */
  telemetry?: Telemetry;
};

export type DeliveryReport = { claimed: number; delivered: number; retrying: number; failed: number };

/**
 * Why a delivery got no HTTP answer, as a class (blocked, timeout, refused, dns, tls, network), never the
 * error's own text: the delivery log must not tell anyone what answers at an arbitrary address.
 */
function failureClass(caught: unknown, timeoutMs: number): string {
  const name = caught instanceof Error ? caught.name : "";
  if (name === "TimeoutError" || name === "AbortError") return `timeout: no answer within ${timeoutMs / 1000} s`;
  const failure = caught as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = String(failure?.cause?.code ?? failure?.code ?? "");
  // The guard refused the target (never which addresses it resolved to).
  if (code === "ERR_OUTBOUND_BLOCKED") return "blocked: the target is not a public address";
  if (code === "ECONNREFUSED") return "refused: the connection was refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns: the host name did not resolve";
  if (/CERT|TLS|SSL|SELF_SIGNED|DEPTH_ZERO/.test(code)) return "tls: the TLS handshake failed";
  return "network: the connection failed";
}

type Claim = { event_id: string; endpoint_id: string; attempts: number };

const schedulingDefaults = { batchSize: 25, perWorkspace: 5, perEndpoint: 2, leaseMs: 60_000 };

/**
 * Claims the due deliveries this run may send, round robin across workspaces: every workspace's
 * first due delivery, then every workspace's second, and so on, never more than `perWorkspace`
 * (nor `perEndpoint` for one endpoint) in flight, counting those other runs are still sending.
 * Endpoints that are deleted, paused or backing off are skipped. One UPDATE … RETURNING, so two
 * workers never claim the same row; the claim sets a lease (`lease_until`) and pushes the next
 * attempt past it, so a worker that dies mid-send frees its slots and its rows when it runs out.
 */
export async function claimDueDeliveries({ db, clock }: ServiceContext, options: DeliveryOptions = {}) {
  const { batchSize, perWorkspace, perEndpoint, leaseMs } = { ...schedulingDefaults, ...options };
  const now = clock.now().getTime();
  return writeTransaction(db, (tx) =>
    tx.all<Claim>(sql`
    update ${webhookDeliveries}
    set next_attempt_at = ${now + leaseMs}, lease_until = ${now + leaseMs}, attempts = attempts + 1
    where rowid in (
      with in_flight as (
        select workspace_id, endpoint_id from ${webhookDeliveries}
        where status = 'pending' and lease_until > ${now}
      ),
      due as (
        select d.rowid as rid, d.workspace_id, d.next_attempt_at,
          row_number() over (partition by d.endpoint_id order by d.next_attempt_at, d.created_at, d.event_id)
            + (select count(*) from in_flight f where f.endpoint_id = d.endpoint_id) as endpoint_slot
        from ${webhookDeliveries} d
        join ${webhookEndpoints} e on e.id = d.endpoint_id and e.workspace_id = d.workspace_id
        where d.status = 'pending' and d.next_attempt_at <= ${now}
          and e.disabled_at is null and e.paused_at is null and (e.retry_at is null or e.retry_at <= ${now})
      ),
      fair as (
        select rid, next_attempt_at,
          row_number() over (partition by workspace_id order by endpoint_slot, next_attempt_at)
            + (select count(*) from in_flight f where f.workspace_id = due.workspace_id) as workspace_slot
        from due where endpoint_slot <= ${perEndpoint}
      )
      select rid from fair where workspace_slot <= ${perWorkspace}
      order by workspace_slot, next_attempt_at limit ${batchSize}
    ) and status = 'pending' and next_attempt_at <= ${now}
    returning event_id, endpoint_id, attempts`),
  );
}

/** What became of one attempt: sent (with the HTTP status), or why not. */
type Attempt = { statusCode: number | null; error: string | null; endpointGone: boolean };

/**
 * Records one attempt, with the endpoint's run of failures, in one transaction: a success clears
 * the endpoint's back-off; a failure extends it (every due delivery of the endpoint waits, not
 * only this one) and, after `pauseAfterFailures` in a row, pauses the endpoint with the reason.
 */
async function recordAttempt(
  { db, clock }: ServiceContext,
  claim: Claim,
  attempt: Attempt,
  options: Required<Pick<DeliveryOptions, "baseBackoffMs" | "maxBackoffMs" | "maxAttempts" | "pauseAfterFailures">> & {
    random: () => number;
  },
): Promise<keyof Omit<DeliveryReport, "claimed">> {
  const finishedAt = clock.now().getTime();
  const mine = and(
    eq(webhookDeliveries.eventId, claim.event_id),
    eq(webhookDeliveries.endpointId, claim.endpoint_id),
    eq(webhookDeliveries.attempts, claim.attempts),
    eq(webhookDeliveries.status, "pending"),
  );
  const { statusCode, error } = attempt;
  return writeTransaction(db, async (tx) => {
    if (error === null) {
      await tx
        .update(webhookDeliveries)
        .set({
          status: "delivered",
          deliveredAt: finishedAt,
          lastStatusCode: statusCode,
          lastError: null,
          leaseUntil: null,
        })
        .where(mine);
      await tx
        .update(webhookEndpoints)
        .set({ consecutiveFailures: 0, retryAt: null })
        .where(eq(webhookEndpoints.id, claim.endpoint_id));
      return "delivered";
    }
    if (attempt.endpointGone) {
      await tx
        .update(webhookDeliveries)
        .set({ status: "failed", lastStatusCode: statusCode, lastError: error, leaseUntil: null })
        .where(mine);
      return "failed";
    }
    const [endpoint] = await tx
      .update(webhookEndpoints)
      .set({ consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1` })
      .where(eq(webhookEndpoints.id, claim.endpoint_id))
      .returning({ failures: webhookEndpoints.consecutiveFailures, pausedAt: webhookEndpoints.pausedAt });
    const failures = endpoint?.failures ?? 1;
    const retryAt =
      finishedAt + jitteredBackoffMs(failures, options.baseBackoffMs, options.maxBackoffMs, options.random);
    const pause =
      endpoint && endpoint.pausedAt === null && failures >= options.pauseAfterFailures
        ? { pausedAt: finishedAt, pauseReason: `${failures} failed deliveries in a row; the last: ${error}` }
        : {};
    // Failures that finish together extend the back-off; none shortens it.
    await tx
      .update(webhookEndpoints)
      .set({ retryAt: sql`max(coalesce(${webhookEndpoints.retryAt}, 0), ${retryAt})`, ...pause })
      .where(eq(webhookEndpoints.id, claim.endpoint_id));
    const last = claim.attempts >= options.maxAttempts;
    await tx
      .update(webhookDeliveries)
      .set(
        last
          ? { status: "failed", lastStatusCode: statusCode, lastError: error, leaseUntil: null }
          : { nextAttemptAt: retryAt, lastStatusCode: statusCode, lastError: error, leaseUntil: null },
      )
      .where(mine);
    return last ? "failed" : "retrying";
  });
}

/**
 * Claims a fair share of the due deliveries and starts sending them. Answers once they are
 * claimed, with `finished` settling when every send is recorded: the Node worker claims again
 * meanwhile, so an endpoint that never answers holds its slots, never the worker.
 */
export async function startDueDeliveries(
  ctx: ServiceContext,
  options: DeliveryOptions = {},
): Promise<{ claimed: number; finished: Promise<DeliveryReport> }> {
  const { db, clock } = ctx;
  const {
    baseBackoffMs = 30_000,
    maxBackoffMs = 6 * 3_600_000,
    maxAttempts = 10,
    pauseAfterFailures = 15,
    timeoutMs = 10_000,
    random = Math.random,
  } = options;
  const send = options.fetch ?? webOutbound.fetch;
  // The guard's policy is the endpoint's: private targets only where the admin opted in.
  const sendTo = (endpoint: EndpointRow) => (url: string, init: RequestInit) =>
    send(url, init, { allowPrivateNetwork: endpoint.allowPrivateNetwork });
  const claimed = await claimDueDeliveries(ctx, options);
  const report: DeliveryReport = { claimed: claimed.length, delivered: 0, retrying: 0, failed: 0 };
  if (claimed.length === 0) return { claimed: 0, finished: Promise.resolve(report) };

  const events = await db
    .select()
    .from(webhookEvents)
    .where(inArray(webhookEvents.id, [...new Set(claimed.map((row) => row.event_id))]));
  const endpoints = await db
    .select()
    .from(webhookEndpoints)
    .where(inArray(webhookEndpoints.id, [...new Set(claimed.map((row) => row.endpoint_id))]));
  const outcomeOptions = { baseBackoffMs, maxBackoffMs, maxAttempts, pauseAfterFailures, random };
  const { log = silentLogger, metrics = noMetrics } = options.telemetry ?? {};

  const finished = Promise.all(
    claimed.map(async (claim) => {
      const event = events.find((row) => row.id === claim.event_id);
      const endpoint = endpoints.find((row) => row.id === claim.endpoint_id);
      let statusCode: number | null = null;
      let error: string | null = null;
      const started = performance.now();
      const endpointGone =
        !event || !endpoint || endpoint.disabledAt !== null || endpoint.workspaceId !== event.workspaceId;
      if (endpointGone) {
        error = "endpoint deleted";
      } else {
        const body = JSON.stringify(event.payload);
        const timestamp = Math.floor(clock.now().getTime() / 1000);
        try {
          const response = await sendTo(endpoint)(endpoint.url, {
            method: "POST",
            headers: {
              "Content-Type": "application/json",
              "User-Agent": "Chorus-Webhooks/1",
              "Chorus-Event-Id": event.id,
              "Chorus-Event-Type": event.type,
              "Chorus-Signature": await signatureHeader(endpoint.secret, body, timestamp),
              ...standardWebhookHeaders(endpoint.secret, event.id, body, timestamp),
            },
            body,
            redirect: "manual",
            signal: AbortSignal.timeout(timeoutMs),
          });
          statusCode = response.status;
          await response.body?.cancel().catch(() => {});
          if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
        } catch (caught) {
          error = failureClass(caught, timeoutMs);
        }
      }
      const durationMs = Math.round(performance.now() - started);
      const outcome = await recordAttempt(ctx, claim, { statusCode, error, endpointGone }, outcomeOptions);
      report[outcome]++;
      metrics.sent("webhooks", outcome);
      // `error` is a class of failure (HTTP 500, timeout, refused…), never the receiver's own text.
      log[outcome === "delivered" ? "info" : "warn"](
        {
          job: "webhook.delivery",
          workspaceId: event?.workspaceId ?? null,
          eventId: claim.event_id,
          eventType: event?.type ?? null,
          endpointId: claim.endpoint_id,
          attempt: claim.attempts,
          statusCode,
          outcome,
          error,
          durationMs,
        },
        "webhook delivery",
      );
    }),
  ).then(() => report);
  return { claimed: claimed.length, finished };
}

/** Sends every delivery this run may claim once, then answers what became of them. */
export async function deliverDueWebhooks(ctx: ServiceContext, options: DeliveryOptions = {}): Promise<DeliveryReport> {
  return (await startDueDeliveries(ctx, options)).finished;
}
