/** Learners as the provider knows them: created or refreshed from a verified learner token. */
import { sql } from "drizzle-orm";
import { learners } from "../../db/schema.ts";
import { hmacSha256Hex } from "../lib/crypto.ts";
import { normaliseEmail } from "../lib/email-normalise.ts";
import { newId } from "../lib/ids.ts";
import type { LearnerClaims } from "./learner-tokens.ts";
import type { Learner, SecretContext, WorkspaceContext } from "./types.ts";

/**
 * Emails are compared as salted hashes, so the database never needs them in clear. The hash is of
 * the mailbox (normaliseEmail: `N.ame+1@googlemail.com` is `name@gmail.com`), so one person's
 * spellings of their address hash alike.
 */
export function emailHash(secret: string, email: string): string {
  return hmacSha256Hex(secret, `email:${normaliseEmail(email)}`);
}

/**
 * The hash as stored before addresses were normalised (trimmed and lower-cased only). A learner
 * keeps such a hash until their next token refreshes it, so comparisons try this one too.
 */
export function exactEmailHash(secret: string, email: string): string {
  return hmacSha256Hex(secret, `email:${email.trim().toLowerCase()}`);
}

/** The learner the claims name, created on first sight; later claims refresh the name and email. */
export async function upsertLearner(ctx: WorkspaceContext & SecretContext, claims: LearnerClaims): Promise<Learner> {
  const { db, secret, workspace, clock } = ctx;
  const hashed = claims.email ? emailHash(secret, claims.email) : null;
  const email = workspace.settings.storeEmails ? (claims.email ?? null) : null;
  const [row] = await db
    .insert(learners)
    .values({
      id: newId("lrn"),
      workspaceId: workspace.id,
      externalId: claims.sub,
      name: claims.name ?? null,
      emailHash: hashed,
      email,
      createdAt: clock.now().getTime(),
    })
    .onConflictDoUpdate({
      target: [learners.workspaceId, learners.externalId],
      // A token without a name or email keeps what an earlier token said.
      set: {
        name: sql`coalesce(excluded.name, ${learners.name})`,
        emailHash: sql`coalesce(excluded.email_hash, ${learners.emailHash})`,
        email: sql`coalesce(excluded.email, ${learners.email})`,
      },
    })
    .returning();
  if (!row) throw new Error("learner upsert returned nothing");
  return row;
}
