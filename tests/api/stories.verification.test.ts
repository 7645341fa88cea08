/** Verification levels through the API: provider attestation, credentials, receipts, LinkedIn. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Fetch } from "../../server/services/credentials/fetch.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import {
  badge,
  didKeyIssuer,
  emailIdentity,
  jwtIssuer,
  localServer,
  statusEntry,
  statusListCredential,
} from "../support/credentials.ts";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { type Json, storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let server: Awaited<ReturnType<typeof localServer>>;
let di: Awaited<ReturnType<typeof didKeyIssuer>>;
let ed: Awaited<ReturnType<typeof jwtIssuer>>;
beforeAll(async () => {
  server = await localServer();
  di = await didKeyIssuer("Acme Academy");
  ed = await jwtIssuer("EdDSA");
  server.publish("/list", JSON.stringify(await di.sign(await statusListCredential(di.id, `${server.base}/list`, [7]))));
});
afterAll(() => server.close());

// Credential URLs must be https; the test maps one https host onto the local server.
const testFetch: Fetch = (url, init) => fetch(url.replace("https://badges.example", server.base), init);

let t: TestApp;
let ws: CreatedWorkspace;
let api: ReturnType<typeof storyClient>;
beforeEach(async () => {
  t = await createTestApp({}, { fetch: testFetch });
  ws = await workspaceFactory(t.db, {
    settings: {
      credentialIssuers: [
        { id: di.id, name: "Acme Academy" },
        { id: ed.id, name: ed.name, publicKeyJwk: ed.publicKeyJwk },
      ],
    },
  });
  api = storyClient(t, ws);
});
afterEach(() => t.cleanup());

type Receipt = {
  level: string;
  checks: { check: string; result: string; detail: string }[];
  credentialHash: string | null;
  addToLinkedIn: string | null;
  issuer: { id: string; name?: string } | null;
};
const email = "priya@example.com";
const asPriya = async () => ({ Authorization: `Bearer ${await learnerToken(ws, { sub: "priya-1", email })}` });

async function submit(body: Json, headers: Record<string, string> = {}) {
  const response = await api.post(body, headers);
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; editToken: string; verificationLevel: string; verification: Receipt };
}

async function completion(customerId: string, course: string) {
  await t.client.execute({
    sql: `insert into conversions (id, workspace_id, external_id, type, customer_id, course, status, decision, request_hash, response, occurred_at)
          values (?, ?, ?, 'completion', ?, ?, 'unattributed', '[]', 'h', '{}', ?)`,
    args: [
      `cnv_${customerId}_${course}`,
      ws.id,
      `ext_${customerId}_${course}`,
      customerId,
      course,
      Date.parse("2026-10-01T00:00:00Z"),
    ],
  });
}

describe("verification levels", () => {
  it("is self_reported without a learner, a completion or a credential", async () => {
    const story = await submit(storyBody());
    expect(story.verificationLevel).toBe("self_reported");
    expect(story.verification.checks.map((c) => [c.check, c.result])).toEqual([
      ["completion", "skip"],
      ["credential", "skip"],
    ]);
  });

  it("is provider_attested when the provider reported a completion of that course for that learner", async () => {
    await completion("priya-1", "data-analytics");
    await completion("arjun", "web-dev");
    expect((await submit(storyBody(), await asPriya())).verificationLevel).toBe("provider_attested");
    // Another course of the same learner, or another learner: not attested.
    const other = await submit(storyBody({ course: "web-dev" }), await asPriya());
    expect(other.verificationLevel).toBe("self_reported");
    expect(other.verification.checks[0]).toMatchObject({ check: "completion", result: "fail" });
  });

  it("does not attest a completion from another workspace", async () => {
    const foreign = await workspaceFactory(t.db, { name: "Other" });
    await t.client.execute({
      sql: `insert into conversions (id, workspace_id, external_id, type, customer_id, course, status, decision, request_hash, response, occurred_at)
            values ('cnv_x', ?, 'x', 'completion', 'priya-1', 'data-analytics', 'unattributed', '[]', 'h', '{}', 0)`,
      args: [foreign.id],
    });
    expect((await submit(storyBody(), await asPriya())).verificationLevel).toBe("self_reported");
  });

  it("is credential_verified for a valid Data Integrity credential issued to the learner", async () => {
    const credential = await di.sign(badge({ issuer: di, identity: await emailIdentity(email) }));
    const story = await submit(storyBody({ credential: { json: credential } }), await asPriya());
    expect(story.verificationLevel).toBe("credential_verified");
    expect(story.verification.credentialHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is credential_verified for a VC-JWT fetched from its https URL, with an Add to LinkedIn link", async () => {
    const identity = await emailIdentity(email);
    const jwt = await ed.sign(badge({ issuer: ed, identity, achievement: "Data Analytics & SQL" }));
    server.publish("/priya.jwt", jwt, "application/jwt");
    const story = await submit(storyBody({ credential: { url: "https://badges.example/priya.jwt" } }), await asPriya());
    expect(story.verificationLevel).toBe("credential_verified");
    await expectError(await api.verification(story.id), 404, "not_found");
    // The author can read the receipt before approval.
    const own = await api.verification(story.id, { "Chorus-Edit-Token": story.editToken });
    expect(own.status).toBe(200);
    await api.moderate(story.id, { status: "approved" });
    const receipt = (await (await api.verification(story.id)).json()) as Receipt;
    expect(receipt.level).toBe("credential_verified");
    expect(receipt.issuer).toEqual({ id: ed.id, name: "Example University", label: "Example University" });
    const link = new URL(receipt.addToLinkedIn!);
    expect(`${link.origin}${link.pathname}`).toBe("https://www.linkedin.com/profile/add");
    expect(Object.fromEntries(link.searchParams)).toMatchObject({
      startTask: "CERTIFICATION_NAME",
      name: "Data Analytics & SQL",
      organizationName: "Example University",
      issueYear: "2026",
      issueMonth: "3",
      certUrl: "https://badges.example/priya.jwt",
    });
    expect(link.searchParams.get("certId")).toMatch(/^urn:uuid:/);
  });

  it("stays honest for bad credentials: level from other evidence, receipt says why, story kept", async () => {
    await completion("priya-1", "data-analytics");
    const stranger = await didKeyIssuer();
    const tampered = await di.sign(badge({ issuer: di }));
    (tampered.credentialSubject as { achievement: { name: string } }).achievement.name = "Astronaut";
    const cases: [string, Json][] = [
      ["validity", await di.sign(badge({ issuer: di, validUntil: "2026-01-01T00:00:00Z" }))],
      ["revocation", await di.sign(badge({ issuer: di, status: statusEntry(`${server.base}/list`, 7) }))],
      ["revocation", await di.sign(badge({ issuer: di, status: statusEntry("https://badges.example/gone", 1) }))],
      ["proof", tampered],
      ["issuer", await stranger.sign(badge({ issuer: stranger }))],
      ["recipient", await di.sign(badge({ issuer: di, identity: await emailIdentity("someone@else.example") }))],
      ["type", await di.sign({ ...badge({ issuer: di }), type: ["VerifiableCredential"] })],
    ];
    for (const [failing, credential] of cases) {
      const story = await submit(storyBody({ credential: { json: credential } }), await asPriya());
      expect(story.verificationLevel, failing).toBe("provider_attested");
      const failed = story.verification.checks.filter((c) => c.result === "fail").map((c) => c.check);
      expect(failed, failing).toContain(failing);
    }
    const noLearner = await submit(storyBody({ credential: { json: { not: "a credential" } } }));
    expect(noLearner.verificationLevel).toBe("self_reported");
    const rows = await t.client.execute(
      "select verification_level from stories where verification_level = 'credential_verified'",
    );
    expect(rows.rows).toEqual([]);
  });

  it("gives no LinkedIn link for a story that is not credential_verified", async () => {
    const story = await api.approved(storyBody());
    const receipt = (await (await api.verification(story.id)).json()) as Receipt;
    expect(receipt).toMatchObject({ level: "self_reported", addToLinkedIn: null, credentialHash: null });
  });

  it("re-verifies when the author adds a credential later, and sends the story back to moderation", async () => {
    const story = await api.approved(storyBody(), await asPriya());
    const credential = await di.sign(badge({ issuer: di, identity: await emailIdentity(email) }));
    const response = await api.patch(story.id, { credential: { json: credential } }, await asPriya());
    expect(await response.json()).toMatchObject({ status: "pending", verificationLevel: "credential_verified" });
    // The same credential sent again with the edit token alone is not checked again: the story
    // keeps what its author's token showed.
    const again = await api.patch(
      story.id,
      { credential: { json: credential } },
      { "Chorus-Edit-Token": story.editToken },
    );
    expect(await again.json()).toMatchObject({ verificationLevel: "credential_verified" });
    // Another credential with the edit token alone: nothing shows whose it is, so it is genuine,
    // not verified.
    const other = await di.sign(badge({ issuer: di, identity: await emailIdentity(email), achievement: "SQL Basics" }));
    const anonymous = await api.patch(
      story.id,
      { credential: { json: other } },
      { "Chorus-Edit-Token": story.editToken },
    );
    expect(await anonymous.json()).toMatchObject({ verificationLevel: "credential_genuine" });
    const removed = await api.patch(story.id, { credential: null }, { "Chorus-Edit-Token": story.editToken });
    expect(await removed.json()).toMatchObject({ verificationLevel: "self_reported" });
  });
});
