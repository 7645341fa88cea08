/**
 * A story's verification level and its receipt, from strongest to weakest:
 * - `credential_verified`: an Open Badges credential verifies (see credentials/verify.ts) and is
 *   bound to the author: its recipient is the email of the author's learner token, which the
 *   provider signed. It is the only level a credential alone can give about the author, and one
 *   credential gives it to at most one story of a workspace (`claimCredential`).
 * - `provider_attested`: the provider reported a `completion` of the story's course for this learner.
 * - `credential_genuine`: the credential verifies but is not shown to be the author's (no learner
 *   token, a token with another email, a recipient named by DID or name, or the credential already
 *   backs another story). Anyone can paste someone else's public badge, so this says nothing of who
 *   wrote the story and counts as verified nowhere.
 * - `self_reported`: nothing could be checked.
 * A credential that fails never rejects the story: the level stays honest and the receipt says why.
 */
import { and, eq, ne } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { conversions, stories, type VerificationReceipt } from "../../db/schema.ts";
import { sha256Hex } from "../lib/crypto.ts";
import type { Tx } from "../lib/write-transaction.ts";
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

export type Assessment = {
  level: VerificationReceipt["level"];
  receipt: VerificationReceipt;
  /** The credential the story is `credential_verified` by; null at any other level. */
  credentialKey: string | null;
};

type Check = VerificationReceipt["checks"][number];

/** Why a genuine credential does or does not speak for this author. */
function authorCheck(recipient: Check | undefined, bound: boolean): Check {
  if (bound) return { check: "author", result: "pass", detail: "Issued to this story's author" };
  return {
    check: "author",
    result: recipient?.result === "fail" ? "fail" : "skip",
    detail:
      recipient?.result === "fail"
        ? "Genuine, but issued to someone else than this story's author"
        : "Genuine, but not shown to be the author's: it counts as a genuine credential, not a verified one",
  };
}

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
    const genuine = verdict.genuine === true;
    const bound = genuine && verdict.bound === true;
    const level = bound
      ? "credential_verified"
      : completion.result === "pass"
        ? "provider_attested"
        : genuine
          ? "credential_genuine"
          : "self_reported";
    const recipient = verdict.checks.find((check) => check.check === "recipient");
    return {
      level,
      credentialKey: bound ? (verdict.credentialKey ?? null) : null,
      receipt: {
        level,
        checkedAt,
        checks: [...verdict.checks, ...(genuine ? [authorCheck(recipient, bound)] : []), completion],
        credentialHash: verdict.credentialHash,
        issuer: verdict.issuer,
        credential: verdict.credential,
      },
    };
  }
  const level = completion.result === "pass" ? "provider_attested" : "self_reported";
  return {
    level,
    credentialKey: null,
    receipt: {
      level,
      checkedAt,
      checks: [completion, { check: "credential", result: "skip", detail: "No credential was given" }],
    },
  };
}

/**
 * The assessment of story `storyId` once its credential is claimed, inside the write that stores
 * it (a write transaction, so two stories cannot claim one credential at once; the unique index
 * on the stories table is the backstop). A credential that already verifies another story of the
 * workspace leaves this one at the level it has without the credential. A withdrawn or erased
 * story holds no credential (`withdrawnStory`).
 */
export async function claimCredential(
  tx: Tx,
  input: { workspaceId: string; storyId: string; assessment: Assessment },
): Promise<Assessment> {
  const { workspaceId, storyId, assessment } = input;
  if (!assessment.credentialKey) return assessment;
  const [other] = await tx
    .select({ id: stories.id })
    .from(stories)
    .where(
      and(
        eq(stories.workspaceId, workspaceId),
        eq(stories.credentialKey, assessment.credentialKey),
        ne(stories.id, storyId),
      ),
    )
    .limit(1);
  if (!other) return assessment;
  const attested = assessment.receipt.checks.some((check) => check.check === "completion" && check.result === "pass");
  const level = attested ? "provider_attested" : "credential_genuine";
  const checks = assessment.receipt.checks.map(
    (check): Check =>
      check.check === "author"
        ? {
            check: "author",
            result: "fail",
            detail: "Issued to this author, but it already verifies another story in this workspace: it counts once",
          }
        : check,
  );
  return { level, credentialKey: null, receipt: { ...assessment.receipt, level, checks } };
}
