/**
 * Verifies an Open Badges 3.0 credential for a story and explains every step. Each check is
 * reported on its own (format, type, issuer, proof, validity, revocation, recipient), so the
 * receipt says exactly why a credential did or did not count. `verified` needs type, issuer,
 * proof and validity to pass, revocation to be known and clear (or the credential to have no
 * status entry), and the recipient not to be someone else.
 */
import { sha256Hex } from "../../lib/crypto.ts";
import { verifyDataIntegrity } from "./data-integrity.ts";
import { failureReason, fetchText } from "./fetch.ts";
import { checkRecipient } from "./recipient.ts";
import { checkStatus } from "./status-list.ts";
import type {
  Check,
  CredentialInput,
  CredentialIssuerConfig,
  CredentialSummary,
  CredentialVerdict,
  VerifyOptions,
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
  return {
    check: "validity",
    result: "pass",
    detail: `Valid at ${at}${from ? ` (from ${from}` : " ("}${until ? ` until ${until})` : ", no expiry)"}`,
  };
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

async function load(input: CredentialInput, options: VerifyOptions) {
  if ("url" in input) {
    const raw = (await fetchText(options.fetch, input.url)).trim();
    return { raw, url: input.url };
  }
  if ("jwt" in input) return { raw: input.jwt.trim() };
  return { raw: JSON.stringify(input.json), json: input.json };
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

function issuerCheck(
  issuerId: string | undefined,
  issuerName: string | undefined,
  trusted?: CredentialIssuerConfig,
): Check {
  if (trusted)
    return {
      check: "issuer",
      result: "pass",
      detail: `${trusted.name ?? issuerName ?? issuerId} is on this workspace's issuer list`,
    };
  return {
    check: "issuer",
    result: "fail",
    detail: issuerId ? `Issuer ${issuerId} is not on this workspace's issuer list` : "The credential names no issuer",
  };
}

type Loaded = { raw: string; isJwt: boolean; credential: Record<string, unknown> };

async function proofCheck(
  loaded: Loaded,
  issuerId: string | undefined,
  trusted: CredentialIssuerConfig | undefined,
  options: VerifyOptions,
): Promise<Check> {
  if (!issuerId) return { check: "proof", result: "fail", detail: "No issuer, so no key to check the proof with" };
  const proof = loaded.isJwt
    ? await verifyJwtSignature(loaded.raw, issuerId, trusted, options.fetch)
    : await verifyDataIntegrity(loaded.credential, trusted);
  return { check: "proof", result: proof.ok ? "pass" : "fail", detail: proof.detail };
}

async function revocationCheck(
  credential: Record<string, unknown>,
  issuerId: string | undefined,
  trusted: CredentialIssuerConfig | undefined,
  options: VerifyOptions,
): Promise<Check> {
  if (!issuerId) return { check: "revocation", result: "skip", detail: "Not checked without an issuer" };
  const status = await checkStatus(credential, { issuerId, issuer: trusted, fetch: options.fetch, now: options.now });
  return {
    check: "revocation",
    result: status.status === "valid" ? "pass" : status.status === "none" ? "skip" : "fail",
    detail: status.status === "unknown" ? `Status unknown: ${status.detail}` : status.detail,
  };
}

/** The checks that must pass; the others may also be skipped (no status list, no email to match). */
const required = ["format", "type", "issuer", "proof", "validity"];

export async function verifyCredential(input: CredentialInput, options: VerifyOptions): Promise<CredentialVerdict> {
  const fail = (check: string, detail: string): CredentialVerdict => ({
    verified: false,
    checks: [{ check, result: "fail", detail }],
  });

  let fetched: Awaited<ReturnType<typeof load>>;
  try {
    fetched = await load(input, options);
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
  const loaded = { raw: fetched.raw, isJwt, credential };
  const { id: issuerId, name: issuerName } = issuerOf(credential);
  const trusted = issuerId ? options.issuers.find((issuer) => issuer.id === issuerId) : undefined;
  const checks: Check[] = [
    { check: "format", result: "pass", detail: isJwt ? "VC-JWT" : "JSON-LD credential with an embedded proof" },
    typeCheck(credential),
    issuerCheck(issuerId, issuerName, trusted),
    await proofCheck(loaded, issuerId, trusted, options),
    checkValidity(credential, options.now),
    await revocationCheck(credential, issuerId, trusted, options),
    await checkRecipient(credential, options.recipientEmail),
  ];
  const verified = checks.every(
    (check) => check.result === "pass" || (check.result === "skip" && !required.includes(check.check)),
  );
  return {
    verified,
    checks,
    credentialHash,
    issuer: issuerId ? { id: issuerId, name: trusted?.name ?? issuerName } : undefined,
    credential: summaryOf(credential, isJwt ? "vc-jwt" : "data-integrity", fetched.url),
  };
}
