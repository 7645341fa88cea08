import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let auth: Record<string, string>;
beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  auth = { Authorization: `Bearer ${ws.secretKey}` };
});
afterEach(() => t.cleanup());

describe("program settings", () => {
  it("start from documented defaults", async () => {
    const settings = await (await t.call("GET", "/v1/admin/program", { headers: auth })).json();
    expect(settings).toMatchObject({
      attribution: { windowDays: 30, model: "last-click" },
      trigger: "enrollment",
      minSampleSize: 10,
      fraud: { selfReferral: true, disposableEmail: true, botClicks: true },
      credentialIssuers: [],
    });
  });

  it("change field by field and stay changed", async () => {
    const response = await t.call("PATCH", "/v1/admin/program", {
      body: {
        attribution: { windowDays: 7, model: "first-click" },
        referrerReward: { type: "cash", amount: 75_000, currency: "INR" },
        milestones: [{ count: 5, bonus: { amount: 100_000, currency: "INR" } }],
        allowedOrigins: ["https://learn.acme.example/some/page"],
      },
      headers: auth,
    });
    expect(response.status).toBe(200);
    const again = await (await t.call("GET", "/v1/admin/program", { headers: auth })).json();
    expect(again).toMatchObject({
      attribution: { windowDays: 7, model: "first-click" },
      // The older reward fields are folded into the equivalent rule (README "Reward rules").
      rewardRules: {
        rules: [
          {
            course: null,
            kind: "cash",
            reward: { type: "fixed", amount: 75_000, currency: "INR" },
            tiers: [],
            payments: "first",
            signupReward: null,
          },
        ],
        monthlyCap: null,
        milestones: [{ count: 5, bonus: { amount: 100_000, currency: "INR" } }],
      },
      allowedOrigins: ["https://learn.acme.example"],
      holdDays: 14,
    });
  });

  it("never show the Stripe signing secret, and keep it when its masked form comes back", async () => {
    const secret = "whsec_StripeSigningSecretAbcd1234";
    const set = await t.call("PATCH", "/v1/admin/program", {
      body: { stripe: { webhookSecret: secret, conversionType: "enrollment" } },
      headers: auth,
    });
    expect(JSON.stringify(await set.json())).not.toContain(secret);
    const shown = await (await t.call("GET", "/v1/admin/program", { headers: auth })).json();
    expect(shown.stripe).toEqual({ webhookSecret: "whsec_…1234", conversionType: "enrollment" });

    // What a settings page does: read, change one thing, send everything back.
    const saved = await t.call("PATCH", "/v1/admin/program", {
      body: { ...shown, stripe: { ...shown.stripe, conversionType: "completion" } },
      headers: auth,
    });
    expect(saved.status).toBe(200);
    const stored = await t.db.query.workspaces.findFirst({ where: (w, { eq }) => eq(w.id, ws.id) });
    expect(stored?.settings).toMatchObject({ stripe: { webhookSecret: secret, conversionType: "completion" } });
  });

  it.each([
    [{ referrerReward: { type: "cash", amount: 10.5, currency: "INR" } }, "referrerReward.amount"],
    [{ referrerReward: { type: "cash", amount: 100, currency: "XYZ" } }, "referrerReward.currency"],
    [{ attribution: { windowDays: 0 } }, "attribution.windowDays"],
    [{ allowedOrigins: ["not a url"] }, "allowedOrigins.0"],
    [{ trigger: "purchase" }, "trigger"],
  ])("refuse %j and keep the old value", async (patch, path) => {
    const before = await (await t.call("GET", "/v1/admin/program", { headers: auth })).json();
    const error = await expectError(
      await t.call("PATCH", "/v1/admin/program", { body: patch, headers: auth }),
      400,
      "invalid_request",
    );
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(await (await t.call("GET", "/v1/admin/program", { headers: auth })).json()).toEqual(before);
  });

  it("refuse a nested publicKeyJwk with 400 and keep the settings (a deep one answered 500, found by fuzzing)", async () => {
    const before = await (await t.call("GET", "/v1/admin/program", { headers: auth })).json();
    const deep = `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`;
    const body = `{"credentialIssuers":[{"id":"did:web:issuer.example","publicKeyJwk":{"kty":"OKP","x":${deep}}}]}`;
    const error = await expectError(
      await t.call("PATCH", "/v1/admin/program", { body, headers: auth }),
      400,
      "invalid_request",
    );
    expect(JSON.stringify(error.details)).toContain("credentialIssuers.0.publicKeyJwk");
    expect(await (await t.call("GET", "/v1/admin/program", { headers: auth })).json()).toEqual(before);
    const jwk = {
      kty: "OKP",
      crv: "Ed25519",
      x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
      key_ops: ["verify"],
      ext: true,
    };
    const ok = await t.call("PATCH", "/v1/admin/program", {
      body: { credentialIssuers: [{ id: "did:web:issuer.example", publicKeyJwk: jwk }] },
      headers: auth,
    });
    expect(ok.status).toBe(200);
  });
});
