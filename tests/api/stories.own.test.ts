/**
 * `GET /v1/stories/mine`: how the story form finds its author's stories again on a later visit.
 * Only with the author's learner token, only their own, of that course, never withdrawn ones and
 * never an edit token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let api: ReturnType<typeof storyClient>;
beforeAll(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  api = storyClient(t, ws);
});
afterAll(() => t.cleanup());

const bearer = async (sub: string) => ({ Authorization: `Bearer ${await learnerToken(ws, { sub })}` });
const mine = (course: string, headers: Record<string, string>) =>
  t.call("GET", `/v1/stories/mine?course=${course}`, { headers: { "Chorus-Key": ws.publishableKey, ...headers } });
const post = async (body: Record<string, unknown>, headers: Record<string, string>) => {
  const response = await api.post(storyBody({ photoUrl: undefined, ...body }), headers);
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; editToken: string };
};

describe("the author's own stories", () => {
  it("lists the learner's stories of the course, newest first, without withdrawn ones or edit tokens", async () => {
    const asha = await bearer("asha");
    const first = await post({ headline: "First" }, asha);
    t.clock.advance(1000);
    const second = await post({ headline: "Second" }, asha);
    const withdrawn = await post({ headline: "Gone" }, asha);
    expect((await api.remove(withdrawn.id, { "Chorus-Edit-Token": withdrawn.editToken })).status).toBe(204);
    await post({ course: "web-dev" }, asha);
    await post({ headline: "Someone else's" }, await bearer("ravi"));
    await post({ headline: "Anonymous" }, {});

    const response = await mine("data-analytics", asha);
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: Record<string, unknown>[] };
    expect(items.map((story) => story.id)).toEqual([second.id, first.id]);
    expect(items[0]).toMatchObject({
      headline: "Second",
      status: "pending",
      shareLink: expect.stringContaining("?s="),
    });
    expect(items.some((story) => "editToken" in story)).toBe(false);
    expect(((await (await mine("data-analytics", await bearer("nobody"))).json()) as { items: [] }).items).toEqual([]);
  });

  it("needs a valid learner token and a course", async () => {
    await expectError(await mine("data-analytics", {}), 401, "unauthorized");
    await expectError(await mine("data-analytics", { Authorization: "Bearer not.a.jwt" }), 401, "unauthorized");
    await expectError(await mine("Not A Slug", await bearer("asha")), 400, "invalid_request");
  });
});
