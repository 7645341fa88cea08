/**
 * A story's verification level and its receipt. `credential_verified` when an Open Badges
 * credential verifies (see credentials/verify.ts); else `provider_attested` when the provider
 * reported a `completion` of the story's course for this learner; else `self_reported`. A
 * credential that fails never rejects the story: the level stays honest and the receipt says why.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { conversions, type VerificationReceipt } from "../../db/schema.ts";
import { sha256Hex } from "../lib/crypto.ts";
import type { Fetch } from "./credentials/fetch.ts";
import type { CredentialFetchCache } from "./credentials/fetch-cache.ts";
import { type CredentialInput, inlineCredentialText } from "./credentials/types.ts";
import type { Learner, WorkspaceContext } from "./types.ts";

/**
 * Verifying a credential fetches it, its issuer's keys and its status list: `fetch` is the
 * outbound HTTP to use, and `credentialCache` keeps keys and status lists between verifications
 * (absent, nothing is shared).
 */
export type VerificationContext = WorkspaceContext & { fetch: Fetch; credentialCache?: CredentialFetchCache };

export type Assessment = { level: VerificationReceipt["level"]; receipt: VerificationReceipt };

async function completionCheck(db: Db, workspaceId: string, learner: Learner | null, course: string) {
  if (!learner) {
    return { check: "completion", result: "skip" as const, detail: "The story was posted without a learner token" };
  }
  const [completion] = await db
    .select({ id: conversions.id, occurredAt: conversions.occurredAt })
    .from(conversions)
    .where(
      and(
        eq(conversions.workspaceId, workspaceId),
        eq(conversions.type, "completion"),
        eq(conversions.customerId, learner.externalId),
        eq(conversions.course, course),
      ),
    )
    .limit(1);
  return completion
    ? {
        check: "completion",
        result: "pass" as const,
        detail: `The provider reported a completion of ${course} on ${new Date(completion.occurredAt).toISOString()}`,
      }
    : { check: "completion", result: "fail" as const, detail: `The provider has reported no completion of ${course}` };
}

/**
 * Whether `input` is the credential `receipt` was made from: the same JSON or JWT (by its hash),
 * or the same URL. Sending it again (a form that sends every field on each edit) then changes
 * nothing and fetches nothing.
 */
export async function isSameCredential(receipt: VerificationReceipt | null, input: CredentialInput): Promise<boolean> {
  if (!receipt) return false;
  if ("url" in input) return receipt.credential?.url === input.url;
  return receipt.credentialHash === (await sha256Hex(inlineCredentialText(input)));
}

/** The level and receipt of a story of `course` by `learner`, with the credential when one is given. */
export async function assessStory(
  { db, clock, workspace, fetch, credentialCache }: VerificationContext,
  input: { learner: Learner | null; learnerEmail?: string; course: string; credential?: CredentialInput | null },
): Promise<Assessment> {
  const now = clock.now();
  const checkedAt = now.toISOString();
  const completion = await completionCheck(db, workspace.id, input.learner, input.course);
  if (input.credential) {
    // Loaded on demand: the verification libraries are large and most stories carry no credential.
    const { verifyCredential } = await import("./credentials/verify.ts");
    const verdict = await verifyCredential(input.credential, {
      issuers: workspace.settings.credentialIssuers,
      now,
      fetch,
      cache: credentialCache,
      recipientEmail: input.learnerEmail,
    });
    const level = verdict.verified
      ? "credential_verified"
      : completion.result === "pass"
        ? "provider_attested"
        : "self_reported";
    return {
      level,
      receipt: {
        level,
        checkedAt,
        checks: [...verdict.checks, completion],
        credentialHash: verdict.credentialHash,
        issuer: verdict.issuer,
        credential: verdict.credential,
      },
    };
  }
  const level = completion.result === "pass" ? "provider_attested" : "self_reported";
  return {
    level,
    receipt: {
      level,
      checkedAt,
      checks: [completion, { check: "credential", result: "skip", detail: "No credential was given" }],
    },
  };
}
