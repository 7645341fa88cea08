/**
 * Where a referrer wants cash rewards paid (issue 18): a PayPal email, a UPI ID (`name@bank`) or
 * a bank reference. Validated here, sealed at rest with server/lib/secret-box.ts (purpose
 * "payout-method", bound to the workspace and learner, so a row copied to another learner opens
 * for no one), and shown only masked. The finance view opens them only to write a payout batch.
 */
import { and, eq } from "drizzle-orm";
import { payoutMethods } from "../../db/schema.ts";
import { open, seal } from "../lib/secret-box.ts";
import { DomainError } from "./errors.ts";
import type { LearnerClaims } from "./learner-tokens.ts";
import { upsertLearner } from "./learners.ts";
import type { SecretContext, WorkspaceContext } from "./types.ts";

export const payoutMethodKinds = ["paypal", "upi", "bank"] as const;
export type PayoutMethodKind = (typeof payoutMethodKinds)[number];

const purpose = "payout-method";

/** A plain mailbox, as PayPal takes it: no spaces, angle brackets or display names. */
const paypalEmail = /^[^\s<>"(),;:\\@]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
/** NPCI's virtual payment address: a handle, `@`, the bank's (PSP's) name; no dots in the bank part. */
const upiId = /^[A-Za-z0-9][A-Za-z0-9._-]{1,255}@[A-Za-z][A-Za-z0-9]{1,63}$/;
/** A bank reference (account and IFSC, IBAN, a Wise recipient id): letters, digits, spaces and `-/:.`, with digits in it. */
const bankReference = /^(?=.*\d)[A-Za-z0-9][A-Za-z0-9 \-/:.]{3,62}[A-Za-z0-9]$/;

const rules: Record<PayoutMethodKind, { pattern: RegExp; message: string; normalise: (v: string) => string }> = {
  paypal: {
    pattern: paypalEmail,
    message: "a PayPal email address such as priya@example.com",
    normalise: (v) => v.trim().toLowerCase(),
  },
  upi: { pattern: upiId, message: "a UPI ID such as priya@okaxis", normalise: (v) => v.trim().toLowerCase() },
  bank: {
    pattern: bankReference,
    message: "a bank reference of 5–64 letters and digits, such as 123456789012 HDFC0001234",
    normalise: (v) => v.trim().replace(/\s+/g, " ").toUpperCase(),
  },
};

/** The value in its stored form, or the validation error's message. */
export function normalisePayoutDetails(kind: PayoutMethodKind, value: string): { value: string } | { error: string } {
  const rule = rules[kind];
  const normalised = rule.normalise(value);
  if (normalised.length > 254 || !rule.pattern.test(normalised)) return { error: rule.message };
  return { value: normalised };
}

const dots = "••••";

/** What the referrer and the finance view see: enough to recognise the method, never enough to use it. */
export function maskPayoutDetails(kind: PayoutMethodKind, value: string): string {
  if (kind === "bank") return `${dots}${value.replace(/[^A-Za-z0-9]/g, "").slice(-4)}`;
  const at = value.lastIndexOf("@");
  const local = value.slice(0, at);
  const shown = kind === "upi" ? local.slice(0, 2) : local.slice(0, 1);
  return `${shown}${dots}${value.slice(at)}`;
}

export type PayoutMethodJson = { kind: PayoutMethodKind; masked: string; updatedAt: string };

const owner = (workspaceId: string, learnerId: string) => `${workspaceId}:${learnerId}`;

function checkedDetails(kind: PayoutMethodKind, details: string): string {
  const checked = normalisePayoutDetails(kind, details);
  if ("error" in checked)
    throw new DomainError("invalid_request", "The request body is invalid", [
      { path: "details", message: checked.error },
    ]);
  return checked.value;
}

/**
 * The card's `PUT /v1/referrals/me/payout-method`: the learner the token names (made on first
 * sight) gets the method; details are checked first, so a refused request stores nothing at all.
 */
export async function setOwnPayoutMethod(
  ctx: WorkspaceContext & SecretContext,
  input: { claims: LearnerClaims; kind: PayoutMethodKind; details: string },
): Promise<PayoutMethodJson> {
  checkedDetails(input.kind, input.details);
  const learner = await upsertLearner(ctx, input.claims);
  return setPayoutMethod(ctx, { learnerId: learner.id, kind: input.kind, details: input.details });
}

/** Stores (or replaces) the learner's payout method; bad details are a 400 naming the field. */
export async function setPayoutMethod(
  ctx: WorkspaceContext & SecretContext,
  input: { learnerId: string; kind: PayoutMethodKind; details: string },
): Promise<PayoutMethodJson> {
  const { db, workspace, secret, clock } = ctx;
  const checked = { value: checkedDetails(input.kind, input.details) };
  const detailsCiphertext = await seal({
    secret,
    purpose,
    owner: owner(workspace.id, input.learnerId),
    plaintext: checked.value,
  });
  const masked = maskPayoutDetails(input.kind, checked.value);
  const updatedAt = clock.now().getTime();
  const values = { kind: input.kind, detailsCiphertext, masked, updatedAt };
  await db
    .insert(payoutMethods)
    .values({ workspaceId: workspace.id, learnerId: input.learnerId, ...values })
    .onConflictDoUpdate({ target: [payoutMethods.workspaceId, payoutMethods.learnerId], set: values });
  return { kind: input.kind, masked, updatedAt: new Date(updatedAt).toISOString() };
}

/** The learner's payout method, masked; null when they have none. */
export async function getPayoutMethod(
  { db, workspace }: WorkspaceContext,
  input: { learnerId: string },
): Promise<PayoutMethodJson | null> {
  const [row] = await db
    .select()
    .from(payoutMethods)
    .where(and(eq(payoutMethods.workspaceId, workspace.id), eq(payoutMethods.learnerId, input.learnerId)));
  return row ? { kind: row.kind, masked: row.masked, updatedAt: new Date(row.updatedAt).toISOString() } : null;
}

/** Removes the learner's payout method (cash rewards then wait until they add one). */
export async function deletePayoutMethod({ db, workspace }: WorkspaceContext, input: { learnerId: string }) {
  await db
    .delete(payoutMethods)
    .where(and(eq(payoutMethods.workspaceId, workspace.id), eq(payoutMethods.learnerId, input.learnerId)));
}

export type OpenedPayoutMethod = { learnerId: string; kind: PayoutMethodKind; details: string; masked: string };

/** The clear details of these learners' methods, for writing a batch file only; unreadable rows are left out. */
export async function openPayoutMethods(
  { db, workspace, secret }: WorkspaceContext & SecretContext,
  input: { kind: PayoutMethodKind },
): Promise<Map<string, OpenedPayoutMethod>> {
  const rows = await db
    .select()
    .from(payoutMethods)
    .where(and(eq(payoutMethods.workspaceId, workspace.id), eq(payoutMethods.kind, input.kind)));
  const opened = new Map<string, OpenedPayoutMethod>();
  for (const row of rows) {
    const details = await open({
      secret,
      purpose,
      owner: owner(workspace.id, row.learnerId),
      sealed: row.detailsCiphertext,
    });
    if (details !== null)
      opened.set(row.learnerId, { learnerId: row.learnerId, kind: row.kind, details, masked: row.masked });
  }
  return opened;
}
