/// <reference path="./vendor.d.ts" />
/**
 * Revocation through a `BitstringStatusListEntry`: fetch the status list credential, check that
 * its own proof verifies and that the credential's issuer signed it, then read the bit. A list
 * that cannot be fetched or trusted gives "unknown", which never counts as "not revoked".
 * A credential names its status lists itself, so it may name only a few (`maxEntries`): they
 * are read one after the other, within the verification's budget (see budget.ts).
 */
import { base64url } from "jose";
import type { ReadRemote } from "./budget.ts";
import { verifyDataIntegrity } from "./data-integrity.ts";
import { failureReason } from "./fetch.ts";
import type { CredentialIssuerConfig } from "./types.ts";
import { credentialFromJwt, jwtPattern, verifyJwtSignature } from "./vc-jwt.ts";

export type StatusResult = { status: "valid" | "revoked" | "unknown" | "none"; detail: string };

/** Who must have signed a status list, how to read it, and how many entries are checked at most. */
export type StatusCheck = {
  issuerId: string;
  issuer: CredentialIssuerConfig | undefined;
  read: ReadRemote;
  now: Date;
  maxEntries: number;
};

const statusListMaxBytes = 1024 * 1024;
/**
 * The most a list may inflate to: 16 MiB is 134 million entries, a thousand times the spec's
 * minimum list. The library inflates without a bound, so a 1 MB list of gzipped zeros (a
 * "bomb", signed by a trusted issuer or its stolen key) would grow to about a gigabyte.
 */
export const statusListMaxInflatedBytes = 16 * 1024 * 1024;

/**
 * A decoded list's bits. Index 0 is the left-most bit of the first byte, as the Bitstring Status
 * List spec numbers them. Read here rather than through the spec's library, whose inflater
 * (pako) was 49 KB of the Workers bundle and has no output bound.
 */
export class StatusBits {
  constructor(private readonly bytes: Uint8Array) {}
  get length() {
    return this.bytes.length * 8;
  }
  getStatus(index: number): boolean {
    return ((this.bytes[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
  }
}

/** An `encodedList` (multibase base64url of gzip) decoded, refusing to inflate past `maxBytes`. */
export async function decodeBoundedList(encodedList: string, maxBytes = statusListMaxInflatedBytes) {
  if (!encodedList.startsWith("u")) throw new Error('the encodedList must start with "u" (multibase base64url)');
  const gzipped = Uint8Array.from(base64url.decode(encodedList.slice(1)));
  const reader = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    size += part.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`the list inflates to more than ${maxBytes} bytes`);
    }
    chunks.push(part.value);
  }
  const buffer = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    buffer.set(chunk, at);
    at += chunk.byteLength;
  }
  return new StatusBits(buffer);
}

const issuerIdOf = (credential: Record<string, unknown>) => {
  const issuer = credential.issuer;
  if (typeof issuer === "string") return issuer;
  const id = (issuer as { id?: unknown } | undefined)?.id;
  return typeof id === "string" ? id : undefined;
};

async function checkEntry(entry: Record<string, unknown> | null, check: StatusCheck): Promise<StatusResult> {
  const { issuerId, issuer, read, now } = check;
  if (!entry || typeof entry !== "object") return { status: "unknown", detail: "A status entry is not an object" };
  const purpose = String(entry.statusPurpose ?? "");
  if (entry.type !== "BitstringStatusListEntry") {
    return {
      status: "unknown",
      detail: `Status method ${String(entry.type)} is not supported, so revocation is unknown`,
    };
  }
  if (purpose !== "revocation" && purpose !== "suspension") {
    return { status: "valid", detail: `Status purpose ${purpose} does not affect validity` };
  }
  const index = Number.parseInt(String(entry.statusListIndex ?? ""), 10);
  const listUrl = String(entry.statusListCredential ?? "");
  if (!Number.isSafeInteger(index) || index < 0 || !listUrl) {
    return { status: "unknown", detail: "The status entry has no usable statusListIndex or statusListCredential" };
  }
  let text: string;
  try {
    text = (await read(listUrl, { maxBytes: statusListMaxBytes, cache: true })).trim();
  } catch (error) {
    return { status: "unknown", detail: `Status list ${listUrl} could not be fetched (${failureReason(error)})` };
  }
  let list: Record<string, unknown>;
  let proof: { ok: boolean; detail: string };
  try {
    if (jwtPattern.test(text)) {
      list = credentialFromJwt(text);
      proof = await verifyJwtSignature(text, issuerId, issuer, read);
    } else {
      list = JSON.parse(text) as Record<string, unknown>;
      proof = await verifyDataIntegrity(list, issuer);
    }
  } catch (error) {
    return { status: "unknown", detail: `Status list ${listUrl} is unreadable (${failureReason(error)})` };
  }
  if (!proof.ok) return { status: "unknown", detail: `Status list ${listUrl} is not trustworthy: ${proof.detail}` };
  if (issuerIdOf(list) !== issuerId) {
    return { status: "unknown", detail: `Status list ${listUrl} was issued by someone else than the credential` };
  }
  const until = list.validUntil ?? list.expirationDate;
  if (typeof until === "string" && Date.parse(until) < now.getTime()) {
    return { status: "unknown", detail: `Status list ${listUrl} expired on ${until}` };
  }
  const subject = list.credentialSubject as Record<string, unknown> | undefined;
  const listPurpose = subject?.statusPurpose;
  if (listPurpose !== undefined && listPurpose !== purpose) {
    return { status: "unknown", detail: `Status list ${listUrl} is for ${String(listPurpose)}, not ${purpose}` };
  }
  try {
    const bits = await decodeBoundedList(String(subject?.encodedList ?? ""));
    if (index >= bits.length) return { status: "unknown", detail: `Index ${index} is outside status list ${listUrl}` };
    if (bits.getStatus(index)) {
      return {
        status: "revoked",
        detail: `The issuer has ${purpose === "revocation" ? "revoked" : "suspended"} this credential (${listUrl}, index ${index})`,
      };
    }
    return {
      status: "valid",
      detail: `Not ${purpose === "revocation" ? "revoked" : "suspended"} (${listUrl}, index ${index})`,
    };
  } catch (error) {
    return { status: "unknown", detail: `Status list ${listUrl} could not be decoded (${failureReason(error)})` };
  }
}

/** All status entries of a credential; the worst one decides (revoked, then unknown). */
export async function checkStatus(credential: Record<string, unknown>, check: StatusCheck): Promise<StatusResult> {
  const entries = ([] as unknown[]).concat(credential.credentialStatus ?? []) as (Record<string, unknown> | null)[];
  if (entries.length === 0)
    return { status: "none", detail: "The credential has no status entry (it cannot be revoked)" };
  if (entries.length > check.maxEntries) {
    return {
      status: "unknown",
      detail: `The credential has ${entries.length} status entries; at most ${check.maxEntries} are checked, so none was fetched`,
    };
  }
  const results: StatusResult[] = [];
  for (const entry of entries) results.push(await checkEntry(entry, check));
  return (
    results.find((result) => result.status === "revoked") ??
    results.find((result) => result.status === "unknown") ?? {
      status: "valid",
      detail: results.map((result) => result.detail).join("; "),
    }
  );
}
