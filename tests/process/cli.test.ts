import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/processes.ts";

let dir: string;
let env: Record<string, string>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-cli-"));
  env = { DATABASE_URL: `file:${join(dir, "cli.db")}` };
  // As a person starts: `db migrate` first, then the other commands.
  expect(runCli(["db", "migrate"], env).status).toBe(0);
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

  it("gives a new workspace a landing page, so its referral links lead somewhere from the start", async () => {
    const settingsOf = async (id: string) => {
      const client = createClient({ url: env.DATABASE_URL! });
      const [row] = (await client.execute({ sql: "select settings from workspaces where id = ?", args: [id] })).rows;
      client.close();
      return JSON.parse(String(row?.settings)) as { defaultTargetUrl: string | null };
    };
    const plain = runCli(["workspace", "create", "--name", "Landing", "--origin", "https://land.example"], env);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain("landing page      https://land.example/   (where referral links lead;");
    const id = plain.stdout.match(/id\s+(ws_\w+)/)![1]!;
    expect((await settingsOf(id)).defaultTargetUrl).toBe("https://land.example/");

    const chosen = JSON.parse(
      runCli(
        [
          "workspace",
          "create",
          "--name",
          "Chosen",
          "--origin",
          "https://land.example",
          "--target",
          "https://land.example/courses?from=referral",
          "--json",
        ],
        env,
      ).stdout,
    );
    expect((await settingsOf(chosen.id)).defaultTargetUrl).toBe("https://land.example/courses?from=referral");
  });

  it("adds the first owner and prints a one-time dashboard link; refuses a bad role or a second add", () => {
    const created = JSON.parse(
      runCli(["workspace", "create", "--name", "Team", "--origin", "https://team.example", "--json"], env).stdout,
    );
    const withUrl = { ...env, PUBLIC_URL: "https://chorus.example", CHORUS_SECRET: "s".repeat(40) };
    const add = ["member", "add", "--workspace", created.id, "--email", "boss@team.example"];
    const added = runCli([...add, "--role", "owner", "--json"], withUrl);
    expect(added.status).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      workspace: created.id,
      role: "owner",
      url: expect.stringMatching(/^https:\/\/chorus\.example\/dashboard#link=[0-9a-f]{64}$/),
    });
    expect(runCli([...add, "--role", "owner"], withUrl).status).not.toBe(0);
    const badRole = runCli(
      ["member", "add", "--workspace", created.id, "--email", "x@team.example", "--role", "king"],
      withUrl,
    );
    expect(badRole.status).not.toBe(0);
    expect(badRole.stderr).toContain("The role must be one of");
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
    [
      ["workspace", "create", "--name", "X", "--origin", "https://a.example", "--target", "https://elsewhere.example/"],
      "must be a page on one of the --origin sites",
    ],
    [
      ["workspace", "create", "--name", "X", "--origin", "https://a.example", "--target", "javascript:alert(1)"],
      "--target",
    ],
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

describe("chorus CLI and migrations: only `db migrate` changes the schema", () => {
  const tables = async (url: string) => {
    const client = createClient({ url });
    try {
      return (await client.execute("select name from sqlite_master where type = 'table' order by name")).rows.map(
        (row) => row.name,
      );
    } finally {
      client.close();
    }
  };

  it("refuses an unmigrated database, says to run db migrate, and does not migrate it", async () => {
    const fresh = { DATABASE_URL: `file:${join(dir, "fresh.db")}` };
    for (const args of [
      ["workspace", "list"],
      ["workspace", "create", "--name", "A", "--origin", "https://a.example"],
    ]) {
      const result = runCli(args, fresh);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("not migrated");
      expect(result.stderr).toContain("npm run chorus -- db migrate");
    }
    expect(await tables(fresh.DATABASE_URL)).toEqual([]);

    expect(runCli(["db", "migrate"], fresh).status).toBe(0);
    const listed = runCli(["workspace", "list", "--json"], fresh);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it("refuses a database that lacks the newest migration, and `workspace list` leaves it as it was", async () => {
    const url = `file:${join(dir, "behind.db")}`;
    expect(runCli(["db", "migrate"], { DATABASE_URL: url }).status).toBe(0);
    // As if the database was migrated by the previous release: its newest migration is not applied.
    const client = createClient({ url });
    await client.execute(
      "delete from __drizzle_migrations where created_at = (select max(created_at) from __drizzle_migrations)",
    );
    const applied = async () => (await client.execute("select count(*) as n from __drizzle_migrations")).rows[0]?.n;
    const before = await applied();

    const result = runCli(["workspace", "list"], { DATABASE_URL: url });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not migrated \(missing \d{4}_\w+\)/);
    expect(result.stderr).toContain("npm run chorus -- db migrate");
    expect(await applied()).toBe(before);
    client.close();
  });
});
