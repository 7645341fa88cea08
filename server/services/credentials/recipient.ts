/**
 * Is the learner the credential's recipient? Open Badges 3.0 names recipients with
 * `credentialSubject.identifier` IdentityObjects; an `emailAddress` identity is either plain or
 * `sha256$` + hex(SHA-256(email + salt)); a `credentialSubject.id` of `mailto:…` is a plain one.
 * Recipients named otherwise (a DID, a name) cannot be compared, so they never bind the
 * credential to the author.
 */
import { sha256Hex } from "../../lib/crypto.ts";
import type { Check } from "./types.ts";

type Identity = { identityType?: unknown; identityHash?: unknown; hashed?: unknown; salt?: unknown };

/** The address of a `mailto:` URI; as written when its escapes are broken. */
function mailbox(uri: string): string {
  const address = uri.slice("mailto:".length).split("?")[0] ?? "";
  try {
    return decodeURIComponent(address);
  } catch {
    return address;
  }
}

/** Whether an identity (hashed `sha256$…` with its salt, or plain) is `email`; Open Badges 2.0 uses it too. */
export async function emailMatches(identity: Identity, email: string): Promise<boolean> {
  const value = String(identity.identityHash ?? "");
  const candidates = [...new Set([email, email.trim().toLowerCase()])];
  if (identity.hashed === true || value.startsWith("sha256$")) {
    const expected = value.replace(/^sha256\$/i, "").toLowerCase();
    const salt = typeof identity.salt === "string" ? identity.salt : "";
    for (const candidate of candidates) if ((await sha256Hex(candidate + salt)) === expected) return true;
    return false;
  }
  return candidates.includes(value.trim().toLowerCase()) || candidates.includes(value);
}

export async function checkRecipient(credential: Record<string, unknown>, email: string | undefined): Promise<Check> {
  const subjects = ([] as unknown[]).concat(credential.credentialSubject ?? []) as Record<string, unknown>[];
  const identities = subjects.flatMap((subject) => [
    ...(([] as unknown[]).concat(subject?.identifier ?? []) as Identity[]),
    // A subject `id` of `mailto:` names the recipient's email as plainly as an identifier does.
    ...(typeof subject?.id === "string" && /^mailto:/i.test(subject.id)
      ? [{ identityType: "emailAddress", identityHash: mailbox(subject.id) }]
      : []),
  ]) as Identity[];
  const emails = identities.filter((identity) => identity?.identityType === "emailAddress");
  if (emails.length === 0) {
    const kinds = [...new Set(identities.map((identity) => String(identity?.identityType)))];
    return {
      check: "recipient",
      result: "skip",
      detail:
        kinds.length > 0
          ? `The credential names its recipient by ${kinds.join(", ")}, not by email: not compared`
          : "The credential names no recipient identity to compare with",
    };
  }
  if (!email) return { check: "recipient", result: "skip", detail: "No learner email was given to compare with" };
  for (const identity of emails) {
    if (await emailMatches(identity, email)) {
      return { check: "recipient", result: "pass", detail: "Issued to the signed-in learner's email address" };
    }
  }
  return { check: "recipient", result: "fail", detail: "Issued to another email address than the signed-in learner's" };
}
