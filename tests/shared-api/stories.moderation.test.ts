import { beforeAll, describe, expect, it } from "vitest";
import { api, apiJson, browser, newWorkspace, secret, type Workspace } from "./client.ts";

let ws: Workspace;
beforeAll(async () => {
  ws = await newWorkspace({ name: "Story Academy" });
});

const story = {
  course: "data-analytics",
  name: "Meera Iyer",
  headline: "From accounts to analytics",
  body: "The course gave me the SQL and dashboards I needed to move into an analyst role within four months.",
  rating: 5,
  outcome: { type: "promotion", monthsToOutcome: 4 },
  consent: { publish: true, name: true, photo: false, salary: false },
};

describe("stories and moderation", () => {
  it("are pending until approved, then listed publicly", async () => {
    const created = await apiJson<{ id: string; status: string; editToken: string }>("POST", "/v1/stories", 201, {
      headers: { ...browser(ws.publishableKey), "User-Agent": "shared-api-tests" },
      body: story,
    });
    expect(created.status).toBe("pending");
    expect(created.editToken).toMatch(/^edit_/);
    const before = await apiJson<{ items: { id: string }[] }>("GET", "/v1/stories?course=data-analytics", 200, {
      headers: browser(ws.publishableKey),
    });
    expect(before.items.map((item) => item.id)).not.toContain(created.id);

    const queue = await apiJson<{ items: { id: string }[] }>("GET", "/v1/admin/stories?status=pending", 200, {
      headers: secret(ws.secretKey),
    });
    expect(queue.items.map((item) => item.id)).toContain(created.id);
    await apiJson("PATCH", `/v1/admin/stories/${created.id}`, 200, {
      headers: secret(ws.secretKey),
      body: { status: "approved" },
    });

    const after = await apiJson<{ items: { id: string; headline: string }[] }>(
      "GET",
      "/v1/stories?course=data-analytics",
      200,
      {
        headers: browser(ws.publishableKey),
      },
    );
    expect(after.items).toEqual([expect.objectContaining({ id: created.id, headline: story.headline })]);
  });

  it("refuse a story without consent to publish", async () => {
    const response = await api("POST", "/v1/stories", {
      headers: browser(ws.publishableKey),
      body: { ...story, consent: { ...story.consent, publish: false } },
    });
    expect(response.status).toBe(400);
  });
});
