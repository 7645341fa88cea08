/**
 * Crash durability: the real Node server on a real libSQL file, under concurrent redirects and
 * conversions, killed with SIGKILL mid-load and restarted on the same file, three times.
 * Whatever it answered must be in the database after the restart, and clients retrying every
 * conversion (answered or not) with the same idempotency key must end with exactly one row per
 * key, answered with the id they were given before the crash.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createDb } from "../../db/index.ts";
import { migrateDatabase, prepareFileDatabase } from "../../db/migrate.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { workspaceFactory } from "../support/factories.ts";
import { holdsFile } from "../support/open-files.ts";
import { type RunningServer, startServer } from "../support/processes.ts";
import { chromeUserAgent } from "../support/referrals.ts";
import { testConfig } from "../support/test-app.ts";

let dir: string;
let server: RunningServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-crash-"));
});
afterEach(async () => {
  if (server && server.process.exitCode === null && server.process.signalCode === null) {
    server.process.kill("SIGKILL");
    await server.exited;
  }
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const rounds = 3;
const workers = 24;
/** Kill once this many requests of the round were answered, or after this long (a busy machine). */
const answeredBeforeKill = 90;
const maxLoadMs = 1_500;

type SentConversion = { key: string; body: string; answeredId: string | null };

it("loses no answered click or conversion across three SIGKILLs, and retries make exactly one row per key", async () => {
  const file = join(dir, "chorus.db");
  const url = `file:${file}`;
  const setup = createClient({ url });
  await prepareFileDatabase(setup);
  await migrateDatabase(setup);
  const setupDb = createDb(setup);
  const ws = await workspaceFactory(setupDb, { settings: { defaultTargetUrl: "https://academy.example/course" } });
  const referrer = await referrerFactory(setupDb, ws.id, { sub: "priya" });
  setup.close();

  const env = { DATABASE_URL: url, CHORUS_DEMO: "0", TRUST_PROXY: "1", CHORUS_SECRET: testConfig.secret };
  const answeredClicks = new Set<string>();
  const conversionsSent: SentConversion[] = [];
  let redirectsWithoutClick = 0;
  let inFlightAtKills = 0;
  let acknowledgedConversions = 0;
  let retried = 0;

  /** Every acknowledged write is in the file; retries of every conversion give one row per key. */
  async function verify(base: string) {
    const reader = createClient({ url });
    const storedClicks = new Set((await reader.execute("select id from clicks")).rows.map((row) => String(row.id)));
    const lostClicks = [...answeredClicks].filter((id) => !storedClicks.has(id));
    expect(lostClicks).toEqual([]);
    const storedConversions = new Map(
      (
        await reader.execute({ sql: "select external_id, id from conversions where workspace_id = ?", args: [ws.id] })
      ).rows.map((row) => [String(row.external_id), String(row.id)]),
    );
    const answered = conversionsSent.filter((sent) => sent.answeredId !== null);
    const lostConversions = answered.filter((sent) => storedConversions.get(sent.key) !== sent.answeredId);
    expect(lostConversions).toEqual([]);

    // Clients retry everything they sent before this crash, answered or not, with the same key and body.
    const unretried = conversionsSent.slice(retried);
    for (let start = 0; start < unretried.length; start += workers) {
      const chunk = unretried.slice(start, start + workers);
      const answers = await Promise.all(
        chunk.map(async (sent) => {
          const response = await fetch(`${base}/v1/conversions`, {
            method: "POST",
            headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
            body: sent.body,
          });
          const json = (await response.json()) as { conversion?: { id: string } };
          return { sent, status: response.status, id: json.conversion?.id ?? null };
        }),
      );
      for (const { sent, status, id } of answers) {
        if (sent.answeredId !== null) expect({ status, id }).toEqual({ status: 200, id: sent.answeredId });
        else {
          expect([200, 201]).toContain(status);
          sent.answeredId = id;
        }
      }
      retried += chunk.length;
    }

    const perKey = await reader.execute({
      sql: "select external_id, count(*) as n from conversions where workspace_id = ? group by external_id",
      args: [ws.id],
    });
    expect(perKey.rows.length).toBe(conversionsSent.length);
    expect(perKey.rows.filter((row) => Number(row.n) !== 1)).toEqual([]);
    // No reward was granted twice: each conversion has exactly the rewards of its stored answer.
    const rewardCounts = await reader.execute({
      sql: `select c.external_id, json_array_length(c.response, '$.rewards') as answered,
              (select count(*) from rewards r where r.conversion_id = c.id) as stored
            from conversions c where c.workspace_id = ?`,
      args: [ws.id],
    });
    expect(rewardCounts.rows.filter((row) => Number(row.answered) !== Number(row.stored))).toEqual([]);
    reader.close();
  }

  for (let round = 0; round < rounds; round++) {
    server = await startServer(env);
    // The process we are about to kill is the one that has the database open, not a wrapper.
    expect(holdsFile(server.pid, file)).not.toBe(false);
    if (round > 0) await verify(server.baseUrl);

    const base = server.baseUrl;
    let killed = false;
    let answeredThisRound = 0;
    let inFlight = 0;
    let next = 0;
    const worker = async () => {
      while (!killed) {
        const i = next++;
        inFlight++;
        try {
          if (i % 3 !== 2) {
            // A new visitor each time (IP and user agent), so each answer is a new click.
            const response = await fetch(`${base}/r/${referrer.code}?ch=whatsapp`, {
              redirect: "manual",
              headers: {
                "User-Agent": `${chromeUserAgent} crash/${round}.${i}`,
                "X-Forwarded-For": `10.${round}.${(i >> 8) & 255}.${i & 255}`,
              },
            });
            if (response.status !== 302) throw new Error(`redirect answered ${response.status}`);
            const clickId = new URL(response.headers.get("Location") ?? "").searchParams.get("chorus_cid");
            if (clickId) answeredClicks.add(clickId);
            else redirectsWithoutClick++;
          } else {
            const key = `crash-${round}-${i}`;
            const sent: SentConversion = {
              key,
              body: JSON.stringify({
                id: key,
                type: "enrollment",
                customer: { id: `friend-${round}-${i}` },
                code: referrer.code,
                course: "data-analytics",
                amount: 499_900,
                currency: "INR",
              }),
              answeredId: null,
            };
            conversionsSent.push(sent);
            const response = await fetch(`${base}/v1/conversions`, {
              method: "POST",
              headers: { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" },
              body: sent.body,
            });
            // The status line is the acknowledgement; the id is read from the same answer.
            if (response.status !== 201) throw new Error(`conversion answered ${response.status}`);
            const json = (await response.json()) as { conversion: { id: string } };
            sent.answeredId = json.conversion.id;
            acknowledgedConversions++;
          }
          answeredThisRound++;
        } catch (error) {
          // Once the server is killed, refused and reset connections are expected: no answer.
          if (!killed) throw error;
        } finally {
          inFlight--;
        }
      }
    };
    const load = Promise.all(Array.from({ length: workers }, worker));

    // The kill comes after enough answers, or after maxLoadMs counted from the first answer (a
    // busy machine may take seconds to answer at all), and never before one: up to 30 s.
    const firstAnswerBy = Date.now() + 30_000;
    while (answeredThisRound === 0 && Date.now() < firstAnswerBy)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    while (answeredThisRound < answeredBeforeKill && Date.now() - started < maxLoadMs)
      await new Promise((resolve) => setTimeout(resolve, 5));
    inFlightAtKills += inFlight;
    killed = true;
    server.process.kill("SIGKILL");
    expect(await server.exited).toEqual({ code: null, signal: "SIGKILL" });
    await load;
    expect(answeredThisRound).toBeGreaterThan(0);
  }

  server = await startServer(env);
  await verify(server.baseUrl);
  expect(redirectsWithoutClick).toBe(0);
  expect(answeredClicks.size).toBeGreaterThan(0);
  expect(acknowledgedConversions).toBeGreaterThan(0);
  server.process.kill("SIGINT");
  expect((await server.exited).code).toBe(0);

  console.log(
    `crash durability: ${rounds} SIGKILLs injected mid-load (${inFlightAtKills} requests in flight), ` +
      `${answeredClicks.size + acknowledgedConversions} acknowledged writes checked after restarts ` +
      `(${answeredClicks.size} clicks, ${acknowledgedConversions} conversions), ` +
      `${retried} conversion retries, 0 lost, 0 duplicated`,
  );
}, 90_000);
