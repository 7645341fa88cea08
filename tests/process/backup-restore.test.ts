/**
 * Backups that are proven: `chorus db backup` against a real server process under concurrent
 * redirects and conversions, `chorus db restore` into a fresh directory, a fresh server on it, and
 * every click and conversion acknowledged before the backup began found there. Then the refusals:
 * a file that is not a Chorus database or comes from a newer schema, a live database without
 * --force, and a backup to a read-only or full disk (a clear error, and no file left that could
 * pass for a backup).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb } from "../../db/index.ts";
import { migrateDatabase, prepareFileDatabase } from "../../db/migrate.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { type RunningServer, runCli, runCliAsync, startServer } from "../support/processes.ts";
import { chromeUserAgent } from "../support/referrals.ts";
import { testConfig } from "../support/test-app.ts";

let dir: string;
const servers: RunningServer[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-backup-"));
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.process.exitCode === null && server.process.signalCode === null) {
      server.process.kill("SIGKILL");
      await server.exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

async function migratedDatabase(file: string) {
  const client = createClient({ url: `file:${file}` });
  await prepareFileDatabase(client);
  await migrateDatabase(client);
  const db = createDb(client);
  const ws = await workspaceFactory(db, { settings: { defaultTargetUrl: "https://academy.example/course" } });
  const referrer = await referrerFactory(db, ws.id, { sub: "priya" });
  client.close();
  return { ws, referrer };
}

const env = { CHORUS_DEMO: "0", TRUST_PROXY: "1", CHORUS_SECRET: testConfig.secret };
const workers = 16;

it("backs up while clicks and conversions keep coming, and a restored server has every write acknowledged before the backup began", async () => {
  const file = join(dir, "live", "chorus.db");
  mkdirSync(join(dir, "live"));
  const { ws, referrer } = await migratedDatabase(file);
  const server = await startServer({ ...env, DATABASE_URL: `file:${file}` });
  servers.push(server);

  const clicks: string[] = [];
  const conversions: { key: string; id: string; body: string }[] = [];
  let stop = false;
  let next = 0;
  const worker = async () => {
    while (!stop) {
      const i = next++;
      if (i % 3 !== 2) {
        const response = await fetch(`${server.baseUrl}/r/${referrer.code}?ch=whatsapp`, {
          redirect: "manual",
          headers: {
            "User-Agent": `${chromeUserAgent} backup/${i}`,
            "X-Forwarded-For": `10.9.${(i >> 8) & 255}.${i & 255}`,
          },
        });
        expect(response.status).toBe(302);
        const clickId = new URL(response.headers.get("Location") ?? "").searchParams.get("chorus_cid");
        expect(clickId).toBeTruthy();
        clicks.push(clickId!);
      } else {
        const key = `backup-${i}`;
        const body = JSON.stringify({
          id: key,
          type: "enrollment",
          customer: { id: `friend-${i}` },
          code: referrer.code,
          course: "data-analytics",
          amount: 499_900,
          currency: "INR",
        });
        const response = await fetch(`${server.baseUrl}/v1/conversions`, {
          method: "POST",
          headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
          body,
        });
        expect(response.status).toBe(201);
        conversions.push({ key, body, id: ((await response.json()) as { conversion: { id: string } }).conversion.id });
      }
    }
  };
  const load = Promise.all(Array.from({ length: workers }, worker));
  await expect.poll(() => clicks.length + conversions.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(150);

  // What the server had acknowledged when the backup command was started.
  const clicksBefore = [...clicks];
  const conversionsBefore = [...conversions];
  const backup = join(dir, "backups", "chorus-backup.db");
  mkdirSync(join(dir, "backups"));
  const answeredBefore = clicks.length + conversions.length;
  const backedUp = await runCliAsync(["db", "backup", backup], { DATABASE_URL: `file:${file}` });
  const answeredDuring = clicks.length + conversions.length - answeredBefore;
  stop = true;
  await load;
  expect(backedUp.stderr).toBe("");
  expect(backedUp.status).toBe(0);
  expect(backedUp.stdout).toMatch(
    /Backing up .* to .*chorus-backup\.db…\nCopied .* checking the copy…\nBackup complete: /,
  );
  // The server went on answering while the backup ran: it was online.
  expect(answeredDuring).toBeGreaterThan(0);
  expect(readdirSync(join(dir, "backups"))).toEqual(["chorus-backup.db"]);
  expect(await server.stop("SIGINT")).toBe(0);

  // A fresh machine: restore into an empty directory (no --force needed), start a server on it.
  const restored = join(dir, "fresh", "chorus.db");
  const restore = runCli(["db", "restore", backup], { DATABASE_URL: `file:${restored}` });
  expect(restore.stderr).toBe("");
  expect(restore.status).toBe(0);
  const fresh = await startServer({ ...env, DATABASE_URL: `file:${restored}` });
  servers.push(fresh);

  const reader = createClient({ url: `file:${restored}` });
  const stored = new Set((await reader.execute("select id from clicks")).rows.map((row) => String(row.id)));
  reader.close();
  expect(clicksBefore.filter((id) => !stored.has(id))).toEqual([]);
  // The restored server answers each acknowledged conversion as the same one: a replay (200), not a new row.
  for (const sent of conversionsBefore) {
    const response = await fetch(`${fresh.baseUrl}/v1/conversions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
      body: sent.body,
    });
    expect({
      status: response.status,
      id: ((await response.json()) as { conversion: { id: string } }).conversion.id,
    }).toEqual({
      status: 200,
      id: sent.id,
    });
  }
  // The copy is as of one commit: nothing in it that the live database did not have.
  const live = createClient({ url: `file:${file}` });
  const liveClicks = new Set((await live.execute("select id from clicks")).rows.map((row) => String(row.id)));
  live.close();
  expect([...stored].filter((id) => !liveClicks.has(id))).toEqual([]);
  expect(await fresh.stop("SIGINT")).toBe(0);
  console.log(
    `backup under load: ${clicksBefore.length} clicks and ${conversionsBefore.length} conversions acknowledged before the backup, ` +
      `all restored; ${answeredDuring} more answered while \`chorus db backup\` ran; the copy held ${stored.size} clicks`,
  );
}, 120_000);

describe("chorus db restore refuses what it cannot vouch for", () => {
  it("a file that is not SQLite, a SQLite file that is not Chorus, and a newer schema, each with the reason", async () => {
    const target = join(dir, "chorus.db");
    const junk = join(dir, "notes.txt");
    writeFileSync(junk, "these are not the rows you are looking for\n");
    const notSqlite = runCli(["db", "restore", junk], { DATABASE_URL: `file:${target}` });
    expect(notSqlite.status).toBe(1);
    expect(notSqlite.stderr).toContain("is not a SQLite database");

    const other = join(dir, "other.db");
    const client = createClient({ url: `file:${other}` });
    await client.execute("create table todo (id integer primary key, title text)");
    client.close();
    const notChorus = runCli(["db", "restore", other], { DATABASE_URL: `file:${target}` });
    expect(notChorus.status).toBe(1);
    expect(notChorus.stderr).toContain(
      "is not a Chorus database: it has no __drizzle_migrations, workspaces, clicks, conversions table",
    );

    const newer = join(dir, "newer.db");
    await migratedDatabase(newer);
    const future = createClient({ url: `file:${newer}` });
    await future.execute({
      sql: "insert into __drizzle_migrations (hash, created_at) values ('from-the-future', ?)",
      args: [Date.now() + 365 * 86_400_000],
    });
    future.close();
    const fromNewer = runCli(["db", "restore", newer], { DATABASE_URL: `file:${target}` });
    expect(fromNewer.status).toBe(1);
    expect(fromNewer.stderr).toMatch(/comes from a newer version of Chorus: .* Upgrade Chorus, then restore\./);
    // Nothing was put in place by any of them.
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.startsWith("chorus.db") || name.includes("partial"))).toEqual([]);
  });

  it("replaces an existing database only with --force, and keeps the one it replaced", async () => {
    const target = join(dir, "chorus.db");
    const { ws } = await migratedDatabase(target);
    const backup = join(dir, "backup.db");
    expect(runCli(["db", "backup", backup], { DATABASE_URL: `file:${target}` }).status).toBe(0);
    // A later write, which the restore will take back.
    const later = createClient({ url: `file:${target}` });
    await workspaceFactory(createDb(later), { name: "Written after the backup" });
    later.close();

    const refused = runCli(["db", "restore", backup], { DATABASE_URL: `file:${target}` });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("A database exists at");
    expect(refused.stderr).toContain("--force");
    const count = async (file: string) => {
      const client = createClient({ url: `file:${file}` });
      const n = Number((await client.execute("select count(*) from workspaces")).rows[0]?.[0]);
      client.close();
      return n;
    };
    expect(await count(target)).toBe(2);

    const forced = runCli(["db", "restore", backup, "--force"], { DATABASE_URL: `file:${target}` });
    expect(forced.status).toBe(0);
    const kept = forced.stdout.match(/kept as (\S+)\.$/m)?.[1];
    expect(kept).toBeDefined();
    expect(await count(target)).toBe(1);
    expect(await count(kept!)).toBe(2);
    const reader = createClient({ url: `file:${target}` });
    expect((await reader.execute("select id from workspaces")).rows.map((row) => row.id)).toEqual([ws.id]);
    reader.close();
  });
});

/** A directory that refuses writes: a read-only tmpfs when we are root (root ignores modes), else mode 0555. */
function readOnlyDirectory(path: string): (() => void) | null {
  mkdirSync(path);
  if (process.getuid?.() !== 0) {
    chmodSync(path, 0o555);
    return () => chmodSync(path, 0o755);
  }
  return mount(path, "ro,size=1m");
}

function mount(path: string, options: string): (() => void) | null {
  if (!existsSync(path)) mkdirSync(path);
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", path]);
  if (mounted.status !== 0) return null;
  return () => {
    spawnSync("umount", [path]);
  };
}

const root = process.getuid?.() === 0;

describe("chorus db backup on a disk that refuses it", () => {
  it("a read-only directory: a clear error, and no file left behind", async () => {
    const source = join(dir, "chorus.db");
    await migratedDatabase(source);
    const target = join(dir, "readonly");
    const undo = readOnlyDirectory(target);
    if (!undo) return expect.fail("could not make a read-only directory (mount failed)");
    try {
      const result = runCli(["db", "backup", join(target, "backup.db")], { DATABASE_URL: `file:${source}` });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        `Cannot write the backup in ${target}: the directory is read-only or not writable`,
      );
      expect(readdirSync(target)).toEqual([]);
    } finally {
      undo();
    }
  });

  // A small tmpfs is a full disk on demand; mounting one needs root.
  it.skipIf(!root)("a full disk: a clear error, and no partial file left that looks like a backup", async () => {
    const source = join(dir, "chorus.db");
    await migratedDatabase(source);
    const target = join(dir, "small");
    // The migrated database is about 400 KB; this disk holds 64 KB.
    const undo = mount(target, "size=64k");
    if (!undo) return expect.fail("could not mount a small tmpfs");
    try {
      const result = runCli(["db", "backup", join(target, "backup.db")], { DATABASE_URL: `file:${source}` });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`The disk holding ${target} is full: the backup did not fit`);
      expect(readdirSync(target)).toEqual([]);
    } finally {
      undo();
    }
  });
});
