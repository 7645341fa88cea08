import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { countClicks, learnerCode, visitor } from "../support/referrals.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let browser: Record<string, string>;
beforeEach(async () => {
  t = await createTestApp({ trustProxy: true });
  ws = await workspaceFactory(t.db);
  browser = { ...visitor(), "Chorus-Key": ws.publishableKey, Origin: testOrigin };
});
afterEach(() => t.cleanup());

describe("POST /v1/clicks (landing with ?via= but no click id)", () => {
  it("records a beacon click and tells who invited the visitor", async () => {
    const code = await learnerCode(t, ws, "priya");
    const response = await t.call("POST", "/v1/clicks", {
      headers: browser,
      body: { code, channel: "whatsapp", visitorId: "v_1234567890" },
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { clickId: string };
    expect(body).toEqual({
      clickId: expect.stringMatching(/^clk_/),
      referrer: { name: "Priya" },
      offer: { type: "percent", percent: 10 },
      coupon: expect.stringMatching(/^PRIYA-10-[2-9A-HJKMNP-Z]{7}$/),
      attribution: { windowDays: 30, model: "last-click" },
    });
    const [row] = (await t.client.execute("select * from clicks")).rows;
    expect(row).toMatchObject({ id: body.clickId, source: "beacon", channel: "whatsapp", visitor_id: "v_1234567890" });
  });

  it("returns the same click for a repeat within the hour, with 200", async () => {
    const code = await learnerCode(t, ws);
    const first = (await (await t.call("POST", "/v1/clicks", { headers: browser, body: { code } })).json()) as {
      clickId: string;
    };
    const again = await t.call("POST", "/v1/clicks", { headers: browser, body: { code } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { clickId: string }).clickId).toBe(first.clickId);
    expect(await countClicks(t)).toBe(1);
  });

  it("does not count a bot running the page's script", async () => {
    const code = await learnerCode(t, ws);
    const response = await t.call("POST", "/v1/clicks", {
      headers: { ...browser, "User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" },
      body: { code },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { clickId: null }).clickId).toBeNull();
    expect(await countClicks(t)).toBe(0);
  });

  it("refuses unknown codes, other workspaces' codes and bad channels, storing nothing", async () => {
    const other = await workspaceFactory(t.db, { name: "Other" });
    const foreign = await learnerCode(t, other, "someone");
    await expectError(
      await t.call("POST", "/v1/clicks", { headers: browser, body: { code: "nosuchcode" } }),
      404,
      "not_found",
    );
    await expectError(
      await t.call("POST", "/v1/clicks", { headers: browser, body: { code: foreign } }),
      404,
      "not_found",
    );
    const code = await learnerCode(t, ws);
    await expectError(
      await t.call("POST", "/v1/clicks", { headers: browser, body: { code, channel: "carrier-pigeon" } }),
      400,
      "invalid_request",
    );
    await expectError(
      await t.call("POST", "/v1/clicks", { headers: browser, body: { code, extra: 1 } }),
      400,
      "invalid_request",
    );
    expect(await countClicks(t)).toBe(0);
  });
});

describe("GET /v1/referrals/:code", () => {
  it("answers with the referrer's first name only, the offer and the attribution rules", async () => {
    const code = await learnerCode(t, ws, "priya");
    const response = await t.call("GET", `/v1/referrals/${code.toUpperCase()}`, { headers: browser });
    expect(await response.json()).toEqual({
      code,
      referrer: { name: "Priya" },
      offer: { type: "percent", percent: 10 },
      coupon: expect.stringMatching(/^PRIYA-10-[2-9A-HJKMNP-Z]{7}$/),
      attribution: { windowDays: 30, model: "last-click" },
    });
  });
});

describe("POST /v1/events (shares)", () => {
  it("records a share of the learner's own code, and refuses someone else's", async () => {
    const mine = await learnerCode(t, ws, "priya");
    const theirs = await learnerCode(t, ws, "arjun");
    const headers = { ...browser, Authorization: `Bearer ${await learnerToken(ws, { sub: "priya" })}` };
    expect(
      (await t.call("POST", "/v1/events", { headers, body: { type: "share", channel: "linkedin", code: mine } }))
        .status,
    ).toBe(202);
    await expectError(
      await t.call("POST", "/v1/events", { headers, body: { type: "share", channel: "linkedin", code: theirs } }),
      404,
      "not_found",
    );
    await expectError(
      await t.call("POST", "/v1/events", { headers, body: { type: "share", channel: "fax", code: mine } }),
      400,
      "invalid_request",
    );
    const rows = (await t.client.execute("select channel from share_events")).rows;
    expect(rows.map((r) => r.channel)).toEqual(["linkedin"]);
  });

  it("counts a share without a code for the learner's own code for all courses, as DESIGN.md's body has it", async () => {
    const code = await learnerCode(t, ws, "meera");
    const headers = { ...browser, Authorization: `Bearer ${await learnerToken(ws, { sub: "meera" })}` };
    expect((await t.call("POST", "/v1/events", { headers, body: { type: "share", channel: "email" } })).status).toBe(
      202,
    );
    const rows = (
      await t.client.execute(
        "select c.code from share_events s join referral_codes c on c.id = s.code_id where s.channel = 'email'",
      )
    ).rows;
    expect(rows.map((r) => r.code)).toEqual([code]);
  });

  it("stores nothing, not even the learner, when a learner never seen before shares a code not theirs (found by fuzzing)", async () => {
    const theirs = await learnerCode(t, ws, "arjun");
    const learners = async () => Number((await t.client.execute("select count(*) as n from learners")).rows[0]?.n);
    const before = await learners();
    const headers = { ...browser, Authorization: `Bearer ${await learnerToken(ws, { sub: "newcomer" })}` };
    await expectError(
      await t.call("POST", "/v1/events", { headers, body: { type: "share", channel: "linkedin", code: theirs } }),
      404,
      "not_found",
    );
    expect(await learners()).toBe(before);
    expect((await t.client.execute("select count(*) as n from share_events")).rows[0]?.n).toBe(0);
  });

  it("remembers the learner's own IP hash and visitor id for the self-referral rule", async () => {
    await learnerCode(t, ws, "priya", { visitorId: "v_priyasbrowser" });
    const rows = (await t.client.execute("select kind, value from learner_signals order by kind")).rows;
    expect(rows.map((r) => r.kind)).toEqual(["ip_hash", "visitor_id"]);
    expect(rows[1]?.value).toBe("v_priyasbrowser");
    expect(String(rows[0]?.value)).toMatch(/^[0-9a-f]{64}$/);
  });
});
