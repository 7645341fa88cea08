/**
 * Tenant isolation helpers: a workspace with rich data made through the real API (learners,
 * generated and vanity codes, clicks, shares, conversions, rewards, approved and pending stories,
 * webhook endpoints with deliveries, a dashboard session), every credential it has, and a dump of
 * every row it owns, so a test can prove another workspace's requests changed none of them.
 */
import { createHmac } from "node:crypto";
import { deliverDueWebhooks } from "../../server/services/webhooks.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import type { ConversionJson } from "./conversions.ts";
import { learnerToken, workspaceFactory } from "./factories.ts";
import { storyBody } from "./stories.ts";
import { memberSession } from "./team.ts";
import type { TestApp } from "./test-app.ts";

export type CredentialKind = "secret" | "publishable" | "learner" | "session";
export const credentialKinds: CredentialKind[] = ["secret", "publishable", "learner", "session"];

export type TenantLearner = { sub: string; name: string; token: string; code: string; codeId: string; id: string };

export type Tenant = {
  label: string;
  ws: CreatedWorkspace;
  origin: string;
  /** A course slug only this workspace uses, and one both use. */
  course: string;
  sharedCourse: string;
  learners: [TenantLearner, TenantLearner];
  vanity: { id: string; code: string };
  /** A brand name the workspace reserved. */
  reserved: string;
  clickIds: string[];
  conversions: ConversionJson[];
  rewardIds: string[];
  stories: {
    approved: { id: string; editToken: string };
    pending: { id: string; editToken: string };
    anonymous: { id: string; editToken: string };
  };
  webhooks: { id: string; url: string }[];
  eventIds: string[];
  session: string;
  stripeSecret: string;
  /** Two Kajabi connectors; the first has received a purchase. */
  connectors: { id: string; path: string; token: string }[];
};

let visitorSerial = 0;
/** A distinct browser per call, so per-visitor rate limits never decide an answer. */
export function browser(extra: Record<string, string> = {}): Record<string, string> {
  visitorSerial++;
  return {
    "User-Agent": `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.${visitorSerial}.0 Safari/537.36`,
    "X-Forwarded-For": `198.51.100.${visitorSerial % 250}`,
    ...extra,
  };
}

async function ok<T>(response: Response | Promise<Response>, status: number, what: string): Promise<T> {
  const answer = await response;
  const text = await answer.text();
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/**
 * A workspace with some of everything, made as its provider, its learners and their friends
 * would make it. `label` goes into names and slugs, so a leak is easy to recognise.
 */
export async function richTenant(t: TestApp, label: string): Promise<Tenant> {
  const slug = label.toLowerCase();
  const origin = `https://${slug}-academy.example`;
  const stripeSecret = `whsec_${slug}0123456789abcdef`;
  const ws = await workspaceFactory(t.db, {
    name: `${label} Academy`,
    origins: [origin],
    settings: {
      stripe: { webhookSecret: stripeSecret, conversionType: "enrollment" },
      defaultTargetUrl: `${origin}/courses`,
      holdDays: 0,
    },
    now: t.clock.now(),
  });
  const secret = { Authorization: `Bearer ${ws.secretKey}` };
  const widget = (extra: Record<string, string> = {}) =>
    browser({ "Chorus-Key": ws.publishableKey, Origin: origin, ...extra });
  const course = `${slug}-only-course`;
  const sharedCourse = "data-analytics";

  // Webhook endpoints first: every later event is queued for them.
  const webhooks: Tenant["webhooks"] = [];
  for (const path of ["ok", "failing"]) {
    const url = `https://hooks.${slug}.example/${path}`;
    const created = await ok<{ id: string }>(
      t.call("POST", "/v1/admin/webhooks", { body: { url }, headers: secret }),
      201,
      "webhook",
    );
    webhooks.push({ id: created.id, url });
  }

  for (const [courseSlug, title] of [
    [course, `${label} Only Course`],
    [sharedCourse, `${label} Data Analytics`],
  ] as const) {
    await ok(
      t.call("PUT", `/v1/admin/courses/${courseSlug}`, {
        body: { title, url: `${origin}/courses/${courseSlug}` },
        headers: secret,
      }),
      200,
      "course",
    );
  }

  const learners = [] as unknown as [TenantLearner, TenantLearner];
  for (const [sub, name] of [
    [`${slug}-advocate-1`, `${label} Advocate One`],
    [`${slug}-advocate-2`, `${label} Advocate Two`],
  ] as const) {
    const token = await learnerToken(
      ws,
      { sub, name, email: `${sub}@${slug}.example` },
      { now: t.clock.now(), ttlSeconds: 30 * 86_400 },
    );
    const referral = await ok<{ code: string }>(
      t.call("POST", "/v1/referrals/me", {
        body: {},
        headers: widget({ Authorization: `Bearer ${token}` }),
      }),
      200,
      "referrals/me",
    );
    const [row] = (
      await t.client.execute({
        sql: "select r.id as codeId, l.id as learnerId from referral_codes r join learners l on l.id = r.learner_id where r.code = ?",
        args: [referral.code],
      })
    ).rows;
    learners.push({ sub, name, token, code: referral.code, codeId: String(row?.codeId), id: String(row?.learnerId) });
  }
  const [first, second] = learners;

  const vanity = await ok<{ id: string; code: string }>(
    t.call("POST", "/v1/codes", {
      body: { code: `${slug}-vanity`, learnerId: first.sub, course, targetUrl: `${origin}/vanity-landing` },
      headers: secret,
    }),
    201,
    "vanity code",
  );
  const reserved = `${slug}-brand`;
  await ok(t.call("PUT", `/v1/admin/reserved-codes/${reserved}`, { headers: secret }), 201, "reserved name");

  // Friends click: through the redirect (a country from the edge) and by the loader's beacon.
  const clickIds: string[] = [];
  const countries: [string, string, string] = label === "Alpha" ? ["IN", "US", "IN"] : ["DE", "FR", "BR"];
  for (const [code, channel, country] of [
    [first.code, "whatsapp", countries[0]],
    [second.code, "linkedin", countries[1]],
    [vanity.code, "email", countries[2]],
  ] as const) {
    const response = await t.call("GET", `/r/${code}?ch=${channel}`, { headers: browser({ "CF-IPCountry": country }) });
    if (response.status !== 302) throw new Error(`redirect answered ${response.status}`);
    const clickId = new URL(response.headers.get("Location") ?? "").searchParams.get("chorus_cid");
    if (!clickId) throw new Error("redirect gave no click id");
    clickIds.push(clickId);
  }
  const beacon = await ok<{ clickId: string }>(
    t.call("POST", "/v1/clicks", { body: { code: second.code, channel: "x" }, headers: widget() }),
    201,
    "beacon click",
  );
  clickIds.push(beacon.clickId);

  await ok(
    t.call("POST", "/v1/events", {
      body: { type: "share", channel: "whatsapp", code: first.code },
      headers: widget({ Authorization: `Bearer ${first.token}` }),
    }),
    202,
    "share",
  );

  // Conversions a day later: attributed by click, by code, a completion for the story, a refund.
  t.clock.advance(86_400_000);
  const convert = (body: Record<string, unknown>) =>
    ok<ConversionJson>(t.call("POST", "/v1/conversions", { body, headers: secret }), 201, `conversion ${body.id}`);
  const conversions = [
    await convert({
      id: `${slug}-order-1`,
      type: "enrollment",
      customer: { id: `${slug}-friend-1`, email: `friend1@${slug}-mail.example` },
      course: sharedCourse,
      amount: label === "Alpha" ? 100_000 : 777_700,
      currency: "INR",
      clickId: clickIds[0],
    }),
    await convert({
      id: `${slug}-order-2`,
      type: "signup",
      customer: { id: `${slug}-friend-2` },
      code: second.code,
    }),
    await convert({
      id: `${slug}-order-3`,
      type: "enrollment",
      customer: { id: `${slug}-friend-3` },
      course,
      amount: 250_000,
      currency: "USD",
      clickId: clickIds[2],
    }),
    await convert({ id: `${slug}-order-4`, type: "completion", customer: { id: first.sub }, course: sharedCourse }),
    await convert({
      id: `${slug}-order-5`,
      type: "enrollment",
      customer: { id: `${slug}-friend-5` },
      course: sharedCourse,
      amount: 90_000,
      currency: "INR",
      clickId: clickIds[3],
    }),
  ];
  conversions.push(
    await convert({
      id: `${slug}-refund-3`,
      type: "refund",
      refundOf: `${slug}-order-3`,
      customer: { id: `${slug}-friend-3` },
      amount: 250_000,
      currency: "USD",
    }),
  );
  const rewardIds = (
    await t.client.execute({ sql: "select id from rewards where workspace_id = ? order by id", args: [ws.id] })
  ).rows.map((row) => String(row.id));

  // Stories: one by a signed-in learner, approved; one pending; one anonymous, approved.
  const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    ok<{ id: string; editToken: string }>(
      t.call("POST", "/v1/stories", { body, headers: widget(headers) }),
      201,
      "story",
    );
  const approved = await post(
    storyBody({
      course: sharedCourse,
      name: `${label} Advocate One`,
      headline: `${label} headline: analyst in six months`,
      body: `${label} body text about the course`,
    }),
    { Authorization: `Bearer ${first.token}` },
  );
  const pending = await post(
    storyBody({
      course,
      name: `${label} Advocate Two`,
      headline: `${label} pending headline`,
      body: `${label} pending body`,
    }),
    { Authorization: `Bearer ${second.token}` },
  );
  const anonymous = await post(
    storyBody({
      course: sharedCourse,
      name: `${label} Anonymous Author`,
      headline: `${label} anonymous headline`,
      body: `${label} anonymous body`,
      outcome: { type: "promotion", salaryIncreasePct: 12, monthsToOutcome: 3 },
    }),
  );
  for (const story of [approved, anonymous]) {
    await ok(
      t.call("PATCH", `/v1/admin/stories/${story.id}`, {
        body: { status: "approved", featured: story === approved, tags: [`${slug}-tag`] },
        headers: secret,
      }),
      200,
      "moderation",
    );
  }
  // A share of the approved story, clicked.
  const storyClick = await t.call("GET", `/r/${first.code}?ch=linkedin&s=${approved.id}`, { headers: browser() });
  clickIds.push(new URL(storyClick.headers.get("Location") ?? "").searchParams.get("chorus_cid") ?? "");

  // Deliveries: the "ok" endpoint answers 200, the "failing" one 500 (retried later).
  await deliverDueWebhooks(
    { db: t.db, clock: t.clock },
    {
      fetch: async (input) => new Response("", { status: String(input).endsWith("/ok") ? 200 : 500 }),
    },
  );
  const eventIds = (
    await t.client.execute({
      sql: "select id from webhook_events where workspace_id = ? order by id",
      args: [ws.id],
    })
  ).rows.map((row) => String(row.id));

  const connectors: Tenant["connectors"] = [];
  for (const name of ["first", "second"]) {
    connectors.push(
      await ok<Tenant["connectors"][number]>(
        t.call("POST", "/v1/admin/integrations", {
          body: { platform: "kajabi", name: `${label} ${name}`, courses: { "0": sharedCourse } },
          headers: secret,
        }),
        201,
        "connector",
      ),
    );
  }
  await ok(
    t.call("POST", `${connectors[0]!.path}?token=${connectors[0]!.token}`, {
      body: [
        {
          id: `${slug}-1`,
          type: "purchases",
          attributes: { amount_in_cents: 1000, currency: "USD", coupon_code: learners[0].code },
          relationships: {
            customer: { data: { id: "1", type: "customers" } },
            offer: { data: { id: "0", type: "offers" } },
          },
        },
        { id: "1", type: "customers", attributes: { email: `buyer@${slug}.example`, name: `${label} Buyer` } },
      ],
    }),
    200,
    "connector event",
  );

  return {
    connectors,
    label,
    ws,
    origin,
    course,
    sharedCourse,
    learners,
    vanity,
    reserved,
    clickIds,
    conversions,
    rewardIds,
    stories: { approved, pending, anonymous },
    webhooks,
    eventIds,
    session: await signIn(t, ws.id),
    stripeSecret,
  };
}

/** An owner's dashboard session cookie (`chorus_session=…`), valid for 12 hours from the test clock's now. */
export async function signIn(t: TestApp, workspaceId: string): Promise<string> {
  return memberSession(t, workspaceId, "owner");
}

/** The headers of one of the tenant's credentials (learner: its first learner's token). */
export function credential(tenant: Tenant, kind: CredentialKind, learner = 0): Record<string, string> {
  const widget = { "Chorus-Key": tenant.ws.publishableKey, Origin: tenant.origin };
  switch (kind) {
    case "secret":
      return { Authorization: `Bearer ${tenant.ws.secretKey}` };
    case "publishable":
      return browser(widget);
    case "learner":
      return browser({ ...widget, Authorization: `Bearer ${tenant.learners[learner]?.token}` });
    case "session":
      return { Cookie: tenant.session, "X-Chorus-Dashboard": "1" };
  }
}

/** Signs a Stripe webhook body as Stripe does. */
export function stripeSignature(body: string, at: Date, secret: string): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Tables that carry no `workspace_id`, and why they need none. */
export const unscopedTables: Record<string, string> = {
  workspaces: "the tenant itself: dumped by its id",
  server_settings: "server-wide values (the hashing secret), no tenant data",
  disposable_domains: "public reference data (a package's domain list), the same for every tenant",
  analytics_conversions_deferred:
    "a conversion batch's gate row, written and deleted inside one write transaction (services/conversion-rollups.ts): never committed, no tenant data",
  __drizzle_migrations: "migration bookkeeping",
  sqlite_sequence: "SQLite bookkeeping",
};

export async function tableNames(t: TestApp): Promise<{ name: string; scoped: boolean }[]> {
  const tables = await t.client.execute(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_stat%' order by name",
  );
  const result: { name: string; scoped: boolean }[] = [];
  for (const row of tables.rows) {
    const name = String(row.name);
    const columns = await t.client.execute(`pragma table_info("${name}")`);
    result.push({ name, scoped: columns.rows.some((column) => column.name === "workspace_id") });
  }
  return result;
}

export type Dump = Record<string, Record<string, unknown>[]>;

/** Every row the workspace owns, in every table, in a stable order. */
export async function workspaceDump(t: TestApp, workspaceId: string): Promise<Dump> {
  const dump: Dump = {};
  for (const table of await tableNames(t)) {
    if (!table.scoped && table.name !== "workspaces") continue;
    const where = table.scoped ? "workspace_id = ?" : "id = ?";
    const rows = await t.client.execute({ sql: `select * from "${table.name}" where ${where}`, args: [workspaceId] });
    dump[table.name] = rows.rows
      .map((row) => Object.fromEntries(rows.columns.map((column) => [column, row[column as keyof typeof row]])))
      .sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
  }
  return dump;
}

/** Every string in a value, JSON columns opened up. */
function strings(value: unknown, into: Set<string>) {
  if (typeof value === "string") {
    into.add(value);
    if (value.startsWith("{") || value.startsWith("[")) {
      try {
        strings(JSON.parse(value), into);
      } catch {
        // not JSON: kept whole
      }
    }
  } else if (Array.isArray(value)) for (const item of value) strings(item, into);
  else if (value && typeof value === "object") for (const item of Object.values(value)) strings(item, into);
}

const idToken = /\b(?:ws|key|crs|lrn|ref|clk|shr|cnv|rwd|sty|whk|evt|tks|whsec|edit|sk|pk)_[A-Za-z0-9]{12,}/g;
const hashToken = /\b[0-9a-f]{32,}\b/g;

/**
 * What identifies the tenant's data: every id, secret and hash in its rows, its referral codes,
 * and every text that carries its label (names, headlines, slugs, URLs, customer ids). Anything
 * that also occurs in `other`'s rows (shared words such as a course slug both use) is left out.
 */
export function tenantStrings(own: Dump, other: Dump, label: string, extra: string[] = []): string[] {
  const mine = new Set<string>();
  const theirs = new Set<string>();
  strings(own, mine);
  strings(other, theirs);
  const found = new Set<string>(extra);
  const marker = label.toLowerCase();
  for (const value of mine) {
    for (const match of value.matchAll(idToken)) found.add(match[0]);
    for (const match of value.matchAll(hashToken)) found.add(match[0]);
    if (value.toLowerCase().includes(marker) && !value.startsWith("{") && !value.startsWith("[")) found.add(value);
  }
  for (const row of own.referral_codes ?? []) found.add(String(row.code));
  return [...found].filter((value) => value.length >= 6 && !theirs.has(value));
}
