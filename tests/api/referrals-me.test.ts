import { describe, expect, it } from "vitest";
import { referralCodeAlphabet } from "../../server/lib/ids.ts";
import type { ReferralAnswer as Referral } from "../shared-api/answers.ts";
import { learnerToken, testOrigin } from "../support/factories.ts";
import { expectError } from "../support/test-app.ts";
import { eachTestWorkspace, type WorkspaceTest } from "../support/workspace-app.ts";

let { t, ws } = {} as WorkspaceTest;
eachTestWorkspace((test) => {
  ({ t, ws } = test);
});

async function me(token: string, body?: unknown) {
  return t.call("POST", "/v1/referrals/me", {
    headers: { "Chorus-Key": ws.publishableKey, Origin: testOrigin, Authorization: `Bearer ${token}` },
    body,
  });
}

describe("POST /v1/referrals/me", () => {
  it("creates the learner's code on the first call and returns the same one after", async () => {
    const token = await learnerToken(ws, { sub: "priya" });
    const first = (await (await me(token)).json()) as Referral;
    expect(first.code).toMatch(new RegExp(`^[${referralCodeAlphabet}]{7}$`));
    expect(first.link).toBe(`https://chorus.test/r/${first.code}`);
    expect(first.stats).toEqual({ clicks: 0, signups: 0, enrollments: 0, completions: 0 });
    expect(first.rewards).toEqual([]);
    const second = (await (await me(token)).json()) as Referral;
    expect(second.code).toBe(first.code);
  });

  it("gives one code even when the first calls race", async () => {
    const token = await learnerToken(ws, { sub: "racer" });
    const answers = await Promise.all(Array.from({ length: 10 }, () => me(token)));
    const codes = new Set(await Promise.all(answers.map(async (a) => ((await a.json()) as Referral).code)));
    expect(codes.size).toBe(1);
    const rows = await t.client.execute("select count(*) as n from referral_codes");
    expect(rows.rows[0]?.n).toBe(1);
  });

  it("tags every channel's link with ch=", async () => {
    const { shareLinks, link } = (await (await me(await learnerToken(ws))).json()) as Referral;
    for (const channel of ["whatsapp", "linkedin", "x", "facebook", "telegram", "email", "sms"]) {
      expect(decodeURIComponent(shareLinks[channel] ?? "")).toContain(`${link}?ch=${channel}`);
    }
    expect(shareLinks.copy).toBe(`${link}?ch=copy`);
  });

  it("makes a separate code per course and per learner", async () => {
    const token = await learnerToken(ws, { sub: "priya" });
    const general = ((await (await me(token)).json()) as Referral).code;
    const course = ((await (await me(token, { course: "data-analytics" })).json()) as Referral).code;
    const other = ((await (await me(await learnerToken(ws, { sub: "arjun" }))).json()) as Referral).code;
    expect(new Set([general, course, other]).size).toBe(3);
  });

  it("rejects a malformed course", async () => {
    await expectError(await me(await learnerToken(ws), { course: "<script>" }), 400, "invalid_request");
  });
});

describe("POST /v1/referrals/me without a landing page", () => {
  const admin = () => ({ Authorization: `Bearer ${ws.secretKey}` });
  const noLandingPage = async () => {
    const patched = await t.call("PATCH", "/v1/admin/program", { headers: admin(), body: { defaultTargetUrl: null } });
    expect(patched.status).toBe(200);
  };

  it("refuses to hand out a link that would lead nowhere, says what to set, and writes nothing", async () => {
    await noLandingPage();
    const response = await me(await learnerToken(ws, { sub: "first-learner" }));
    const error = await expectError(response, 409, "conflict");
    expect(error.message).toContain("defaultTargetUrl");
    expect(JSON.stringify(error.details)).toContain("settings.defaultTargetUrl");
    const rows = await t.client.execute(
      "select (select count(*) from referral_codes) + (select count(*) from learners) as n",
    );
    expect(rows.rows[0]?.n).toBe(0);
  });

  it("says it in the card's language", async () => {
    await noLandingPage();
    const error = await expectError(await me(await learnerToken(ws), { lang: "hi" }), 409, "conflict");
    expect(error.message).toMatch(/[\u0900-\u097F]/);
    expect(error.message).toContain("defaultTargetUrl");
  });

  it("hands out a course's link when the course has a page, and every link once a landing page is set", async () => {
    await noLandingPage();
    const token = await learnerToken(ws);
    const put = await t.call("PUT", "/v1/admin/courses/data-analytics", {
      headers: admin(),
      body: { title: "Data analytics", url: `${testOrigin}/courses/data-analytics` },
    });
    expect(put.status).toBeLessThan(300);
    expect((await me(token, { course: "data-analytics" })).status).toBe(200);
    await expectError(await me(token, { course: "ux-design" }), 409, "conflict");
    await t.call("PATCH", "/v1/admin/program", { headers: admin(), body: { defaultTargetUrl: `${testOrigin}/` } });
    expect((await me(token)).status).toBe(200);
  });
});
