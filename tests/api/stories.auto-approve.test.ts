/**
 * The auto-approve rule (program setting `autoApprove`): off by default; each condition alone and
 * all together; blocked words in any case, on word boundaries only; edits decided again; every
 * automatic decision in the audit trail, naming the rule and what a held story missed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AutoApprove } from "../../db/program-settings.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { badge, emailIdentity, jwtIssuer } from "../support/credentials.ts";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { type Json, storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

type Story = { id: string; status: string; editToken: string; verificationLevel: string };
type AuditRow = { action: string; targetId: string; actor: { kind: string; id: string }; after: Json };

let t: TestApp;
let issuer: Awaited<ReturnType<typeof jwtIssuer>>;
beforeAll(async () => {
  t = await createTestApp();
  issuer = await jwtIssuer("EdDSA");
});
afterAll(() => t.cleanup());

/** A workspace of its own for each case, with the rule given (and the test issuer trusted). */
async function program(autoApprove?: Partial<AutoApprove>) {
  const ws = await workspaceFactory(t.db, {
    settings: {
      credentialIssuers: [{ id: issuer.id, name: issuer.name, publicKeyJwk: issuer.publicKeyJwk }],
      ...(autoApprove ? { autoApprove: { enabled: true, ...autoApprove } } : {}),
    },
  });
  const api = storyClient(t, ws);
  const submit = async (overrides: Json = {}, headers: Record<string, string> = {}) => {
    // No photo: an approval would fetch it, which this file is not about.
    const response = await api.post(storyBody({ photoUrl: undefined, ...overrides }), headers);
    expect(response.status).toBe(201);
    return (await response.json()) as Story;
  };
  const audit = async () => {
    const response = await t.call("GET", "/v1/admin/audit?action=story", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: AuditRow[] }).items;
  };
  return { ws, api, submit, audit };
}

/** A story with a verified Open Badges 3.0 credential issued to its learner. */
async function credentialStory(ws: CreatedWorkspace) {
  const email = "priya@example.com";
  const jwt = await issuer.sign(badge({ issuer, identity: await emailIdentity(email) }));
  const token = await learnerToken(ws, { sub: "priya-1", email });
  return { overrides: { credential: { jwt } }, headers: { Authorization: `Bearer ${token}` } };
}

describe("auto-approve", () => {
  it("is off by default: a story waits for a moderator and no automatic decision is recorded", async () => {
    const { ws, submit, audit } = await program();
    const settings = await t.call("GET", "/v1/admin/program", { headers: { Authorization: `Bearer ${ws.secretKey}` } });
    expect(((await settings.json()) as { autoApprove: unknown }).autoApprove).toEqual({
      enabled: false,
      requireCredential: false,
      minRating: null,
      blockedWords: [],
    });
    expect((await submit()).status).toBe("pending");
    expect(await audit()).toEqual([]);
  });

  it("approves by minimum rating alone, and holds a lower rating naming the condition", async () => {
    const { api, submit, audit } = await program({ minRating: 4 });
    const four = await submit({ rating: 4 });
    const three = await submit({ rating: 3 });
    expect([four.status, three.status]).toEqual(["approved", "pending"]);
    expect(((await (await api.list()).json()) as { items: { id: string }[] }).items.map((s) => s.id)).toEqual([
      four.id,
    ]);
    const rows = await audit();
    expect(rows.find((row) => row.targetId === three.id)).toMatchObject({
      action: "story.auto_hold",
      actor: { kind: "system", id: "auto-approve" },
      after: { status: "pending", rule: "autoApprove", missed: ["minRating"] },
    });
  });

  it("approves by credential alone: credential_verified yes, self-reported no", async () => {
    const { ws, submit, audit } = await program({ requireCredential: true });
    const proof = await credentialStory(ws);
    const verified = await submit(proof.overrides, proof.headers);
    expect(verified.verificationLevel).toBe("credential_verified");
    expect(verified.status).toBe("approved");
    const plain = await submit();
    expect(plain.status).toBe("pending");
    expect((await audit()).find((row) => row.targetId === plain.id)?.after).toMatchObject({
      missed: ["requireCredential"],
      checks: [{ condition: "requireCredential", passed: false, detail: "verification level self_reported" }],
    });
    // The automatic decisions on a learner's story are masked with the rest of their trail when they are erased.
    const erased = await t.call("DELETE", "/v1/learners/priya-1", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(erased.status).toBe(200);
    const masked = (await audit()).filter((row) => row.action === "story.auto_approve");
    expect(masked.map((row) => [row.targetId, row.after])).toEqual([["[erased learner]", null]]);
  });

  it("holds a story with a blocked word in any case on word boundaries, in any script, and not inside other words", async () => {
    const { submit, audit } = await program({ blockedWords: ["scam", "refund now", "धोखा"] });
    const held = [
      await submit({ body: "Honestly? SCAM! Do not buy." }),
      await submit({ headline: "Ask for a Refund Now" }),
      await submit({ body: "यह कोर्स धोखा है।" }),
    ];
    const passed = [
      await submit({ body: "I cooked scampi to celebrate my new job." }),
      await submit({ body: "No refunds needed: it was worth it." }),
      await submit({ body: "धोखाधड़ी नहीं, असली सीख।" }),
    ];
    expect(held.map((s) => s.status)).toEqual(["pending", "pending", "pending"]);
    expect(passed.map((s) => s.status)).toEqual(["approved", "approved", "approved"]);
    const rows = await audit();
    expect(rows.find((row) => row.targetId === held[0]?.id)?.after).toMatchObject({
      missed: ["blockedWords"],
      checks: [{ condition: "blockedWords", passed: false, detail: 'contains the blocked word "scam"' }],
    });
  });

  it("with all conditions, approves only a story meeting every one, and its audit row names the rule and each check", async () => {
    const { ws, submit, audit } = await program({ requireCredential: true, minRating: 4, blockedWords: ["scam"] });
    const proof = await credentialStory(ws);
    const good = await submit({ ...proof.overrides, rating: 5 }, proof.headers);
    expect(good.status).toBe("approved");
    const lowRated = await submit({ ...(await credentialStory(ws)).overrides, rating: 2 }, proof.headers);
    expect(lowRated.status).toBe("pending");
    const rows = await audit();
    expect(rows.find((row) => row.targetId === good.id)).toMatchObject({
      action: "story.auto_approve",
      actor: { kind: "system", id: "auto-approve" },
      after: {
        status: "approved",
        rule: "autoApprove",
        checks: [
          { condition: "requireCredential", passed: true },
          { condition: "minRating", passed: true },
          { condition: "blockedWords", passed: true },
        ],
      },
    });
    expect(rows.find((row) => row.targetId === lowRated.id)?.after).toMatchObject({ missed: ["minRating"] });
  });

  it("decides again on an edit: a blocked word sends it back to a moderator, removing it approves it again", async () => {
    const { api, submit, audit } = await program({ blockedWords: ["scam"] });
    const story = await submit();
    expect(story.status).toBe("approved");
    const headers = { "Chorus-Edit-Token": story.editToken };
    // Each decision at its own instant, so the trail reads in order.
    t.clock.advance(1000);
    const bad = await api.patch(story.id, { body: "It was a scam." }, headers);
    expect(((await bad.json()) as Story).status).toBe("pending");
    t.clock.advance(1000);
    const fixed = await api.patch(story.id, { body: "It was worth every rupee." }, headers);
    expect(((await fixed.json()) as Story).status).toBe("approved");
    expect(
      (await audit())
        .filter((row) => row.targetId === story.id)
        .map((row) => row.action)
        .reverse(),
    ).toEqual(["story.auto_approve", "story.auto_hold", "story.auto_approve"]);
  });

  it("refuses an empty blocked word and a rating outside 1–5", async () => {
    const { ws } = await program();
    const patch = (autoApprove: Json) =>
      t.call("PATCH", "/v1/admin/program", {
        body: { autoApprove },
        headers: { Authorization: `Bearer ${ws.secretKey}` },
      });
    await expectError(await patch({ enabled: true, blockedWords: [" "] }), 400, "invalid_request");
    await expectError(await patch({ enabled: true, minRating: 6 }), 400, "invalid_request");
    expect((await patch({ enabled: true, minRating: 4, blockedWords: ["scam"] })).status).toBe(200);
  });
});
