import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emailHash } from "../../server/services/learners.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { dumpDatabase, tablesContaining } from "../support/database-dump.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { visitor } from "../support/referrals.ts";
import { storyBody } from "../support/stories.ts";
import { createTestApp, expectError, type TestApp, testConfig } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
beforeEach(async () => {
  t = await createTestApp({ trustProxy: true });
  ws = await workspaceFactory(t.db, {
    settings: {
      defaultTargetUrl: "https://academy.example/course",
      fallbackUrl: "https://academy.example/referrals-ended",
      storeEmails: true,
    },
  });
});
afterEach(() => t.cleanup());

// A learner whose every identifying string is unusual enough to search the whole database for.
const person = { sub: "learner-zq-7731", name: "Zelda Quixote-Marsh", email: "zelda.qm@example.org" };
const personIp = "203.0.113.77";
const personBrowser = "v_zeldabrowser01";

const secret = (workspace = ws) => ({ Authorization: `Bearer ${workspace.secretKey}` });
const count = async (sql: string) => Number((await t.client.execute(sql)).rows[0]?.n);

async function widgetAs(claims: { sub: string; name?: string; email?: string }, ip = personIp) {
  return {
    ...visitor(ip),
    "Chorus-Key": ws.publishableKey,
    Origin: testOrigin,
    Authorization: `Bearer ${await learnerToken(ws, claims)}`,
  };
}

/** The learner shares, friends click and enrol, the learner tries their own link and buys, and tells a story. */
async function history() {
  const me = await t.call("POST", "/v1/referrals/me", {
    headers: await widgetAs(person),
    body: { visitorId: personBrowser },
  });
  expect(me.status).toBe(200);
  const { code } = (await me.json()) as { code: string };
  expect(
    (
      await t.call("POST", "/v1/events", {
        headers: await widgetAs(person),
        body: { type: "share", channel: "whatsapp", code },
      })
    ).status,
  ).toBe(202);
  const clickIds: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const response = await t.call("GET", `/r/${code}?ch=whatsapp`, { headers: visitor(`198.51.100.${i}`) });
    clickIds.push(new URL(response.headers.get("Location") ?? "").searchParams.get("chorus_cid") as string);
  }
  // The learner opens their own link, from their own browser (address and first-party id).
  await t.call("GET", `/r/${code}`, { headers: visitor(personIp) });
  await t.call("POST", "/v1/clicks", {
    headers: { ...visitor("198.51.100.200"), "Chorus-Key": ws.publishableKey, Origin: testOrigin },
    body: { code, visitorId: personBrowser },
  });
  const post = poster(t, ws.secretKey);
  for (const [i, clickId] of clickIds.entries()) {
    const { status } = await post(
      enrollment({ clickId, customer: { id: `friend-${i}`, email: `friend${i}@example.net` } }),
    );
    expect(status).toBe(201);
  }
  await post(
    enrollment({ code, customer: { id: "friend-9" }, type: "signup", amount: undefined, currency: undefined }),
  );
  // The learner buys too, as a customer (linked by the same id and email): a self-referral.
  await post(enrollment({ code, customer: { id: person.sub, email: person.email } }));
  const story = await t.call("POST", "/v1/stories", {
    headers: await widgetAs(person),
    body: storyBody({ name: person.name, headline: "Zelda's new job", photoUrl: "https://images.example/zelda.jpg" }),
  });
  expect(story.status).toBe(201);
  const { id: storyId } = (await story.json()) as { id: string };
  expect(
    (await t.call("PATCH", `/v1/admin/stories/${storyId}`, { headers: secret(), body: { status: "approved" } })).status,
  ).toBe(200);
  return { code, storyId };
}

const withoutLabels = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (key, inner) => (key === "label" ? undefined : inner)));

/** Every aggregate the provider sees: rollup tables whole, funnel, breakdowns, conversion and reward totals. */
async function aggregates() {
  const range = "from=2026-10-01&to=2026-11-30";
  const read = async (path: string) => {
    const response = await t.call("GET", path, { headers: secret() });
    expect(response.status, path).toBe(200);
    return response.json();
  };
  const rows = async (sql: string) => (await t.client.execute(sql)).rows.map((row) => ({ ...row }));
  return {
    funnel: await read(`/v1/analytics/funnel?${range}`),
    channels: await read(`/v1/analytics/breakdown?dimension=channel&${range}`),
    // Labels name the advocate (an erased one loses their name); the numbers must not move.
    advocates: withoutLabels(await read(`/v1/analytics/breakdown?dimension=advocate&${range}`)),
    daily: await rows("select * from analytics_daily order by workspace_id, dim, course, grain, day, key"),
    revenue: await rows(
      "select * from analytics_revenue order by workspace_id, dim, course, grain, day, key, currency",
    ),
    advocateTotals: await rows("select * from analytics_advocates order by workspace_id, course, learner_id"),
    conversions: await rows("select type, status, count(*) as n, sum(amount) as amount from conversions group by 1, 2"),
    rewards: await rows("select side, status, count(*) as n, sum(amount) as amount from rewards group by 1, 2"),
    clicks: await count("select count(*) as n from clicks"),
    shares: await count("select count(*) as n from share_events"),
  };
}

describe("GET /v1/learners/:id", () => {
  it("returns the learner's record: ids, name, email (opted in), codes and counts", async () => {
    const { code } = await history();
    const response = await t.call("GET", `/v1/learners/${person.sub}`, { headers: secret() });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: expect.stringMatching(/^lrn_/),
      externalId: person.sub,
      name: person.name,
      email: person.email,
      createdAt: "2026-11-01T10:00:00.000Z",
      codes: expect.arrayContaining([
        {
          code,
          link: `https://chorus.test/r/${code}`,
          kind: "generated",
          course: null,
          disabled: false,
          createdAt: "2026-11-01T10:00:00.000Z",
        },
        // Made for the story's share link.
        expect.objectContaining({ course: "data-analytics", disabled: false }),
      ]),
      counts: { clicks: 5, shares: 1, signups: 1, enrollments: 4, completions: 0, stories: 1, rewards: 4 },
    });
  });

  it("is scoped to the workspace, and needs the secret key", async () => {
    await history();
    const other = await workspaceFactory(t.db, { name: "Other" });
    await expectError(await t.call("GET", `/v1/learners/${person.sub}`, { headers: secret(other) }), 404, "not_found");
    await expectError(await t.call("GET", `/v1/learners/${person.sub}`), 401, "unauthorized");
    await expectError(
      await t.call("GET", `/v1/learners/${person.sub}`, { headers: { "Chorus-Key": ws.publishableKey } }),
      401,
      "unauthorized",
    );
  });
});

describe("DELETE /v1/learners/:id", () => {
  it("erases the learner's personal data everywhere while every aggregate stays the same", async () => {
    const { code, storyId } = await history();
    // A vanity code named after them, and a friend's click on it.
    const vanity = await t.call("POST", "/v1/codes", {
      headers: secret(),
      body: { code: "zelda-quixote", learnerId: person.sub },
    });
    expect(vanity.status).toBe(201);
    expect((await t.call("GET", "/r/zelda-quixote", { headers: visitor("198.51.100.40") })).status).toBe(302);
    const hash = emailHash(testConfig.secret, person.email);
    const signalRows = (await t.client.execute("select kind, value from learner_signals")).rows;
    const signals = signalRows.map((row) => String(row.value));
    const ipSignal = String(signalRows.find((row) => row.kind === "ip_hash")?.value);
    const networkSignal = String(signalRows.find((row) => row.kind === "network")?.value);
    expect(signals).toContain(personBrowser);
    // Their friend coupon code (made from their first name), used by a friend who never clicked.
    const coupon = String((await t.client.execute("select code from friend_coupons")).rows[0]?.code);
    expect(coupon).toMatch(/^ZELDA-10-[2-9A-HJKMNP-Z]{7}$/);
    const byCoupon = await t.call("POST", "/v1/conversions", {
      headers: secret(),
      body: { id: "coupon-friend-1", type: "signup", customer: { id: "coupon-friend" }, code: coupon.toLowerCase() },
    });
    const decision = (await byCoupon.json()).attribution.decision as { rule: string; detail: string }[];
    expect(decision.find((step) => step.rule === "decided-by")?.detail).toContain(
      `by coupon code: the friend coupon code sent with the conversion (${coupon})`,
    );
    const before = await aggregates();
    const dumpBefore = await dumpDatabase(t.client);
    // The test would prove nothing if the data were not there to begin with.
    for (const needle of [
      person.name,
      person.email,
      person.sub,
      hash,
      personBrowser,
      "zelda-quixote",
      coupon,
      ...signals,
    ])
      expect(tablesContaining(dumpBefore, needle), needle).not.toEqual([]);

    const response = await t.call("DELETE", `/v1/learners/${person.sub}`, { headers: secret() });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      erasedAt: "2026-11-01T10:00:00.000Z",
      codesDisabled: 2,
      vanityCodesErased: 1,
      storiesWithdrawn: 1,
      signalsDeleted: 3, // IP hash, network key, visitor id
      // Only the click made with their own browser's visitor id (see the address test below).
      clicksScrubbed: 1,
      conversionsScrubbed: 6,
      webhookEventsScrubbed: expect.any(Number),
      // Their messages, still queued (this app has no mail transport): four reward-earned, and
      // one "a friend enrolled" for the conversion that earned them no reward, one "a friend
      // signed up" (the friend who typed their coupon code).
      mailSuppressed: 6,
      connectorEventsDropped: 0,
      friendCouponsErased: 1,
    });

    expect(await aggregates()).toEqual(before);
    expect(JSON.stringify(before.advocates)).toContain("6"); // the learner's clicks (5, and 1 on the vanity code) are in the breakdown
    const dump = await dumpDatabase(t.client);
    for (const needle of [
      person.name,
      "Zelda",
      coupon,
      person.email,
      hash,
      personBrowser,
      ...signals.filter((v) => v !== ipSignal && v !== networkSignal),
    ])
      expect(tablesContaining(dump, needle), needle).toEqual([]);
    // Their address's hash of that day, and its network key, stay only on clicks, where anyone
    // behind that address may have left them: the signals that tied them to them are gone.
    expect(tablesContaining(dump, ipSignal)).toEqual(["clicks"]);
    expect(tablesContaining(dump, networkSignal)).toEqual(["clicks"]);
    // The vanity link finds nothing now (no FALLBACK_URL here: the "link not found" page).
    expect((await t.call("GET", "/r/zelda-quixote", { headers: visitor("198.51.100.41") })).status).toBe(404);
    // The provider's id stays only as the customer id of the purchase they made: that conversion is
    // the provider's own business record (refunds and reward rules find it by that id).
    const withoutCustomerIds = new Map(
      [...dump].map(([table, text]) => [table, text.replaceAll(`customer_id=${person.sub}`, "")]),
    );
    expect(tablesContaining(withoutCustomerIds, person.sub)).toEqual([]);
    expect(await count(`select count(*) as n from conversions where customer_id = '${person.sub}'`)).toBe(1);

    // The code is disabled: its link lands on the workspace's fallback page and counts nothing.
    const redirect = await t.call("GET", `/r/${code}`, { headers: visitor("198.51.100.50") });
    expect(redirect.headers.get("Location")).toBe("https://academy.example/referrals-ended");
    expect(before.clicks).toBe(await count("select count(*) as n from clicks"));
    // The story is withdrawn: off the wall, its personal fields blank.
    const wall = await t.call("GET", "/v1/stories", {
      headers: { "Chorus-Key": ws.publishableKey, Origin: testOrigin },
    });
    expect(((await wall.json()) as { items: unknown[] }).items).toEqual([]);
    const [story] = (await t.client.execute({ sql: "select * from stories where id = ?", args: [storyId] })).rows;
    expect(story).toMatchObject({
      status: "withdrawn",
      name: "",
      headline: "",
      body: "",
      photo_url: null,
      verification: null,
      visitor_hash: null,
    });
    // The friends' conversions keep their own data; the learner's own purchase loses its email hash.
    expect(await count("select count(*) as n from conversions where customer_email_hash is not null")).toBe(3);
  });

  it("scrubs only the learner's own clicks: visitors sharing their address keep their hashes (issue 15)", async () => {
    const { code } = await history();
    const friendCode = await (async () => {
      const me = await t.call("POST", "/v1/referrals/me", {
        headers: await widgetAs({ sub: "learner-friend" }, "198.51.100.98"),
      });
      return ((await me.json()) as { code: string }).code;
    })();
    // 40 other people behind the learner's address (a campus NAT) click both learners' links.
    for (let i = 0; i < 40; i++) {
      const headers = visitor(personIp, `Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.${i}.0 Safari/537.36`);
      expect((await t.call("GET", `/r/${i % 2 ? code : friendCode}`, { headers })).status).toBe(302);
    }
    const othersAtAddress =
      "select id, visitor_hash, ip_hash, visitor_id from clicks where ip_hash is not null and (visitor_id is null or visitor_id <> 'v_zeldabrowser01') order by id";
    const before = (await t.client.execute(othersAtAddress)).rows.map((row) => ({ ...row }));
    expect(before.length).toBeGreaterThanOrEqual(40);
    const response = await t.call("DELETE", `/v1/learners/${person.sub}`, { headers: secret() });
    expect(await response.json()).toMatchObject({ clicksScrubbed: 1 });
    expect((await t.client.execute(othersAtAddress)).rows.map((row) => ({ ...row }))).toEqual(before);
    expect(await count(`select count(*) as n from clicks where visitor_id = '${personBrowser}'`)).toBe(0);
  });

  it("erases their vanity codes: the link stops, the name is free again, the counts stay", async () => {
    await history();
    for (const name of ["zelda-quixote", "zq-learns"])
      expect(
        (await t.call("POST", "/v1/codes", { headers: secret(), body: { code: name, learnerId: person.sub } })).status,
      ).toBe(201);
    expect((await t.call("GET", "/r/zq-learns", { headers: visitor("198.51.100.60") })).status).toBe(302);
    const clicksBefore = await count("select count(*) as n from clicks");
    const response = await t.call("DELETE", `/v1/learners/${person.sub}`, { headers: secret() });
    expect(await response.json()).toMatchObject({ vanityCodesErased: 2, codesDisabled: 2 });
    expect(await count("select count(*) as n from referral_codes where code like '%zelda%' or code like '%zq-%'")).toBe(
      0,
    );
    for (const name of ["zelda-quixote", "zq-learns"]) {
      const link = await t.call("GET", `/r/${name}`, { headers: visitor("198.51.100.61") });
      expect(link.status, name).toBe(404);
    }
    expect(await count("select count(*) as n from clicks")).toBe(clicksBefore);
    // The name can be chosen again, by the provider, for someone else.
    expect((await t.call("POST", "/v1/codes", { headers: secret(), body: { code: "zq-learns" } })).status).toBe(201);
  });

  it("answers 404 once the learner is erased, and a new token with the same id starts a new learner", async () => {
    await history();
    expect((await t.call("DELETE", `/v1/learners/${person.sub}`, { headers: secret() })).status).toBe(200);
    await expectError(await t.call("DELETE", `/v1/learners/${person.sub}`, { headers: secret() }), 404, "not_found");
    await expectError(await t.call("GET", `/v1/learners/${person.sub}`, { headers: secret() }), 404, "not_found");
    const me = await t.call("POST", "/v1/referrals/me", {
      headers: await widgetAs({ sub: person.sub, name: undefined }),
    });
    expect(me.status).toBe(200);
    const record = (await (await t.call("GET", `/v1/learners/${person.sub}`, { headers: secret() })).json()) as {
      name: string | null;
      counts: { clicks: number };
    };
    expect(record).toMatchObject({ name: null, counts: { clicks: 0 } });
  });

  it("is scoped to the workspace: another workspace's secret key finds nothing and changes nothing", async () => {
    await history();
    const other = await workspaceFactory(t.db, { name: "Other" });
    const dumpBefore = await dumpDatabase(t.client);
    await expectError(
      await t.call("DELETE", `/v1/learners/${person.sub}`, { headers: secret(other) }),
      404,
      "not_found",
    );
    expect(await dumpDatabase(t.client)).toEqual(dumpBefore);
    expect((await t.call("GET", `/v1/learners/${person.sub}`, { headers: secret() })).status).toBe(200);
  });

  it("leaves other learners alone", async () => {
    await history();
    const other = await t.call("POST", "/v1/referrals/me", {
      headers: await widgetAs(
        { sub: "learner-other", name: "Zelda Quixote", email: "other@example.org" },
        "198.51.100.99",
      ),
    });
    expect(other.status).toBe(200);
    await t.call("DELETE", `/v1/learners/${person.sub}`, { headers: secret() });
    const record = (await (await t.call("GET", "/v1/learners/learner-other", { headers: secret() })).json()) as {
      name: string;
      email: string;
      codes: { disabled: boolean }[];
    };
    expect(record).toMatchObject({ name: "Zelda Quixote", email: "other@example.org", codes: [{ disabled: false }] });
  });
});
