/**
 * A workspace's block list, filled from the review queue: a customer email (kept as its salted
 * hash, never the address), an email domain, a network signal of a click (network key or IP
 * hash) or a banned referrer. It judges future conversions only, as a fraud rule step
 * (`blockListStep`) that says in the decision log what fired.
 */
import { and, asc, eq, inArray, or } from "drizzle-orm";
import type { DecisionStep } from "../../db/schema.ts";
import { blockList, clicks, conversions } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import type { Attribution } from "./attribution.ts";
import { recordAudit } from "./audit.ts";
import { DomainError } from "./errors.ts";
import { emailHash } from "./learners.ts";
import type { DbOrTx } from "./outbox.ts";
import type { SecretContext, TransactionContext, WorkspaceContext } from "./types.ts";

export type BlockKind = (typeof blockList.$inferSelect)["kind"];
type BlockRow = typeof blockList.$inferSelect;

/** The API shape: an email block shows that it is one, never whose. */
export function blockJson(row: BlockRow) {
  return {
    id: row.id,
    kind: row.kind,
    value: row.kind === "email" || row.kind === "network" || row.kind === "ip" ? "(hashed)" : row.value,
    reason: row.reason,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}
export type BlockJson = ReturnType<typeof blockJson>;

/**
 * What to block, by value or from a case: `email` (an address typed by the admin, or the
 * customer of `conversionId`), `domain` (typed), `network` (the click of `conversionId`: its
 * network key, else its IP hash).
 */
export type BlockInput = {
  kind: "email" | "domain" | "network";
  value?: string;
  conversionId?: string;
  reason: string;
};

const domainPattern = /^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

async function caseConversion(tx: DbOrTx, workspaceId: string, conversionId: string | undefined) {
  if (!conversionId) throw new DomainError("invalid_request", "Give a value or the conversion to take it from");
  const [row] = await tx
    .select()
    .from(conversions)
    .where(and(eq(conversions.workspaceId, workspaceId), eq(conversions.id, conversionId)));
  if (!row) throw new DomainError("not_found", `No conversion ${conversionId} in this workspace`);
  return row;
}

async function blockValue(
  tx: DbOrTx,
  ctx: WorkspaceContext & SecretContext,
  input: BlockInput,
): Promise<{ kind: BlockKind; value: string }> {
  const workspaceId = ctx.workspace.id;
  if (input.kind === "domain") {
    const domain = (input.value ?? "").trim().toLowerCase().replace(/^@/, "");
    if (!domainPattern.test(domain))
      throw new DomainError("invalid_request", "A domain looks like example.com", [
        { path: "value", message: "a domain" },
      ]);
    return { kind: "domain", value: domain };
  }
  if (input.kind === "email") {
    if (input.value !== undefined) {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.value))
        throw new DomainError("invalid_request", "Not an email address", [{ path: "value", message: "an email" }]);
      return { kind: "email", value: emailHash(ctx.secret, input.value) };
    }
    const row = await caseConversion(tx, workspaceId, input.conversionId);
    if (!row.customerEmailHash) throw new DomainError("conflict", "This conversion came without a customer email");
    return { kind: "email", value: row.customerEmailHash };
  }
  const row = await caseConversion(tx, workspaceId, input.conversionId);
  const [click] = row.clickId
    ? await tx
        .select({ networkKey: clicks.networkKey, ipHash: clicks.ipHash })
        .from(clicks)
        .where(and(eq(clicks.workspaceId, workspaceId), eq(clicks.id, row.clickId)))
    : [];
  if (click?.networkKey) return { kind: "network", value: click.networkKey };
  if (click?.ipHash) return { kind: "ip", value: click.ipHash };
  throw new DomainError("conflict", "This conversion has no click with a network signal to block");
}

/** Adds an entry (again: no change, the first reason stays). */
export async function addBlock(ctx: WorkspaceContext & SecretContext, input: BlockInput): Promise<BlockJson> {
  const reason = input.reason.trim();
  if (!reason) throw new DomainError("invalid_request", "Say why", [{ path: "reason", message: "required" }]);
  return writeTransaction(ctx.db, async (tx) => {
    const { kind, value } = await blockValue(tx, ctx, input);
    const [created] = await tx
      .insert(blockList)
      .values({
        id: newId("blk"),
        workspaceId: ctx.workspace.id,
        kind,
        value,
        reason,
        createdAt: ctx.clock.now().getTime(),
      })
      .onConflictDoNothing()
      .returning();
    if (created) {
      await recordAudit(
        { ...ctx, tx },
        {
          action: "block.add",
          targetId: created.id,
          before: null,
          after: { ...blockJson(created), conversionId: input.conversionId ?? null },
        },
      );
      return blockJson(created);
    }
    const [existing] = await tx
      .select()
      .from(blockList)
      .where(and(eq(blockList.workspaceId, ctx.workspace.id), eq(blockList.kind, kind), eq(blockList.value, value)));
    return blockJson(existing as BlockRow);
  });
}

/** Bans a referrer (inside the review's transaction): their codes stop crediting. */
export async function banReferrer(
  step: TransactionContext,
  input: { learnerId: string; reason: string },
): Promise<void> {
  await step.tx
    .insert(blockList)
    .values({
      id: newId("blk"),
      workspaceId: step.workspace.id,
      kind: "referrer",
      value: input.learnerId,
      learnerId: input.learnerId,
      reason: input.reason,
      createdAt: step.clock.now().getTime(),
    })
    .onConflictDoNothing();
}

export async function listBlocks(ctx: WorkspaceContext) {
  const rows = await ctx.db
    .select()
    .from(blockList)
    .where(eq(blockList.workspaceId, ctx.workspace.id))
    .orderBy(asc(blockList.createdAt), asc(blockList.id));
  return { items: rows.map(blockJson) };
}

export async function removeBlock(ctx: WorkspaceContext, input: { id: string }): Promise<void> {
  await writeTransaction(ctx.db, async (tx) => {
    const [removed] = await tx
      .delete(blockList)
      .where(and(eq(blockList.workspaceId, ctx.workspace.id), eq(blockList.id, input.id)))
      .returning();
    if (!removed) throw new DomainError("not_found", `No block ${input.id} in this workspace`);
    await recordAudit(
      { ...ctx, tx },
      {
        action: "block.remove",
        targetId: removed.id,
        before: blockJson(removed),
        after: null,
        learnerId: removed.learnerId,
      },
    );
  });
}

const plain: Record<BlockKind, string> = {
  referrer: "the referrer is banned",
  email: "the customer's email address is blocked",
  domain: "the customer's email domain is blocked",
  network: "the click came from a blocked network",
  ip: "the click came from a blocked IP address",
};

/**
 * The fraud rule step: fails when the referrer is banned or the customer's email, its domain (or
 * a domain it is under) or the click's network is on the list. `banned` tells the caller the
 * referrer's rewards are not to be held but voided.
 */
export async function blockListStep(
  { tx, workspace }: TransactionContext,
  input: { attribution: Attribution; customer: { email?: string; emailHashes: string[] } },
): Promise<{ step: DecisionStep; banned: boolean }> {
  const { attribution, customer } = input;
  const wanted: { kind: BlockKind; value: string }[] = [];
  if (attribution.referrer) wanted.push({ kind: "referrer", value: attribution.referrer.id });
  for (const hash of customer.emailHashes) wanted.push({ kind: "email", value: hash });
  if (customer.email) {
    const labels = customer.email
      .slice(customer.email.lastIndexOf("@") + 1)
      .toLowerCase()
      .split(".");
    for (let i = 0; i < labels.length - 1; i++) wanted.push({ kind: "domain", value: labels.slice(i).join(".") });
  }
  if (attribution.click?.networkKey) wanted.push({ kind: "network", value: attribution.click.networkKey });
  if (attribution.click?.ipHash) wanted.push({ kind: "ip", value: attribution.click.ipHash });
  const hits = await tx
    .select({ kind: blockList.kind, value: blockList.value, reason: blockList.reason })
    .from(blockList)
    .where(
      and(
        eq(blockList.workspaceId, workspace.id),
        or(...wanted.map((w) => and(eq(blockList.kind, w.kind), eq(blockList.value, w.value)))),
      ),
    );
  if (hits.length === 0)
    return {
      step: { rule: "block-list", result: "pass", detail: "nothing on the workspace's block list" },
      banned: false,
    };
  const detail = hits
    .map((hit) => `${plain[hit.kind]}${hit.kind === "domain" ? ` (${hit.value})` : ""}: ${hit.reason}`)
    .join("; ");
  return {
    step: { rule: "block-list", result: "fail", detail: `block list: ${detail}` },
    banned: hits.some((hit) => hit.kind === "referrer"),
  };
}

/** Erasure: bans naming the learner and blocks of their email go with them. */
export async function forgetBlocks(
  step: { tx: DbOrTx; workspaceId: string },
  input: { learnerId: string; emailHash: string | null },
): Promise<number> {
  const removed = await step.tx
    .delete(blockList)
    .where(
      and(
        eq(blockList.workspaceId, step.workspaceId),
        or(
          eq(blockList.learnerId, input.learnerId),
          input.emailHash ? and(eq(blockList.kind, "email"), inArray(blockList.value, [input.emailHash])) : undefined,
        ),
      ),
    )
    .returning({ id: blockList.id });
  return removed.length;
}
