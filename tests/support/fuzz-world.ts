/**
 * The world the fuzzer plays in: one real app over a real database file, with two workspaces
 * full of real rows (codes, clicks, conversions, rewards, stories, webhooks) and every kind of
 * credential, good and bad, so hostile requests can reach deep handler code, not only auth.
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { SignJWT } from "jose";
import type { ProgramSettings } from "../../db/program-settings.ts";
import { rotateKey } from "../../server/services/api-keys.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { getWorkspace, updateSettings } from "../../server/services/workspaces.ts";
import { learnerToken, testOrigin, workspaceFactory } from "./factories.ts";
import { chromeUserAgent, learnerCode } from "./referrals.ts";
import { storyBody, storyClient } from "./stories.ts";
import { memberSession } from "./team.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

export const stripeSecret = "whsec_fuzz0123456789abcdef";

export type FuzzWorld = Awaited<ReturnType<typeof createFuzzWorld>>;

async function ok(response: Response, what: string) {
  if (response.status >= 300)
    throw new Error(`fuzz world: ${what} answered ${response.status}: ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
}

/** A realistic workspace: course, learner code, vanity code, click, conversions and rewards, stories, webhook. */
async function populate(t: TestApp, ws: CreatedWorkspace, tag: string) {
  const admin = { Authorization: `Bearer ${ws.secretKey}` };
  await ok(
    await t.call("PUT", "/v1/admin/courses/data-analytics", {
      body: { title: "Data Analytics", url: "https://academy.example/courses/data-analytics" },
      headers: admin,
    }),
    "course",
  );
  const webhook = await ok(
    await t.call("POST", "/v1/admin/webhooks", { body: { url: `https://hooks.example/${tag}` }, headers: admin }),
    "webhook",
  );
  const code = await learnerCode(t, ws, `learner-${tag}`, { course: "data-analytics" });
  const vanity = await ok(
    await t.call("POST", "/v1/codes", { body: { code: `fuzz-${tag}`, learnerId: `learner-${tag}` }, headers: admin }),
    "vanity code",
  );
  const redirect = await t.app.request(`https://chorus.test/r/${code}?ch=whatsapp`, {
    headers: { "User-Agent": chromeUserAgent },
  });
  const clickId =
    new URL(redirect.headers.get("Location") ?? "https://x.test").searchParams.get("chorus_cid") ?? "clk_none";
  const conversionIds: string[] = [];
  const externalIds: string[] = [];
  for (const type of ["signup", "enrollment"]) {
    const externalId = `order-${tag}-${type}`;
    const answer = await ok(
      await t.call("POST", "/v1/conversions", {
        body: {
          id: externalId,
          type,
          customer: { id: `friend-${tag}`, email: `friend-${tag}@example.org` },
          course: "data-analytics",
          ...(type === "enrollment" ? { amount: 499_900, currency: "INR" } : {}),
          clickId,
        },
        headers: admin,
      }),
      `conversion ${type}`,
    );
    conversionIds.push((answer.conversion as { id: string }).id);
    externalIds.push(externalId);
  }
  const stories = storyClient(t, ws);
  const approved = await stories.approved(storyBody(), {
    Authorization: `Bearer ${await learnerToken(ws, { sub: `learner-${tag}` })}`,
  });
  const pending = (await ok(await stories.post(storyBody({ headline: "Pending" })), "pending story")) as {
    id: string;
    editToken: string;
  };
  const rewardRows = await t.client.execute({
    sql: "select id from rewards where workspace_id = ?",
    args: [ws.id],
  });
  const eventRows = await t.client.execute({
    sql: "select event_id from webhook_deliveries where workspace_id = ?",
    args: [ws.id],
  });
  return {
    code,
    vanityCode: String(vanity.code),
    clickId,
    conversionIds,
    externalIds,
    storyIds: [approved.id, pending.id],
    editToken: pending.editToken,
    rewardIds: rewardRows.rows.map((row) => String(row.id)),
    webhookId: String(webhook.id),
    eventIds: eventRows.rows.map((row) => String(row.event_id)),
    learnerId: `learner-${tag}`,
  };
}

export async function createFuzzWorld() {
  // No network in tests: credential URLs, JWKS and status lists get a quick 404.
  const t = await createTestApp(
    // No background worker runs here, so the webhooks the world queues are never sent: /readyz
    // would rightly answer 503 once the clock moves on. Its own tests are tests/api/readiness.test.ts.
    { trustProxy: true, readyOutboxMaxAgeSeconds: Number.MAX_SAFE_INTEGER },
    { fetch: async () => new Response("not here", { status: 404 }) },
  );
  const now = t.clock.now();
  const a = await workspaceFactory(t.db, {
    name: "Fuzz Academy",
    // A one-day hold: after world.advance() rewards are due, so the lazy approval on reads has
    // work to do (a refused read that approved rewards would show up as stored outbox rows).
    // Self-referral off: every visitor here is the same "unknown" address, which would flag them all.
    settings: {
      stripe: { webhookSecret: stripeSecret, conversionType: "enrollment" },
      holdDays: 1,
      // The hosted advocate page under a slug the fuzzer also sends (the course's), open to anyone.
      slug: "data-analytics",
      advocateSignIn: { policy: "anyone", domains: [] },
      fraud: { selfReferral: false, disposableEmail: true, botClicks: true, velocityPerDay: 20 },
      // Limits run before validation: with them on, most requests to the limited routes would
      // stop at 429 (tested in rate-limits.test.ts) instead of reaching the handlers.
      rateLimits: {
        clicks: { perVisitor: null, perWorkspace: null },
        referrals: { perVisitor: null, perWorkspace: null },
        stories: { perVisitor: null, perWorkspace: null },
        referredBy: { perVisitor: null, perWorkspace: null },
        advocateSignIn: { perVisitor: null, perWorkspace: null },
      },
    },
    now,
  });
  const b = await workspaceFactory(t.db, { name: "Other Academy", now });
  const seedA = await populate(t, a, "a");
  const seedB = await populate(t, b, "b");
  // Old keys of A stay in the database, revoked.
  const revokedSecret = a.secretKey;
  const revokedPublishable = a.publishableKey;
  a.secretKey = await rotateKey({ db: t.db, clock: { now: () => now } }, { workspaceId: a.id, kind: "secret" });
  a.publishableKey = await rotateKey(
    { db: t.db, clock: { now: () => now } },
    { workspaceId: a.id, kind: "publishable" },
  );

  const signIn = (ws: CreatedWorkspace) => memberSession(t, ws.id, "owner");
  const mintA = () => learnerToken(a, { sub: seedA.learnerId, email: "learner-a@example.org" }, { now: t.clock.now() });
  const mintB = () => learnerToken(b, { sub: seedB.learnerId }, { now: t.clock.now() });
  const sessionCookie = await signIn(a);
  const sessionCookieB = await signIn(b);
  const tokenA = await mintA();
  const tokenB = await mintB();
  const expiredToken = await learnerToken(a, { sub: seedA.learnerId }, { now: new Date("2020-01-01T00:00:00Z") });
  const noneToken = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${Buffer.from(
    JSON.stringify({ sub: seedA.learnerId }),
  ).toString("base64url")}.`;
  const badClaimsToken = await new SignJWT({ sub: "", email: "not an email", name: "x".repeat(500) })
    .setProtectedHeader({ alg: "HS256" })
    .sign(new TextEncoder().encode(a.tokenSecret));
  const settingsA = (await getWorkspace({ db: t.db }, { id: a.id }))!.settings;

  const world = {
    t,
    a,
    b,
    seedA,
    seedB,
    revokedSecret,
    revokedPublishable,
    sessionCookie,
    sessionCookieB,
    tokens: { a: tokenA, b: tokenB, expired: expiredToken, none: noneToken, badClaims: badClaimsToken },
    origin: testOrigin,
    /** A learner token for a learner nobody has seen yet (so an upsert would be a new row). */
    freshToken: (sub: string) => learnerToken(a, { sub, name: "Fresh Learner" }, { now: t.clock.now() }),
    /** A Stripe-Signature for this body, valid now, for workspace A. */
    stripeSignature(body: string, key = stripeSecret) {
      const timestamp = Math.floor(t.clock.now().getTime() / 1000);
      return `t=${timestamp},v1=${createHmac("sha256", key).update(`${timestamp}.${body}`).digest("hex")}`;
    },
    /** Puts A's settings back after a successful PATCH, so later runs keep their origins and Stripe secret. */
    restoreSettings: (settings: ProgramSettings = settingsA) =>
      updateSettings({ db: t.db }, { workspaceId: a.id, settings }),
    /** Moves the clock (rewards fall due) and renews what would expire: sessions, learner tokens. */
    async advance(ms: number) {
      t.clock.advance(ms);
      world.sessionCookie = await signIn(a);
      world.sessionCookieB = await signIn(b);
      world.tokens.a = await mintA();
      world.tokens.b = await mintB();
    },
  };
  return world;
}

/** Known real values by field or parameter name, for valid-looking requests that hit real rows. */
export function knownValues(world: FuzzWorld, path: string): (name: string) => readonly string[] | undefined {
  const { a, b, seedA, seedB } = world;
  const ids = (pick: (seed: typeof seedA) => string[]) => [...pick(seedA), ...pick(seedB)];
  const idsFor = (): string[] => {
    if (path.includes("/stories")) return ids((s) => s.storyIds);
    if (path.includes("/rewards")) return ids((s) => s.rewardIds);
    if (path.includes("/webhooks")) return ids((s) => [s.webhookId]);
    if (path.includes("/conversions")) return ids((s) => [...s.conversionIds, ...s.externalIds]);
    if (path.includes("/learners")) return ids((s) => [s.learnerId]);
    return [];
  };
  const table: Record<string, string[]> = {
    id: idsFor(),
    code: ids((s) => [s.code, s.vanityCode, s.code.toUpperCase()]),
    slug: ["data-analytics", "new-course"],
    course: ["data-analytics"],
    eventId: ids((s) => s.eventIds),
    event: ids((s) => s.eventIds),
    clickId: ids((s) => [s.clickId]),
    storyId: ids((s) => s.storyIds),
    refundOf: ids((s) => s.externalIds),
    learner: ids((s) => [s.learnerId]),
    learnerId: ids((s) => [s.learnerId]),
    conversion: ids((s) => s.conversionIds),
    workspace: [a.id, b.id],
    secretKey: [a.secretKey, world.revokedSecret, b.secretKey, a.publishableKey],
    "chorus-edit-token": [seedA.editToken, seedB.editToken],
    from: ["2026-10-01", "2026-10-25", "2025-01-01"],
    to: ["2026-11-01", "2026-11-30"],
    currency: ["INR", "USD", "EUR"],
    email: ["asha@example.com", "friend@mailinator.com"],
  };
  return (name) => (table[name]?.length ? table[name] : undefined);
}

/**
 * Realistic bodies for the routes whose rules span fields (amount needs currency, refundOf only
 * for refunds, ISO currencies): schema-derived values rarely pass those, examples do. The fuzzer
 * uses them as they are and as the starting point of mutations.
 */
export function exampleBodies(world: FuzzWorld): Record<string, fc.Arbitrary<unknown>> {
  const { seedA, seedB } = world;
  const id = fc.stringMatching(/^[a-z0-9-]{1,24}$/).map((s) => `order-${s}`);
  const customer = fc.record(
    {
      id: fc.constantFrom("friend-a", "friend-new", "cus_1"),
      email: fc.constantFrom("friend@example.org", "friend@mailinator.com", "learner-a@example.org"),
      name: fc.constantFrom("Meera", "<b>Meera</b>"),
    },
    { requiredKeys: ["id"] },
  );
  const money = fc.option(
    fc.record({ amount: fc.integer({ min: 0, max: 10_000_000 }), currency: fc.constantFrom("INR", "USD", "EUR") }),
  );
  const attribution = fc.oneof(
    fc.constant({}),
    fc.record({ clickId: fc.constantFrom(seedA.clickId, seedB.clickId, "clk_unknown") }),
    fc.record({ code: fc.constantFrom(seedA.code, seedA.vanityCode, seedB.code, "nope") }),
  );
  const conversion = fc
    .tuple(
      id,
      fc.constantFrom("signup", "enrollment", "completion", "refund"),
      customer,
      money,
      attribution,
      fc.constantFrom(...seedA.externalIds, "order-unknown"),
      fc.option(fc.constantFrom("data-analytics", "other-course")),
      fc.option(fc.constantFrom("2026-10-30T10:00:00Z", "2026-11-01T09:59:00.000Z", "1999-01-01T00:00:00Z")),
    )
    .map(([cid, type, who, amount, via, refundOf, course, occurredAt]) => ({
      id: cid,
      type,
      customer: who,
      ...(amount ?? {}),
      ...via,
      ...(type === "refund" ? { refundOf } : {}),
      ...(course ? { course } : {}),
      ...(occurredAt ? { occurredAt } : {}),
      metadata: { source: "fuzz", n: 1 },
    }));
  const story = fc.record({
    course: fc.constantFrom("data-analytics", "new-course"),
    name: fc.constantFrom("Priya", "Arjun <script>"),
    headline: fc.string({ minLength: 1, maxLength: 60 }),
    body: fc.string({ minLength: 1, maxLength: 200 }),
    rating: fc.integer({ min: 1, max: 5 }),
    outcome: fc.record({ type: fc.constantFrom("new_job", "promotion", "salary_increase", "career_switch", "skills") }),
    consent: fc.record({ publish: fc.constant(true), name: fc.boolean(), photo: fc.boolean(), salary: fc.boolean() }),
  });
  return {
    "POST /v1/conversions": conversion,
    "POST /v1/codes": fc.record(
      {
        code: fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,20}$/),
        learnerId: fc.constantFrom(seedA.learnerId, "learner-new"),
        course: fc.constant("data-analytics"),
        targetUrl: fc.constantFrom("https://academy.example/x", "http://localhost:3000/"),
      },
      { requiredKeys: ["code"] },
    ),
    "POST /v1/clicks": fc.record(
      {
        code: fc.constantFrom(seedA.code, seedA.vanityCode.toUpperCase(), seedB.code),
        channel: fc.constantFrom("whatsapp", "qr", "other"),
        storyId: fc.constantFrom(...seedA.storyIds),
        visitorId: fc.stringMatching(/^[A-Za-z0-9_-]{8,20}$/),
      },
      { requiredKeys: ["code"] },
    ),
    "POST /v1/events": fc.record({
      type: fc.constant("share"),
      channel: fc.constantFrom("whatsapp", "linkedin", "copy"),
      code: fc.constantFrom(seedA.code, seedB.code),
    }),
    "POST /v1/referrals/me": fc.record(
      { course: fc.constant("data-analytics"), visitorId: fc.constant("v_fuzz_browser") },
      { requiredKeys: [] },
    ),
    "POST /v1/stories": story,
    "PATCH /v1/stories/{id}": fc.record(
      { headline: fc.string({ minLength: 1, maxLength: 60 }), rating: fc.integer({ min: 1, max: 5 }) },
      { requiredKeys: [] },
    ),
    "PATCH /v1/admin/stories/{id}": fc.record(
      {
        status: fc.constantFrom("approved", "rejected"),
        featured: fc.boolean(),
        tags: fc.array(fc.constantFrom("data", "career"), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
    "PATCH /v1/admin/program": fc.record(
      {
        holdDays: fc.integer({ min: 0, max: 30 }),
        attribution: fc.record({ windowDays: fc.integer({ min: 1, max: 90 }), model: fc.constant("first-click") }),
        allowedOrigins: fc.constant([world.origin, "http://localhost:3000"]),
        monthlyCap: fc.constantFrom(null, 5),
        credentialIssuers: fc.constant([
          { id: "did:web:issuer.example", name: "Issuer", publicKeyJwk: { kty: "OKP", crv: "Ed25519", x: "abc" } },
        ]),
      },
      { requiredKeys: [] },
    ),
    "POST /v1/dashboard/session": fc.record({ secretKey: fc.constantFrom(world.a.secretKey, world.revokedSecret) }),
  };
}
