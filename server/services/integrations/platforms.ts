/**
 * Teachable, Thinkific and Kajabi, each as its documented webhooks arrive (event names and
 * payload shapes: tests/fixtures/{teachable,thinkific,kajabi}/README.md names the sources).
 * Purchase or enrolment → `enrollment` (a free one → `signup`), course completion →
 * `completion`, refund → `refund`, sign-up → `signup`; every other event is acknowledged and
 * ignored. Conversion ids are the platform's own object ids, so a redelivery replays.
 */
import type { CustomOutcome } from "./custom-mapping.ts";

export const platforms = ["teachable", "thinkific", "kajabi"] as const;
export type Platform = (typeof platforms)[number];

type Json = Record<string, unknown>;
const obj = (value: unknown): Json =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
const idOf = (value: unknown): string | null =>
  typeof value === "string" || typeof value === "number" ? String(value).slice(0, 100) : null;
const isZero = (value: unknown) => value === 0 || value === "0" || value === "0.0" || value === "0.00";

const ignore = (eventType: string, eventId: string | null, reason?: string): CustomOutcome => ({
  kind: "ignored",
  eventType,
  eventId,
  reason: reason ?? `event type ${eventType} is not used by Chorus`,
});
const invalid = (eventType: string, eventId: string | null, reason: string): CustomOutcome => ({
  kind: "invalid",
  eventType,
  eventId,
  reason,
});

/**
 * Teachable: `{ id, type, created, hook_event_id, object }`. `Sale.created` (bundles are one sale),
 * `Enrollment.completed`, `Transaction.refunded`, `User.created`. Prices are in cents.
 */
function teachable(payload: unknown): CustomOutcome {
  const body = obj(payload);
  const eventType = typeof body.type === "string" ? body.type.slice(0, 100) : "(none)";
  const eventId = idOf(body.hook_event_id) ?? idOf(body.id);
  const object = obj(body.object);
  const user = obj(object.user);
  const objectId = idOf(object.id);
  if (!["Sale.created", "Enrollment.completed", "Transaction.refunded", "User.created"].includes(eventType))
    return ignore(eventType, eventId);
  if (!objectId) return invalid(eventType, eventId, "the event's object has no id");
  const email = user.email ?? object.email;
  if (eventType === "Sale.created") {
    const price = object.final_price ?? object.price;
    return {
      kind: "facts",
      eventType,
      eventId,
      facts: {
        id: `teachable:sale:${objectId}`,
        type: isZero(price) ? "signup" : "enrollment",
        email,
        name: user.name,
        userId: user.id ?? object.user_id,
        course: idOf(obj(object.product).id) ?? idOf(obj(object.course).id) ?? idOf(object.product_id),
        ...(isZero(price) ? {} : { amount: price, currency: object.currency }),
        code: obj(object.coupon).code ?? object.coupon_code,
        occurredAt: object.created_at ?? body.created,
      },
    };
  }
  if (eventType === "Enrollment.completed")
    return {
      kind: "facts",
      eventType,
      eventId,
      facts: {
        id: `teachable:completion:${objectId}`,
        type: "completion",
        email,
        name: user.name,
        userId: user.id ?? object.user_id,
        course: idOf(obj(object.course).id) ?? idOf(object.course_id),
        occurredAt: object.completed_at ?? body.created,
      },
    };
  if (eventType === "Transaction.refunded") {
    const sale = idOf(object.sale_id) ?? idOf(obj(object.sale).id);
    if (!sale) return invalid(eventType, eventId, "the refunded transaction names no sale");
    return {
      kind: "facts",
      eventType,
      eventId,
      facts: {
        id: `teachable:refund:${objectId}`,
        type: "refund",
        refundOf: `teachable:sale:${sale}`,
        email,
        amount: object.refunded_amount ?? object.amount,
        currency: object.currency,
        occurredAt: object.refunded_at ?? body.created,
      },
    };
  }
  return {
    kind: "facts",
    eventType,
    eventId,
    facts: {
      id: `teachable:user:${objectId}`,
      type: "signup",
      email: object.email,
      name: object.name,
      userId: objectId,
      occurredAt: object.created_at ?? body.created,
    },
  };
}

/**
 * Thinkific: `{ id, resource, action, tenant_id, created_at, payload }`, topic `resource.action`:
 * `order.created`, `enrollment.completed`, `order_transaction.refunded`, `user.signup`. Orders
 * carry `amount_cents` and no currency (the connector's currency is used).
 */
function thinkific(payload: unknown): CustomOutcome {
  const body = obj(payload);
  const eventType =
    typeof body.resource === "string" && typeof body.action === "string"
      ? `${body.resource}.${body.action}`.slice(0, 100)
      : "(none)";
  const eventId = idOf(body.id);
  const data = obj(body.payload);
  const user = obj(data.user);
  const dataId = idOf(data.id);
  const name = [user.first_name, user.last_name].filter((part) => typeof part === "string" && part).join(" ");
  if (!["order.created", "enrollment.completed", "order_transaction.refunded", "user.signup"].includes(eventType))
    return ignore(eventType, eventId);
  if (!dataId) return invalid(eventType, eventId, "the event's payload has no id");
  if (eventType === "order.created") {
    const free = isZero(data.amount_cents);
    return {
      kind: "facts",
      eventType,
      eventId,
      facts: {
        id: `thinkific:order:${dataId}`,
        type: free ? "signup" : "enrollment",
        email: user.email ?? data.user_email,
        name: name || data.user_name || data.billing_name,
        userId: user.id ?? data.user_id,
        course: idOf(data.product_id),
        ...(free ? {} : { amount: data.amount_cents, currency: data.currency }),
        code: obj(data.coupon).code ?? data.coupon_code,
        occurredAt: data.created_at ?? body.created_at,
      },
    };
  }
  if (eventType === "enrollment.completed")
    return {
      kind: "facts",
      eventType,
      eventId,
      facts: {
        id: `thinkific:completion:${dataId}`,
        type: "completion",
        email: user.email,
        name,
        userId: user.id,
        course: idOf(obj(data.course).id) ?? idOf(data.course_id),
        occurredAt: data.completed_at ?? body.created_at,
      },
    };
  if (eventType === "order_transaction.refunded") {
    const order = idOf(data.order_id);
    if (!order) return invalid(eventType, eventId, "the refunded transaction names no order");
    return {
      kind: "facts",
      eventType,
      eventId,
      facts: {
        id: `thinkific:refund:${dataId}`,
        type: "refund",
        refundOf: `thinkific:order:${order}`,
        amount: data.amount_cents ?? data.amount,
        currency: data.currency,
        occurredAt: data.created_at ?? body.created_at,
      },
    };
  }
  return {
    kind: "facts",
    eventType,
    eventId,
    facts: {
      id: `thinkific:user:${dataId}`,
      type: "signup",
      email: data.email,
      name: [data.first_name, data.last_name].filter((part) => typeof part === "string" && part).join(" "),
      userId: dataId,
      occurredAt: data.created_at ?? body.created_at,
    },
  };
}

/**
 * Kajabi: the `purchase` webhook, a JSON:API list of resources (`purchases`, `offers`,
 * `customers`), as a bare list or under `data`. Kajabi sends no completion or refund webhook:
 * those reach Chorus through a custom endpoint or `POST /v1/conversions`.
 */
function kajabi(payload: unknown): CustomOutcome {
  const list = Array.isArray(payload)
    ? payload
    : Array.isArray(obj(payload).data)
      ? (obj(payload).data as unknown[])
      : [];
  const resources = list.map(obj);
  const purchase = resources.find((resource) => resource.type === "purchases");
  const first = resources[0];
  const eventType = purchase ? "purchase" : typeof first?.type === "string" ? first.type.slice(0, 100) : "(none)";
  if (!purchase) return ignore(eventType, idOf(first?.id));
  const purchaseId = idOf(purchase.id);
  if (!purchaseId) return invalid(eventType, null, "the purchase has no id");
  const attributes = obj(purchase.attributes);
  const relationships = obj(purchase.relationships);
  const customerId = idOf(obj(obj(relationships.customer).data).id);
  const customer = resources.find((resource) => resource.type === "customers" && idOf(resource.id) === customerId);
  const offerData = obj(relationships.offer).data ?? obj(relationships.offers).data;
  const offerId = idOf(obj(Array.isArray(offerData) ? offerData[0] : offerData).id);
  const free = isZero(attributes.amount_in_cents);
  const customerAttributes = obj(customer?.attributes);
  return {
    kind: "facts",
    eventType,
    eventId: purchaseId,
    facts: {
      id: `kajabi:purchase:${purchaseId}`,
      type: free ? "signup" : "enrollment",
      email: customerAttributes.email,
      name: customerAttributes.name,
      userId: customerId,
      course: offerId,
      ...(free ? {} : { amount: attributes.amount_in_cents, currency: attributes.currency }),
      code: attributes.coupon_code,
      occurredAt: attributes.created_at,
    },
  };
}

/** The platform's event, read: the facts of a conversion, or why there is none. */
export function readPlatformEvent(platform: Platform, payload: unknown): CustomOutcome {
  return platform === "teachable"
    ? teachable(payload)
    : platform === "thinkific"
      ? thinkific(payload)
      : kajabi(payload);
}
