/**
 * Open Badges verification on its own: credentials issued here with fresh keys in both proof
 * formats, and the real third-party fixtures in tests/fixtures/open-badges (see its README).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fetch } from "../../server/services/credentials/fetch.ts";
import type { CredentialIssuerConfig, CredentialVerdict } from "../../server/services/credentials/types.ts";
import { verifyCredential } from "../../server/services/credentials/verify.ts";
import {
  badge,
  didKeyIssuer,
  emailIdentity,
  jwkDataIntegrityIssuer,
  jwtIssuer,
  localServer,
  statusEntry,
  statusListCredential,
} from "../support/credentials.ts";

const now = new Date("2026-11-28T12:00:00Z");
const fetcher: Fetch = (url, init) => fetch(url, init);
const email = "priya@example.com";

const result = (verdict: CredentialVerdict, check: string) => verdict.checks.find((c) => c.check === check);

let server: Awaited<ReturnType<typeof localServer>>;
let di: Awaited<ReturnType<typeof didKeyIssuer>>;
let ed: Awaited<ReturnType<typeof jwtIssuer>>;
let es: Awaited<ReturnType<typeof jwtIssuer>>;
let issuers: CredentialIssuerConfig[];

beforeAll(async () => {
  server = await localServer();
  di = await didKeyIssuer("Acme Academy");
  ed = await jwtIssuer("EdDSA", "https://issuer.example/ed");
  es = await jwtIssuer("ES256", "https://issuer.example/es");
  issuers = [
    { id: di.id, name: "Acme Academy" },
    { id: ed.id, name: ed.name, publicKeyJwk: ed.publicKeyJwk },
    { id: es.id, name: es.name, publicKeyJwk: es.publicKeyJwk },
  ];
  // Index 3 revoked, index 4 not; one list per issuer, each signed by its issuer.
  server.publish(
    "/di-list",
    JSON.stringify(await di.sign(await statusListCredential(di.id, `${server.base}/di-list`, [3]))),
  );
  const jwtList = await statusListCredential(ed.id, `${server.base}/ed-list`, [3]);
  server.publish("/ed-list", await ed.sign(jwtList), "application/jwt");
  // A list the credential's issuer did not sign.
  const other = await didKeyIssuer("Someone else");
  server.publish(
    "/foreign-list",
    JSON.stringify(await other.sign(await statusListCredential(other.id, `${server.base}/foreign-list`, []))),
  );
});
afterAll(() => server.close());

const verify = (input: Parameters<typeof verifyCredential>[0], recipientEmail?: string) =>
  verifyCredential(input, { issuers, now, fetch: fetcher, recipientEmail });

describe("Data Integrity (eddsa-rdfc-2022) credentials issued in the test", () => {
  it("verifies a valid credential for the right recipient, checking every step", async () => {
    const credential = await di.sign(badge({ issuer: di, identity: await emailIdentity(email) }));
    const verdict = await verify({ json: credential }, email);
    expect(verdict.checks.map((c) => [c.check, c.result])).toEqual([
      ["format", "pass"],
      ["type", "pass"],
      ["issuer", "pass"],
      ["proof", "pass"],
      ["validity", "pass"],
      ["revocation", "skip"],
      ["recipient", "pass"],
    ]);
    expect(verdict.verified).toBe(true);
    expect(verdict.issuer).toEqual({ id: di.id, name: "Acme Academy", label: "Acme Academy" });
    expect(verdict.credentialHash).toMatch(/^[0-9a-f]{64}$/);
    expect(verdict.credential).toMatchObject({ format: "data-integrity", name: "Data Analytics Certificate" });
  });

  it("refuses an expired credential and one not valid yet", async () => {
    const expired = await verify({ json: await di.sign(badge({ issuer: di, validUntil: "2026-06-01T00:00:00Z" })) });
    expect(expired.verified).toBe(false);
    expect(result(expired, "validity")).toMatchObject({ result: "fail", detail: expect.stringContaining("Expired") });
    expect(result(expired, "proof")?.result).toBe("pass");
    const early = await verify({ json: await di.sign(badge({ issuer: di, validFrom: "2027-01-01T00:00:00Z" })) });
    expect(result(early, "validity")).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("Not valid yet"),
    });
  });

  it("refuses a tampered credential", async () => {
    const credential = await di.sign(badge({ issuer: di }));
    (credential.credentialSubject as { achievement: { name: string } }).achievement.name = "Brain Surgery";
    const verdict = await verify({ json: credential });
    expect(verdict.verified).toBe(false);
    expect(result(verdict, "proof")?.result).toBe("fail");
  });

  it("refuses an issuer that is not on the list, even with a valid proof", async () => {
    const stranger = await didKeyIssuer("Diploma Mill");
    const verdict = await verify({ json: await stranger.sign(badge({ issuer: stranger })) });
    expect(verdict.verified).toBe(false);
    expect(result(verdict, "issuer")).toMatchObject({ result: "fail", detail: expect.stringContaining(stranger.id) });
  });

  it("refuses a credential that claims an allow-listed issuer but is signed by another key", async () => {
    const impostor = await didKeyIssuer();
    // Signed by the impostor while naming the trusted issuer: the key's controller is not the issuer.
    const verdict = await verify({ json: await impostor.sign(badge({ issuer: di })) });
    expect(result(verdict, "issuer")?.result).toBe("pass");
    expect(result(verdict, "proof")?.result).toBe("fail");
    expect(verdict.verified).toBe(false);
  });

  it("refuses a credential issued to someone else's email", async () => {
    const credential = await di.sign(badge({ issuer: di, identity: await emailIdentity("arjun@example.com") }));
    const verdict = await verify({ json: credential }, email);
    expect(result(verdict, "recipient")?.result).toBe("fail");
    expect(verdict.verified).toBe(false);
    // Real, but someone else's: genuine and not bound.
    expect([verdict.genuine, verdict.bound]).toEqual([true, false]);
  });

  it("binds a credential only to the email it was issued to, and names it the same way however it is sent", async () => {
    const credential = await di.sign(badge({ issuer: di, identity: await emailIdentity(email) }));
    const mine = await verify({ json: credential }, email);
    expect([mine.genuine, mine.bound]).toEqual([true, true]);
    expect((await verify({ json: credential })).bound).toBe(false);
    const reordered = Object.fromEntries(Object.entries(credential).reverse());
    expect((await verify({ json: reordered }, email)).credentialKey).toBe(mine.credentialKey);
    const other = await di.sign(badge({ issuer: di, identity: await emailIdentity(email) }));
    expect((await verify({ json: other }, email)).credentialKey).not.toBe(mine.credentialKey);
  });

  it("matches a hashed email regardless of its case", async () => {
    const credential = await di.sign(badge({ issuer: di, identity: await emailIdentity(email) }));
    expect((await verify({ json: credential }, "Priya@Example.com")).verified).toBe(true);
  });

  it("reads the status list: revoked index fails, clear index passes", async () => {
    const revoked = await verify({
      json: await di.sign(badge({ issuer: di, status: statusEntry(`${server.base}/di-list`, 3) })),
    });
    expect(result(revoked, "revocation")).toMatchObject({ result: "fail", detail: expect.stringContaining("revoked") });
    expect(revoked.verified).toBe(false);
    const clear = await verify({
      json: await di.sign(badge({ issuer: di, status: statusEntry(`${server.base}/di-list`, 4) })),
    });
    expect(result(clear, "revocation")?.result).toBe("pass");
    expect(clear.verified).toBe(true);
  });

  it("treats an unreachable or foreign status list as unknown, never as fine", async () => {
    for (const path of ["/missing-list", "/foreign-list"]) {
      const credential = await di.sign(badge({ issuer: di, status: statusEntry(`${server.base}${path}`, 4) }));
      const verdict = await verify({ json: credential });
      expect(result(verdict, "revocation")).toMatchObject({
        result: "fail",
        detail: expect.stringContaining("Status unknown"),
      });
      expect(verdict.verified).toBe(false);
    }
  });

  it("refuses things that are not credentials", async () => {
    const notBadge = await di.sign({ ...badge({ issuer: di }), type: ["VerifiableCredential"] });
    expect(result(await verify({ json: notBadge }), "type")?.result).toBe("fail");
    const noProof = badge({ issuer: di });
    expect(result(await verify({ json: noProof }), "proof")).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("no proof"),
    });
    expect((await verify({ json: { hello: "world" } })).verified).toBe(false);
    expect(result(await verify({ url: `${server.base}/nothing-here` }), "retrieve")?.result).toBe("fail");
  });
});

describe("Data Integrity credentials from an https issuer with a configured Ed25519 key", () => {
  it("verifies with the allow-listed JWK and refuses another key or a key outside the issuer", async () => {
    const university = await jwkDataIntegrityIssuer();
    const listed = [{ id: university.id, name: university.name, publicKeyJwk: university.publicKeyJwk }];
    const options = { issuers: listed, now, fetch: fetcher };
    const good = await verifyCredential({ json: await university.sign(badge({ issuer: university })) }, options);
    expect(result(good, "proof")).toMatchObject({ result: "pass" });
    expect(good.verified).toBe(true);
    const impostor = await jwkDataIntegrityIssuer(university.id);
    const forged = await verifyCredential({ json: await impostor.sign(badge({ issuer: university })) }, options);
    expect(result(forged, "proof")?.result).toBe("fail");
    const elsewhere = await jwkDataIntegrityIssuer(university.id, "https://attacker.example/keys#1");
    const outside = await verifyCredential({ json: await elsewhere.sign(badge({ issuer: university })) }, options);
    expect(result(outside, "proof")).toMatchObject({ result: "fail", detail: expect.stringContaining("neither") });
  });
});

describe("VC-JWT credentials issued in the test", () => {
  it("verifies EdDSA and ES256 credentials from allow-listed keys", async () => {
    for (const issuer of [ed, es]) {
      const jwt = await issuer.sign(badge({ issuer, identity: await emailIdentity(email) }));
      const verdict = await verify({ jwt }, email);
      expect(verdict.checks.filter((c) => c.result === "fail")).toEqual([]);
      expect(verdict.verified).toBe(true);
      expect(verdict.credential?.format).toBe("vc-jwt");
    }
  });

  it("verifies a VC-JOSE payload and a JWT fetched from a URL", async () => {
    const jwt = await ed.signPayload(badge({ issuer: ed }));
    expect((await verify({ jwt })).verified).toBe(true);
    server.publish("/badge.jwt", jwt, "application/jwt");
    const fromUrl = await verify({ url: `${server.base}/badge.jwt` });
    expect(fromUrl.verified).toBe(true);
    expect(fromUrl.credential?.url).toBe(`${server.base}/badge.jwt`);
  });

  it("refuses an expired JWT (exp claim)", async () => {
    const exp = Math.floor(Date.parse("2026-05-01T00:00:00Z") / 1000);
    const { validFrom: _drop, ...undated } = badge({ issuer: ed });
    const verdict = await verify({ jwt: await ed.sign(undated, { exp }) });
    expect(result(verdict, "validity")?.result).toBe("fail");
    expect(verdict.verified).toBe(false);
  });

  it("refuses a tampered JWT", async () => {
    const jwt = await ed.sign(badge({ issuer: ed }));
    const [header, payload, signature] = jwt.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    claims.vc.credentialSubject.achievement.name = "Brain Surgery";
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    const verdict = await verify({ jwt: forged });
    expect(result(verdict, "proof")?.result).toBe("fail");
    expect(verdict.verified).toBe(false);
  });

  it("refuses a JWT signed by another key than the issuer's", async () => {
    const impostor = await jwtIssuer("EdDSA", ed.id);
    const verdict = await verify({ jwt: await impostor.sign(badge({ issuer: ed })) });
    expect(result(verdict, "proof")?.result).toBe("fail");
  });

  it("refuses an unlisted issuer and unsigned or HMAC tokens", async () => {
    const stranger = await jwtIssuer("EdDSA", "https://mill.example");
    const verdict = await verify({ jwt: await stranger.sign(badge({ issuer: stranger })) });
    expect(result(verdict, "issuer")?.result).toBe("fail");
    expect(result(verdict, "proof")?.result).toBe("fail");
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const unsigned = `${b64({ alg: "none" })}.${b64({ iss: ed.id, vc: badge({ issuer: ed }) })}.`;
    expect(result(await verify({ jwt: unsigned }), "proof")).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("not accepted"),
    });
  });

  it("refuses a wrong recipient and a revoked JWT credential", async () => {
    const wrong = await verify(
      { jwt: await ed.sign(badge({ issuer: ed, identity: await emailIdentity("x@y.example") })) },
      email,
    );
    expect(result(wrong, "recipient")?.result).toBe("fail");
    const revoked = await verify({
      jwt: await ed.sign(badge({ issuer: ed, status: statusEntry(`${server.base}/ed-list`, 3) })),
    });
    expect(result(revoked, "revocation")).toMatchObject({ result: "fail", detail: expect.stringContaining("revoked") });
    const clear = await verify({
      jwt: await ed.sign(badge({ issuer: ed, status: statusEntry(`${server.base}/ed-list`, 5) })),
    });
    expect(clear.verified).toBe(true);
  });

  it("takes the key from a JWKS URL", async () => {
    server.publish("/jwks.json", JSON.stringify({ keys: [{ ...es.publicKeyJwk, kid: "k1", alg: "ES256" }] }));
    const jwt = await es.sign(badge({ issuer: es }));
    const verdict = await verifyCredential(
      { jwt },
      {
        issuers: [{ id: es.id, jwksUrl: "https://issuer.example/jwks.json" }],
        now,
        fetch: (url) => fetch(url.replace("https://issuer.example", server.base)),
      },
    );
    expect(result(verdict, "proof")?.result).toBe("pass");
  });
});

describe("real third-party Open Badges fixtures (Digital Credentials Consortium)", () => {
  const fixture = (name: string) =>
    JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/open-badges", `${name}.json`), "utf8")) as Record<
      string,
      unknown
    >;
  const issuerOf = (credential: Record<string, unknown>) => (credential.issuer as { id: string }).id;
  const check = (name: string) => {
    const credential = fixture(name);
    return verifyCredential({ json: credential }, { issuers: [{ id: issuerOf(credential) }], now, fetch: fetcher });
  };

  it("verifies the valid ones (VC 2.0, VC 1.1, name identity)", async () => {
    for (const name of ["v2-eddsa-valid", "v1-eddsa-valid", "v2-eddsa-valid-identity-hash"]) {
      const verdict = await check(name);
      expect(
        verdict.checks.filter((c) => c.result === "fail"),
        name,
      ).toEqual([]);
      expect(verdict.verified, name).toBe(true);
      // Genuine, but none names an email recipient: none is bound to any author.
      expect([verdict.genuine, verdict.bound], name).toEqual([true, false]);
    }
    const named = await check("v2-eddsa-valid-identity-hash");
    expect(result(named, "recipient")).toMatchObject({ result: "skip", detail: expect.stringContaining("name") });
  });

  it("binds none of them to a learner's email: a recipient named by name or DID is not an email", async () => {
    for (const name of ["v2-eddsa-valid", "v1-eddsa-valid", "v2-eddsa-valid-identity-hash"]) {
      const credential = fixture(name);
      const verdict = await verifyCredential(
        { json: credential },
        { issuers: [{ id: issuerOf(credential) }], now, fetch: fetcher, recipientEmail: "parker@example.com" },
      );
      expect([verdict.genuine, verdict.bound], name).toEqual([true, false]);
    }
  });

  it("reports the expired one as expired (proof still good) and its offline status list as unknown", async () => {
    // The fixture's status list lives online; a fetch that fails stands for "unreachable here".
    const credential = fixture("v2-eddsa-expired");
    const verdict = await verifyCredential(
      { json: credential },
      { issuers: [{ id: issuerOf(credential) }], now, fetch: () => Promise.reject(new Error("offline")) },
    );
    expect(result(verdict, "proof")?.result).toBe("pass");
    expect(result(verdict, "validity")?.result).toBe("fail");
    expect(result(verdict, "revocation")?.detail).toContain("Status unknown");
    expect(verdict.verified).toBe(false);
    expect(verdict.genuine).toBe(false);
  });

  it("reports the not-yet-valid one", async () => {
    const verdict = await check("v2-eddsa-not-yet-valid");
    expect(result(verdict, "proof")?.result).toBe("pass");
    expect(result(verdict, "validity")).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("Not valid yet"),
    });
  });

  it("fails the proof of a fixture with one signed field changed", async () => {
    const credential = fixture("v2-eddsa-valid");
    (credential.credentialSubject as { achievement: { name: string } }).achievement.name = "Leadership";
    const verdict = await verifyCredential(
      { json: credential },
      { issuers: [{ id: issuerOf(credential) }], now, fetch: fetcher },
    );
    expect(result(verdict, "proof")?.result).toBe("fail");
  });
});
