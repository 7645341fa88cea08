/**
 * Open Badges 3.0 fixes of issue 20: several proofs (any supported one that verifies is enough),
 * the issuer's own name beside the provider's label (and an untrusted issuer's name only as a
 * claim), validity details without empty parts, and the receipt from a plain link without a key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CredentialVerdict } from "../../server/services/credentials/types.ts";
import { validityWindowText, verifyCredential } from "../../server/services/credentials/verify.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { badge, didKeyIssuer, emailIdentity, type Json } from "../support/credentials.ts";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const now = new Date("2026-11-28T12:00:00Z");
const offline = () => Promise.reject(new Error("nothing is fetched"));
const check = (verdict: CredentialVerdict, name: string) => verdict.checks.find((c) => c.check === name);

let di: Awaited<ReturnType<typeof didKeyIssuer>>;
let other: Awaited<ReturnType<typeof didKeyIssuer>>;
beforeAll(async () => {
  di = await didKeyIssuer("Acme Academy of Data");
  other = await didKeyIssuer("Someone else");
});

const trusted = () => [{ id: di.id, name: "Acme (our partner)" }];
const verify = (credential: Json, issuers = trusted()) =>
  verifyCredential({ json: credential }, { issuers, now, fetch: offline });

/** An unsupported proof, as an issuer moving between suites might add beside its Data Integrity one. */
const rsaProof = {
  type: "RsaSignature2018",
  created: "2026-03-15T00:00:00Z",
  proofPurpose: "assertionMethod",
  verificationMethod: "https://legacy.example/keys/1",
  jws: "eyJhbGciOiJQUzI1NiJ9..c2lnbmF0dXJl",
};

describe("several proofs", () => {
  it("verifies when the unsupported proof comes first and a supported one verifies", async () => {
    const signed = await di.sign(badge({ issuer: di }));
    const verdict = await verify({ ...signed, proof: [rsaProof, signed.proof] });
    expect(check(verdict, "proof")).toMatchObject({ result: "pass", detail: expect.stringContaining("1 proof") });
    expect(verdict.genuine).toBe(true);
  });

  it("fails when the only supported proof beside an unsupported one is tampered", async () => {
    const signed = await di.sign(badge({ issuer: di }));
    const proof = signed.proof as Json;
    const value = String(proof.proofValue);
    // The second-to-last character changed, whatever it is: deciding by the last one left it the same
    // about one time in 58 (an "A" replaced by "A"), and the proof verified.
    const changed = value.at(-2) === "A" ? "B" : "A";
    const tampered = { ...proof, proofValue: `${value.slice(0, -2)}${changed}${value.slice(-1)}` };
    expect(tampered.proofValue).not.toBe(value);
    const verdict = await verify({ ...signed, proof: [rsaProof, tampered] });
    expect(check(verdict, "proof")?.result).toBe("fail");
    expect(verdict.genuine).toBe(false);
  });

  it("verifies with one good proof beside another key's proof, and fails when the content changed under both", async () => {
    const credential = badge({ issuer: di });
    const mine = await di.sign(credential);
    // A proof by a key that is not the issuer's: it must not verify, and must not spoil the good one.
    const foreign = (await other.sign(credential)).proof;
    expect(check(await verify({ ...mine, proof: [foreign, mine.proof] }), "proof")?.result).toBe("pass");
    const changed = { ...mine, name: "Something else", proof: [foreign, mine.proof] };
    expect(check(await verify(changed), "proof")?.result).toBe("fail");
  });

  it("names every proof type when none is supported", async () => {
    const verdict = await verify({ ...badge({ issuer: di }), proof: [rsaProof] });
    expect(check(verdict, "proof")).toMatchObject({
      result: "fail",
      detail: expect.stringContaining("RsaSignature2018"),
    });
  });
});

describe("the issuer's name", () => {
  it("keeps the credential's own name and puts the provider's label beside it", async () => {
    const verdict = await verify(await di.sign(badge({ issuer: di })));
    expect(verdict.issuer).toEqual({ id: di.id, name: "Acme Academy of Data", label: "Acme (our partner)" });
    const detail = check(verdict, "issuer")?.detail ?? "";
    expect(detail).toContain("Acme Academy of Data");
    expect(detail).toContain("listed by this workspace as Acme (our partner)");
  });

  it("shows an untrusted issuer's name as a claim, never as its name", async () => {
    const verdict = await verify(await other.sign(badge({ issuer: { id: other.id, name: "Harvard University" } })));
    expect(verdict.issuer).toEqual({ id: other.id, claimedName: "Harvard University" });
    expect(check(verdict, "issuer")).toMatchObject({
      result: "fail",
      detail: `Issuer ${other.id}, which claims to be Harvard University, is not on this workspace's issuer list`,
    });
  });
});

describe("validity details", () => {
  it("never reads '(, no expiry)', whatever dates the credential has", async () => {
    expect(validityWindowText(undefined, undefined)).toBe("no start date, no expiry");
    expect(validityWindowText("2026-01-01", undefined)).toBe("from 2026-01-01, no expiry");
    expect(validityWindowText(undefined, "2027-01-01")).toBe("until 2027-01-01");
    expect(validityWindowText("2026-01-01", "2027-01-01")).toBe("from 2026-01-01 until 2027-01-01");
    const { validFrom: _from, ...undated } = badge({ issuer: di });
    const detail = check(await verify(await di.sign(undated)), "validity")?.detail ?? "";
    expect(detail).toBe("Valid at 2026-11-28T12:00:00.000Z (no start date, no expiry)");
  });
});

describe("the receipt from a plain link", () => {
  let t: TestApp;
  let ws: CreatedWorkspace;
  let storyId: string;
  let pendingId: string;
  beforeAll(async () => {
    t = await createTestApp({}, { fetch: offline });
    ws = await workspaceFactory(t.db, { settings: { credentialIssuers: trusted() } });
    const api = storyClient(t, ws);
    const email = "priya@example.com";
    const headers = { Authorization: `Bearer ${await learnerToken(ws, { sub: "priya-1", email })}` };
    const credential = await di.sign(badge({ issuer: di, identity: await emailIdentity(email) }));
    const posted = await api.post(storyBody({ credential: { json: credential } }), headers);
    storyId = ((await posted.json()) as { id: string }).id;
    await api.moderate(storyId, { status: "approved" });
    const pending = await api.post(storyBody({ headline: "Still waiting for a moderator" }));
    pendingId = ((await pending.json()) as { id: string }).id;
  });
  afterAll(() => t.cleanup());

  it("answers the JSON without a key for an approved story", async () => {
    const response = await t.app.request(`/v1/stories/${storyId}/receipt`);
    expect(response.status).toBe(200);
    const receipt = (await response.json()) as Json;
    expect(receipt).toMatchObject({
      storyId,
      level: "credential_verified",
      issuer: { id: di.id, name: "Acme Academy of Data", label: "Acme (our partner)" },
    });
    // The LinkedIn link carries the issuer's own name, not the provider's label.
    expect(new URL(String(receipt.addToLinkedIn)).searchParams.get("organizationName")).toBe("Acme Academy of Data");
  });

  it("shows people a page with the level, the issuer beside the provider's label, and every check", async () => {
    const response = await t.app.request(`/stories/${storyId}/receipt`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("Verified by a credential issued to the author");
    expect(page).toContain("Acme Academy of Data (listed by the provider as Acme (our partner))");
    expect(page).toContain(`href="/v1/stories/${storyId}/receipt"`);
    const hindi = await (await t.app.request(`/stories/${storyId}/receipt?lang=hi`)).text();
    expect(hindi).toContain('<html lang="hi">');
    expect(hindi).toContain("लेखक को जारी किए गए क्रेडेंशियल से सत्यापित");
  });

  it("does not exist for a story that is not approved, nor for an unknown id", async () => {
    for (const path of [
      `/v1/stories/${pendingId}/receipt`,
      `/stories/${pendingId}/receipt`,
      "/v1/stories/sty_nope/receipt",
    ]) {
      const response = await t.app.request(path);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
  });
});
