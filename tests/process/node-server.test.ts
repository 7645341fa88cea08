import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runServerExpectingExit, startServer } from "../support/processes.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-node-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the Node server (npm start)", () => {
  it("migrates an empty database, makes the demo workspace, serves, and stops cleanly on Ctrl-C", async () => {
    const url = `file:${join(dir, "chorus.db")}`;
    const server = await startServer({ DATABASE_URL: url });
    const banner = server.output();
    expect(banner).toContain(`${server.baseUrl}/demo\n`);
    expect(banner).toContain(`${server.baseUrl}/dashboard`);
    expect(banner).toContain(`${server.baseUrl}/docs`);
    expect(banner).toContain(`  Advocate page      ${server.baseUrl}/p/skillbridge   (hosted, no code)`);
    // Where the demo's referral links land, so a workspace without one would show at once.
    expect(banner).toContain(`  Landing page       ${server.baseUrl}/demo/\n`);
    const secretKey = banner.match(/Secret key\s+(sk_\w+)/)?.[1];
    expect(secretKey).toBeDefined();

    const health = await fetch(`${server.baseUrl}/healthz`);
    expect(await health.json()).toMatchObject({ status: "ok", database: "ok" });
    expect((await fetch(`${server.baseUrl}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${server.baseUrl}/`)).status).toBe(200);
    // The demo key works against the running server; the demo origin is allowed.
    const program = await fetch(`${server.baseUrl}/v1/admin/program`, {
      headers: { Authorization: `Bearer ${secretKey}` },
    });
    expect(((await program.json()) as { allowedOrigins: string[] }).allowedOrigins).toContain(server.baseUrl);

    expect(await server.stop("SIGINT")).toBe(0);
    expect(server.output()).toContain("Stopped cleanly.");

    const client = createClient({ url });
    const journal = await client.execute("PRAGMA journal_mode");
    expect(journal.rows[0]?.journal_mode).toBe("wal");
    client.close();
  });

  it("prints the same demo keys on the next start, and none with CHORUS_DEMO=0", async () => {
    const url = `file:${join(dir, "chorus.db")}`;
    const first = await startServer({ DATABASE_URL: url });
    const key = first.output().match(/Secret key\s+(sk_\w+)/)?.[1];
    await first.stop();
    const second = await startServer({ DATABASE_URL: url });
    expect(second.output().match(/Secret key\s+(sk_\w+)/)?.[1]).toBe(key);
    await second.stop();

    const bare = await startServer({ DATABASE_URL: `file:${join(dir, "bare.db")}`, CHORUS_DEMO: "0" });
    expect(bare.output()).not.toContain("Demo workspace");
    await bare.stop();
    const client = createClient({ url: `file:${join(dir, "bare.db")}` });
    expect((await client.execute("select count(*) as n from workspaces")).rows[0]?.n).toBe(0);
    client.close();
  });

  it("keeps the demo off in production, says so, and prints no demo URL that would answer 404", async () => {
    const server = await startServer({
      DATABASE_URL: `file:${join(dir, "prod.db")}`,
      NODE_ENV: "production",
      PUBLIC_URL: "http://go.acme.example",
    });
    const banner = server.output();
    expect(banner).toContain("Demo: off (NODE_ENV=production; CHORUS_DEMO=1 turns it on)");
    expect(banner).not.toContain("/demo\n");
    expect((await fetch(`${server.baseUrl}/demo`)).status).toBe(404);
    const checkout = await fetch(`${server.baseUrl}/demo/checkout`, { method: "POST", body: "course=data-analytics" });
    expect(checkout.status).toBe(404);
    await server.stop();
  });
});

describe("the Node server's start-up checks", () => {
  it("refuses a malformed variable before touching the database, naming the variable", () => {
    const file = join(dir, "never.db");
    const result = runServerExpectingExit({ DATABASE_URL: `file:${file}`, PORT: "abc" });
    expect(result.status).toBe(1);
    expect(result.output).toContain("PORT must be a whole number");
    expect(result.output).toContain('"abc"');
    expect(existsSync(file)).toBe(false);
  });

  it("names every malformed variable at once, and never echoes the secret", () => {
    const result = runServerExpectingExit({
      DATABASE_URL: `file:${join(dir, "never.db")}`,
      TRUST_PROXY: "yes",
      BODY_LIMIT_BYTES: "64k",
      PUBLIC_URL: "go.acme.example",
      CHORUS_SECRET: "too-short-to-sign",
    });
    expect(result.status).toBe(1);
    for (const name of ["TRUST_PROXY", "BODY_LIMIT_BYTES", "PUBLIC_URL", "CHORUS_SECRET"])
      expect(result.output).toContain(name);
    expect(result.output).not.toContain("too-short-to-sign");
  });
});
