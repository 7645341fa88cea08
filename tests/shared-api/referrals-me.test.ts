import { beforeAll, describe, expect, it } from "vitest";
import type { ReferralAnswer as Referral } from "./answers.ts";
import { api, apiJson, browser, expectError, learnerToken, newWorkspace, target, type Workspace } from "./client.ts";

let ws: Workspace;
let other: Workspace;
beforeAll(async () => {
  [ws, other] = await Promise.all([
    newWorkspace({ name: "Referral Academy" }),
    newWorkspace({ name: "Other Academy" }),
  ]);
});

const me = async (token: string, body?: unknown) =>
  apiJson<Referral>("POST", "/v1/referrals/me", 200, { headers: browser(ws.publishableKey, token), body });

describe("POST /v1/referrals/me", () => {
  it("creates the learner's code on the first call and returns the same one after", async () => {
    const token = await learnerToken(ws, { sub: "learner-first" });
    const first = await me(token);
    expect(first.code).toMatch(/^[a-z0-9]{4,}$/);
    // No PUBLIC_URL on the targets: links start with the origin the request came to.
    expect(first.link).toBe(`${target().baseUrl}/r/${first.code}`);
    expect(first.stats).toEqual({ clicks: 0, signups: 0, enrollments: 0, completions: 0 });
    expect(first.rewards).toEqual([]);
    const encoded = encodeURIComponent(first.link);
    expect(Object.values(first.shareLinks).some((url) => url.includes(encoded))).toBe(true);
    expect(first.shareLinks).toHaveProperty("whatsapp");
    const again = await me(token);
    expect(again.code).toBe(first.code);
  });

  it("gives each learner their own code, and a code per course", async () => {
    const priya = await learnerToken(ws, { sub: "learner-priya" });
    const arjun = await learnerToken(ws, { sub: "learner-arjun", name: "Arjun Rao" });
    const [p, r] = await Promise.all([me(priya), me(arjun)]);
    expect(p.code).not.toBe(r.code);
    const course = await me(priya, { course: "data-analytics" });
    expect(course.code).not.toBe(p.code);
    expect((await me(priya, { course: "data-analytics" })).code).toBe(course.code);
  });

  it("answers with the workspace's friend offer", async () => {
    const settings = await apiJson("GET", "/v1/admin/program", 200, {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    const referral = await me(await learnerToken(ws, { sub: "learner-offer" }));
    expect(referral.offer).toEqual(settings.friendOffer);
  });

  it("validates the body: a bad course slug or an unknown field is a 400", async () => {
    const token = await learnerToken(ws, { sub: "learner-bad" });
    const headers = browser(ws.publishableKey, token);
    const slug = await expectError(
      await api("POST", "/v1/referrals/me", { headers, body: { course: "Not A Slug!" } }),
      400,
      "invalid_request",
    );
    expect(JSON.stringify(slug.details)).toContain("course");
    await expectError(await api("POST", "/v1/referrals/me", { headers, body: { sneaky: 1 } }), 400, "invalid_request");
  });

  it("keeps the same learner id apart in two workspaces", async () => {
    const here = await me(await learnerToken(ws, { sub: "learner-shared" }));
    const there = await apiJson<Referral>("POST", "/v1/referrals/me", 200, {
      headers: browser(other.publishableKey, await learnerToken(other, { sub: "learner-shared" })),
    });
    expect(there.code).not.toBe(here.code);
  });
});
