import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { workspaces } from "../../db/schema.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let auth: Record<string, string>;
let workspaceId: string;
beforeEach(async () => {
  t = await createTestApp({ bodyLimitBytes: 2048 });
  const ws = await workspaceFactory(t.db);
  workspaceId = ws.id;
  auth = { Authorization: `Bearer ${ws.secretKey}` };
});
afterEach(() => t.cleanup());

async function storedSettings() {
  const [row] = await t.db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  return row?.settings;
}

describe("bad input at the edge", () => {
  it("rejects malformed JSON with 400 invalid_json and changes nothing", async () => {
    const before = await storedSettings();
    const response = await t.call("PATCH", "/v1/admin/program", { body: '{"holdDays": 3,', headers: auth });
    await expectError(response, 400, "invalid_json");
    expect(await storedSettings()).toEqual(before);
  });

  it("rejects a body that is not JSON with 415", async () => {
    const response = await t.call("PATCH", "/v1/admin/program", {
      body: "holdDays=3",
      headers: { ...auth, "Content-Type": "application/x-www-form-urlencoded" },
    });
    await expectError(response, 415, "unsupported_media_type");
  });

  it("rejects an oversized body with 413 before reading it all", async () => {
    const response = await t.call("PATCH", "/v1/admin/program", {
      body: { allowedOrigins: Array.from({ length: 200 }, (_, i) => `https://site-${i}.example`) },
      headers: auth,
    });
    await expectError(response, 413, "payload_too_large");
  });

  it("answers schema violations with 400 and the failing paths", async () => {
    const response = await t.call("PATCH", "/v1/admin/program", { body: { holdDays: -1 }, headers: auth });
    const error = await expectError(response, 400, "invalid_request");
    expect(error.details).toEqual([expect.objectContaining({ path: "holdDays" })]);
  });

  it("refuses NUL characters anywhere in a body, however deep, and changes nothing", async () => {
    const before = await storedSettings();
    const hidden = await t.call("PATCH", "/v1/admin/program", {
      body: { credentialIssuers: [{ id: "did:web:issuer.example", name: "Issuer\u0000 Ltd" }] },
      headers: auth,
    });
    const error = await expectError(hidden, 400, "invalid_request");
    expect(error.details).toEqual([expect.objectContaining({ path: "credentialIssuers.0.name" })]);
    // The JSON text spells the NUL as an escape, as a client would send it.
    const deep = `${"[".repeat(1000)}"\\u0000"${"]".repeat(1000)}`;
    await expectError(
      await t.call("PATCH", "/v1/admin/program", { body: deep, headers: auth }),
      400,
      "invalid_request",
    );
    expect(await storedSettings()).toEqual(before);
  });

  it("refuses unknown settings instead of silently dropping them", async () => {
    const response = await t.call("PATCH", "/v1/admin/program", { body: { holdDayz: 3 }, headers: auth });
    const error = await expectError(response, 400, "invalid_request");
    expect(error.message).toContain("holdDayz");
  });

  it("answers 404 with the envelope for unknown routes and wrong methods alike", async () => {
    await expectError(await t.call("GET", "/v1/unknown"), 404, "not_found");
    await expectError(await t.call("DELETE", "/healthz"), 404, "not_found");
  });
});
