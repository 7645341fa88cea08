/**
 * The generic mapped webhook: any sender's JSON (WordPress/LearnDash, Moodle, Zapier, Make, n8n,
 * Pabbly…) becomes a conversion through a mapping of JSON Pointers (RFC 6901) or constants, and
 * a map from the sender's event names to conversion types. Only the mapped fields are read;
 * everything else in the payload (some senders include whole user records) is never stored.
 */
import { z } from "zod";
import { conversionTypes } from "../conversion-input.ts";
import type { Facts } from "./facts.ts";

const JsonPointer = z
  .string()
  .max(300)
  .regex(/^(\/([^~]|~[01])*)*$/, "a JSON Pointer such as /data/user/email");

const Field = z.union([
  z.object({ pointer: JsonPointer }).strict(),
  z.object({ value: z.union([z.string().max(200), z.number()]) }).strict(),
]);
export type MappingField = z.infer<typeof Field>;

export const CustomMapping = z
  .object({
    id: Field,
    type: Field,
    /** The sender's event names → conversion types (`ignore` to acknowledge and drop). */
    types: z
      .record(z.string().min(1).max(100), z.enum([...conversionTypes, "ignore"]))
      .refine((types) => Object.keys(types).length <= 50, "at most 50 event names"),
    email: Field.optional(),
    userId: Field.optional(),
    name: Field.optional(),
    course: Field.optional(),
    amount: Field.optional(),
    /** `minor`: integer cents/paise; `major`: `49.99` or `"49.99"` (converted exactly). */
    amountFormat: z.enum(["minor", "major"]).default("minor"),
    currency: Field.optional(),
    code: Field.optional(),
    clickId: Field.optional(),
    refundOf: Field.optional(),
    occurredAt: Field.optional(),
  })
  .strict();
export type CustomMapping = z.infer<typeof CustomMapping>;

export const SignatureScheme = z
  .object({
    header: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,100}$/, "a header name such as X-Signature")
      .transform((name) => name.toLowerCase()),
    algorithm: z.enum(["sha1", "sha256"]).default("sha256"),
    encoding: z.enum(["hex", "base64"]).default("hex"),
    /** Text before the signature in the header, such as `sha256=`. */
    prefix: z.string().max(40).default(""),
  })
  .strict();
export type SignatureScheme = z.infer<typeof SignatureScheme>;

/** The value at a JSON Pointer, or undefined. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === "") return document;
  let value: unknown = document;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(value) && /^(0|[1-9]\d{0,5})$/.test(key)) value = value[Number(key)];
    else if (value !== null && typeof value === "object" && Object.hasOwn(value, key))
      value = (value as Record<string, unknown>)[key];
    else return undefined;
  }
  return value;
}

const read = (payload: unknown, field: MappingField | undefined): unknown =>
  field === undefined ? undefined : "value" in field ? field.value : resolvePointer(payload, field.pointer);

/** Scalars only: a pointer that lands on an object or a list reads as absent. */
const scalar = (value: unknown): unknown => (value !== null && typeof value === "object" ? undefined : value);

export type CustomOutcome =
  | { kind: "facts"; eventType: string; eventId: string | null; facts: Facts }
  | { kind: "ignored" | "invalid"; eventType: string; eventId: string | null; reason: string };

/**
 * What a payload means under `mapping`. Ids are prefixed by the connector and the type
 * (`icn_…:completion:ID`): senders such as Moodle number each kind of object separately, so an
 * enrolment and a completion may share an id. A refund's `refundOf` names the enrolment's id.
 */
export function applyMapping(connectorId: string, mapping: CustomMapping, payload: unknown): CustomOutcome {
  const at = (field: MappingField | undefined) => scalar(read(payload, field));
  const eventType = String(at(mapping.type) ?? "").slice(0, 100);
  const rawId = at(mapping.id);
  const eventId = typeof rawId === "string" || typeof rawId === "number" ? String(rawId).slice(0, 150) : null;
  if (!eventType) return { kind: "invalid", eventType: "(none)", eventId, reason: "the mapped type is missing" };
  const type = Object.hasOwn(mapping.types, eventType) ? mapping.types[eventType] : undefined;
  if (!type) return { kind: "ignored", eventType, eventId, reason: `event type ${eventType} is not mapped` };
  if (type === "ignore")
    return { kind: "ignored", eventType, eventId, reason: `event type ${eventType} is mapped to ignore` };
  if (!eventId) return { kind: "invalid", eventType, eventId, reason: "the mapped id is missing" };
  const refundOf = at(mapping.refundOf);
  if (type === "refund" && (refundOf === undefined || refundOf === null || refundOf === ""))
    return { kind: "invalid", eventType, eventId, reason: "a refund without the mapped refundOf" };
  return {
    kind: "facts",
    eventType,
    eventId,
    facts: {
      id: `${connectorId}:${type}:${eventId}`,
      type,
      email: at(mapping.email),
      userId: at(mapping.userId),
      name: at(mapping.name),
      course: at(mapping.course),
      amount: at(mapping.amount),
      amountFormat: mapping.amountFormat,
      currency: at(mapping.currency),
      code: at(mapping.code),
      clickId: at(mapping.clickId),
      ...(type === "refund" ? { refundOf: `${connectorId}:enrollment:${String(refundOf).slice(0, 150)}` } : {}),
      occurredAt: at(mapping.occurredAt),
    },
  };
}
