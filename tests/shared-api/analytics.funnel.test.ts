import { beforeAll, describe, expect, it } from "vitest";
import {
  api,
  apiJson,
  browser,
  expectError,
  newWorkspace,
  referringWorkspace,
  secret,
  settling,
  type Workspace,
} from "./client.ts";

let ws: Workspace;
let code: string;
beforeAll(async () => {
  ({ ws, code } = await referringWorkspace("Funnel Academy", "https://academy.example/course", {
    sub: "funnel-advocate",
    name: "Leela Nair",
  }));
});

type Funnel = {
  clicks: number;
  signups: number;
  enrollments: number;
  completions: number;
  revenue: { currency: string; amount: number }[];
};

describe("the analytics funnel", () => {
  it("counts the workspace's clicks and attributed conversions, and nothing of other workspaces", async () => {
    const agents = ["Pixel 7", "Pixel 8", "iPhone 15"].map(
      (device) => `Mozilla/5.0 (${device}) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36`,
    );
    const clickIds: string[] = [];
    for (const agent of agents) {
      const response = await api("GET", `/r/${code}?ch=linkedin`, { headers: { "User-Agent": agent } });
      clickIds.push(new URL(response.headers.get("Location") ?? "").searchParams.get("chorus_cid") ?? "");
    }
    const post = (body: Record<string, unknown>) =>
      apiJson("POST", "/v1/conversions", 201, { headers: secret(ws.secretKey), body });
    await post({ id: "f-signup-1", type: "signup", customer: { id: "friend-a" }, clickId: clickIds[0] });
    await post({
      id: "f-order-1",
      type: "enrollment",
      customer: { id: "friend-a" },
      course: "data-analytics",
      amount: 250_000,
      currency: "INR",
    });
    await post({
      id: "f-order-2",
      type: "enrollment",
      customer: { id: "friend-b" },
      course: "data-analytics",
      amount: 150_000,
      currency: "INR",
      clickId: clickIds[1],
    });

    const funnel = () => apiJson<Funnel>("GET", "/v1/analytics/funnel", 200, { headers: secret(ws.secretKey) });
    // On Workers clicks land just after the redirect answered: wait for them.
    await expect.poll(async () => (await funnel()).clicks, settling).toBe(3);
    expect(await funnel()).toMatchObject({
      clicks: 3,
      signups: 1,
      enrollments: 2,
      completions: 0,
      revenue: [{ currency: "INR", amount: 400_000 }],
    });

    const other = await newWorkspace({ name: "Empty Academy" });
    expect(
      await apiJson<Funnel>("GET", "/v1/analytics/funnel", 200, { headers: secret(other.secretKey) }),
    ).toMatchObject({
      clicks: 0,
      enrollments: 0,
      revenue: [],
    });
  });

  it("counts a batch's conversions, whose rollups the batch adds itself, and a single one posted after it", async () => {
    const { ws: batchWs, code: batchCode } = await referringWorkspace("Batch Academy", "https://academy.example/b", {
      sub: "batch-advocate",
      name: "Arjun Rao",
    });
    const conversions = [
      { id: "b-1", type: "signup", customer: { id: "bf-1" }, code: batchCode },
      { id: "b-2", type: "enrollment", customer: { id: "bf-1" }, code: batchCode, amount: 90_000, currency: "INR" },
      { id: "b-3", type: "enrollment", customer: { id: "bf-2" }, code: batchCode, amount: 60_000, currency: "INR" },
    ];
    const answer = await apiJson<{ recorded: number }>("POST", "/v1/conversions/batch", 200, {
      headers: secret(batchWs.secretKey),
      body: { conversions },
    });
    expect(answer.recorded).toBe(3);
    const funnel = () => apiJson<Funnel>("GET", "/v1/analytics/funnel", 200, { headers: secret(batchWs.secretKey) });
    expect(await funnel()).toMatchObject({
      signups: 1,
      enrollments: 2,
      revenue: [{ currency: "INR", amount: 150_000 }],
    });
    // The batch handed the rollups back to the triggers when it committed.
    await apiJson("POST", "/v1/conversions", 201, {
      headers: secret(batchWs.secretKey),
      body: { id: "b-4", type: "signup", customer: { id: "bf-3" }, code: batchCode },
    });
    expect((await funnel()).signups).toBe(2);
  });

  it("refuses an inverted range and a publishable key", async () => {
    await expectError(
      await api("GET", "/v1/analytics/funnel?from=2026-11-20&to=2026-11-01", { headers: secret(ws.secretKey) }),
      400,
      "invalid_request",
    );
    await expectError(
      await api("GET", "/v1/analytics/funnel", { headers: browser(ws.publishableKey) }),
      401,
      "unauthorized",
    );
  });
});
