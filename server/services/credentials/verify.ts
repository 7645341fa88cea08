/**
 * Verifies an Open Badges credential for a story and explains every step: 3.0 here, and 2.0
 * (a hosted or signed assertion, from a URL, a JWS or a baked image) in open-badges-2.ts, whose
 * checks share the names and the verdict rules below. Each check is
 * reported on its own (format, type, issuer, proof, validity, revocation, recipient), so the
 * receipt says exactly why a credential did or did not count. `verified` needs type, issuer,
 * proof and validity to pass, revocation to be known and clear (or the credential to have no
 * status entry), and the recipient not to be someone else. `genuine` leaves the recipient out
 * (the credential is real, whoever holds it); `bound` is genuine and issued to the email given.
 *
 * Everything a credential names is chosen by whoever submits it, so nothing it names is fetched
 * for an issuer the workspace does not trust, nor before its proof verifies (a forged credential
 * may claim a trusted issuer): only the credential's own URL, to read it, and the JWKS URL the
 * workspace configured for a trusted issuer. Status lists are fetched for a genuine credential of
 * a trusted issuer only, and every verification stays within a budget (budget.ts).
 */
import { sha256Hex } from "../../lib/crypto.ts";
import { readBakedBadge } from "./baked-badge.ts";
import { budgetedReader, type ReadRemote, VerificationBudget } from "./budget.ts";
import { verifyDataIntegrity } from "./data-integrity.ts";
import { failureReason } from "./fetch.ts";
import { credentialKey } from "./identity.ts";
import { isOpenBadge2, signedAssertion, verifyOpenBadge2 } from "./open-badges-2.ts";
import { checkRecipient } from "./recipient.ts";
import { checkStatus } from "./status-list.ts";
import {
  type Check,
  type CredentialInput,
  type CredentialIssuerConfig,
  type CredentialSummary,
  type CredentialVerdict,
  inlineCredentialText,
  type VerifyOptions,
} from "./types.ts";
import { credentialFromJwt, jwtPattern, verifyJwtSignature } from "./vc-jwt.ts";

const badgeTypes = ["OpenBadgeCredential", "AchievementCredential"];

const text = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : undefined);

function issuerOf(credential: Record<string, unknown>): { id?: string; name?: string } {
  const issuer = credential.issuer;
  if (typeof issuer === "string") return { id: issuer };
  if (issuer && typeof issuer === "object") {
    const record = issuer as Record<string, unknown>;
    return { id: text(record.id), name: text(record.name) };
  }
  return {};
}

function validityWindow(credential: Record<string, unknown>) {
  return {
    from: text(credential.validFrom) ?? text(credential.issuanceDate),
    until: text(credential.validUntil) ?? text(credential.expirationDate),
  };
}

function checkValidity(credential: Record<string, unknown>, now: Date): Check {
  const { from, until } = validityWindow(credential);
  const at = now.toISOString();
  for (const [label, value] of [
    ["validFrom", from],
    ["validUntil", until],
  ] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
      return { check: "validity", result: "fail", detail: `${label} ${value} is not a date` };
    }
  }
  if (from && Date.parse(from) > now.getTime()) {
    return { check: "validity", result: "fail", detail: `Not valid yet: valid from ${from} (checked ${at})` };
  }
  if (until && Date.parse(until) < now.getTime()) {
    return { check: "validity", result: "fail", detail: `Expired on ${until} (checked ${at})` };
  }
  return { check: "validity", result: "pass", detail: `Valid at ${at} (${validityWindowText(from, until)})` };
}

/** "from A until B", "from A, no expiry", "until B", or "no dates, no expiry": never an empty part. */
export function validityWindowText(from: string | undefined, until: string | undefined): string {
  const start = from ? `from ${from}` : "";
  if (until) return start ? `${start} until ${until}` : `until ${until}`;
  return start ? `${start}, no expiry` : "no start date, no expiry";
}

function summaryOf(credential: Record<string, unknown>, format: CredentialSummary["format"], url?: string) {
  const subject = ([] as unknown[]).concat(credential.credentialSubject ?? [])[0] as
    | Record<string, unknown>
    | undefined;
  const achievement = subject?.achievement as Record<string, unknown> | undefined;
  const { from, until } = validityWindow(credential);
  const summary: CredentialSummary = {
    format,
    id: text(credential.id),
    name: text(achievement?.name) ?? text(credential.name),
    issuedAt: text(credential.awardedDate) ?? from,
    expiresAt: until,
    url,
  };
  return summary;
}

async function load(
  input: CredentialInput,
  read: ReadRemote,
): Promise<{ raw: string; url?: string; json?: Record<string, unknown> }> {
  if ("url" in input) {
    const raw = (await read(input.url, { maxBytes: 256 * 1024, cache: false })).trim();
    return { raw, url: input.url };
  }
  if ("image" in input) {
    // A baked Open Badges image: the assertion (or its URL) is inside.
    const baked = await readBakedBadge(Uint8Array.from(atob(input.image.trim()), (c) => c.charCodeAt(0)));
    if ("url" in baked) return load({ url: baked.url }, read);
    return { raw: baked.text.trim() };
  }
  if ("jwt" in input) return { raw: inlineCredentialText(input) };
  return { raw: inlineCredentialText(input), json: input.json };
}

/** The credential's JSON, from its JSON or its JWT. */
function parse(raw: string, isJwt: boolean, json?: Record<string, unknown>): Record<string, unknown> {
  const parsed = json ?? (isJwt ? credentialFromJwt(raw) : JSON.parse(raw));
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object");
  return parsed as Record<string, unknown>;
}

function typeCheck(credential: Record<string, unknown>): Check {
  const types = ([] as unknown[]).concat(credential.type ?? []);
  const badgeType = badgeTypes.find((type) => types.includes(type));
  return types.includes("VerifiableCredential") && badgeType
    ? { check: "type", result: "pass", detail: `An Open Badges 3.0 ${badgeType}` }
    : {
        check: "type",
        result: "fail",
        detail: `Type ${types.join(", ") || "(none)"} is not an Open Badges credential`,
      };
}

/**
 * The issuer as the receipt names it. Its own name (from the credential) is stated only for a
 * trusted issuer; anyone else's is what it claims to be. The provider's label for a trusted
 * issuer goes beside the issuer's own name, never in its place.
 */
function issuerCheck(
  issuerId: string | undefined,
  issuerName: string | undefined,
  trusted?: CredentialIssuerConfig,
): Check {
  if (!issuerId) return { check: "issuer", result: "fail", detail: "The credential names no issuer" };
  if (trusted) {
    const own = issuerName ? `${issuerName} (${issuerId})` : issuerId;
    const label = trusted.name && trusted.name !== issuerName ? `, listed by this workspace as ${trusted.name}` : "";
    return { check: "issuer", result: "pass", detail: `${own} is on this workspace's issuer list${label}` };
  }
  const claim = issuerName ? `, which claims to be ${issuerName},` : "";
  return {
    check: "issuer",
    result: "fail",
    detail: `Issuer ${issuerId}${claim} is not on this workspace's issuer list`,
  };
}

/** The receipt's issuer: its own name only when trusted, a claimed name otherwise, and the provider's label. */
export function receiptIssuer(
  issuerId: string,
  issuerName: string | undefined,
  trusted: CredentialIssuerConfig | undefined,
): NonNullable<CredentialVerdict["issuer"]> {
  if (!trusted) return { id: issuerId, ...(issuerName ? { claimedName: issuerName } : {}) };
  return {
    id: issuerId,
    ...(issuerName ? { name: issuerName } : {}),
    ...(trusted.name ? { label: trusted.name } : {}),
  };
}

type Loaded = { raw: string; isJwt: boolean; credential: Record<string, unknown> };

async function proofCheck(
  loaded: Loaded,
  issuerId: string | undefined,
  trusted: CredentialIssuerConfig | undefined,
  read: ReadRemote,
): Promise<Check> {
  if (!issuerId) return { check: "proof", result: "fail", detail: "No issuer, so no key to check the proof with" };
  const proof = loaded.isJwt
    ? await verifyJwtSignature(loaded.raw, issuerId, trusted, read)
    : await verifyDataIntegrity(loaded.credential, trusted);
  return { check: "proof", result: proof.ok ? "pass" : "fail", detail: proof.detail };
}

async function revocationCheck(
  credential: Record<string, unknown>,
  issuer: { id: string | undefined; trusted: CredentialIssuerConfig | undefined; proof: Check },
  options: VerifyOptions,
  read: ReadRemote,
  budget: VerificationBudget,
): Promise<Check> {
  const { id: issuerId, trusted, proof } = issuer;
  if (!issuerId) return { check: "revocation", result: "skip", detail: "Not checked without an issuer" };
  if (([] as unknown[]).concat(credential.credentialStatus ?? []).length === 0) {
    return { check: "revocation", result: "skip", detail: "The credential has no status entry (it cannot be revoked)" };
  }
  // The status entries are the issuer's word only once the issuer is trusted and its proof holds.
  if (!trusted) {
    const detail = `Not checked: the issuer is not on this workspace's issuer list, so its status lists are not fetched`;
    return { check: "revocation", result: "skip", detail };
  }
  if (proof.result !== "pass") {
    const detail = `Not checked: the proof does not verify, so the status entries may not be the issuer's`;
    return { check: "revocation", result: "skip", detail };
  }
  const status = await checkStatus(credential, {
    issuerId,
    issuer: trusted,
    read,
    now: options.now,
    maxEntries: budget.limits.statusEntries,
  });
  return {
    check: "revocation",
    result: status.status === "valid" ? "pass" : status.status === "none" ? "skip" : "fail",
    detail: status.status === "unknown" ? `Status unknown: ${status.detail}` : status.detail,
  };
}

/** Whether `value` holds more than `max` objects and arrays (counted without recursion: it may nest deep). */
function exceedsObjects(value: unknown, max: number): boolean {
  const stack = [value];
  let count = 0;
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next === null || typeof next !== "object") continue;
    if (++count > max) return true;
    for (const item of Object.values(next)) stack.push(item);
  }
  return false;
}

/** The checks that must pass; the others may also be skipped (no status list, no email to match). */
const required = ["format", "type", "issuer", "proof", "validity"];

export async function verifyCredential(input: CredentialInput, options: VerifyOptions): Promise<CredentialVerdict> {
  const fail = (check: string, detail: string): CredentialVerdict => ({
    verified: false,
    checks: [{ check, result: "fail", detail }],
  });

  const budget = new VerificationBudget(options.limits);
  const read = budgetedReader(options.fetch, budget, options.cache, options.now.getTime());
  let fetched: Awaited<ReturnType<typeof load>>;
  try {
    fetched = await load(input, read);
  } catch (error) {
    return fail("retrieve", `The credential could not be fetched: ${failureReason(error)}`);
  }
  const credentialHash = await sha256Hex(fetched.raw);
  const isJwt = jwtPattern.test(fetched.raw);
  let credential: Record<string, unknown>;
  try {
    credential = parse(fetched.raw, isJwt, fetched.json);
  } catch (error) {
    return { ...fail("format", `Not a credential: ${failureReason(error)}`), credentialHash };
  }
  // Checking a Data Integrity proof canonicalizes every object of the credential (about 1 ms each).
  if (exceedsObjects(credential, budget.limits.objects)) {
    const detail = `Not checked: the credential has more than ${budget.limits.objects} objects (a badge has a few dozen)`;
    return { ...fail("format", detail), credentialHash };
  }
  const assertion = isJwt ? signedAssertion(fetched.raw) : isOpenBadge2(credential) ? credential : null;
  if (assertion) {
    const ob2 = await verifyOpenBadge2(
      { assertion, ...(isJwt ? { jws: fetched.raw } : {}), ...(fetched.url ? { fetchedFrom: fetched.url } : {}) },
      options,
      read,
    );
    return verdictOf(ob2.checks, {
      credentialHash,
      credentialKey: await credentialKey(assertion, ob2.issuer?.id),
      issuer: ob2.issuer,
      credential: ob2.summary,
    });
  }
  const loaded = { raw: fetched.raw, isJwt, credential };
  const { id: issuerId, name: issuerName } = issuerOf(credential);
  const trusted = issuerId ? options.issuers.find((issuer) => issuer.id === issuerId) : undefined;
  const proof = await proofCheck(loaded, issuerId, trusted, read);
  const checks: Check[] = [
    { check: "format", result: "pass", detail: isJwt ? "VC-JWT" : "JSON-LD credential with an embedded proof" },
    typeCheck(credential),
    issuerCheck(issuerId, issuerName, trusted),
    proof,
    checkValidity(credential, options.now),
    await revocationCheck(credential, { id: issuerId, trusted, proof }, options, read, budget),
    await checkRecipient(credential, options.recipientEmail),
  ];
  return verdictOf(checks, {
    credentialHash,
    credentialKey: await credentialKey(credential, issuerId),
    issuer: issuerId ? receiptIssuer(issuerId, issuerName, trusted) : undefined,
    credential: summaryOf(credential, isJwt ? "vc-jwt" : "data-integrity", fetched.url),
  });
}

/** The verdict of a list of checks (Open Badges 2.0 and 3.0 alike). */
function verdictOf(
  checks: Check[],
  rest: Pick<CredentialVerdict, "credentialHash" | "credentialKey" | "issuer" | "credential">,
): CredentialVerdict {
  const passes = (check: Check) =>
    check.result === "pass" || (check.result === "skip" && !required.includes(check.check));
  // Genuine says nothing of who holds it: whether it is the author's is the recipient check's to say.
  const genuine = checks.every((check) => check.check === "recipient" || passes(check));
  return {
    verified: checks.every(passes),
    genuine,
    bound: genuine && checks.some((check) => check.check === "recipient" && check.result === "pass"),
    checks,
    ...rest,
  };
}
