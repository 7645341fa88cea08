/**
 * The outbound-request guard (issue 15, SSRF): names are resolved by a real DNS server in this
 * process (tests/support/dns-server.ts), every answer must be public, and the connection goes to
 * the address checked. Through the guard's own fetch, webhook creation and delivery, and
 * credential verification in the real app.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGuardedFetch, type Outbound, OutboundBlockedError } from "../../server/lib/outbound/guard.ts";
import { createNodeOutbound, dnsServerResolve } from "../../server/node-outbound.ts";
import type { Fetch } from "../../server/services/credentials/fetch.ts";
import { enqueueEvent } from "../../server/services/outbox.ts";
import { deliverDueWebhooks } from "../../server/services/webhooks.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { badge, didKeyIssuer, jwtIssuer, localServer, statusEntry } from "../support/credentials.ts";
import { startDnsServer } from "../support/dns-server.ts";
import { workspaceFactory } from "../support/factories.ts";
import { storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

/** Names whose every answer, or one of whose answers, is not public; each must be refused. */
const privateNames: Record<string, string[]> = {
  "ten.rebind.example": ["10.0.0.1"],
  "loopback.rebind.example": ["127.0.0.1"],
  "loopback-high.rebind.example": ["127.255.255.254"],
  "metadata.rebind.example": ["169.254.169.254"],
  "rfc1918-172.rebind.example": ["172.16.0.1"],
  "rfc1918-192.rebind.example": ["192.168.1.1"],
  "cgnat.rebind.example": ["100.64.0.1"],
  "zero.rebind.example": ["0.0.0.0"],
  "benchmark.rebind.example": ["198.18.0.1"],
  "documentation.rebind.example": ["192.0.2.1"],
  "multicast.rebind.example": ["224.0.0.1"],
  "reserved.rebind.example": ["240.0.0.1"],
  "broadcast.rebind.example": ["255.255.255.255"],
  "v6-loopback.rebind.example": ["::1"],
  "v6-unspecified.rebind.example": ["::"],
  "v6-mapped.rebind.example": ["::ffff:10.0.0.1"],
  "nat64.rebind.example": ["64:ff9b::a00:1"],
  "nat64-local.rebind.example": ["64:ff9b:1::a00:1"],
  "6to4.rebind.example": ["2002:a00:1::1"],
  "teredo.rebind.example": ["2001::1"],
  "site-local.rebind.example": ["fec0::1"],
  "link-local.rebind.example": ["fe80::1"],
  "link-local-high.rebind.example": ["fe9f::1"],
  "unique-local.rebind.example": ["fc00::1"],
  "v6-documentation.rebind.example": ["2001:db8::1"],
  "v6-multicast.rebind.example": ["ff02::1"],
  "mixed.rebind.example": ["8.8.8.8", "10.0.0.1"],
  "mixed-families.rebind.example": ["8.8.8.8", "::1"],
};

/** IP literals in every non-public range, refused before any lookup or connection. */
const privateLiterals = [
  "127.0.0.1",
  "10.1.2.3",
  "169.254.169.254",
  "100.100.100.200",
  "0.0.0.0",
  "2130706433", // 127.0.0.1 as one number: the URL parser makes it a dotted literal
  "0x7f.1",
  "[::1]",
  "[::]",
  "[::ffff:127.0.0.1]",
  "[::ffff:a9fe:a9fe]",
  "[64:ff9b::a9fe:a9fe]",
  "[64:ff9b:1::1]",
  "[2002:a9fe:a9fe::1]",
  "[2001::1]",
  "[fec0::1]",
  "[feff::1]",
  "[fe80::1]",
  "[fe9f::1]",
  "[fc00::1]",
  "[fd12:3456::1]",
  "[ff02::1]",
  "[2001:db8::1]",
  "[100::1]",
];

/** Names refused without asking DNS. */
const privateSpellings = [
  "localhost",
  "localhost.",
  "LOCALHOST..",
  "app.localhost",
  "metadata.google.internal",
  "metadata.google.internal.",
  "redis",
  "redis.",
  "printer.local",
  "router.home.arpa",
];

let dns: Awaited<ReturnType<typeof startDnsServer>>;
let outbound: Outbound;
/** Answers a local receiver would have given, were a private name let through. */
let receiver: Server;
let receiverPort: number;
const received: string[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    received.push(`${request.socket.localAddress} ${request.url}`);
    response.end('{"internal":"secret-value-42"}');
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverPort = (receiver.address() as AddressInfo).port;
  dns = await startDnsServer({
    ...privateNames,
    "alias.rebind.example": [{ cname: "hop.rebind.example" }],
    "hop.rebind.example": [{ cname: "ten.rebind.example" }],
    "public.rebind.example": ["8.8.8.8", "2606:4700:4700::1111"],
    // Public when the endpoint is created, loopback at delivery: a rebinding attack.
    "rebinding.rebind.example": (query) => (query === 1 ? ["8.8.8.8"] : ["127.0.0.1"]),
    "badges.corp.example": ["10.20.30.40"],
  });
  outbound = createNodeOutbound({ resolve: dnsServerResolve([dns.address]) });
});
afterAll(async () => {
  await dns.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

/** The refusal a guarded fetch ends with: the guard's own error, or fetch's wrapping of it. */
async function refusal(url: string, policy = {}) {
  const error = await outbound.fetch(url, {}, policy).then(
    () => null,
    (caught: unknown) => caught,
  );
  const cause = (error as { cause?: unknown } | null)?.cause;
  return error instanceof OutboundBlockedError ? error : cause instanceof OutboundBlockedError ? cause : error;
}

describe("the outbound guard", () => {
  it.each(Object.entries(privateNames))("refuses %s (resolves to %s) after asking DNS", async (name) => {
    const before = dns.queries(name);
    expect(await refusal(`http://${name}:${receiverPort}/status`)).toBeInstanceOf(OutboundBlockedError);
    expect(dns.queries(name).a).toBe(before.a + 1);
    expect(received).toEqual([]);
  });

  it("refuses a CNAME chain that ends at a private address", async () => {
    expect(await refusal(`http://alias.rebind.example:${receiverPort}/`)).toBeInstanceOf(OutboundBlockedError);
  });

  it.each(privateLiterals)("refuses the literal %s before connecting", async (host) => {
    const error = await refusal(`http://${host}:${receiverPort}/`);
    expect(error).toBeInstanceOf(OutboundBlockedError);
    expect(received).toEqual([]);
  });

  it.each(privateSpellings)("refuses %s without a DNS query", async (host) => {
    expect(await refusal(`http://${host}:${receiverPort}/`)).toBeInstanceOf(OutboundBlockedError);
    expect(dns.queries(host.replace(/\.+$/, "").toLowerCase())).toEqual({ a: 0, aaaa: 0 });
  });

  it("names the host but never the addresses it resolved to", async () => {
    const error = (await refusal(`http://mixed.rebind.example:${receiverPort}/`)) as Error;
    expect(error.message).toBe("mixed.rebind.example is not a public host");
  });

  it("reaches a private target only when asked to, still through the one lookup", async () => {
    const response = await outbound.fetch(
      `http://loopback.rebind.example:${receiverPort}/allowed`,
      {},
      {
        allowPrivateNetwork: true,
      },
    );
    expect(await response.text()).toContain("secret-value-42");
    expect(received.splice(0)).toEqual(["127.0.0.1 /allowed"]);
  });

  it.each([
    `http://127.0.0.1:${4000}/after-redirect`,
    "http://localhost./after-redirect",
    "http://[::ffff:127.0.0.1]/after-redirect",
    "http://loopback.rebind.example/after-redirect",
  ])("checks every redirect hop: refuses a redirect to %s", async (target) => {
    const redirector = createServer((_request, response) => {
      response.writeHead(302, { Location: target.replace("4000", String(receiverPort)) }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
    const { port } = redirector.address() as AddressInfo;
    // The first hop's public name is carried to the local redirector (a transport like any
    // other); every hop after it goes through the guard's checks, then the Node transport.
    const guarded = createGuardedFetch((url, init, policy) =>
      url.startsWith("https://hop.example/")
        ? fetch(url.replace("https://hop.example", `http://127.0.0.1:${port}`), init)
        : outbound.fetch(url, init, policy),
    );
    try {
      const error = await guarded("https://hop.example/start").then(
        () => null,
        (caught: unknown) => caught,
      );
      const cause = (error as { cause?: unknown } | null)?.cause;
      expect(error instanceof OutboundBlockedError || cause instanceof OutboundBlockedError).toBe(true);
      expect(received).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => redirector.close(() => resolve()));
    }
  });
});

describe("webhooks through the guard", () => {
  let t: TestApp;
  let ws: CreatedWorkspace;
  let auth: Record<string, string>;
  beforeEach(async () => {
    t = await createTestApp({}, { outbound });
    ws = await workspaceFactory(t.db);
    auth = { Authorization: `Bearer ${ws.secretKey}` };
  });
  afterEach(() => t.cleanup());

  const create = (body: Record<string, unknown>) => t.call("POST", "/v1/admin/webhooks", { body, headers: auth });
  const deliver = () => deliverDueWebhooks({ db: t.db, clock: t.clock }, { fetch: outbound.fetch });
  const event = () =>
    enqueueEvent({ tx: t.db, clock: t.clock }, { workspaceId: ws.id, type: "story.submitted", data: { n: 1 } });

  it.each([
    `http://127.0.0.1:${4000}/hook`,
    "http://[fec0::1]/hook",
    "https://[64:ff9b::a9fe:a9fe]/hook",
    "http://localhost./hook",
    "https://metadata.google.internal./computeMetadata/v1/",
    "https://ten.rebind.example/hook",
    "https://nat64.rebind.example/hook",
    "https://alias.rebind.example/hook",
    "https://mixed.rebind.example/hook",
  ])("refuses to create an endpoint at %s unless the admin opts in", async (url) => {
    const refused = await expectError(await create({ url }), 400, "invalid_request");
    expect(refused.message).not.toMatch(/10\.0\.0\.1|169\.254|a00:1/);
    const allowed = await create({ url, allowPrivateNetwork: true });
    expect(allowed.status).toBe(201);
    expect(await allowed.json()).toMatchObject({ url, allowPrivateNetwork: true });
  });

  it("creates an endpoint whose name resolves to public addresses only", async () => {
    const created = await create({ url: "https://public.rebind.example/hook" });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ allowPrivateNetwork: false });
  });

  it("refuses at delivery a name that turned private after creation (DNS rebinding), as the class 'blocked'", async () => {
    const created = await create({ url: `http://rebinding.rebind.example:${receiverPort}/hook` });
    expect(created.status).toBe(201);
    const endpoint = (await created.json()) as { id: string };
    await event();
    expect(await deliver()).toMatchObject({ claimed: 1, retrying: 1 });
    expect(received).toEqual([]);
    const log = await (await t.call("GET", `/v1/admin/webhooks/${endpoint.id}/deliveries`, { headers: auth })).json();
    expect(log.items[0]).toMatchObject({
      lastStatusCode: null,
      lastError: "blocked: the target is not a public address",
    });
    expect(JSON.stringify(log)).not.toContain("127.0.0.1");
  });

  it("refuses at delivery a private literal stored without the opt-in, even with the Web guard", async () => {
    const created = await create({ url: "https://public.rebind.example/hook" });
    const endpoint = (await created.json()) as { id: string };
    // A row from before the guard, pointing at the local receiver.
    await t.client.execute({
      sql: "update webhook_endpoints set url = ? where id = ?",
      args: [`http://127.0.0.1:${receiverPort}/old`, endpoint.id],
    });
    await event();
    expect(await deliverDueWebhooks({ db: t.db, clock: t.clock })).toMatchObject({ claimed: 1, retrying: 1 });
    expect(received).toEqual([]);
    const log = await (await t.call("GET", `/v1/admin/webhooks/${endpoint.id}/deliveries`, { headers: auth })).json();
    expect(log.items[0].lastError).toBe("blocked: the target is not a public address");
  });

  it("delivers to a private target the admin opted in to", async () => {
    await create({ url: `http://loopback.rebind.example:${receiverPort}/opted-in`, allowPrivateNetwork: true });
    await event();
    expect(await deliver()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(received.splice(0)).toEqual(["127.0.0.1 /opted-in"]);
  });
});

describe("one lookup: the address checked is the address connected to", () => {
  let first: Server;
  let second: Server;
  const hits: string[] = [];
  let port: number;
  let rebindDns: Awaited<ReturnType<typeof startDnsServer>>;

  beforeAll(async () => {
    first = createServer((request, response) => {
      hits.push(`first ${request.url}`);
      response.end();
    });
    await new Promise<void>((resolve) => first.listen(0, "127.0.0.1", resolve));
    port = (first.address() as AddressInfo).port;
    second = createServer((request, response) => {
      hits.push(`second ${request.url}`);
      response.end();
    });
    await new Promise<void>((resolve) => second.listen(port, "127.0.0.2", resolve));
    // The first A query answers 127.0.0.1, every later one 127.0.0.2.
    rebindDns = await startDnsServer({
      "flip.rebind.example": (query) => (query === 1 ? ["127.0.0.1"] : ["127.0.0.2"]),
    });
  });
  afterAll(async () => {
    await rebindDns.close();
    await Promise.all([first, second].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it("delivers an opted-in webhook to the address of the only lookup", async () => {
    const flipOutbound = createNodeOutbound({ resolve: dnsServerResolve([rebindDns.address]) });
    const t = await createTestApp({}, { outbound: flipOutbound });
    try {
      const ws = await workspaceFactory(t.db);
      const created = await t.call("POST", "/v1/admin/webhooks", {
        body: { url: `http://flip.rebind.example:${port}/hook`, allowPrivateNetwork: true },
        headers: { Authorization: `Bearer ${ws.secretKey}` },
      });
      expect(created.status).toBe(201);
      await enqueueEvent({ tx: t.db, clock: t.clock }, { workspaceId: ws.id, type: "story.submitted", data: {} });
      expect(await deliverDueWebhooks({ db: t.db, clock: t.clock }, { fetch: flipOutbound.fetch })).toMatchObject({
        delivered: 1,
      });
      expect(hits).toEqual(["first /hook"]);
      expect(rebindDns.queries("flip.rebind.example").a).toBe(1);
    } finally {
      t.cleanup();
    }
  });
});

describe("credential verification through the real app", () => {
  it.each([
    "https://badges.corp.example/badge.json",
    "https://alias.rebind.example/badge.json",
    "https://localhost./badge.json",
    "https://metadata.google.internal./computeMetadata/v1/",
    "https://[64:ff9b::a9fe:a9fe]/badge.json",
    "https://[fe9f::1]/badge.json",
  ])("refuses to fetch %s and says so without addresses", async (url) => {
    const t = await createTestApp({}, { outbound });
    try {
      const ws = await workspaceFactory(t.db);
      const response = await storyClient(t, ws).post(storyBody({ credential: { url } }));
      expect(response.status).toBe(201);
      const story = (await response.json()) as {
        verificationLevel: string;
        verification: { checks: { check: string; result: string; detail: string }[] };
      };
      expect(story.verificationLevel).toBe("self_reported");
      const retrieve = story.verification.checks.find((check) => check.check === "retrieve");
      expect(retrieve?.result).toBe("fail");
      expect(retrieve?.detail).toMatch(/^The credential could not be fetched: .* is not a public host$/);
      expect(JSON.stringify(story)).not.toMatch(/10\.20\.30\.40|10\.0\.0\.1|secret-value/);
    } finally {
      t.cleanup();
    }
  });
});

describe("receipts never echo what a remote server sent", () => {
  const secret = "SECRET-internal-token-7";
  let server: Awaited<ReturnType<typeof localServer>>;
  let t: TestApp;
  beforeAll(async () => {
    server = await localServer();
    server.publish("/not-json", `not json at all ${secret}`);
    server.publish("/error", JSON.stringify({ error: secret }));
    server.publish("/jwks", `{"keys": ${secret}`);
    server.publish("/list", `{"broken": "${secret}"`);
  });
  afterAll(() => server.close());
  afterEach(() => t.cleanup());

  const testFetch: Fetch = (url, init) => fetch(url.replace("https://badges.example", server.base), init);
  const receiptOf = async (ws: CreatedWorkspace, credential: unknown) => {
    const response = await storyClient(t, ws).post(storyBody({ credential }));
    expect(response.status).toBe(201);
    return JSON.stringify(((await response.json()) as { verification: unknown }).verification);
  };

  it("a credential URL whose body is not JSON, or is an error object", async () => {
    t = await createTestApp({}, { fetch: testFetch });
    const ws = await workspaceFactory(t.db);
    const notJson = await receiptOf(ws, { url: "https://badges.example/not-json" });
    expect(notJson).toContain("Not a credential: the body is not valid JSON");
    expect(notJson).not.toContain(secret);
    expect(await receiptOf(ws, { url: "https://badges.example/error" })).not.toContain(secret);
  });

  it("an issuer's JWKS that is not JSON", async () => {
    t = await createTestApp({}, { fetch: testFetch });
    const issuer = await jwtIssuer("EdDSA");
    const ws = await workspaceFactory(t.db, {
      settings: { credentialIssuers: [{ id: issuer.id, name: "U", jwksUrl: "https://badges.example/jwks" }] },
    });
    const receipt = await receiptOf(ws, { jwt: await issuer.sign(badge({ issuer })) });
    expect(receipt).toContain("The JWT signature does not verify: the body is not valid JSON");
    expect(receipt).not.toContain(secret);
  });

  it("a status list that is not JSON", async () => {
    t = await createTestApp({}, { fetch: testFetch });
    const issuer = await didKeyIssuer("Acme");
    const ws = await workspaceFactory(t.db, { settings: { credentialIssuers: [{ id: issuer.id, name: "Acme" }] } });
    const credential = await issuer.sign(badge({ issuer, status: statusEntry("https://badges.example/list", 3) }));
    const receipt = await receiptOf(ws, { json: credential });
    expect(receipt).toContain("is unreadable (the body is not valid JSON)");
    expect(receipt).not.toContain(secret);
  });
});
