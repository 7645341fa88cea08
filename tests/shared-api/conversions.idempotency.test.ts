import { beforeAll, describe, expect, it } from "vitest";
import { api, apiJson, browser, expectError, learnerToken, newWorkspace, secret, type Workspace } from "./client.ts";

let ws: Workspace;
let code: string;
beforeAll(async () => {
  ws = await newWorkspace({ name: "Conversion Academy" });
  const token = await learnerToken(ws, { sub: "advocate", name: "Arjun Mehta" });
  ({ code } = await apiJson<{ code: string }>("POST", "/v1/referrals/me", 200, {
    headers: browser(ws.publishableKey, token),
  }));
});

type Answer = { conversion: { id: string }; attribution: { status: string; code: string | null }; rewards: unknown[] };

describe("conversions", () => {
  it("are attributed by code, replayed verbatim for the same id, and refused for another body", async () => {
    const body = {
      id: `order-${Date.now()}`,
      type: "enrollment",
      customer: { id: "friend-1" },
      course: "data-analytics",
      amount: 499_900,
      currency: "INR",
      code,
    };
    const concurrent = await Promise.all(
      Array.from({ length: 10 }, () => api("POST", "/v1/conversions", { headers: secret(ws.secretKey), body })),
    );
    const statuses = concurrent.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const answers = (await Promise.all(concurrent.map((response) => response.json()))) as Answer[];
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]?.attribution).toMatchObject({ status: "attributed", code });
    expect(answers[0]?.rewards.length).toBeGreaterThan(0);

    await expectError(
      await api("POST", "/v1/conversions", { headers: secret(ws.secretKey), body: { ...body, amount: 1 } }),
      409,
      "conflict",
    );
    const rewards = await apiJson<{ items: unknown[] }>("GET", "/v1/admin/rewards", 200, {
      headers: secret(ws.secretKey),
    });
    expect(rewards.items.length).toBe(answers[0]?.rewards.length);
  });

  it("are all recorded, each once, when many different ones arrive at the same moment", async () => {
    const enrolments = async () =>
      (await apiJson<{ enrollments: number }>("GET", "/v1/analytics/funnel", 200, { headers: secret(ws.secretKey) }))
        .enrollments;
    const before = await enrolments();
    const batch = `batch-${Date.now()}`;
    const ids = Array.from({ length: 20 }, (_, n) => `${batch}-${n}`);
    const answers = await Promise.all(
      ids.map((id, n) =>
        api("POST", "/v1/conversions", {
          headers: secret(ws.secretKey),
          body: {
            id,
            type: "enrollment",
            customer: { id: `${batch}-friend-${n}` },
            amount: 1_000,
            currency: "INR",
            code,
          },
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(ids.map(() => 201));
    expect(await enrolments()).toBe(before + ids.length);
  });

  it("refuse a publishable key and bad amounts", async () => {
    const body = { id: `bad-${Date.now()}`, type: "enrollment", customer: { id: "x" }, amount: -5, currency: "INR" };
    await expectError(
      await api("POST", "/v1/conversions", { headers: browser(ws.publishableKey), body }),
      401,
      "unauthorized",
    );
    await expectError(
      await api("POST", "/v1/conversions", { headers: secret(ws.secretKey), body }),
      400,
      "invalid_request",
    );
  });
});
