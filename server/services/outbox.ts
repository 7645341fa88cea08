/**
 * The webhook outbox. An event is written in the same transaction as the change it announces
 * (pass the transaction as `tx`), with one pending delivery per subscribed endpoint, so an
 * event can never be announced for a change that rolled back, nor lost for one that committed.
 * Delivery (signing, retries, backoff) reads these rows later, in the background.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { webhookDeliveries, webhookEndpoints } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { remembered, type TransactionMemo } from "./transaction-memo.ts";
import type { Clock } from "./types.ts";

export const webhookEventTypes = [
  "conversion.attributed",
  "reward.created",
  "reward.approved",
  "reward.voided",
  "reward.issued",
  "story.submitted",
  "story.approved",
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** A transaction or the database itself: both can write the outbox. */
export type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Where an event is written (the transaction of the change it announces) and when it happens. */
export type OutboxContext = { tx: DbOrTx; clock: Clock; memo?: TransactionMemo };

export type OutboxEvent = { workspaceId: string; type: WebhookEventType; data: unknown };

/** Writes one event and a pending delivery for each endpoint subscribed to it; answers its id. */
export async function enqueueEvent({ tx: db, clock, memo }: OutboxContext, event: OutboxEvent): Promise<string> {
  const id = newId("evt");
  const now = clock.now();
  const createdAt = now.getTime();
  const payload = { id, type: event.type, createdAt: now.toISOString(), data: event.data };
  // Plain SQL: one to three events per conversion, and the query builder cost five times this to
  // build (measured on a conversion batch's path).
  await db.run(sql`INSERT INTO webhook_events (id, workspace_id, type, payload, created_at)
    VALUES (${id}, ${event.workspaceId}, ${event.type}, ${JSON.stringify(payload)}, ${createdAt})`);
  const endpoints = await remembered(memo, `webhook-endpoints:${event.workspaceId}`, () =>
    db
      .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.workspaceId, event.workspaceId), isNull(webhookEndpoints.disabledAt))),
  );
  const subscribed = endpoints.filter(
    (endpoint) => endpoint.events.length === 0 || endpoint.events.includes(event.type),
  );
  if (subscribed.length > 0) {
    await db.insert(webhookDeliveries).values(
      subscribed.map((endpoint) => ({
        eventId: id,
        endpointId: endpoint.id,
        workspaceId: event.workspaceId,
        status: "pending" as const,
        nextAttemptAt: createdAt,
        createdAt,
      })),
    );
  }
  return id;
}
