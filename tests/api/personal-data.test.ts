/**
 * What a leaked database file or log would give away. The app is driven through clicks,
 * conversions, stories, key rotation, a dashboard sign-in and learner tokens from known raw IP
 * addresses (X-Forwarded-For with TRUST_PROXY), while everything the server logs is captured (the
 * console, stdout, and the structured log the Node entry writes through pino, at its most verbose
 * level, with the background jobs' lines); then every table is dumped as text and searched.
 */
import { format } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../server/app.ts";
import type { Logger } from "../../server/lib/telemetry.ts";
import { createNodeLogger } from "../../server/node-telemetry.ts";
import { rotateKey } from "../../server/services/api-keys.ts";
import type { ClickWriter } from "../../server/services/click-writer.ts";
import { createClickWriter } from "../../server/services/click-writer.ts";
import { emailHash } from "../../server/services/learners.ts";
import { sendDueMail } from "../../server/services/mail-outbox.ts";
import { createLink } from "../../server/services/member-links.ts";
import { deliverDueWebhooks } from "../../server/services/webhooks.ts";
import { freshDatabase, type TestDatabase } from "../support/database.ts";
import { dumpDatabase, tablesContaining } from "../support/database-dump.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { chromeUserAgent } from "../support/referrals.ts";
import { storyBody } from "../support/stories.ts";
import { teamMember } from "../support/team.ts";
import { testClock, testConfig } from "../support/test-app.ts";

const learnerIp = "203.0.113.144";
const friendIp = "198.51.100.231";
const friendIpv6 = "2001:db8:4a7f::1c3e";
const beaconIp = "192.0.2.219";
const learner = { sub: "learner-asha-5521", name: "Asha Raoheim", email: "asha.raoheim@example.com" };
const customerEmail = "friend.buyer.9931@example.net";

let database: TestDatabase;
let logs: string[];
let failNextClick = false;
/** The Node entry's pino logger at its most verbose, its lines captured with the rest. */
let structuredLog: Logger;

beforeEach(async () => {
  database = await freshDatabase();
  logs = [];
  failNextClick = false;
  structuredLog = createNodeLogger("trace", { write: (line: string) => void logs.push(`pino: ${line}`) });
  const capture =
    (stream: string) =>
    (...args: unknown[]) => {
      logs.push(`${stream}: ${format(...args)}`);
    };
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const)
    vi.spyOn(console, method).mockImplementation(capture(method));
  for (const stream of ["stdout", "stderr"] as const)
    vi.spyOn(process[stream], "write").mockImplementation((chunk: unknown) => {
      logs.push(`${stream}: ${String(chunk)}`);
      return true;
    });
});
afterEach(() => {
  vi.restoreAllMocks();
  database.cleanup();
});

/** The app as the Node entry builds it, with a click writer that can be told to fail once. */
function app() {
  const real = createClickWriter({ db: database.db });
  const clickWriter: ClickWriter = {
    ...real,
    write: (row) => {
      if (!failNextClick) return real.write(row);
      failNextClick = false;
      // Like a driver error that echoes the statement's parameters: the row is what gets logged.
      return Promise.reject(new Error(`insert into clicks failed, params: ${JSON.stringify(row)}`));
    },
  };
  const instance = createApp({
    db: database.db,
    clock: testClock(),
    config: { ...testConfig, trustProxy: true },
    clickRecorder: { exclusive: true },
    clickWriter,
    log: structuredLog,
  });
  return (method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) =>
    instance.request(`https://chorus.test${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
}

/** Drives every kind of request that carries an IP, a key, a token or an email. */
async function drive(settings: { storeEmails: boolean }) {
  const call = app();
  const ws = await workspaceFactory(database.db, {
    settings: { defaultTargetUrl: "https://academy.example/course", ...settings },
  });
  const secretKey = await rotateKey(
    { db: database.db, clock: { now: () => new Date() } },
    { workspaceId: ws.id, kind: "secret" },
  );
  const admin = { Authorization: `Bearer ${secretKey}` };
  const token = await learnerToken(ws, learner);
  const widget = (ip: string) => ({
    "Chorus-Key": ws.publishableKey,
    Origin: testOrigin,
    "User-Agent": chromeUserAgent,
    "X-Forwarded-For": `${ip}, 10.0.0.1`,
  });

  // A team member signs in with a one-time link (as `chorus member add` prints one).
  const ownerCtx = { db: database.db, clock: { now: () => new Date() }, secret: testConfig.secret };
  const owner = await teamMember(ownerCtx, ws.id, "owner");
  const { token: linkToken } = await createLink(ownerCtx, { member: owner, purpose: "sign-in", ttlMs: 60_000 });
  const signIn = await call("POST", "/v1/dashboard/links/use", { body: { token: linkToken } });
  expect(signIn.status).toBe(200);
  const cookie = signIn.headers.get("Set-Cookie")?.split(";")[0] ?? "";
  expect(cookie).toMatch(/^chorus_session=./);
  // Wrong keys are refused without being written anywhere either.
  expect((await call("GET", "/v1/admin/program", { headers: { Authorization: `Bearer ${secretKey}x` } })).status).toBe(
    401,
  );

  const me = await call("POST", "/v1/referrals/me", {
    headers: { ...widget(learnerIp), Authorization: `Bearer ${token}` },
    body: { visitorId: "v_ashabrowser77" },
  });
  expect(me.status).toBe(200);
  const { code } = (await me.json()) as { code: string };
  const clickIds: string[] = [];
  for (const ip of [friendIp, friendIpv6]) {
    const response = await call("GET", `/r/${code}?ch=whatsapp`, {
      headers: { "User-Agent": chromeUserAgent, "X-Forwarded-For": ip },
    });
    clickIds.push(new URL(response.headers.get("Location") ?? "").searchParams.get("chorus_cid") ?? "");
  }
  failNextClick = true;
  const failed = await call("GET", `/r/${code}`, {
    headers: { "User-Agent": chromeUserAgent, "X-Forwarded-For": "198.51.100.232" },
  });
  expect(failed.status).toBe(302);
  const beacon = await call("POST", "/v1/clicks", { headers: widget(beaconIp), body: { code } });
  expect(beacon.status).toBe(201);

  const conversion = await call("POST", "/v1/conversions", {
    headers: admin,
    body: {
      id: "order-1",
      type: "enrollment",
      customer: { id: "cust-1", email: customerEmail, name: "Friendly Buyer" },
      course: "data-analytics",
      amount: 100_000,
      currency: "INR",
      clickId: clickIds[0],
    },
  });
  expect(conversion.status).toBe(201);

  const story = await call("POST", "/v1/stories", {
    headers: { ...widget(learnerIp), Authorization: `Bearer ${token}` },
    body: storyBody({ name: learner.name }),
  });
  expect(story.status).toBe(201);
  const { editToken } = (await story.json()) as { editToken: string };

  const hook = await call("POST", "/v1/admin/webhooks", {
    headers: { Cookie: cookie, "X-Chorus-Dashboard": "1" },
    body: { url: "https://hooks.academy.example/chorus", events: [] },
  });
  expect(hook.status).toBe(201);
  const { secret: webhookSecret } = (await hook.json()) as { secret: string };
  // A second conversion, so the endpoint has deliveries; the background worker tries them (the
  // receiver refuses), logging each.
  const second = await call("POST", "/v1/conversions", {
    headers: admin,
    body: {
      id: "order-2",
      type: "enrollment",
      customer: { id: "cust-2", email: customerEmail, name: "Friendly Buyer" },
      course: "data-analytics",
      amount: 100_000,
      currency: "INR",
      clickId: clickIds[1],
    },
  });
  expect(second.status).toBe(201);
  const ctx = { db: database.db, clock: { now: () => new Date() } };
  const refused = async () => new Response(null, { status: 500 });
  expect((await deliverDueWebhooks(ctx, { fetch: refused, telemetry: { log: structuredLog } })).claimed).toBe(2);

  return { call, ws, admin, secretKey, token, cookie, editToken, webhookSecret };
}

/** The strings that must never be at rest or in a log, with the parts that would be enough to use them. */
function forbidden(run: Awaited<ReturnType<typeof drive>>) {
  const [, jwtPayload, jwtSignature] = run.token.split(".");
  return {
    "raw IP of the learner": learnerIp,
    "raw IP of a friend": friendIp,
    "raw IPv6 of a friend": friendIpv6,
    "raw IP of the failed click": "198.51.100.232",
    "raw IP of a beacon": beaconIp,
    "secret key": run.secretKey,
    "secret key without prefix": run.secretKey.slice(3),
    "first secret key": run.ws.secretKey.slice(3),
    "publishable key": run.ws.publishableKey.slice(3),
    "learner token payload": jwtPayload ?? "missing",
    "learner token signature": jwtSignature ?? "missing",
    "dashboard session cookie": run.cookie.slice("chorus_session=".length),
    "story edit token": run.editToken,
    "server secret": testConfig.secret,
    "customer email": customerEmail,
  };
}

describe("personal data at rest and in logs", () => {
  it("keeps no raw IP, key, token or email in the database or the logs", async () => {
    const run = await drive({ storeEmails: false });
    const dump = await dumpDatabase(database.client);
    // The capture works: the failed click was logged (with its row, hashes only), and the
    // structured log has a line for every request and the webhook delivery.
    expect(logs.join("\n")).toContain("click not recorded");
    const structured = logs.filter((line) => line.startsWith("pino: ")).map((line) => JSON.parse(line.slice(6)));
    expect(structured.filter((line) => line.msg === "request").length).toBeGreaterThanOrEqual(9);
    expect(structured.map((line) => line.route)).toContain("/r/:code");
    expect(structured.map((line) => line.job)).toContain("webhook.delivery");
    // The data the dump is searched for did reach the database in hashed form.
    expect(tablesContaining(dump, emailHash(testConfig.secret, learner.email))).toContain("learners");
    expect(tablesContaining(dump, emailHash(testConfig.secret, customerEmail))).toEqual(["conversions"]);
    expect(Number((await database.client.execute("select count(*) as n from clicks")).rows[0]?.n)).toBe(3);

    for (const [what, value] of Object.entries({ ...forbidden(run), "learner email": learner.email })) {
      expect(tablesContaining(dump, value), `${what} in the database`).toEqual([]);
      expect(
        logs.filter((line) => line.toLowerCase().includes(value.toLowerCase())),
        `${what} in the logs`,
      ).toEqual([]);
    }
    // Secrets that must be stored raw, each in its one column: the token secret verifies learner
    // tokens (HS256 needs the key itself) and the webhook secret signs deliveries (HMAC, likewise).
    expect(tablesContaining(dump, run.ws.tokenSecret)).toEqual(["workspaces"]);
    const [workspace] = (await database.client.execute("select * from workspaces")).rows;
    expect(
      Object.entries(workspace ?? {})
        .filter(([, value]) => String(value).includes(run.ws.tokenSecret))
        .map(([column]) => column),
    ).toEqual(["token_secret"]);
    expect(tablesContaining(dump, run.webhookSecret)).toEqual(["webhook_endpoints"]);
    for (const secret of [run.ws.tokenSecret, run.webhookSecret])
      expect(logs.filter((line) => line.includes(secret))).toEqual([]);
  });

  it("stores the learner's email in clear only where the provider opted in, and nowhere after erasure", async () => {
    const run = await drive({ storeEmails: true });
    const before = await dumpDatabase(database.client);
    // The email outbox keeps a queued message's address until the message is finished (no mail
    // transport here, so the learner's reward-earned message waits).
    expect(tablesContaining(before, learner.email)).toEqual(["learners", "mail_messages"]);
    // The worker sends it, and logs the send (ids only).
    const sent = await sendDueMail(
      { db: database.db, clock: { now: () => new Date() } },
      {
        transport: { send: async () => {} },
        from: { name: null, address: "rewards@chorus.example" },
        secret: testConfig.secret,
        publicUrl: "https://chorus.test",
        telemetry: { log: structuredLog },
      },
    );
    expect(sent.sent).toBeGreaterThan(0);
    expect(logs.filter((line) => line.includes('"job":"mail.send"'))).toHaveLength(sent.sent);
    expect(tablesContaining(before, customerEmail)).toEqual([]);

    const erased = await run.call("DELETE", `/v1/learners/${learner.sub}`, { headers: run.admin });
    expect(erased.status).toBe(200);
    const after = await dumpDatabase(database.client);
    const hash = emailHash(testConfig.secret, learner.email);
    expect(tablesContaining(before, learner.name)).not.toEqual([]);
    expect(tablesContaining(before, "v_ashabrowser77")).not.toEqual([]);
    for (const value of [learner.name, learner.email, hash, learner.sub, "v_ashabrowser77"])
      expect(tablesContaining(after, value), value).toEqual([]);
    for (const [what, value] of Object.entries(forbidden(run)))
      expect(tablesContaining(after, value), `${what} in the database`).toEqual([]);
    expect(logs.filter((line) => line.includes(learner.email) || line.includes(learner.name))).toEqual([]);
  });
});
