import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/processes.ts";
import { type RunningSqld, startSqld } from "../support/sqld.ts";

let sqld: RunningSqld;
beforeAll(async () => {
  sqld = await startSqld();
});
afterAll(() => sqld?.stop());

describe("chorus db migrate against a libSQL server (the documented Workers migration path)", () => {
  it("creates every table over HTTP, is safe to run again, and the CLI then works on that database", async () => {
    const env = { DATABASE_URL: sqld.url };
    const first = runCli(["db", "migrate"], env);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("Migrations applied.");

    const client = createClient({ url: sqld.url });
    const tables = async () =>
      (await client.execute("select name from sqlite_master where type = 'table' order by name")).rows.map(
        (row) => row.name,
      );
    const migrated = await tables();
    expect(migrated).toEqual(expect.arrayContaining(["__drizzle_migrations", "workspaces", "api_keys", "clicks"]));
    const applied = (await client.execute("select count(*) as n from __drizzle_migrations")).rows[0]?.n;

    expect(runCli(["db", "migrate"], env).status).toBe(0);
    expect(await tables()).toEqual(migrated);
    expect((await client.execute("select count(*) as n from __drizzle_migrations")).rows[0]?.n).toBe(applied);

    const created = JSON.parse(
      runCli(["workspace", "create", "--name", "Remote", "--origin", "https://r.example", "--json"], env).stdout,
    );
    expect((await client.execute("select name from workspaces")).rows.map((row) => row.name)).toEqual(["Remote"]);
    const listed = JSON.parse(runCli(["workspace", "list", "--json"], env).stdout);
    expect(listed).toEqual([expect.objectContaining({ id: created.id, origins: ["https://r.example"] })]);
    client.close();
  });

  it("fails with a clear message when the server is unreachable", () => {
    const result = runCli(["db", "migrate"], { DATABASE_URL: "http://127.0.0.1:9" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Error: /);
  });
});
