import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { workspaceFactory } from "../support/factories.ts";
import { learnerCode } from "../support/referrals.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let admin: Record<string, string>;
beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  admin = { Authorization: `Bearer ${ws.secretKey}` };
});
afterEach(() => t.cleanup());

const create = (body: unknown, headers = admin) => t.call("POST", "/v1/codes", { headers, body });
const codeCount = async () => Number((await t.client.execute("select count(*) as n from referral_codes")).rows[0]?.n);

describe("POST /v1/codes (vanity codes)", () => {
  it("creates a code for a learner, stored lower-case", async () => {
    await learnerCode(t, ws, "priya");
    const response = await create({ code: "Priya-Learns", learnerId: "priya" });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ code: "priya-learns", link: "https://chorus.test/r/priya-learns" });
  });

  it("refuses a code taken in another case, in this or another workspace, with 409", async () => {
    expect((await create({ code: "summer-sale" })).status).toBe(201);
    await expectError(await create({ code: "SUMMER-SALE" }), 409, "conflict");
    const other = await workspaceFactory(t.db, { name: "Other" });
    await expectError(
      await create({ code: "Summer-Sale" }, { Authorization: `Bearer ${other.secretKey}` }),
      409,
      "conflict",
    );
    expect(await codeCount()).toBe(1);
  });

  it.each([
    "ab",
    "x".repeat(33),
    "has space",
    "emoji-🎉",
    "ümlaut",
    "-leading",
    "trailing-",
    "double--hyphen",
    "under_score",
  ])("refuses the malformed code %j", async (code) => {
    await expectError(await create({ code }), 400, "invalid_request");
    expect(await codeCount()).toBe(0);
  });

  it.each(["admin", "Dashboard", "api", "support", "login"])("refuses the reserved word %j", async (code) => {
    const error = await expectError(await create({ code }), 400, "invalid_request");
    expect(error.message).toContain("reserved");
  });

  it("refuses an unknown learner and a foreign target scheme", async () => {
    await expectError(await create({ code: "ghost-code", learnerId: "nobody" }), 404, "not_found");
    await expectError(await create({ code: "js-code", targetUrl: "javascript:alert(1)" }), 400, "invalid_request");
    expect(await codeCount()).toBe(0);
  });

  it("needs the secret key, not the publishable key", async () => {
    await expectError(await create({ code: "sneaky" }, { "Chorus-Key": ws.publishableKey }), 401, "unauthorized");
  });
});
