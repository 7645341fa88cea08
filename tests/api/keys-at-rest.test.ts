import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../server/lib/crypto.ts";
import { rotateKey } from "../../server/services/api-keys.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

/** Every value in every table, as one string: what a leaked database dump would show. */
async function dumpDatabase(): Promise<string> {
  const tables = await t.client.execute("select name from sqlite_master where type = 'table'");
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await t.client.execute(`select * from "${String(name)}"`);
    parts.push(JSON.stringify(rows.rows));
  }
  return parts.join("\n");
}

describe("keys at rest", () => {
  it("stores no raw secret or publishable key, only their hashes", async () => {
    const ws = await workspaceFactory(t.db);
    const rotated = await rotateKey(t, { workspaceId: ws.id, kind: "secret" });
    const dump = await dumpDatabase();
    for (const key of [ws.secretKey, ws.publishableKey, rotated]) {
      expect(dump).not.toContain(key);
      expect(dump).toContain(await sha256Hex(key));
      // Not even the random part without its prefix.
      expect(dump).not.toContain(key.slice(3));
    }
  });

  it("keeps a short prefix to recognise a key by, too short to use", async () => {
    const ws = await workspaceFactory(t.db);
    const rows = await t.client.execute({
      sql: "select kind, prefix from api_keys where workspace_id = ?",
      args: [ws.id],
    });
    const prefixes = Object.fromEntries(rows.rows.map((row) => [row.kind, String(row.prefix)]));
    expect(ws.secretKey.startsWith(prefixes.secret ?? "none")).toBe(true);
    expect(prefixes.secret?.length).toBeLessThanOrEqual(10);
  });
});
