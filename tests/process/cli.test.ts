import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/processes.ts";

let dir: string;
let env: Record<string, string>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-cli-"));
  env = { DATABASE_URL: `file:${join(dir, "cli.db")}` };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("chorus CLI", () => {
  it("creates a workspace and prints its credentials as JSON", () => {
    const result = runCli(
      [
        "workspace",
        "create",
        "--name",
        "Acme",
        "--origin",
        "https://acme.example",
        "--origin",
        "http://localhost:3000",
        "--json",
      ],
      env,
    );
    expect(result.status).toBe(0);
    const created = JSON.parse(result.stdout);
    expect(created).toEqual({
      id: expect.stringMatching(/^ws_/),
      name: "Acme",
      publishableKey: expect.stringMatching(/^pk_\w{32}$/),
      secretKey: expect.stringMatching(/^sk_\w{32}$/),
      tokenSecret: expect.stringMatching(/^tks_\w{32}$/),
    });

    const list = runCli(["workspace", "list", "--json"], env);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        id: created.id,
        name: "Acme",
        origins: ["https://acme.example", "http://localhost:3000"],
      }),
    ]);
  });

  it("rotates a key and mints learner tokens that verify with the token secret", async () => {
    const created = JSON.parse(
      runCli(["workspace", "create", "--name", "Rotate", "--origin", "https://r.example", "--json"], env).stdout,
    );
    const rotated = runCli(["key", "rotate", "--workspace", created.id, "--json"], env);
    expect(rotated.status).toBe(0);
    const { key } = JSON.parse(rotated.stdout);
    expect(key).toMatch(/^sk_/);
    expect(key).not.toBe(created.secretKey);

    const minted = runCli(
      [
        "token",
        "mint",
        "--workspace",
        created.id,
        "--learner",
        "u-42",
        "--name",
        "Priya",
        "--email",
        "priya@example.com",
      ],
      env,
    );
    expect(minted.status).toBe(0);
    const { payload } = await jwtVerify(minted.stdout.trim(), new TextEncoder().encode(created.tokenSecret));
    expect(payload).toMatchObject({ sub: "u-42", name: "Priya", email: "priya@example.com" });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it.each([
    [["workspace", "create", "--origin", "https://a.example"], "Missing --name"],
    [["workspace", "create", "--name", "X", "--origin", "not-a-url"], "is not an origin"],
    [["workspace", "create", "--name", "X"], "at least one --origin"],
    [["workspace", "explode"], "Unknown command"],
    [["workspace", "list", "--colour"], "Unknown option"],
    [["key", "rotate", "--workspace", "ws_missing"], "No workspace ws_missing"],
    [["token", "mint", "--workspace", "ws_missing", "--learner", "x"], "No workspace"],
  ])("fails clearly on %j", (args, message) => {
    const result = runCli(args, env);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("Usage:");
  });

  it("prints usage with --help", () => {
    const result = runCli(["--help"], env);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("workspace create");
  });
});
