/**
 * Open Badges 2.0 (issue 20): hosted and signed assertions, baked PNG and SVG badges, revocation,
 * expiry and the recipient, served by a local server under the names the badges use
 * (`https://example.org` from the 2.0 specification's own examples, `https://badges.example`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CompactSign, exportSPKI, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../server/lib/crypto.ts";
import { credentialFetch } from "../../server/services/credentials/fetch.ts";
import type { CredentialInput, CredentialVerdict } from "../../server/services/credentials/types.ts";
import { verifyCredential } from "../../server/services/credentials/verify.ts";
import { type Json, localServer } from "../support/credentials.ts";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { repoRoot } from "../support/processes.ts";
import { storyBody, storyClient } from "../support/stories.ts";
import { createTestApp } from "../support/test-app.ts";

let server: Awaited<ReturnType<typeof localServer>>;
const local = (url: string) => url.replace(/^https:\/\/(example\.org|badges\.example)/, server.base);
const fetcher = (url: string, init?: RequestInit) => fetch(local(url), init);
const check = (verdict: CredentialVerdict, name: string) => verdict.checks.find((c) => c.check === name);
const now = new Date("2026-11-28T12:00:00Z");
const email = "priya@example.com";
const issuerUrl = "https://badges.example/issuer.json";
const issuers = [{ id: issuerUrl, name: "Our Credly organisation" }, { id: "https://example.org/organization.json" }];

const verify = (input: CredentialInput, options: { at?: Date; recipient?: string; limits?: Json } = {}) =>
  verifyCredential(input, {
    issuers,
    now: options.at ?? now,
    fetch: fetcher,
    recipientEmail: options.recipient ?? email,
    ...(options.limits ? { limits: options.limits } : {}),
  });

const publish = (url: string, body: Json | string) =>
  server.publish(new URL(local(url)).pathname, typeof body === "string" ? body : JSON.stringify(body));

/** An assertion hosted at `id`, of the badge class at /badge.json of the issuer above. */
async function hosted(id: string, extra: Json = {}, salt = "pepper"): Promise<Json> {
  const assertion = {
    "@context": "https://w3id.org/openbadges/v2",
    type: "Assertion",
    id,
    recipient: { type: "email", hashed: true, salt, identity: `sha256$${await sha256Hex(email + salt)}` },
    badge: "https://badges.example/badge.json",
    issuedOn: "2026-03-15T00:00:00Z",
    verification: { type: "hosted" },
    ...extra,
  };
  publish(id, assertion);
  return assertion;
}

let signer: { sign: (assertion: Json) => Promise<string> };

beforeAll(async () => {
  server = await localServer();
  // The 2.0 specification's own BadgeClass and Issuer examples (examples/index.md, shortened).
  publish("https://example.org/robotics-badge.json", {
    "@context": "https://w3id.org/openbadges/v2",
    type: "BadgeClass",
    id: "https://example.org/robotics-badge.json",
    name: "Awesome Robotics Badge",
    description: "For doing awesome things with robots that people think is pretty great.",
    image: "https://example.org/robotics-badge.png",
    criteria: "https://example.org/robotics-badge.html",
    issuer: "https://example.org/organization.json",
  });
  publish("https://example.org/organization.json", {
    "@context": "https://w3id.org/openbadges/v2",
    type: "Issuer",
    id: "https://example.org/organization.json",
    name: "An Example Badge Issuer",
    image: "https://example.org/logo.png",
    url: "https://example.org",
    email: "steved@example.org",
  });
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  publish("https://badges.example/key.json", {
    "@context": "https://w3id.org/openbadges/v2",
    type: "CryptographicKey",
    id: "https://badges.example/key.json",
    owner: issuerUrl,
    publicKeyPem: await exportSPKI(publicKey),
  });
  publish(issuerUrl, {
    "@context": "https://w3id.org/openbadges/v2",
    type: "Issuer",
    id: issuerUrl,
    name: "Acme Academy",
    url: "https://badges.example",
    publicKey: "https://badges.example/key.json",
    revocationList: "https://badges.example/revoked.json",
  });
  publish("https://badges.example/badge.json", {
    "@context": "https://w3id.org/openbadges/v2",
    type: "BadgeClass",
    id: "https://badges.example/badge.json",
    name: "Data Analytics Professional",
    issuer: issuerUrl,
  });
  publish("https://badges.example/revoked.json", {
    "@context": "https://w3id.org/openbadges/v2",
    id: "https://badges.example/revoked.json",
    type: "RevocationList",
    issuer: issuerUrl,
    revokedAssertions: [
      { id: "urn:uuid:revoked-by-list", revocationReason: "Cheated" },
      "https://badges.example/a/listed.json",
    ],
  });
  signer = {
    sign: (assertion) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(assertion)))
        .setProtectedHeader({ alg: "RS256" })
        .sign(privateKey),
  };
});
afterAll(() => server.close());

describe("the 2.0 specification's own example", () => {
  // Its recipient hash is of an address the example does not give: someone else's, for any learner.
  const example = {
    "@context": "https://w3id.org/openbadges/v2",
    type: "Assertion",
    id: "https://example.org/beths-robotics-badge.json",
    recipient: {
      type: "email",
      hashed: true,
      salt: "deadsea",
      identity: "sha256$c7ef86405ba71b85acd8e2e95166c4b111448089f2e1599f42fe1bba46e865c5",
    },
    image: "https://example.org/beths-robot-badge.png",
    evidence: "https://example.org/beths-robot-work.html",
    issuedOn: "2016-12-31T23:59:59Z",
    expires: "2017-06-30T23:59:59Z",
    badge: "https://example.org/robotics-badge.json",
    verification: { type: "hosted" },
  };
  beforeAll(() => publish(example.id, example));

  it("verifies as hosted while it was valid, and the recipient is someone else", async () => {
    const verdict = await verify({ url: example.id }, { at: new Date("2017-03-01T00:00:00Z") });
    expect(Object.fromEntries(verdict.checks.map((c) => [c.check, c.result]))).toEqual({
      format: "pass",
      type: "pass",
      issuer: "pass",
      proof: "pass",
      validity: "pass",
      revocation: "pass",
      recipient: "fail",
    });
    expect(check(verdict, "format")?.detail).toContain("Open Badges 2.0 hosted assertion");
    expect(verdict.genuine).toBe(true);
    expect(verdict.bound).toBe(false);
    expect(verdict.issuer).toEqual({ id: "https://example.org/organization.json", name: "An Example Badge Issuer" });
    expect(verdict.credential).toMatchObject({ format: "ob2-hosted", name: "Awesome Robotics Badge" });
  });

  it("fails once its expiry has passed", async () => {
    const verdict = await verify({ url: example.id });
    expect(check(verdict, "validity")).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("Expired on 2017-06-30"),
    });
    expect(verdict.genuine).toBe(false);
  });
});

describe("hosted assertions", () => {
  it("verifies and binds a badge to the learner: salted hash, unsalted hash, plain email", async () => {
    const salted = await hosted("https://badges.example/a/salted.json");
    const unsalted = await hosted("https://badges.example/a/unsalted.json", {
      recipient: { type: "email", hashed: true, identity: `sha256$${await sha256Hex(email)}` },
    });
    const plain = await hosted("https://badges.example/a/plain.json", {
      recipient: { type: "email", hashed: false, identity: email },
    });
    for (const assertion of [salted, unsalted, plain]) {
      const verdict = await verify({ url: String(assertion.id) });
      expect(verdict, String(assertion.id)).toMatchObject({ verified: true, genuine: true, bound: true });
      expect(check(verdict, "recipient")?.result).toBe("pass");
    }
    const other = await verify({ url: String(salted.id) }, { recipient: "someone@example.com" });
    expect(other).toMatchObject({ genuine: true, bound: false });
    expect(check(other, "recipient")?.result).toBe("fail");
  });

  it("checks pasted JSON against what its own id answers", async () => {
    const assertion = await hosted("https://badges.example/a/pasted.json");
    expect(check(await verify({ json: assertion }), "proof")).toMatchObject({
      result: "pass",
      detail: "Hosted verification: https://badges.example/a/pasted.json answers this assertion",
    });
    const changed = await verify({ json: { ...assertion, issuedOn: "2025-01-01T00:00:00Z" } });
    expect(check(changed, "proof")).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("answers another assertion"),
    });
  });

  it("refuses an assertion whose id is elsewhere than the issuer, or not where it was fetched", async () => {
    const foreign = await hosted("https://example.org/not-the-issuers.json");
    expect(check(await verify({ url: String(foreign.id) }), "proof")).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("outside the issuer's verification policy"),
    });
    // Served at one URL, claiming another id: the id answers nothing (404).
    const assertion = await hosted("https://badges.example/a/claimed.json");
    publish("https://badges.example/a/served.json", { ...assertion });
    server.publish("/a/claimed.json", "gone", "text/plain");
    const mismatched = await verify({ url: "https://badges.example/a/served.json" });
    expect(check(mismatched, "proof")?.result).toBe("fail");
  });

  it("fails a revoked assertion, by its own flag or by the issuer's revocation list", async () => {
    const flagged = await hosted("https://badges.example/a/flagged.json", {
      revoked: true,
      revocationReason: "<b>x</b>",
    });
    expect(check(await verify({ url: String(flagged.id) }), "revocation")).toEqual({
      check: "revocation",
      result: "fail",
      detail: "Revoked: the assertion says so itself (revoked: true)",
    });
    const listed = await hosted("https://badges.example/a/listed.json");
    const verdict = await verify({ url: String(listed.id) });
    expect(check(verdict, "revocation")).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("revocation list"),
    });
    expect(verdict.genuine).toBe(false);
  });

  it("fetches nothing of an issuer that is not on the list, and names it only as it claims", async () => {
    publish("https://badges.example/stranger-badge.json", {
      type: "BadgeClass",
      id: "https://badges.example/stranger-badge.json",
      name: "Harvard Data Science",
      issuer: { id: "https://badges.example/stranger.json", name: "Harvard University" },
    });
    const assertion = await hosted("https://badges.example/a/stranger.json", {
      badge: "https://badges.example/stranger-badge.json",
    });
    const before = server.requests.length;
    const verdict = await verify({ url: String(assertion.id) });
    expect(server.requests.slice(before)).toEqual(["/a/stranger.json", "/stranger-badge.json"]);
    expect(verdict.issuer).toEqual({ id: "https://badges.example/stranger.json", claimedName: "Harvard University" });
    expect(check(verdict, "issuer")?.detail).toContain("which claims to be Harvard University");
    expect(verdict.genuine).toBe(false);
  });
});

describe("signed assertions", () => {
  it("verifies the JWS with the issuer's key, and refuses a tampered one", async () => {
    const jws = await signed();
    const verdict = await verify({ jwt: jws });
    expect(check(verdict, "proof")).toMatchObject({
      result: "pass",
      detail: "Signed verification: RS256 signature verified with https://badges.example/key.json",
    });
    expect(verdict).toMatchObject({ verified: true, bound: true, credential: { format: "ob2-signed" } });
    const [header, payload, signature] = jws.split(".");
    const forged = JSON.parse(Buffer.from(String(payload), "base64url").toString());
    forged.recipient.identity = "mallory@example.com";
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString("base64url")}.${signature}`;
    expect(check(await verify({ jwt: tampered }, { recipient: "mallory@example.com" }), "proof")?.result).toBe("fail");
  });

  it("refuses a key outside the issuer's profile, an expired one, and one on the revocation list", async () => {
    const elsewhere = await verify({
      jwt: await signed({ verification: { type: "signed", creator: "https://example.org/key.json" } }),
    });
    expect(check(elsewhere, "proof")?.detail).toContain("neither among the issuer profile's keys nor under its URL");
    const expired = await verify({ jwt: await signed({ expires: "2026-06-01T00:00:00Z" }) });
    expect(check(expired, "validity")).toMatchObject({ result: "fail" });
    const revoked = await verify({ jwt: await signed({ id: "urn:uuid:revoked-by-list" }) });
    expect(check(revoked, "revocation")?.result).toBe("fail");
  });
});

/** A PNG with the given chunks after the header (CRCs are not checked by readers of this text). */
function png(chunks: { type: string; data: Uint8Array; length?: number }[]): string {
  const parts: number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  for (const { type, data, length } of [...chunks, { type: "IEND", data: new Uint8Array() }]) {
    const size = length ?? data.byteLength;
    parts.push(
      size >>> 24,
      (size >>> 16) & 255,
      (size >>> 8) & 255,
      size & 255,
      ...Buffer.from(type, "latin1"),
      ...data,
      0,
      0,
      0,
      0,
    );
  }
  return Buffer.from(parts).toString("base64");
}
const itxt = (text: string) => new Uint8Array(Buffer.concat([Buffer.from("openbadges\0\0\0\0\0"), Buffer.from(text)]));

describe("baked badges", () => {
  it("reads the assertion URL from a PNG's iTXt chunk, and the signed assertion from an SVG", async () => {
    const assertion = await hosted("https://badges.example/a/baked.json");
    const fromPng = await verify({ image: png([{ type: "iTXt", data: itxt(String(assertion.id)) }]) });
    expect(fromPng).toMatchObject({ verified: true, bound: true, credential: { url: assertion.id } });
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="${await signed()}"></openbadges:assertion></svg>`;
    const fromSvg = await verify({ image: Buffer.from(svg).toString("base64") });
    expect(fromSvg).toMatchObject({ verified: true, credential: { format: "ob2-signed" } });
  });

  it("refuses malformed images with a plain reason", async () => {
    const cases: [string, string][] = [
      [
        png([{ type: "iTXt", data: itxt("https://badges.example/a/x.json"), length: 1_000_000 }]),
        "claims 1000000 bytes",
      ],
      [png([{ type: "iTXt", data: new Uint8Array(Buffer.from("openbadges")) }]), "no keyword"],
      [png([{ type: "iTXt", data: new Uint8Array(Buffer.from("openbadges\0\x01\0\0\0garbage")) }]), "corrupt"],
      [png([{ type: "tEXt", data: new Uint8Array(Buffer.from("Comment\0hello")) }]), "no openbadges chunk"],
      [Buffer.from("GIF89a not a badge").toString("base64"), "not a PNG or an SVG"],
      [Buffer.from("<svg></svg>").toString("base64"), "no openbadges:assertion"],
    ];
    for (const [image, reason] of cases) {
      const verdict = await verify({ image });
      expect(verdict.verified).toBe(false);
      expect(verdict.checks[0]?.detail, reason).toContain(reason);
    }
  });
});

const signed = (extra: Json = {}) =>
  signer.sign({
    "@context": "https://w3id.org/openbadges/v2",
    type: "Assertion",
    id: "urn:uuid:5a2c6c4b-4f6e-4f8a-9a57-2f1b6f0c1d11",
    recipient: { type: "email", hashed: false, identity: email },
    badge: "https://badges.example/badge.json",
    issuedOn: "2026-03-15T00:00:00Z",
    verification: { type: "signed", creator: "https://badges.example/key.json" },
    ...extra,
  });

describe("hostile badge URLs", () => {
  it("refuses private addresses, stops at the deadline, and reads no more than the cap", async () => {
    const guarded = await verifyCredential(
      { url: "https://127.0.0.1/badge.json" },
      { issuers, now, fetch: credentialFetch() },
    );
    expect(guarded.checks[0]).toMatchObject({ check: "retrieve", result: "fail" });
    server.hold("/a/hanging.json");
    const hanging = await verify({ url: "https://badges.example/a/hanging.json" }, { limits: { deadlineMs: 300 } });
    expect(hanging.checks[0]?.detail).toContain("at most 0.3 s");
    server.publish("/a/huge.json", "x".repeat(3 * 1024 * 1024));
    const huge = await verify({ url: "https://badges.example/a/huge.json" });
    expect(huge.checks[0]?.detail).toContain("is larger than");
  });
});

describe("a story told with a baked badge image (the story form's file picker)", () => {
  it("posts the fixture PNG as credential.image: verified for its recipient; a malformed image still posts, its receipt says why", async () => {
    const t = await createTestApp({}, { fetch: fetcher });
    try {
      const ws = await workspaceFactory(t.db, { settings: { credentialIssuers: issuers } });
      const api = storyClient(t, ws);
      // The fixture's iTXt chunk names this hosted assertion.
      await hosted("https://badges.example/a/baked.json");
      const image = readFileSync(join(repoRoot, "tests/fixtures/open-badges/baked-hosted.png")).toString("base64");
      const headers = { Authorization: `Bearer ${await learnerToken(ws, { sub: "priya-1", email })}` };
      const posted = await api.post(storyBody({ photoUrl: undefined, credential: { image } }), headers);
      expect(posted.status).toBe(201);
      expect(await posted.json()).toMatchObject({
        verificationLevel: "credential_verified",
        verification: { credential: { format: "ob2-hosted", url: "https://badges.example/a/baked.json" } },
      });
      const broken = png([{ type: "iTXt", data: itxt("https://badges.example/a/baked.json"), length: 1_000_000 }]);
      const refused = await api.post(storyBody({ photoUrl: undefined, credential: { image: broken } }), headers);
      expect(refused.status).toBe(201);
      const story = (await refused.json()) as { verificationLevel: string; verification: { checks: Json[] } };
      expect(story.verificationLevel).toBe("self_reported");
      expect(JSON.stringify(story.verification.checks)).toContain("claims 1000000 bytes");
    } finally {
      t.cleanup();
    }
  });
});

describe("a story told with a Credly-style badge URL", () => {
  it("is credential-verified for its recipient, and its public receipt names version 2.0", async () => {
    const t = await createTestApp({}, { fetch: fetcher });
    try {
      const ws = await workspaceFactory(t.db, { settings: { credentialIssuers: issuers } });
      const api = storyClient(t, ws);
      const assertion = await hosted("https://badges.example/a/story.json");
      const headers = { Authorization: `Bearer ${await learnerToken(ws, { sub: "priya-1", email })}` };
      const posted = await api.post(storyBody({ credential: { url: String(assertion.id) } }), headers);
      const story = (await posted.json()) as { id: string; verificationLevel: string };
      expect(story.verificationLevel).toBe("credential_verified");
      await api.moderate(story.id, { status: "approved" });
      const receipt = (await (await t.app.request(`/v1/stories/${story.id}/receipt`)).json()) as Json;
      expect(receipt).toMatchObject({
        level: "credential_verified",
        issuer: { id: issuerUrl, name: "Acme Academy", label: "Our Credly organisation" },
        credential: { format: "ob2-hosted", name: "Data Analytics Professional", url: assertion.id },
      });
      expect((receipt.checks as { check: string; detail: string }[])[0]?.detail).toContain("Open Badges 2.0");
    } finally {
      t.cleanup();
    }
  });
});
