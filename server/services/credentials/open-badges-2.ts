/**
 * Open Badges 2.0 (what Credly, Accredible and Badgr issue), verified as the 2.0 specification
 * says. The assertion comes from a URL, a baked image or a pasted JWS; its badge class and issuer
 * profile are read from their URLs when they are not embedded (all through the budgeted, SSRF-
 * guarded reader). Checks, each reported on its own:
 * - hosted verification: the assertion's own `id` is an https URL within the issuer's verification
 *   policy (by default its origin), and fetching that `id` answers this very assertion;
 * - signed verification: a JWS whose key (`verification.creator`) is one of the issuer profile's
 *   public keys (or lives under the profile's URL), is owned by the issuer, and verifies (jose);
 * - revocation: the assertion's `revoked` flag, and the issuer's `revocationList`;
 * - validity: `expires` in the past (or `issuedOn` in the future) fails;
 * - recipient: `sha256$…` with its `salt`, or a plain email, against the learner's verified email.
 * As for 3.0, the issuer must be on the workspace's list, and nothing beyond the badge class is
 * fetched for an issuer that is not (nor a revocation list before the proof holds).
 */
import { compactVerify, decodeProtectedHeader, importSPKI } from "jose";
import { canonicalJson } from "../../lib/canonical-json.ts";
import type { ReadRemote } from "./budget.ts";
import { failureReason } from "./fetch.ts";
import { emailMatches } from "./recipient.ts";
import type { Check, CredentialIssuerConfig, CredentialSummary } from "./types.ts";

type Json = Record<string, unknown>;

const context2 = "https://w3id.org/openbadges/v2";
const text = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : undefined);
const list = (value: unknown) => ([] as unknown[]).concat(value ?? []);
const idOf = (value: unknown) => (typeof value === "string" ? value : text((value as Json | null)?.id));
const documentCap = { maxBytes: 256 * 1024, cache: false };

/** Whether `document` is an Open Badges 2.0 assertion (by its context or its type and shape). */
export function isOpenBadge2(document: Json): boolean {
  const contexts = list(document["@context"]);
  const types = list(document.type);
  return contexts.includes(context2) || (types.includes("Assertion") && "badge" in document && "recipient" in document);
}

/** The assertion inside a signed 2.0 badge (a JWS whose payload is the assertion), or null. */
export function signedAssertion(jws: string): Json | null {
  try {
    const payload = jws.split(".")[1] ?? "";
    const parsed = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
      ),
    );
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) && isOpenBadge2(parsed)
      ? (parsed as Json)
      : null;
  } catch {
    return null;
  }
}

async function readJson(read: ReadRemote, url: string): Promise<Json> {
  if (!/^https?:\/\//i.test(url)) throw new Error(`${url} is not a URL`);
  const parsed = JSON.parse(await read(url, documentCap)) as unknown;
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`${url} is not a JSON object`);
  return parsed as Json;
}

/** The embedded object, or the one its URL answers. */
async function resolve(value: unknown, read: ReadRemote, what: string): Promise<Json> {
  if (value && typeof value === "object" && !Array.isArray(value)) return value as Json;
  if (typeof value !== "string") throw new Error(`the assertion names no ${what}`);
  return readJson(read, value);
}

export type Ob2Input = {
  assertion: Json;
  /** The compact JWS, for a signed badge. */
  jws?: string;
  /** The URL the assertion was read from, when it was. */
  fetchedFrom?: string;
};

export type Ob2Result = {
  checks: Check[];
  issuer?: { id: string; name?: string; claimedName?: string; label?: string };
  summary: CredentialSummary;
};

const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/** Whether `assertionId` is within the issuer's hosted verification policy (default: the issuer's origin). */
function inScope(assertionId: string, profile: Json, issuerId: string): boolean {
  const policy = (profile.verification ?? {}) as Json;
  const host = (() => {
    try {
      return new URL(assertionId).host;
    } catch {
      return null;
    }
  })();
  const allowed = list(policy.allowedOrigins).filter((item): item is string => typeof item === "string");
  const prefixes = list(policy.startsWith).filter((item): item is string => typeof item === "string");
  if (allowed.length > 0 || prefixes.length > 0) {
    return (host !== null && allowed.includes(host)) || prefixes.some((prefix) => assertionId.startsWith(prefix));
  }
  return origin(assertionId) !== null && origin(assertionId) === origin(issuerId);
}

async function hostedCheck(input: Ob2Input, profile: Json, issuerId: string, read: ReadRemote): Promise<Check> {
  const id = text(input.assertion.id);
  if (!id || !/^https:\/\//i.test(id)) {
    return { check: "proof", result: "fail", detail: "Hosted verification: the assertion's id is not an https URL" };
  }
  if (!inScope(id, profile, issuerId)) {
    return {
      check: "proof",
      result: "fail",
      detail: `Hosted verification: ${id} is outside the issuer's verification policy (by default the issuer's origin)`,
    };
  }
  if (input.fetchedFrom === id) {
    return { check: "proof", result: "pass", detail: `Hosted verification: read from its own id, ${id}` };
  }
  try {
    const hosted = await readJson(read, id);
    if (canonicalJson(hosted) !== canonicalJson(input.assertion)) {
      return {
        check: "proof",
        result: "fail",
        detail: `Hosted verification: ${id} answers another assertion than the one given`,
      };
    }
    return { check: "proof", result: "pass", detail: `Hosted verification: ${id} answers this assertion` };
  } catch (error) {
    return { check: "proof", result: "fail", detail: `Hosted verification: ${failureReason(error)}` };
  }
}

async function signedCheck(input: Ob2Input, profile: Json, issuerId: string, read: ReadRemote): Promise<Check> {
  const creator = text((input.assertion.verification as Json | undefined)?.creator);
  if (!input.jws) return { check: "proof", result: "fail", detail: "Signed verification: no signature was given" };
  if (!creator)
    return {
      check: "proof",
      result: "fail",
      detail: "Signed verification: the assertion names no key (verification.creator)",
    };
  const listed = list(profile.publicKey).map(idOf).includes(creator);
  if (!listed && !creator.startsWith(issuerId.replace(/[^/]*$/, ""))) {
    return {
      check: "proof",
      result: "fail",
      detail: `Signed verification: the key ${creator} is neither among the issuer profile's keys nor under its URL`,
    };
  }
  try {
    const key = list(profile.publicKey).find((item) => idOf(item) === creator && typeof item === "object") as
      | Json
      | undefined;
    const document = key ?? (await readJson(read, creator));
    if (idOf(document.owner) !== issuerId) {
      return {
        check: "proof",
        result: "fail",
        detail: `Signed verification: the key ${creator} is not owned by ${issuerId}`,
      };
    }
    const pem = text(document.publicKeyPem);
    if (!pem)
      return { check: "proof", result: "fail", detail: `Signed verification: the key ${creator} has no publicKeyPem` };
    const alg = decodeProtectedHeader(input.jws).alg ?? "";
    if (!["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"].includes(alg)) {
      return {
        check: "proof",
        result: "fail",
        detail: `Signed verification: algorithm ${alg || "none"} is not accepted`,
      };
    }
    await compactVerify(input.jws, await importSPKI(pem, alg), { algorithms: [alg] });
    return { check: "proof", result: "pass", detail: `Signed verification: ${alg} signature verified with ${creator}` };
  } catch (error) {
    return {
      check: "proof",
      result: "fail",
      detail: `Signed verification: the signature does not verify: ${failureReason(error)}`,
    };
  }
}

function validity(assertion: Json, now: Date): Check {
  const at = now.toISOString();
  const issued = text(assertion.issuedOn);
  const expires = text(assertion.expires);
  for (const [label, value] of [
    ["issuedOn", issued],
    ["expires", expires],
  ] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
      return { check: "validity", result: "fail", detail: `${label} ${value} is not a date` };
    }
  }
  if (issued && Date.parse(issued) > now.getTime()) {
    return { check: "validity", result: "fail", detail: `Not valid yet: issued on ${issued} (checked ${at})` };
  }
  if (expires && Date.parse(expires) < now.getTime()) {
    return { check: "validity", result: "fail", detail: `Expired on ${expires} (checked ${at})` };
  }
  const window = [issued ? `issued ${issued}` : "", expires ? `until ${expires}` : "no expiry"]
    .filter(Boolean)
    .join(", ");
  return { check: "validity", result: "pass", detail: `Valid at ${at} (${window})` };
}

async function revocation(input: Ob2Input, profile: Json | null, proof: Check, read: ReadRemote): Promise<Check> {
  const { assertion } = input;
  if (assertion.revoked === true) {
    return { check: "revocation", result: "fail", detail: "Revoked: the assertion says so itself (revoked: true)" };
  }
  const listUrl = text(profile?.revocationList);
  if (!profile || !listUrl) {
    return {
      check: "revocation",
      result: profile ? "pass" : "skip",
      detail: profile
        ? "Not revoked (the issuer keeps no revocation list)"
        : "Not checked: the issuer is not on this workspace's issuer list",
    };
  }
  if (proof.result !== "pass") {
    return {
      check: "revocation",
      result: "skip",
      detail: "Not checked: the assertion is not verified, so its issuer's list is not fetched",
    };
  }
  try {
    const revocationList = await readJson(read, listUrl);
    const ids = [text(assertion.id), text(assertion.uid)].filter(Boolean);
    const revoked = list(revocationList.revokedAssertions).some((entry) => {
      const entryId = typeof entry === "string" ? entry : (text((entry as Json)?.id) ?? text((entry as Json)?.uid));
      return entryId !== undefined && ids.includes(entryId);
    });
    return revoked
      ? { check: "revocation", result: "fail", detail: `Revoked: on the issuer's revocation list ${listUrl}` }
      : { check: "revocation", result: "pass", detail: `Not on the issuer's revocation list ${listUrl}` };
  } catch (error) {
    return { check: "revocation", result: "fail", detail: `Status unknown: ${failureReason(error)}` };
  }
}

async function recipient(assertion: Json, email: string | undefined): Promise<Check> {
  const identity = (assertion.recipient ?? {}) as Json;
  if (identity.type !== "email") {
    return {
      check: "recipient",
      result: "skip",
      detail: `The badge names its recipient by ${String(identity.type ?? "nothing")}, not by email: not compared`,
    };
  }
  if (!email) return { check: "recipient", result: "skip", detail: "No learner email was given to compare with" };
  const matched = await emailMatches(
    { identityHash: identity.identity, hashed: identity.hashed, salt: identity.salt },
    email,
  );
  return matched
    ? { check: "recipient", result: "pass", detail: "Issued to the signed-in learner's email address" }
    : { check: "recipient", result: "fail", detail: "Issued to another email address than the signed-in learner's" };
}

export async function verifyOpenBadge2(
  input: Ob2Input,
  options: { issuers: readonly CredentialIssuerConfig[]; now: Date; recipientEmail?: string },
  read: ReadRemote,
): Promise<Ob2Result> {
  const { assertion } = input;
  const kind = input.jws ? "signed" : "hosted";
  const verificationType = String((assertion.verification as Json | undefined)?.type ?? "").toLowerCase();
  const summary = (badge: Json | null): CredentialSummary => ({
    format: input.jws ? "ob2-signed" : "ob2-hosted",
    id: text(assertion.id),
    name: text(badge?.name),
    issuedAt: text(assertion.issuedOn),
    expiresAt: text(assertion.expires),
    url: input.fetchedFrom,
  });
  const format: Check = {
    check: "format",
    result: "pass",
    detail: `Open Badges 2.0 ${kind} assertion${input.fetchedFrom ? ` read from ${input.fetchedFrom}` : ""}`,
  };
  const expected = input.jws ? ["signed", "signedbadge"] : ["hosted", "hostedbadge"];
  if (!expected.includes(verificationType)) {
    const detail = `The assertion declares ${verificationType || "no"} verification, but it was given as a ${kind} badge`;
    return { checks: [format, { check: "type", result: "fail", detail }], summary: summary(null) };
  }
  let badge: Json;
  try {
    badge = await resolve(assertion.badge, read, "badge class");
  } catch (error) {
    const detail = `The badge class could not be read: ${failureReason(error)}`;
    return { checks: [format, { check: "type", result: "fail", detail }], summary: summary(null) };
  }
  const type: Check = {
    check: "type",
    result: "pass",
    detail: `An Open Badges 2.0 Assertion of ${text(badge.name) ?? "a badge"}`,
  };
  const issuerId = idOf(badge.issuer);
  const trusted = issuerId ? options.issuers.find((issuer) => issuer.id === issuerId) : undefined;
  const embedded = badge.issuer && typeof badge.issuer === "object" ? (badge.issuer as Json) : null;
  if (!issuerId || !trusted) {
    const claimed = text(embedded?.name);
    const detail = !issuerId
      ? "The badge class names no issuer"
      : `Issuer ${issuerId}${claimed ? `, which claims to be ${claimed},` : ""} is not on this workspace's issuer list`;
    return {
      checks: [
        format,
        type,
        { check: "issuer", result: "fail", detail },
        {
          check: "proof",
          result: "skip",
          detail: "Not checked: the issuer is not trusted, so its keys and pages are not fetched",
        },
        validity(assertion, options.now),
        await revocation(input, null, { check: "proof", result: "skip", detail: "" }, read),
        await recipient(assertion, options.recipientEmail),
      ],
      issuer: issuerId ? { id: issuerId, ...(claimed ? { claimedName: claimed } : {}) } : undefined,
      summary: summary(badge),
    };
  }
  let profile: Json;
  try {
    // Always from the issuer's own URL: an embedded profile is the submitter's text, and would
    // name its own keys and policy.
    profile = await readJson(read, issuerId);
    if (idOf(profile) !== issuerId) throw new Error(`the issuer profile at ${issuerId} names another id`);
  } catch (error) {
    const detail = `The issuer profile could not be read: ${failureReason(error)}`;
    return { checks: [format, type, { check: "issuer", result: "fail", detail }], summary: summary(badge) };
  }
  const name = text(profile.name);
  const label = trusted.name && trusted.name !== name ? `, listed by this workspace as ${trusted.name}` : "";
  const issuer: Check = {
    check: "issuer",
    result: "pass",
    detail: `${name ? `${name} (${issuerId})` : issuerId} is on this workspace's issuer list${label}`,
  };
  const proof = input.jws
    ? await signedCheck(input, profile, issuerId, read)
    : await hostedCheck(input, profile, issuerId, read);
  return {
    checks: [
      format,
      type,
      issuer,
      proof,
      validity(assertion, options.now),
      await revocation(input, profile, proof, read),
      await recipient(assertion, options.recipientEmail),
    ],
    issuer: { id: issuerId, ...(name ? { name } : {}), ...(trusted.name ? { label: trusted.name } : {}) },
    summary: summary(badge),
  };
}
