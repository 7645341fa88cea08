/**
 * One connector delivery: the URL's connector and token (and the sender's HMAC where it signs),
 * then the event read by its platform's adapter or the custom mapping, made into a conversion
 * and recorded through `recordConversion` (a redelivery replays). Every delivery is logged with
 * its outcome. An event that came before the sale it depends on (a refund, or a completion of a
 * course the learner has no enrolment in yet) waits as `pending` and is recorded when the sale
 * arrives, so the order in which a platform delivers does not change the result.
 */
import { and, eq, inArray, notInArray, sql } from "drizzle-orm";
import { conversions, integrationConnectors, integrationEvents } from "../../../db/schema.ts";
import { sha256Hex, timingSafeEqual } from "../../lib/crypto.ts";
import { newId } from "../../lib/ids.ts";
import { open } from "../../lib/secret-box.ts";
import { fixedClock } from "../clock.ts";
import type { ConversionInput } from "../conversion-input.ts";
import { recordConversion } from "../conversions.ts";
import { DomainError } from "../errors.ts";
import type { ConversionCheck } from "../stripe.ts";
import type { SecretContext, ServiceContext, WorkspaceContext } from "../types.ts";
import { getWorkspace } from "../workspaces.ts";
import { signingSecretPurpose } from "./connectors.ts";
import { applyMapping, CustomMapping, type CustomOutcome, type SignatureScheme } from "./custom-mapping.ts";
import { buildConversion, type ConnectorShape } from "./facts.ts";
import { type Platform, platforms, readPlatformEvent } from "./platforms.ts";
import { signatureProblem, thinkificScheme } from "./signatures.ts";

/** Events kept per connector (pending ones are kept until they are recorded). */
export const eventLogSize = 50;

type ConnectorRow = typeof integrationConnectors.$inferSelect;
type Outcome = (typeof integrationEvents.$inferSelect)["outcome"];

export type IntegrationContext = ServiceContext & SecretContext & { checkConversion: ConversionCheck };

export type IntegrationDelivery = {
  platform: string;
  connectorId: string;
  token: string | undefined;
  /** A request header by (lower-case) name. */
  header: (name: string) => string | undefined;
  rawBody: string;
  payload: unknown;
};

export type IntegrationReceipt = {
  outcome: "recorded" | "replay" | "ignored" | "pending";
  detail: string;
  conversion?: { id: string; externalId: string; status: string };
};

type LogEntry = {
  eventType: string;
  eventId: string | null;
  outcome: Outcome;
  detail: string;
  conversionId?: string | null;
  waitingFor?: string | null;
  pending?: ConversionInput | null;
};

async function logEvent(ctx: ServiceContext, row: ConnectorRow, entry: LogEntry): Promise<void> {
  const { db } = ctx;
  await db.insert(integrationEvents).values({
    id: newId("iev"),
    workspaceId: row.workspaceId,
    connectorId: row.id,
    eventType: entry.eventType.slice(0, 100),
    eventId: entry.eventId,
    outcome: entry.outcome,
    detail: entry.detail.slice(0, 500),
    conversionId: entry.conversionId ?? null,
    waitingFor: entry.waitingFor ?? null,
    pending: (entry.pending as Record<string, unknown> | null) ?? null,
    customerId: entry.pending?.customer.id ?? null,
    receivedAt: ctx.clock.now().getTime(),
  });
  // The log is a window, not a history: keep the newest, and every event still waiting.
  const newest = db
    .select({ id: integrationEvents.id })
    .from(integrationEvents)
    .where(and(eq(integrationEvents.connectorId, row.id), sql`${integrationEvents.outcome} <> 'pending'`))
    .orderBy(sql`${integrationEvents.receivedAt} desc`, sql`${integrationEvents.id} desc`)
    .limit(eventLogSize);
  await db
    .delete(integrationEvents)
    .where(
      and(
        eq(integrationEvents.workspaceId, row.workspaceId),
        eq(integrationEvents.connectorId, row.id),
        sql`${integrationEvents.outcome} <> 'pending'`,
        notInArray(integrationEvents.id, newest),
      ),
    );
}

/** Refuses with `code`, having logged why. */
async function refuse(
  ctx: ServiceContext,
  row: ConnectorRow,
  event: { eventType: string; eventId: string | null },
  code: "unauthorized" | "invalid_request" | "conflict",
  detail: string,
): Promise<never> {
  await logEvent(ctx, row, { ...event, outcome: "refused", detail });
  throw new DomainError(code, `Event refused: ${detail}`);
}

async function authenticate(ctx: ServiceContext & SecretContext, row: ConnectorRow, input: IntegrationDelivery) {
  const unknown = { eventType: "(unauthenticated)", eventId: null };
  // Not logged: whoever lacks the token must not be able to write into the workspace (nor push
  // real events out of its capped log). A wrong signature behind the right token is logged.
  if (!input.token || !timingSafeEqual(await sha256Hex(input.token), row.tokenHash))
    throw new DomainError("unauthorized", "Event refused: the URL's token is missing or wrong");
  if (!row.signingSecret) return;
  const key = await open({
    secret: ctx.secret,
    purpose: signingSecretPurpose,
    owner: row.workspaceId,
    sealed: row.signingSecret,
  });
  if (key === null) return refuse(ctx, row, unknown, "unauthorized", "the signing secret cannot be read: set it again");
  const scheme = row.platform === "thinkific" ? thinkificScheme : (row.signature as SignatureScheme);
  const problem = signatureProblem(scheme, input.header(scheme.header), key, input.rawBody);
  if (problem) return refuse(ctx, row, unknown, "unauthorized", problem);
}

/** The platform's event (or the custom mapping's reading of it). */
export function readEvent(row: Pick<ConnectorRow, "id" | "platform" | "mapping">, payload: unknown): CustomOutcome {
  if (row.platform !== "custom") return readPlatformEvent(row.platform, payload);
  const mapping = CustomMapping.safeParse(row.mapping);
  if (!mapping.success)
    return { kind: "invalid", eventType: "(none)", eventId: null, reason: "the endpoint's mapping is invalid" };
  return applyMapping(row.id, mapping.data, payload);
}

type Prepared =
  | { kind: "conversion"; eventType: string; eventId: string | null; input: ConversionInput }
  | { kind: "ignored"; eventType: string; eventId: string | null; reason: string }
  | { kind: "invalid"; eventType: string; eventId: string | null; reason: string };

/** What a payload would make, stored nowhere: the receiver's work up to recording. */
export function prepareConversion(
  ctx: WorkspaceContext & SecretContext & { checkConversion: ConversionCheck },
  row: Pick<ConnectorRow, "id" | "platform" | "mapping" | "courses" | "currency">,
  payload: unknown,
): Prepared {
  const read = readEvent(row, payload);
  if (read.kind !== "facts")
    return { kind: read.kind, eventType: read.eventType, eventId: read.eventId, reason: read.reason };
  const { eventType, eventId } = read;
  const shape: ConnectorShape = { platform: row.platform, courses: row.courses, currency: row.currency };
  const built = buildConversion(ctx, shape, read.facts);
  if (built.kind !== "conversion") return { ...built, eventType, eventId };
  // A refund's customer is the original's, filled in when it is found.
  const input = built.input.type === "refund" ? { ...built.input, customer: { id: "pending" } } : built.input;
  const checked = ctx.checkConversion(input);
  if (!checked.ok)
    return {
      kind: "invalid",
      eventType,
      eventId,
      reason: `not a valid conversion: ${JSON.stringify(checked.details).slice(0, 300)}`,
    };
  return { kind: "conversion", eventType, eventId, input: built.input };
}

export async function receiveIntegrationEvent(
  ctx: IntegrationContext,
  input: IntegrationDelivery,
): Promise<IntegrationReceipt> {
  const { db, clock, secret } = ctx;
  const now = clock.now();
  const [row] = await db.select().from(integrationConnectors).where(eq(integrationConnectors.id, input.connectorId));
  if (
    !row ||
    row.platform !== input.platform ||
    !(platforms as readonly string[]).concat("custom").includes(row.platform)
  )
    throw new DomainError("not_found", "No connector here");
  const step = { db, secret, clock: fixedClock(now) };
  await authenticate(step, row, input);
  const workspace = await getWorkspace({ db }, { id: row.workspaceId });
  if (!workspace) throw new DomainError("not_found", "No connector here");
  const inWorkspace = { ...step, workspace, checkConversion: ctx.checkConversion };

  const prepared = prepareConversion(inWorkspace, row, input.payload);
  const event = { eventType: prepared.eventType, eventId: prepared.eventId };
  if (prepared.kind === "ignored") {
    await logEvent(step, row, { ...event, outcome: "ignored", detail: prepared.reason });
    return { outcome: "ignored", detail: prepared.reason };
  }
  if (prepared.kind === "invalid") return refuse(step, row, event, "invalid_request", prepared.reason);

  let conversion = prepared.input;
  const waiting = await waitingFor(inWorkspace, conversion);
  if (waiting.kind === "wait") {
    await logEvent(step, row, {
      ...event,
      outcome: "pending",
      detail: waiting.detail,
      conversionId: conversion.id,
      waitingFor: waiting.key,
      pending: conversion,
    });
    // The sale may have been recorded while this was being written: its own reconcile could not
    // see this row yet, so look again now (one of the two always sees the other).
    await reconcile(inWorkspace, [waiting.key]);
    return { outcome: "pending", detail: waiting.detail };
  }
  if (waiting.kind === "refund") conversion = waiting.input;
  const recorded = await recordOrRefuse(inWorkspace, row, event, conversion);
  if (conversion.type === "enrollment" || conversion.type === "signup")
    await reconcile(inWorkspace, [
      conversion.id,
      ...(conversion.course ? [`${conversion.customer.id}|${conversion.course}`] : []),
    ]);
  return recorded;
}

async function recordOrRefuse(
  ctx: WorkspaceContext & SecretContext,
  row: ConnectorRow,
  event: { eventType: string; eventId: string | null },
  conversion: ConversionInput,
): Promise<IntegrationReceipt> {
  try {
    const { created, body } = await recordConversion(ctx, conversion);
    const outcome = created ? "recorded" : "replay";
    const detail = `${conversion.type} ${body.attribution.status}${body.attribution.code ? ` by code ${body.attribution.code}` : ""}`;
    await logEvent(ctx, row, { ...event, outcome, detail, conversionId: conversion.id });
    return {
      outcome,
      detail,
      conversion: { id: body.conversion.id, externalId: body.conversion.externalId, status: body.attribution.status },
    };
  } catch (error) {
    if (error instanceof DomainError && (error.code === "conflict" || error.code === "invalid_request"))
      return refuse(ctx, row, event, error.code, error.message);
    throw error;
  }
}

type Waiting =
  | { kind: "go" }
  | { kind: "refund"; input: ConversionInput }
  | { kind: "wait"; key: string; detail: string };

/**
 * Whether the conversion depends on a sale Chorus has not seen: a refund needs its original, a
 * completion an enrolment (or sign-up) of that learner in that course.
 */
async function waitingFor({ db, workspace }: WorkspaceContext, input: ConversionInput): Promise<Waiting> {
  if (input.type === "refund" && input.refundOf) {
    const [original] = await db
      .select({ customerId: conversions.customerId })
      .from(conversions)
      .where(and(eq(conversions.workspaceId, workspace.id), eq(conversions.externalId, input.refundOf)));
    if (!original)
      return { kind: "wait", key: input.refundOf, detail: `waiting for the sale ${input.refundOf} it refunds` };
    // Only the original's customer id: the same refund always makes the same request.
    return { kind: "refund", input: { ...input, customer: { id: original.customerId } } };
  }
  if (input.type === "completion" && input.course) {
    const [sale] = await db
      .select({ id: conversions.id })
      .from(conversions)
      .where(
        and(
          eq(conversions.workspaceId, workspace.id),
          eq(conversions.customerId, input.customer.id),
          eq(conversions.course, input.course),
          inArray(conversions.type, ["enrollment", "signup"]),
        ),
      )
      .limit(1);
    if (!sale)
      return {
        kind: "wait",
        key: `${input.customer.id}|${input.course}`,
        detail: `waiting for this learner's enrolment in ${input.course}`,
      };
  }
  return { kind: "go" };
}

/**
 * Records what waited under these keys (a sale's id for its refunds, `customer|course` for
 * completions) once what it waits for is there; what still waits stays pending.
 */
async function reconcile(ctx: WorkspaceContext & SecretContext, keys: string[]): Promise<void> {
  const { db, workspace } = ctx;
  const waiting = await db
    .select()
    .from(integrationEvents)
    .where(
      and(
        eq(integrationEvents.workspaceId, workspace.id),
        inArray(integrationEvents.waitingFor, keys),
        eq(integrationEvents.outcome, "pending"),
      ),
    );
  for (const event of waiting) {
    const ready = await waitingFor(ctx, event.pending as ConversionInput);
    if (ready.kind === "wait") continue;
    const pending = ready.kind === "refund" ? ready.input : (event.pending as ConversionInput);
    let outcome: Outcome = "reconciled";
    let detail: string;
    try {
      const { body } = await recordConversion(ctx, pending);
      detail = `recorded after the sale arrived: ${pending.type} ${body.attribution.status}`;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      outcome = "refused";
      detail = `refused after the sale arrived: ${error.message}`;
    }
    await db
      .update(integrationEvents)
      .set({ outcome, detail, pending: null, waitingFor: null, customerId: null })
      .where(and(eq(integrationEvents.workspaceId, workspace.id), eq(integrationEvents.id, event.id)));
  }
}

export type { Platform };
