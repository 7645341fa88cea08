/**
 * Webhook endpoints, their delivery log, and the delivery worker.
 *
 * The worker claims due deliveries with one UPDATE … RETURNING that pushes their next attempt
 * a lease into the future: SQLite runs each statement atomically, so two workers (two Node
 * processes, or a cron run overlapping the next) never claim the same row. A worker that dies
 * mid-send loses its lease and the row becomes due again: delivery is at least once, and
 * receivers deduplicate by the event id.
 */
import { and, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "../../db/schema.ts";
import { hmacSha256Hex } from "../lib/crypto.ts";
import { decodeCursor } from "../lib/cursor.ts";
import { newId, newSecret } from "../lib/ids.ts";
import { olderThan } from "../lib/newest-first.ts";
import { assertPublicTarget, type Outbound, type OutboundFetch, webOutbound } from "../lib/outbound/guard.ts";
import { paginate } from "../lib/paginate.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
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
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export type EndpointInput = { url: string; events: string[]; allowPrivateNetwork?: boolean };

/** Creating an endpoint checks its target with the runtime's outbound guard (its resolver, where it has one). */
export type EndpointContext = WorkspaceContext & { outbound?: Outbound };

/**
 * Adds an endpoint (an empty `events` subscribes to all) with a new signing secret. A private or
 * loopback target (a literal, or a name resolving to one) is refused unless the admin opted in.
 */
export async function createEndpoint({ db, clock, workspace, outbound }: EndpointContext, input: EndpointInput) {
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
  const [row] = await writeTransaction(db, (tx) =>
    tx
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
      .returning(),
  );
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

/** Deleting keeps the row (disabled) so its delivery log still explains what was sent. */
export async function deleteEndpoint(
  { db, clock, workspace }: WorkspaceContext,
  { endpointId: id }: { endpointId: string },
): Promise<void> {
  const disabledAt = clock.now().getTime();
  const changed = await writeTransaction(db, (tx) =>
    tx
      .update(webhookEndpoints)
      .set({ disabledAt })
      .where(
        and(
          eq(webhookEndpoints.workspaceId, workspace.id),
          eq(webhookEndpoints.id, id),
          isNull(webhookEndpoints.disabledAt),
        ),
      )
      .returning({ id: webhookEndpoints.id }),
  );
  if (changed.length === 0) throw new DomainError("not_found", `No webhook endpoint ${id} in this workspace`);
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
  const [row] = await writeTransaction(db, (tx) =>
    tx
      .update(webhookDeliveries)
      .set({ status: "pending", nextAttemptAt, lastError: null })
      .where(
        and(
          eq(webhookDeliveries.workspaceId, workspace.id),
          eq(webhookDeliveries.endpointId, endpointId),
          eq(webhookDeliveries.eventId, eventId),
        ),
      )
      .returning(),
  );
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

export type DeliveryOptions = {
  /** Deliveries claimed per run. */
  batchSize?: number;
  /** Delay before the second attempt; doubles after each failure. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** After this many failed attempts a delivery is marked failed (a person can resend it). */
  maxAttempts?: number;
  timeoutMs?: number;
  /** How long a claim lasts; a worker that dies mid-send lets the row become due after it. */
  leaseMs?: number;
  /** The runtime's outbound guard (server/node-outbound.ts on Node); absent, the Web guard (URL checks only). */
  fetch?: OutboundFetch;
};

export type DeliveryReport = { claimed: number; delivered: number; retrying: number; failed: number };

/** Backoff before attempt n+1 after n failed attempts: base · 2^(n−1), capped. */
export function backoffMs(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

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

/** Sends every due delivery once (claimed atomically), then records the outcome. */
export async function deliverDueWebhooks(
  { db, clock }: ServiceContext,
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  const {
    batchSize = 25,
    baseBackoffMs = 30_000,
    maxBackoffMs = 6 * 3_600_000,
    maxAttempts = 10,
    timeoutMs = 10_000,
    leaseMs = 60_000,
  } = options;
  const send = options.fetch ?? webOutbound.fetch;
  // The guard's policy is the endpoint's: private targets only where the admin opted in.
  const sendTo = (endpoint: EndpointRow) => (url: string, init: RequestInit) =>
    send(url, init, { allowPrivateNetwork: endpoint.allowPrivateNetwork });
  const now = clock.now().getTime();
  const claimed = await writeTransaction(db, (tx) =>
    tx.all<{ event_id: string; endpoint_id: string; attempts: number }>(sql`
    update ${webhookDeliveries}
    set next_attempt_at = ${now + leaseMs}, attempts = attempts + 1
    where rowid in (
      select rowid from ${webhookDeliveries}
      where status = 'pending' and next_attempt_at <= ${now}
      order by next_attempt_at limit ${batchSize}
    ) and status = 'pending' and next_attempt_at <= ${now}
    returning event_id, endpoint_id, attempts`),
  );
  const report: DeliveryReport = { claimed: claimed.length, delivered: 0, retrying: 0, failed: 0 };
  if (claimed.length === 0) return report;

  const events = await db
    .select()
    .from(webhookEvents)
    .where(inArray(webhookEvents.id, [...new Set(claimed.map((row) => row.event_id))]));
  const endpoints = await db
    .select()
    .from(webhookEndpoints)
    .where(inArray(webhookEndpoints.id, [...new Set(claimed.map((row) => row.endpoint_id))]));

  await Promise.all(
    claimed.map(async (claim) => {
      const event = events.find((row) => row.id === claim.event_id);
      const endpoint = endpoints.find((row) => row.id === claim.endpoint_id);
      let statusCode: number | null = null;
      let error: string | null = null;
      if (!event || !endpoint || endpoint.disabledAt !== null || endpoint.workspaceId !== event.workspaceId) {
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
      const finishedAt = clock.now().getTime();
      const mine = and(
        eq(webhookDeliveries.eventId, claim.event_id),
        eq(webhookDeliveries.endpointId, claim.endpoint_id),
        eq(webhookDeliveries.attempts, claim.attempts),
        eq(webhookDeliveries.status, "pending"),
      );
      let outcome: Partial<DeliveryRow>;
      if (error === null) {
        report.delivered++;
        outcome = { status: "delivered", deliveredAt: finishedAt, lastStatusCode: statusCode, lastError: null };
      } else if (error === "endpoint deleted" || claim.attempts >= maxAttempts) {
        report.failed++;
        outcome = { status: "failed", lastStatusCode: statusCode, lastError: error };
      } else {
        report.retrying++;
        const nextAttemptAt = finishedAt + backoffMs(claim.attempts, baseBackoffMs, maxBackoffMs);
        outcome = { nextAttemptAt, lastStatusCode: statusCode, lastError: error };
      }
      await writeTransaction(db, (tx) => tx.update(webhookDeliveries).set(outcome).where(mine));
    }),
  );
  return report;
}
