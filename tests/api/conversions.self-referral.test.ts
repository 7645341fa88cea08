/**
 * Issue 15, self-referral loopholes: a referrer's other spellings of their own address (Gmail's
 * dots and +tags, googlemail.com, case), and their own link clicked on a later day from the
 * connection their card was seen on, where the daily IP hash no longer matches. Driven through
 * the real card, redirect and conversion routes from known addresses (X-Forwarded-For).
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { learnerSignals, learners } from "../../db/schema.ts";
import { silentLogger } from "../../server/lib/telemetry.ts";
import { runBackgroundTick, startBackgroundWorker } from "../../server/services/background.ts";
import { exactEmailHash } from "../../server/services/learners.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { dumpDatabase, tablesContaining } from "../support/database-dump.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { chromeUserAgent, visitor } from "../support/referrals.ts";
import { createTestApp, type TestApp, testConfig } from "../support/test-app.ts";

const day = 86_400_000;
const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
let t: TestApp;
let ws: CreatedWorkspace;
let post: ReturnType<typeof poster>;

beforeEach(async () => {
  t = await createTestApp({ trustProxy: true });
  ws = await workspaceFactory(t.db, {
    now: t.clock.now(),
    settings: {
      defaultTargetUrl: "https://academy.example/welcome",
      fraud: { selfReferral: true, disposableEmail: true, botClicks: true, velocityPerDay: 50 },
    },
  });
  post = poster(t, ws.secretKey);
});
afterEach(() => t.cleanup());

/** The referrer's card loads from `ip`, as it does when they sign in: their code. */
async function cardFrom(ip: string, claims: { sub: string; email?: string } = { sub: "priya" }) {
  const response = await t.call("POST", "/v1/referrals/me", {
    headers: {
      ...visitor(ip),
      "Chorus-Key": ws.publishableKey,
      Origin: testOrigin,
      Authorization: `Bearer ${await learnerToken(ws, { name: "Priya", ...claims })}`,
    },
    body: {},
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { code: string }).code;
}

/** A click on the link from `ip` (another browser than the card's), as the redirect records it. */
async function clickFrom(code: string, ip: string, userAgent = firefox) {
  const response = await t.call("GET", `/r/${code}`, { headers: visitor(ip, userAgent) });
  await t.flushClicks();
  const clickId = new URL(response.headers.get("Location") ?? "").searchParams.get("chorus_cid");
  if (!clickId) throw new Error(`no click id in ${response.headers.get("Location")}`);
  return clickId;
}

function selfReferral(json: { attribution: { decision: { rule: string; result: string; detail: string }[] } }) {
  return json.attribution.decision.find((step) => step.rule === "self-referral");
}

describe("self-referral by email: one mailbox under its provider's rules", () => {
  const caught = ["name+1@gmail.com", "n.a.m.e@googlemail.com", "Name@GMAIL.com", "NA.ME+shop@GoogleMail.com"];
  it.each(caught)("flags %s against the referrer's name@gmail.com", async (email) => {
    const code = await cardFrom("203.0.113.10", { sub: "priya", email: "name@gmail.com" });
    const { json } = await post(enrollment({ customer: { id: "alt-account", email }, code }));
    expect(selfReferral(json)).toMatchObject({
      result: "fail",
      detail: "self-referral: the customer's email is the referrer's email (same mailbox under its provider's rules)",
    });
    expect(json.attribution.flagged).toBe(true);
  });

  const providers: [string, string][] = [
    ["priya+refer@outlook.com", "priya@outlook.com"],
    ["priya+x@hotmail.com", "Priya@hotmail.com"],
    ["priya-shop@yahoo.com", "priya@yahoo.com"],
    ["priya+a@icloud.com", "priya@icloud.com"],
    ["priya+a@fastmail.com", "priya@fastmail.com"],
    ["priya+a@proton.me", "priya@proton.me"],
  ];
  it.each(providers)("flags %s against the referrer's %s", async (email, referrerEmail) => {
    const code = await cardFrom("203.0.113.10", { sub: "priya", email: referrerEmail });
    const { json } = await post(enrollment({ customer: { id: "alt-account", email }, code }));
    expect(selfReferral(json)?.result).toBe("fail");
  });

  // Different people: a dot or a tag only folds where the provider says it does.
  const distinct = [
    "namex@gmail.com",
    "other.name@gmail.com",
    "name@gmail.co",
    "name@outlook.com",
    "name@yahoo.com",
    "na-me@gmail.com",
  ];
  it.each(distinct)("does not flag %s against the referrer's name@gmail.com", async (email) => {
    const code = await cardFrom("203.0.113.10", { sub: "priya", email: "name@gmail.com" });
    const { json } = await post(enrollment({ customer: { id: "friend", email }, code }));
    expect(selfReferral(json)?.result).toBe("pass");
    expect(json.attribution.flagged).toBe(false);
  });

  it("keeps dots and tags of other domains: n.ame@example.com and name+1@example.com are not name@example.com", async () => {
    const code = await cardFrom("203.0.113.10", { sub: "priya", email: "name@example.com" });
    for (const email of ["n.ame@example.com", "name+1@example.com"]) {
      const { json } = await post(enrollment({ customer: { id: `friend-${email}`, email }, code }));
      expect(selfReferral(json)?.result).toBe("pass");
    }
  });

  it("still matches a referrer whose hash was stored before addresses were normalised", async () => {
    const code = await cardFrom("203.0.113.10", { sub: "priya", email: "N.ame@gmail.com" });
    await t.db
      .update(learners)
      .set({ emailHash: exactEmailHash(testConfig.secret, "N.ame@gmail.com") })
      .where(eq(learners.externalId, "priya"));
    const { json } = await post(enrollment({ customer: { id: "alt", email: "n.ame@gmail.com" }, code }));
    expect(selfReferral(json)?.result).toBe("fail");
  });
});

describe("self-referral by network, across the attribution window", () => {
  it("flags the referrer's own link clicked the next day from the address their card was seen on", async () => {
    const code = await cardFrom("203.0.113.77");
    t.clock.advance(day + 3_600_000);
    const clickId = await clickFrom(code, "203.0.113.77");
    const { json } = await post(enrollment({ clickId }));
    expect(selfReferral(json)).toMatchObject({ result: "fail" });
    expect(selfReferral(json)?.detail).toMatch(
      /^self-referral: click \S+ came from the referrer's own network, seen with their own card within the 30-day window/,
    );
    // Held for a person to review, not refused: a campus network can also be a genuine friend.
    expect(json.attribution).toMatchObject({ status: "attributed", flagged: true });
    expect(json.rewards.length).toBeGreaterThan(0);
    expect(json.rewards.every((reward) => reward.flagged && reward.status === "pending")).toBe(true);
  });

  it("flags a click from the same IPv6 /64 and not from another /64", async () => {
    const code = await cardFrom("2001:db8:4a7f:10::1c3e");
    t.clock.advance(2 * day);
    const same = await post(enrollment({ clickId: await clickFrom(code, "2001:db8:4a7f:10:9a::5") }));
    expect(selfReferral(same.json)?.result).toBe("fail");
    const other = await post(enrollment({ clickId: await clickFrom(code, "2001:db8:4a7f:11::1c3e") }));
    expect(selfReferral(other.json)?.result).toBe("pass");
  });

  it("does not flag a friend on another network, nor the same network once the window has passed", async () => {
    const code = await cardFrom("203.0.113.77");
    t.clock.advance(day);
    const friend = await post(enrollment({ clickId: await clickFrom(code, "198.51.100.23", chromeUserAgent) }));
    expect(selfReferral(friend.json)?.result).toBe("pass");
    t.clock.advance(30 * day);
    const late = await post(enrollment({ clickId: await clickFrom(code, "203.0.113.77") }));
    expect(selfReferral(late.json)?.result).toBe("pass");
  });

  it("stores no raw IP address anywhere, and the network key is the same across days", async () => {
    const addresses = ["203.0.113.77", "2001:db8:4a7f:10::1c3e", "198.51.100.23"];
    const code = await cardFrom(addresses[0] ?? "");
    await cardFrom(addresses[1] ?? "");
    t.clock.advance(day);
    for (const ip of addresses) await post(enrollment({ clickId: await clickFrom(code, ip) }));
    const dump = await dumpDatabase(t.client);
    for (const ip of [...addresses, "2001:db8:4a7f:10::", "2001:0db8:4a7f:0010"])
      expect(tablesContaining(dump, ip), ip).toEqual([]);
    const keys = await t.client.execute("select network_key from clicks where network_key is not null");
    expect(keys.rows.length).toBe(3);
  });

  it("keeps network keys only for the attribution window: the background tick clears older ones", async () => {
    const code = await cardFrom("203.0.113.77");
    await clickFrom(code, "198.51.100.23");
    t.clock.advance(29 * day);
    const recentClick = await clickFrom(code, "198.51.100.24");
    const keys = async () =>
      (
        await t.client.execute(
          "select id as what from clicks where network_key is not null union all select kind from learner_signals where kind = 'network'",
        )
      ).rows.map((row) => String(row.what));
    await runBackgroundTick({ db: t.db, clock: t.clock });
    expect((await keys()).length).toBe(3);
    t.clock.advance(2 * day);
    await runBackgroundTick({ db: t.db, clock: t.clock });
    expect(await keys()).toEqual([recentClick]);
  });

  it("has the Node worker clear them once a minute, not on each of its ticks (a second)", async () => {
    const stale = (value: string) =>
      t.db.insert(learnerSignals).values({
        workspaceId: ws.id,
        learnerId: "lrn_stale_network",
        kind: "network",
        value,
        lastSeenAt: t.clock.now().getTime() - 60 * day,
      });
    const left = async () =>
      (await t.db.select({ value: learnerSignals.value }).from(learnerSignals)).map((row) => row.value).sort();
    let ticks = 0;
    const log = { ...silentLogger, debug: () => void ticks++, info: () => void ticks++ };
    await stale("net-a");
    const worker = startBackgroundWorker({ db: t.db, clock: t.clock }, { intervalMs: 5, telemetry: { log } });
    try {
      await expect.poll(left).toEqual([]);
      // Ticks go on within the same minute: a key gone stale now waits for the next minute.
      await stale("net-b");
      const seen = ticks;
      await expect.poll(() => ticks).toBeGreaterThan(seen + 5);
      expect(await left()).toEqual(["net-b"]);
      t.clock.advance(60_000);
      await expect.poll(left).toEqual([]);
    } finally {
      await worker.stop();
    }
  });
});
