/**
 * What every connector extracts from an event (its "facts"), and how facts become a Chorus
 * conversion: the learner by email (a salted hash as the customer id unless the program stores
 * emails), the platform's course id through the connector's course map, money in exact minor
 * units, the coupon code as the referral `code`. Nothing else of the payload goes further.
 */
import { z } from "zod";
import { courseSlug } from "../../lib/fields.ts";
import type { ConversionInput, ConversionType } from "../conversion-input.ts";
import { emailHash } from "../learners.ts";
import type { SecretContext, WorkspaceContext } from "../types.ts";
import { knownCurrency, toMinorUnits } from "./amounts.ts";

export type Facts = {
  /** The conversion id: the platform's own id, prefixed by the platform (replays are idempotent). */
  id: string;
  type: ConversionType;
  email?: unknown;
  name?: unknown;
  /** The platform's user id, when no email is sent. */
  userId?: unknown;
  /** The platform's course or product id (mapped), or a Chorus slug (custom endpoints). */
  course?: unknown;
  amount?: unknown;
  amountFormat?: "minor" | "major";
  currency?: unknown;
  /** A coupon or referral code used at checkout: it goes into the conversion's `code`. */
  code?: unknown;
  clickId?: unknown;
  refundOf?: string;
  occurredAt?: unknown;
};

export type Built =
  | { kind: "conversion"; input: ConversionInput }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; reason: string };

export type ConnectorShape = { platform: string; courses: Record<string, string>; currency: string | null };

const text = (value: unknown, max = 200): string | undefined => {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed && trimmed.length <= max ? trimmed : undefined;
};

/** The conversion these facts make, or why they make none. */
export function buildConversion(ctx: WorkspaceContext & SecretContext, connector: ConnectorShape, facts: Facts): Built {
  const rawEmail = text(facts.email, 320);
  const email = rawEmail && z.email().safeParse(rawEmail).success ? rawEmail : undefined;
  if (rawEmail && !email) return { kind: "invalid", reason: "the email is not an email address" };
  const userId = text(facts.userId);
  const customerId = email
    ? ctx.workspace.settings.storeEmails
      ? email
      : `email:${emailHash(ctx.secret, email)}`
    : userId
      ? `${connector.platform}:user:${userId}`
      : undefined;
  // A refund's customer is the original's (filled in when the original is found).
  if (!customerId && facts.type !== "refund") return { kind: "invalid", reason: "the event names no email (learner)" };

  let course: string | undefined;
  const platformCourse = text(facts.course, 100);
  if (platformCourse) {
    course =
      connector.courses[platformCourse] ??
      (connector.platform === "custom" && courseSlug.safeParse(platformCourse).success ? platformCourse : undefined);
    if (!course)
      return {
        kind: "ignored",
        reason: `course ${platformCourse} is not mapped to a Chorus course: add it to the connector's courses`,
      };
  } else if (facts.type === "enrollment" || facts.type === "completion") {
    return { kind: "invalid", reason: "the event names no course" };
  }

  let money: { amount: number; currency: string } | undefined;
  if (facts.amount !== undefined && facts.amount !== null) {
    const named = facts.currency ?? connector.currency;
    const currency = knownCurrency(named);
    if (!currency)
      return {
        kind: "invalid",
        reason: named ? `unknown currency ${String(named).slice(0, 20)}` : "an amount without a currency",
      };
    const amount = toMinorUnits(facts.amount, currency, facts.amountFormat ?? "minor");
    if (!amount.ok) return { kind: "invalid", reason: amount.reason };
    money = { amount: amount.amount, currency };
  }

  let occurredAt: string | undefined;
  if (facts.occurredAt !== undefined && facts.occurredAt !== null) {
    const at = typeof facts.occurredAt === "number" ? facts.occurredAt * 1000 : Date.parse(String(facts.occurredAt));
    if (!Number.isFinite(at) || at < 0 || at > 253_402_300_799_000)
      return { kind: "invalid", reason: "the event's time is not a date" };
    occurredAt = new Date(at).toISOString();
  }

  const name = text(facts.name);
  const code = text(facts.code, 64);
  const clickId = text(facts.clickId, 64);
  return {
    kind: "conversion",
    input: {
      id: facts.id,
      type: facts.type,
      customer: { id: customerId ?? "", ...(email ? { email } : {}), ...(name ? { name } : {}) },
      ...(course ? { course } : {}),
      ...(money ?? {}),
      ...(clickId ? { clickId } : {}),
      ...(code ? { code } : {}),
      ...(facts.refundOf ? { refundOf: facts.refundOf } : {}),
      ...(occurredAt ? { occurredAt } : {}),
      metadata: {
        source: connector.platform,
        ...(clickId ? { referralVia: "click id" } : code ? { referralVia: "coupon or referral code" } : {}),
      },
    },
  };
}
