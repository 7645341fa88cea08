/**
 * A credential cannot make the server fetch much (issue 15: one story with 400 status entries made
 * 400 downloads of up to 1 MB each). Status lists are served by a local server that records every
 * request; the credentials are signed in the test.
 */
import { gzipSync } from "node:zlib";
import { createList } from "@digitalbazaar/vc-bitstring-status-list";
import { base64url } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Fetch } from "../../server/services/credentials/fetch.ts";
import { CredentialFetchCache } from "../../server/services/credentials/fetch-cache.ts";
import { decodeBoundedList, statusListMaxInflatedBytes } from "../../server/services/credentials/status-list.ts";
import type { CredentialVerdict, VerifyOptions } from "../../server/services/credentials/types.ts";
import { verifyCredential } from "../../server/services/credentials/verify.ts";
import {
  badge,
  didKeyIssuer,
  type Json,
  jwtIssuer,
  localServer,
  statusEntry,
  statusListCredential,
} from "../support/credentials.ts";

const now = new Date("2026-11-28T12:00:00Z");
const host = "https://lists.example";

let server: Awaited<ReturnType<typeof localServer>>;
let trusted: Awaited<ReturnType<typeof didKeyIssuer>>;
let stranger: Awaited<ReturnType<typeof didKeyIssuer>>;
let jwt: Awaited<ReturnType<typeof jwtIssuer>>;
// Status list URLs must be https; this maps the test's https host onto the local server.
const fetcher: Fetch = (url, init) => fetch(url.replace(host, server.base), init);

beforeAll(async () => {
  server = await localServer();
  trusted = await didKeyIssuer("Acme Academy");
  stranger = await didKeyIssuer("Diploma Mill");
  jwt = await jwtIssuer("ES256", "https://issuer.example/es");
  for (const name of ["a", "b", "c", "d"]) {
    const list = await statusListCredential(trusted.id, `${host}/${name}`, [3]);
    server.publish(`/${name}`, JSON.stringify(await trusted.sign(list)));
  }
  server.publish("/jwks.json", JSON.stringify({ keys: [{ ...jwt.publicKeyJwk, kid: "k1", alg: "ES256" }] }));
  server.hold("/slow");
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const issuers = () => [
  { id: trusted.id, name: "Acme Academy" },
  { id: jwt.id, jwksUrl: `${host}/jwks.json` },
];
const verify = (credential: Json, options: Partial<VerifyOptions> = {}) =>
  verifyCredential({ json: credential }, { issuers: issuers(), now, fetch: fetcher, ...options });
const revocation = (verdict: CredentialVerdict) => verdict.checks.find((c) => c.check === "revocation");
/** Status entries at distinct lists (list i of the test's host), or all at one list. */
const entries = (count: number, list?: string) =>
  Array.from({ length: count }, (_, i) => statusEntry(`${host}/${list ?? `list-${i}`}`, i + 4));

describe("an issuer the workspace does not trust", () => {
  it("makes no request at all, whatever its credential names", async () => {
    const verdict = await verify(await stranger.sign(badge({ issuer: stranger, status: entries(150) })));
    expect(server.requests).toEqual([]);
    expect(revocation(verdict)).toMatchObject({
      result: "skip",
      detail: expect.stringContaining("not on this workspace's issuer list"),
    });
    expect(verdict.verified).toBe(false);
  });

  it("makes no request for a credential that names a trusted issuer but is signed by someone else", async () => {
    const forged = await stranger.sign(badge({ issuer: trusted, status: entries(3) }));
    const verdict = await verify(forged);
    expect(server.requests).toEqual([]);
    expect(revocation(verdict)).toMatchObject({
      result: "skip",
      detail: expect.stringContaining("proof does not verify"),
    });
    expect(verdict.verified).toBe(false);
  });
});

describe("a trusted issuer's credential", () => {
  it("has at most four status entries checked; with more, none is fetched and revocation is unknown", async () => {
    const crowded = await verify(await trusted.sign(badge({ issuer: trusted, status: entries(150) })));
    expect(server.requests).toEqual([]);
    expect(revocation(crowded)).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("150 status entries; at most 4 are checked"),
    });
    expect(crowded.verified).toBe(false);

    const four = ["a", "b", "c", "d"].map((name) => statusEntry(`${host}/${name}`, 5));
    const checked = await verify(await trusted.sign(badge({ issuer: trusted, status: four })));
    expect(server.requests.sort()).toEqual(["/a", "/b", "/c", "/d"]);
    expect(revocation(checked)?.result).toBe("pass");
    expect(checked.verified).toBe(true);
  });

  it("is not checked at all when it has more objects than a badge ever has (its proof costs CPU per object)", async () => {
    const huge = await trusted.sign(badge({ issuer: trusted, status: entries(400) }));
    const verdict = await verify(huge);
    expect(server.requests).toEqual([]);
    expect(verdict.checks).toEqual([
      { check: "format", result: "fail", detail: expect.stringContaining("more than 200 objects") },
    ]);
    expect(verdict.verified).toBe(false);
  });

  it("fetches a list named by several entries once", async () => {
    const verdict = await verify(await trusted.sign(badge({ issuer: trusted, status: entries(4, "a") })));
    expect(server.requests).toEqual(["/a"]);
    expect(revocation(verdict)?.result).toBe("pass");
  });

  it("stops at the verification's fetch budget", async () => {
    const status = ["a", "b", "c", "d"].map((name) => statusEntry(`${host}/${name}`, 5));
    const verdict = await verify(await trusted.sign(badge({ issuer: trusted, status })), { limits: { fetches: 2 } });
    expect(server.requests).toHaveLength(2);
    expect(revocation(verdict)).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("at most 2 requests"),
    });
  });

  it("stops reading a list larger than what the verification may still read", async () => {
    server.publish("/big", JSON.stringify({ padding: "x".repeat(200_000) }));
    const credential = await trusted.sign(badge({ issuer: trusted, status: statusEntry(`${host}/big`, 5) }));
    const verdict = await verify(credential, { limits: { bytes: 10_000 } });
    expect(revocation(verdict)).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("larger than the 10000 bytes this credential may still read"),
    });
  });

  it("refuses a signed status list that inflates past 16 MiB (a gzip bomb), without inflating it", async () => {
    // 64 MiB of zeros gzip to about 64 KB: well inside the 1 MB a list may be fetched as.
    const bomb = `u${base64url.encode(gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }))}`;
    expect(bomb.length).toBeLessThan(200_000);
    const list = await statusListCredential(trusted.id, `${host}/bomb`, []);
    (list.credentialSubject as Json).encodedList = bomb;
    server.publish("/bomb", JSON.stringify(await trusted.sign(list)));
    const before = process.memoryUsage().arrayBuffers;
    const credential = await trusted.sign(badge({ issuer: trusted, status: statusEntry(`${host}/bomb`, 5) }));
    const verdict = await verify(credential);
    expect(revocation(verdict)).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("inflates to more than 16777216 bytes"),
    });
    expect(verdict.verified).toBe(false);
    // What was inflated before the refusal is bounded by the limit, not by the bomb.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(48 * 1024 * 1024);
  });

  it("reads each bit where the spec's own library puts it", async () => {
    const list = await createList({ length: 16 * 1024 * 8 });
    const set = [0, 1, 7, 8, 9, 4095, 65_537, 131_071];
    for (const index of set) list.setStatus(index, true);
    const bits = await decodeBoundedList(await list.encode());
    expect(bits.length).toBe(16 * 1024 * 8);
    const read = Array.from({ length: bits.length }, (_, index) => bits.getStatus(index));
    expect(read.flatMap((on, index) => (on ? [index] : []))).toEqual(set);
  });

  it("still reads a list exactly at the limit", async () => {
    const list = await decodeBoundedList(`u${base64url.encode(gzipSync(Buffer.alloc(statusListMaxInflatedBytes)))}`);
    expect(list.length).toBe(statusListMaxInflatedBytes * 8);
    expect(list.getStatus(statusListMaxInflatedBytes * 8 - 1)).toBe(false);
  });

  it("gives up on a server that never answers at the verification's deadline", async () => {
    const credential = await trusted.sign(badge({ issuer: trusted, status: statusEntry(`${host}/slow`, 5) }));
    const verdict = await verify(credential, { limits: { deadlineMs: 200 } });
    expect(server.requests).toEqual(["/slow"]);
    expect(revocation(verdict)).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("may take at most 0.2 s"),
    });
    expect(verdict.verified).toBe(false);
  });
});

describe("the shared cache of status lists and key sets", () => {
  it("serves later verifications from the cache until the entry is older than its time to live", async () => {
    const cache = new CredentialFetchCache({ ttlMs: 60_000 });
    for (const index of [4, 5, 6]) {
      const credential = await trusted.sign(badge({ issuer: trusted, status: statusEntry(`${host}/a`, index) }));
      expect((await verify(credential, { cache })).verified).toBe(true);
    }
    expect(server.requests).toEqual(["/a"]);
    const later = await trusted.sign(badge({ issuer: trusted, status: statusEntry(`${host}/a`, 3) }));
    const revoked = await verify(later, { cache, now: new Date(now.getTime() + 61_000) });
    expect(revocation(revoked)).toMatchObject({ result: "fail", detail: expect.stringContaining("revoked") });
    expect(server.requests).toEqual(["/a", "/a"]);
  });

  it("shares one fetch between verifications that need the same list at the same time", async () => {
    const cache = new CredentialFetchCache();
    const credentials = await Promise.all(
      [4, 5, 6, 7].map((index) => trusted.sign(badge({ issuer: trusted, status: statusEntry(`${host}/b`, index) }))),
    );
    const verdicts = await Promise.all(credentials.map((credential) => verify(credential, { cache })));
    expect(verdicts.map((verdict) => verdict.verified)).toEqual([true, true, true, true]);
    expect(server.requests).toEqual(["/b"]);
  });

  it("fetches a trusted issuer's configured JWKS once for many credentials", async () => {
    const cache = new CredentialFetchCache();
    for (let i = 0; i < 3; i++) {
      const token = await jwt.sign(badge({ issuer: jwt }));
      const verdict = await verifyCredential({ jwt: token }, { issuers: issuers(), now, fetch: fetcher, cache });
      expect(verdict.verified).toBe(true);
    }
    expect(server.requests).toEqual(["/jwks.json"]);
  });
});
