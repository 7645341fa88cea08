/**
 * Passkeys (WebAuthn) for team members, through @simplewebauthn/server (Web Crypto only, so it
 * runs on Node and Workers alike). The server makes every challenge and keeps it in
 * `webauthn_challenges`: a response is checked against the one the caller names, which is deleted
 * as it is read (used once) and refused after `challengeTtlMs`. The relying party is the server's
 * public origin, so a response made for another origin or host fails. The signature counter must
 * grow when the authenticator keeps one (a cloned authenticator shows an old counter). Adding or
 * removing a passkey is a change to who can sign in, so the audit trail records it (a stolen
 * session that adds a passkey of its own shows there).
 */
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { and, eq, lte } from "drizzle-orm";
import { memberPasskeys, teamMembers, webauthnChallenges } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { writeTransaction } from "../lib/write-transaction.ts";
import { recordAudit } from "./audit.ts";
import { type Member, startSession } from "./dashboard-sessions.ts";
import { DomainError } from "./errors.ts";
import type { ServiceContext, WorkspaceContext } from "./types.ts";

/** A challenge must be answered within five minutes. */
export const challengeTtlMs = 5 * 60_000;

/** Where passkeys belong: the server's public origin (`https://host[:port]`) and its host name. */
export type RelyingParty = { origin: string; rpId: string; name: string };

export const relyingParty = (origin: string): RelyingParty => ({
  origin,
  rpId: new URL(origin).hostname,
  name: "Chorus",
});

/**
 * @simplewebauthn/server with its ASN.1 and CBOR decoders (~200 KB minified) is loaded by the
 * first passkey request, not at start-up: on Workers it is a chunk of its own that a cold start
 * does not parse (worker.build.ts). Later calls reuse the loaded module.
 */
const webauthn = () => import("@simplewebauthn/server");
const webauthnHelpers = () => import("@simplewebauthn/server/helpers");

type Transport = "ble" | "cable" | "hybrid" | "internal" | "nfc" | "smart-card" | "usb";

async function storeChallenge(
  { db, clock }: ServiceContext,
  input: { challenge: string; memberId: string | null; workspaceId: string | null },
): Promise<string> {
  const now = clock.now().getTime();
  const id = newId("wac");
  await db.batch([
    db.delete(webauthnChallenges).where(lte(webauthnChallenges.expiresAt, now)),
    db.insert(webauthnChallenges).values({ id, ...input, expiresAt: now + challengeTtlMs, createdAt: now }),
  ]);
  return id;
}

/** The challenge `id` names, deleted as it is read; refused when unknown, used, expired or someone else's. */
async function takeChallenge(
  { db, clock }: ServiceContext,
  { id, memberId }: { id: string; memberId: string | null },
): Promise<string> {
  const [row] = await db.delete(webauthnChallenges).where(eq(webauthnChallenges.id, id)).returning();
  if (!row || row.expiresAt <= clock.now().getTime() || row.memberId !== memberId)
    throw new DomainError("unauthorized", "This passkey request has expired; start again", { reason: "challenge" });
  return row.challenge;
}

const refused = () => new DomainError("unauthorized", "The passkey was not accepted", { reason: "passkey" });

/** The member's passkeys, for the Team page (ids and dates, no keys). */
export async function listPasskeys({ db }: ServiceContext, { member }: { member: Member }) {
  return db
    .select({ id: memberPasskeys.id, createdAt: memberPasskeys.createdAt, lastUsedAt: memberPasskeys.lastUsedAt })
    .from(memberPasskeys)
    .where(and(eq(memberPasskeys.workspaceId, member.workspaceId), eq(memberPasskeys.memberId, member.id)));
}

/** Options for adding a passkey (the signed-in member's): a challenge and the passkeys to exclude. */
export async function registrationOptions(ctx: ServiceContext, input: { member: Member; rp: RelyingParty }) {
  const existing = await listPasskeys(ctx, input);
  const { generateRegistrationOptions } = await webauthn();
  const options = await generateRegistrationOptions({
    rpName: input.rp.name,
    rpID: input.rp.rpId,
    userName: input.member.email,
    userID: new Uint8Array(new TextEncoder().encode(input.member.id)),
    attestationType: "none",
    excludeCredentials: existing.map((passkey) => ({ id: passkey.id })),
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  });
  const challengeId = await storeChallenge(ctx, {
    challenge: options.challenge,
    memberId: input.member.id,
    workspaceId: input.member.workspaceId,
  });
  return { challengeId, options };
}

/** Checks an authenticator's registration against its challenge and stores the passkey (audited). */
export async function registerPasskey(
  ctx: WorkspaceContext,
  input: { member: Member; rp: RelyingParty; challengeId: string; response: RegistrationResponseJSON },
): Promise<{ id: string }> {
  const expectedChallenge = await takeChallenge(ctx, { id: input.challengeId, memberId: input.member.id });
  const [{ verifyRegistrationResponse }, { isoBase64URL }] = await Promise.all([webauthn(), webauthnHelpers()]);
  const verification = await verifyRegistrationResponse({
    response: input.response,
    expectedChallenge,
    expectedOrigin: input.rp.origin,
    expectedRPID: input.rp.rpId,
    requireUserVerification: false,
  }).catch(() => null);
  if (!verification?.verified || !verification.registrationInfo) throw refused();
  const { credential } = verification.registrationInfo;
  return writeTransaction(ctx.db, async (tx) => {
    const inserted = await tx
      .insert(memberPasskeys)
      .values({
        id: credential.id,
        workspaceId: input.member.workspaceId,
        memberId: input.member.id,
        publicKey: isoBase64URL.fromBuffer(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports ?? [],
        createdAt: ctx.clock.now().getTime(),
      })
      .onConflictDoNothing()
      .returning({ id: memberPasskeys.id });
    if (inserted.length === 0) throw new DomainError("conflict", "This passkey is already registered");
    await recordAudit(
      { ...ctx, tx },
      { action: "passkey.add", targetId: input.member.id, after: { passkeyId: credential.id } },
    );
    return { id: credential.id };
  });
}

/** Options for signing in with a passkey: a challenge; the authenticator offers its own passkeys. */
export async function authenticationOptions(ctx: ServiceContext, { rp }: { rp: RelyingParty }) {
  const { generateAuthenticationOptions } = await webauthn();
  const options = await generateAuthenticationOptions({ rpID: rp.rpId, userVerification: "preferred" });
  const challengeId = await storeChallenge(ctx, { challenge: options.challenge, memberId: null, workspaceId: null });
  return { challengeId, options };
}

/** Checks a passkey assertion (origin, challenge, signature, counter) and starts a session. */
export async function signInWithPasskey(
  ctx: ServiceContext,
  input: { rp: RelyingParty; challengeId: string; response: AuthenticationResponseJSON },
) {
  const expectedChallenge = await takeChallenge(ctx, { id: input.challengeId, memberId: null });
  const [row] = await ctx.db
    .select({ passkey: memberPasskeys, member: teamMembers })
    .from(memberPasskeys)
    .innerJoin(teamMembers, eq(teamMembers.id, memberPasskeys.memberId))
    .where(eq(memberPasskeys.id, input.response.id));
  if (!row || row.member.workspaceId !== row.passkey.workspaceId) throw refused();
  const [{ verifyAuthenticationResponse }, { isoBase64URL }] = await Promise.all([webauthn(), webauthnHelpers()]);
  const verification = await verifyAuthenticationResponse({
    response: input.response,
    expectedChallenge,
    expectedOrigin: input.rp.origin,
    expectedRPID: input.rp.rpId,
    credential: {
      id: row.passkey.id,
      publicKey: isoBase64URL.toBuffer(row.passkey.publicKey),
      counter: row.passkey.counter,
      transports: row.passkey.transports as Transport[],
    },
    requireUserVerification: false,
  }).catch(() => null);
  if (!verification?.verified) throw refused();
  const now = ctx.clock.now().getTime();
  await ctx.db
    .update(memberPasskeys)
    .set({ counter: verification.authenticationInfo.newCounter, lastUsedAt: now })
    .where(eq(memberPasskeys.id, row.passkey.id));
  const session = await startSession(ctx, { member: row.member });
  return { ...session, member: row.member };
}

/** Removes one of the signed-in member's own passkeys (audited). */
export async function removePasskey(ctx: WorkspaceContext, { member, id }: { member: Member; id: string }) {
  await writeTransaction(ctx.db, async (tx) => {
    const removed = await tx
      .delete(memberPasskeys)
      .where(
        and(
          eq(memberPasskeys.id, id),
          eq(memberPasskeys.memberId, member.id),
          eq(memberPasskeys.workspaceId, member.workspaceId),
        ),
      )
      .returning({ id: memberPasskeys.id });
    if (removed.length === 0) throw new DomainError("not_found", "No such passkey of yours");
    await recordAudit({ ...ctx, tx }, { action: "passkey.remove", targetId: member.id, before: { passkeyId: id } });
  });
}
