/**
 * Continuous replication: the real Node server with DATABASE_URL=file:… and DATABASE_SYNC_URL
 * pointing at a real sqld, so its file is a libSQL embedded replica. What is measured here is what
 * docs/operations-data.md promises: a write is answered only once the primary has it (libSQL
 * delegates writes), a restarted server catches up with what the primary got while it was down,
 * and while the primary is unreachable reads go on and writes are refused with 503 (not 500),
 * then go on by themselves once it is back; a start without the primary stops with the reason.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type RunningServer, runCli, runServerExpectingExit, startServer } from "../support/processes.ts";
import { chromeUserAgent } from "../support/referrals.ts";
import { type RunningSqld, startSqld } from "../support/sqld.ts";
import { testConfig } from "../support/test-app.ts";

let dir: string;
let sqld: RunningSqld;
const running: RunningServer[] = [];
const sqlds: RunningSqld[] = [];
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "chorus-replica-"));
  sqld = await startSqld();
  sqlds.push(sqld);
});
afterEach(async () => {
  for (const server of running.splice(0)) {
    if (server.process.exitCode === null && server.process.signalCode === null) {
      server.process.kill("SIGKILL");
      await server.exited;
    }
  }
  // The restarted sqld first (it shares the first one's directory, which the first one removes).
  for (const each of sqlds.splice(0).reverse()) await each.stop();
  rmSync(dir, { recursive: true, force: true });
});

const replicaEnv = () => ({
  CHORUS_DEMO: "0",
  TRUST_PROXY: "1",
  CHORUS_SECRET: testConfig.secret,
  DATABASE_URL: `file:${join(dir, "replica.db")}`,
  DATABASE_SYNC_URL: sqld.url,
  METRICS_TOKEN: "replica-metrics-token-0123456789",
});

type Workspace = { id: string; secretKey: string; publishableKey: string };

/** `chorus workspace create` with the replica's variables: the CLI writes to the primary. */
function createWorkspace(name: string): Workspace {
  const result = runCli(
    ["workspace", "create", "--name", name, "--origin", "https://academy.example", "--json"],
    replicaEnv(),
  );
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as Workspace;
}

async function start(): Promise<RunningServer> {
  const server = await startServer(replicaEnv());
  running.push(server);
  return server;
}

const post = (base: string, key: string, path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

const enrollment = (key: string, code: string) => ({
  id: key,
  type: "enrollment",
  customer: { id: `friend-${key}` },
  code,
  course: "data-analytics",
  amount: 499_900,
  currency: "INR",
});

async function onPrimary(sql: string, args: (string | number)[] = []) {
  const primary = createClient({ url: sqld.url });
  try {
    return (await primary.execute({ sql, args })).rows;
  } finally {
    primary.close();
  }
}

it("answers a write only once the primary has it, and a restarted server catches up with what the primary got meanwhile", async () => {
  let server = await start();
  const ws = createWorkspace("Replicated Academy");
  // The server's replica pulls the CLI's write from the primary within a sync interval (1 s).
  await expect
    .poll(
      async () =>
        (await fetch(`${server.baseUrl}/v1/admin/program`, { headers: { Authorization: `Bearer ${ws.secretKey}` } }))
          .status,
      {
        timeout: 10_000,
      },
    )
    .toBe(200);
  expect(
    (
      await post(server.baseUrl, ws.secretKey, "/v1/codes", {
        code: "replica-priya",
        targetUrl: "https://academy.example/course",
      })
    ).status,
  ).toBe(201);

  const clickIds: string[] = [];
  const answered: { key: string; id: string }[] = [];
  for (let i = 0; i < 6; i++) {
    const redirect = await fetch(`${server.baseUrl}/r/replica-priya`, {
      redirect: "manual",
      headers: { "User-Agent": `${chromeUserAgent} replica/${i}`, "X-Forwarded-For": `10.7.0.${i + 1}` },
    });
    expect(redirect.status).toBe(302);
    const clickId = new URL(redirect.headers.get("Location")!).searchParams.get("chorus_cid")!;
    // Acknowledged means on the primary: read there at once, not after a sync.
    expect(await onPrimary("select id from clicks where id = ?", [clickId])).toHaveLength(1);
    clickIds.push(clickId);
    const response = await post(
      server.baseUrl,
      ws.secretKey,
      "/v1/conversions",
      enrollment(`replica-${i}`, "replica-priya"),
    );
    expect(response.status).toBe(201);
    const id = ((await response.json()) as { conversion: { id: string } }).conversion.id;
    expect(await onPrimary("select id from conversions where external_id = ?", [`replica-${i}`])).toEqual([
      expect.objectContaining({ id }),
    ]);
    answered.push({ key: `replica-${i}`, id });
  }

  expect(await server.stop("SIGINT")).toBe(0);
  // While the server is down the primary takes writes (here the CLI's) …
  const later = createWorkspace("Written while the server was down");
  // … and the restarted server has them from its first answer: opening a replica syncs it.
  server = await start();
  const program = await fetch(`${server.baseUrl}/v1/admin/program`, {
    headers: { Authorization: `Bearer ${later.secretKey}` },
  });
  expect(program.status).toBe(200);
  for (const { key, id } of answered) {
    const replay = await post(server.baseUrl, ws.secretKey, "/v1/conversions", enrollment(key, "replica-priya"));
    expect({
      status: replay.status,
      id: ((await replay.json()) as { conversion: { id: string } }).conversion.id,
    }).toEqual({
      status: 200,
      id,
    });
  }
  // `db backup` copies the replica's local file (the other commands would go to the primary).
  const backup = runCli(["db", "backup", join(dir, "replica-backup.db")], replicaEnv());
  expect(backup.stderr).toBe("");
  expect(backup.status).toBe(0);
  const copy = createClient({ url: `file:${join(dir, "replica-backup.db")}` });
  const copied = new Set((await copy.execute("select id from clicks")).rows.map((row) => String(row.id)));
  copy.close();
  expect(clickIds.filter((id) => !copied.has(id))).toEqual([]);
  expect(await server.stop("SIGINT")).toBe(0);
}, 90_000);

it("while the primary is down: reads go on, clicks are kept locally, other writes answer 503, a new start stops with the reason; once it is back, held clicks and writes go on", async () => {
  const server = await start();
  const ws = createWorkspace("Outage Academy");
  const program = () =>
    fetch(`${server.baseUrl}/v1/admin/program`, { headers: { Authorization: `Bearer ${ws.secretKey}` } });
  await expect.poll(async () => (await program()).status, { timeout: 10_000 }).toBe(200);
  expect(
    (
      await post(server.baseUrl, ws.secretKey, "/v1/codes", {
        code: "outage-priya",
        targetUrl: "https://academy.example/course",
      })
    ).status,
  ).toBe(201);

  const readyz = async () => {
    const response = await fetch(`${server.baseUrl}/readyz`);
    const body = (await response.json()) as {
      checks?: { primary: string };
      error?: { details: { checks: { primary: string } } };
    };
    return { status: response.status, primary: (body.checks ?? body.error?.details.checks)?.primary };
  };
  expect(await readyz()).toEqual({ status: 200, primary: "ok" });

  await sqld.kill();
  // Reads are answered from the local copy.
  expect((await program()).status).toBe(200);
  expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
  // Alive, but not ready: the load balancer should send writes elsewhere.
  expect(await readyz()).toEqual({
    status: 503,
    primary:
      "the primary database does not answer: clicks are kept on this server (0 clicks held on this server), other writes are refused until it does (reads go on)",
  });
  // A write cannot reach the primary: refused in the envelope, as unavailable, never as a 500.
  const refused = await post(server.baseUrl, ws.secretKey, "/v1/conversions", enrollment("outage-1", "outage-priya"));
  expect(refused.status).toBe(503);
  const body = (await refused.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("unavailable");
  expect(body.error.message).toContain("primary database does not answer");
  // The same through the query builder, which wraps the driver's error (a new code is one insert).
  const code = await post(server.baseUrl, ws.secretKey, "/v1/codes", { code: "outage-later" });
  expect({ status: code.status, code: ((await code.json()) as { error: { code: string } }).error.code }).toEqual({
    status: 503,
    code: "unavailable",
  });
  // Local writes go on for the one write nobody would retry: a friend's click is kept in the
  // held-clicks file (committed before the redirect answers) and acknowledged with its id.
  const clickIds: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const redirect = await fetch(`${server.baseUrl}/r/outage-priya?ch=whatsapp`, {
      redirect: "manual",
      headers: { "User-Agent": `${chromeUserAgent} outage ${i}`, "X-Forwarded-For": `10.8.0.${i}` },
    });
    expect(redirect.status).toBe(302);
    const landing = new URL(redirect.headers.get("Location")!);
    expect(landing.searchParams.get("via")).toBe("outage-priya");
    clickIds.push(landing.searchParams.get("chorus_cid") ?? "");
  }
  // The landing page's beacon (a landing with `?via=` but no click id) records its click the same way.
  const beacon = await fetch(`${server.baseUrl}/v1/clicks`, {
    method: "POST",
    headers: {
      "Chorus-Key": ws.publishableKey,
      Origin: "https://academy.example",
      "Content-Type": "application/json",
      "User-Agent": `${chromeUserAgent} outage 4`,
      "X-Forwarded-For": "10.8.0.4",
    },
    body: JSON.stringify({ code: "outage-priya", channel: "whatsapp" }),
  });
  expect(beacon.status).toBe(201);
  clickIds.push(((await beacon.json()) as { clickId: string }).clickId);
  expect(clickIds.every((id) => id.length > 0)).toBe(true);
  expect(new Set(clickIds).size).toBe(4);
  expect((await readyz()).primary).toBe(
    "the primary database does not answer: clicks are kept on this server (4 clicks held on this server), other writes are refused until it does (reads go on)",
  );
  const heldGauge = async () => {
    const text = await (
      await fetch(`${server.baseUrl}/metrics`, {
        headers: { Authorization: "Bearer replica-metrics-token-0123456789" },
      })
    ).text();
    return text.split("\n").find((line) => line.startsWith("chorus_clicks_held "));
  };
  expect(await heldGauge()).toBe("chorus_clicks_held 4");

  // A second server cannot open its replica without the primary: it stops and says why.
  const second = runServerExpectingExit({ ...replicaEnv(), DATABASE_URL: `file:${join(dir, "second.db")}` });
  expect(second.status).toBe(1);
  expect(second.output).toContain(
    `Chorus cannot start. The embedded replica could not sync with DATABASE_SYNC_URL ${sqld.url}`,
  );

  // The primary comes back (same data, same address): the same request now succeeds, unchanged.
  sqlds.push(await startSqld(sqld.again));
  await expect
    .poll(
      async () =>
        (await post(server.baseUrl, ws.secretKey, "/v1/conversions", enrollment("outage-1", "outage-priya"))).status,
      {
        timeout: 20_000,
        interval: 250,
      },
    )
    .toBe(201);
  expect(await onPrimary("select count(*) as n from conversions where external_id = 'outage-1'")).toEqual([
    expect.objectContaining({ n: 1 }),
  ]);
  // The held clicks reached the primary, each once, and count in its figures like any other click.
  await expect.poll(async () => (await readyz()).primary, { timeout: 20_000, interval: 250 }).toBe("ok");
  const onThePrimary = await onPrimary(
    `select id, channel from clicks where id in (${clickIds.map(() => "?").join(", ")}) order by id`,
    clickIds,
  );
  expect(onThePrimary.map((row) => row.id).sort()).toEqual([...clickIds].sort());
  expect(onThePrimary.every((row) => row.channel === "whatsapp")).toBe(true);
  expect(
    await onPrimary(
      "select clicks, visitors from analytics_daily where dim = 'channel' and key = 'whatsapp' and grain = 'd' and course = '*'",
    ),
  ).toEqual([expect.objectContaining({ clicks: 4, visitors: 4 })]);
  expect(await readyz()).toEqual({ status: 200, primary: "ok" });
  expect(await heldGauge()).toBe("chorus_clicks_held 0");
  expect(await server.stop("SIGINT")).toBe(0);
}, 90_000);
