import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { testOrigin, workspaceFactory } from "../support/factories.ts";
import { learnerCode } from "../support/referrals.ts";
import { storyBody } from "../support/stories.ts";
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
const storyCount = async () => Number((await t.client.execute("select count(*) as n from stories")).rows[0]?.n);
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

describe("vanity-code squatting (issue 15)", () => {
  const squatter = () => workspaceFactory(t.db, { name: "Squatter", origins: ["https://evil.test"] });
  const as = (workspace: CreatedWorkspace) => ({ Authorization: `Bearer ${workspace.secretKey}` });
  const reserve = (name: string, headers = admin) => t.call("PUT", `/v1/admin/reserved-codes/${name}`, { headers });

  it.each([
    "https://skillbridge.example@evil.test/login",
    "https://skillbridge.example:pw@evil.test/",
    "https://@evil.test/",
    "http://user:@academy.example/",
    "https://academy.example@academy.example/",
  ])("refuses the target %j: userinfo is refused in every URL", async (targetUrl) => {
    const error = await expectError(await create({ code: "user-info", targetUrl }), 400, "invalid_request");
    expect(JSON.stringify(error.details)).toContain("user name or password");
    expect(await codeCount()).toBe(0);
  });

  it("refuses userinfo in the program's, courses', webhooks' and stories' URLs too", async () => {
    const bad = "https://skillbridge.example@evil.test/";
    for (const body of [{ defaultTargetUrl: bad }, { fallbackUrl: bad }])
      await expectError(await t.call("PATCH", "/v1/admin/program", { headers: admin, body }), 400, "invalid_request");
    await expectError(
      await t.call("PUT", "/v1/admin/courses/data", { headers: admin, body: { title: "Data", url: bad } }),
      400,
      "invalid_request",
    );
    await expectError(
      await t.call("POST", "/v1/admin/webhooks", { headers: admin, body: { url: bad } }),
      400,
      "invalid_request",
    );
    await expectError(
      await t.call("POST", "/v1/stories", {
        headers: { "Chorus-Key": ws.publishableKey, Origin: testOrigin },
        body: storyBody({ photoUrl: "https://images.example@evil.test/x.jpg" }),
      }),
      400,
      "invalid_request",
    );
    expect(await storyCount()).toBe(0);
  });

  it("refuses a target outside the workspace's allowed origins and course pages; accepts those", async () => {
    const error = await expectError(
      await create({ code: "skillbridge", targetUrl: "https://evil.test/login" }),
      400,
      "invalid_request",
    );
    expect(error.details).toEqual([{ path: "targetUrl", message: expect.stringContaining("allowed origins") }]);
    // An allowed origin (the factory's https://academy.example) and a course page's origin.
    expect((await create({ code: "on-origin", targetUrl: "https://academy.example/offer" })).status).toBe(201);
    await expectError(await create({ code: "on-page", targetUrl: "https://learn.example/x" }), 400, "invalid_request");
    await t.call("PUT", "/v1/admin/courses/data", {
      headers: admin,
      body: { title: "Data", url: "https://learn.example/courses/data" },
    });
    expect((await create({ code: "on-page", targetUrl: "https://learn.example/x" })).status).toBe(201);
    // Scheme and port are part of the origin.
    await expectError(
      await create({ code: "plain-http", targetUrl: "http://academy.example/offer" }),
      400,
      "invalid_request",
    );
    expect(await codeCount()).toBe(2);
  });

  it("a reserved brand name, and names that read like it, are the reserving workspace's only", async () => {
    const reserved = await reserve("SkillBridge");
    expect(reserved.status).toBe(201);
    expect(await reserved.json()).toMatchObject({ name: "skillbridge" });
    expect((await reserve("skillbridge")).status).toBe(200);
    const other = await squatter();
    for (const code of ["skillbridge", "SKILL-BRIDGE", "ski11bridge", "skiiibridge", "sk1ll-br1dge", "skillbrldge"]) {
      const error = await expectError(await create({ code }, as(other)), 409, "conflict");
      expect(error.message).toContain("reserved");
    }
    // Nor for another workspace's learner; nor can the other workspace reserve it.
    await expectError(await reserve("skill-bridge", as(other)), 409, "conflict");
    expect(await codeCount()).toBe(0);
    // The reserving workspace uses it.
    expect((await create({ code: "skillbridge", targetUrl: "https://academy.example/" })).status).toBe(201);
    expect(await (await t.call("GET", "/v1/admin/reserved-codes", { headers: admin })).json()).toEqual({
      items: [{ name: "skillbridge", createdAt: expect.any(String) }],
    });
  });

  it("refuses to reserve a name another workspace already uses (or one reading like it), and server words", async () => {
    const other = await squatter();
    expect((await create({ code: "acme-learn" }, as(other))).status).toBe(201);
    for (const name of ["acme-learn", "acmelearn", "acme-1earn"])
      await expectError(await reserve(name), 409, "conflict");
    await expectError(await reserve("dashboard"), 400, "invalid_request");
    await expectError(await reserve("no"), 400, "invalid_request");
    expect(await (await t.call("GET", "/v1/admin/reserved-codes", { headers: admin })).json()).toEqual({ items: [] });
  });

  it("releases a name (then anyone may take it); 404 for a name not reserved here", async () => {
    expect((await reserve("skillbridge")).status).toBe(201);
    const other = await squatter();
    await expectError(
      await t.call("DELETE", "/v1/admin/reserved-codes/skillbridge", { headers: as(other) }),
      404,
      "not_found",
    );
    expect((await t.call("DELETE", "/v1/admin/reserved-codes/skillbridge", { headers: admin })).status).toBe(204);
    expect((await create({ code: "skillbridge" }, as(other))).status).toBe(201);
  });
});
