/**
 * Badge impersonation (issue 15): a credential is `credential_verified` only when it is bound to
 * the story's author (its recipient is the email of the author's learner token), and one
 * credential verifies at most one story per workspace. A genuine credential that is not shown to
 * be the author's is `credential_genuine`, which counts as verified nowhere.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../server/lib/crypto.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { badge, didKeyIssuer, emailIdentity, jwtIssuer, localServer } from "../support/credentials.ts";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { type Json, storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let server: Awaited<ReturnType<typeof localServer>>;
let di: Awaited<ReturnType<typeof didKeyIssuer>>;
let ed: Awaited<ReturnType<typeof jwtIssuer>>;
beforeAll(async () => {
  server = await localServer();
  di = await didKeyIssuer("Acme Academy");
  ed = await jwtIssuer("EdDSA");
});
afterAll(() => server.close());

let t: TestApp;
let ws: CreatedWorkspace;
let api: ReturnType<typeof storyClient>;
const issuersOf = () => [
  { id: di.id, name: "Acme Academy" },
  { id: ed.id, name: ed.name, publicKeyJwk: ed.publicKeyJwk },
];
beforeEach(async () => {
  t = await createTestApp(
    {},
    { fetch: (url, init) => fetch(url.replace("https://badges.example", server.base), init) },
  );
  ws = await workspaceFactory(t.db, { settings: { credentialIssuers: issuersOf() } });
  api = storyClient(t, ws);
});
afterEach(() => t.cleanup());

type Story = {
  id: string;
  editToken: string;
  verificationLevel: string;
  verification: { checks: { check: string; result: string; detail: string }[] };
};
const priya = "priya@example.com";
const tokenFor = async (workspace: CreatedWorkspace, claims: { sub: string; email?: string }) => ({
  Authorization: `Bearer ${await learnerToken(workspace, claims)}`,
});
const asPriya = () => tokenFor(ws, { sub: "priya-1", email: priya });

async function submit(body: Json, headers: Record<string, string> = {}, client = api): Promise<Story> {
  const response = await client.post(body, headers);
  expect(response.status).toBe(201);
  return (await response.json()) as Story;
}
const withCredential = (credential: Json | string) =>
  storyBody({ credential: typeof credential === "string" ? { jwt: credential } : { json: credential } });
const priyasBadge = async () => di.sign(badge({ issuer: di, identity: await emailIdentity(priya) }));
const author = (story: Story) => story.verification.checks.find((check) => check.check === "author");

describe("binding a credential to the story's author", () => {
  it("gives a stranger without a learner token who posts Priya's badge credential_genuine, never credential_verified", async () => {
    const story = await submit(withCredential(await priyasBadge()));
    expect(story.verificationLevel).toBe("credential_genuine");
    expect(author(story)).toMatchObject({ result: "skip", detail: expect.stringContaining("not shown") });
    // Every check of the credential itself passed: it is genuine, just not shown to be theirs.
    expect(story.verification.checks.filter((check) => check.result === "fail")).toEqual([]);
    // Approved, it is not among the verified stories, and not under credential_verified.
    await api.moderate(story.id, { status: "approved" });
    const ids = async (query: string) =>
      ((await (await api.list(query)).json()) as { items: { id: string }[] }).items.map((item) => item.id);
    expect(await ids("?verified=true")).toEqual([]);
    expect(await ids("?verified=credential_verified")).toEqual([]);
    expect(await ids("?verified=credential_genuine")).toEqual([story.id]);
    const receipt = (await (await api.verification(story.id)).json()) as { level: string; addToLinkedIn: null };
    expect(receipt).toMatchObject({ level: "credential_genuine", addToLinkedIn: null });
  });

  it("verifies the badge for the learner whose token carries its recipient's email: salted, unsalted, plain, mailto", async () => {
    const unsalted = {
      type: "IdentityObject",
      identityType: "emailAddress",
      hashed: true,
      identityHash: `sha256$${await sha256Hex(priya)}`,
    };
    const plain = { type: "IdentityObject", identityType: "emailAddress", hashed: false, identityHash: priya };
    const mailto = badge({ issuer: di });
    (mailto.credentialSubject as Json).id = `mailto:${priya}`;
    const cases: [string, Json | string][] = [
      ["salted hash", await priyasBadge()],
      ["unsalted hash", await di.sign(badge({ issuer: di, identity: unsalted }))],
      ["plain email", await di.sign(badge({ issuer: di, identity: plain }))],
      ["credentialSubject.id mailto:", await di.sign(mailto)],
      ["VC-JWT, salted hash", await ed.sign(badge({ issuer: ed, identity: await emailIdentity(priya, "s@lt") }))],
    ];
    for (const [name, credential] of cases) {
      const story = await submit(withCredential(credential), await asPriya());
      expect(story.verificationLevel, name).toBe("credential_verified");
      expect(author(story), name).toMatchObject({ result: "pass" });
    }
  });

  it("gives credential_genuine to a token with another email, a token without email, and a recipient named by DID", async () => {
    const someoneElse = await submit(
      withCredential(await priyasBadge()),
      await tokenFor(ws, { sub: "arjun", email: "arjun@example.com" }),
    );
    expect(someoneElse.verificationLevel).toBe("credential_genuine");
    expect(author(someoneElse)).toMatchObject({ result: "fail", detail: expect.stringContaining("someone else") });
    expect(someoneElse.verification.checks.find((check) => check.check === "recipient")?.result).toBe("fail");

    const noEmail = await submit(withCredential(await priyasBadge()), await tokenFor(ws, { sub: "priya-1" }));
    expect(noEmail.verificationLevel).toBe("credential_genuine");

    const did = badge({ issuer: di });
    (did.credentialSubject as Json).id = "did:example:priya";
    const byDid = await submit(withCredential(await di.sign(did)), await asPriya());
    expect(byDid.verificationLevel).toBe("credential_genuine");
  });

  it("keeps provider attestation above a genuine credential that is not the author's", async () => {
    await t.client.execute({
      sql: `insert into conversions (id, workspace_id, external_id, type, customer_id, course, status, decision, request_hash, response, occurred_at)
            values ('cnv_1', ?, 'ext_1', 'completion', 'arjun', 'data-analytics', 'unattributed', '[]', 'h', '{}', 0)`,
      args: [ws.id],
    });
    const story = await submit(
      withCredential(await priyasBadge()),
      await tokenFor(ws, { sub: "arjun", email: "arjun@example.com" }),
    );
    expect(story.verificationLevel).toBe("provider_attested");
  });
});

describe("one credential, one story per workspace", () => {
  it("verifies a badge for one story only; a second story with it is credential_genuine, however it is sent", async () => {
    const credential = await priyasBadge();
    const first = await submit(withCredential(credential), await asPriya());
    expect(first.verificationLevel).toBe("credential_verified");
    // The same credential, its keys in another order: still the same credential.
    const reordered = Object.fromEntries(Object.entries(credential).reverse());
    for (const again of [credential, reordered]) {
      const second = await submit(withCredential(again), await asPriya());
      expect(second.verificationLevel).toBe("credential_genuine");
      expect(author(second)).toMatchObject({ result: "fail", detail: expect.stringContaining("another story") });
    }
    const rows = await t.client.execute({
      sql: "select id from stories where workspace_id = ? and verification_level = 'credential_verified'",
      args: [ws.id],
    });
    expect(rows.rows.map((row) => row.id)).toEqual([first.id]);
  });

  it("recognises a credential without an id by its content, key order aside", async () => {
    const { id: _id, ...withoutId } = badge({ issuer: di, identity: await emailIdentity(priya) });
    const credential = await di.sign(withoutId);
    expect((await submit(withCredential(credential), await asPriya())).verificationLevel).toBe("credential_verified");
    const reordered = Object.fromEntries(Object.entries(credential).reverse());
    expect((await submit(withCredential(reordered), await asPriya())).verificationLevel).toBe("credential_genuine");
  });

  it("accepts the same badge in another workspace", async () => {
    const credential = await priyasBadge();
    expect((await submit(withCredential(credential), await asPriya())).verificationLevel).toBe("credential_verified");
    const other = await workspaceFactory(t.db, { name: "Other", settings: { credentialIssuers: issuersOf() } });
    const otherApi = storyClient(t, other);
    const there = await submit(withCredential(credential), await tokenFor(other, { sub: "p", email: priya }), otherApi);
    expect(there.verificationLevel).toBe("credential_verified");
  });

  it("lets the author re-send the credential on their own story, and frees it when the story is withdrawn", async () => {
    const credential = await priyasBadge();
    const first = await submit(withCredential(credential), await asPriya());
    const edited = await api.patch(first.id, { credential: { json: credential } }, await asPriya());
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ verificationLevel: "credential_verified" });

    expect((await api.remove(first.id, await asPriya())).status).toBe(204);
    const next = await submit(withCredential(credential), await asPriya());
    expect(next.verificationLevel).toBe("credential_verified");
  });

  it("checks the same credential again when its author's token may now bind it (an unchanged credential is otherwise not re-checked)", async () => {
    const credential = await priyasBadge();
    const first = await submit(withCredential(credential), await tokenFor(ws, { sub: "priya-1" }));
    expect(first.verificationLevel).toBe("credential_genuine");
    const edited = await api.patch(first.id, { credential: { json: credential } }, await asPriya());
    expect(await edited.json()).toMatchObject({ verificationLevel: "credential_verified" });
  });

  it("frees the credential when the learner is erased", async () => {
    const credential = await priyasBadge();
    await submit(withCredential(credential), await asPriya());
    const erased = await t.call("DELETE", "/v1/learners/priya-1", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(erased.status).toBe(200);
    const again = await submit(withCredential(credential), await tokenFor(ws, { sub: "priya-2", email: priya }));
    expect(again.verificationLevel).toBe("credential_verified");
  });

  it("frees the credential when the author moves their story to another one", async () => {
    const credential = await priyasBadge();
    const first = await submit(withCredential(credential), await asPriya());
    const patched = await api.patch(first.id, { credential: { json: await priyasBadge() } }, await asPriya());
    expect(await patched.json()).toMatchObject({ verificationLevel: "credential_verified" });
    expect((await submit(withCredential(credential), await asPriya())).verificationLevel).toBe("credential_verified");
  });

  it("gives the credential to exactly one of two stories posted at once", async () => {
    const credential = await priyasBadge();
    const headers = await asPriya();
    const posted = await Promise.all([1, 2, 3].map(() => api.post(withCredential(credential), headers)));
    expect(posted.map((response) => response.status)).toEqual([201, 201, 201]);
    const levels = await Promise.all(
      posted.map(async (response) => ((await response.json()) as Story).verificationLevel),
    );
    expect(levels.sort()).toEqual(["credential_genuine", "credential_genuine", "credential_verified"]);
  });
});
