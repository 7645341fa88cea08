/** Helpers for story tests: a valid story body, and calls as a widget or as the provider. */
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { testOrigin } from "./factories.ts";
import type { TestApp } from "./test-app.ts";
import { eachTestWorkspace, type WorkspaceTest } from "./workspace-app.ts";

export type Json = Record<string, unknown>;

export function storyBody(overrides: Json = {}): Json {
  return {
    course: "data-analytics",
    name: "Priya Sharma",
    headline: "From support desk to data analyst",
    body: "The course gave me the SQL and dashboards I use every day now.",
    rating: 5,
    outcome: { type: "new_job", salaryIncreasePct: 30, monthsToOutcome: 4 },
    consent: { publish: true, name: true, photo: true, salary: true },
    photoUrl: "https://images.example/priya.jpg",
    ...overrides,
  };
}

/**
 * Submits a story with no photo and no salary shared to a running server, as a widget would: the
 * first step of tests about what a submission sets off (webhook events, deliveries).
 */
export function submitLiveStory(
  baseUrl: string,
  publishableKey: string,
  userAgent: string,
  story: { name: string; headline: string; body: string; outcome: Json },
): Promise<Response> {
  return fetch(`${baseUrl}/v1/stories`, {
    method: "POST",
    headers: { "Chorus-Key": publishableKey, "Content-Type": "application/json", "User-Agent": userAgent },
    body: JSON.stringify({
      course: "data-analytics",
      name: story.name,
      headline: story.headline,
      body: story.body,
      rating: 5,
      outcome: story.outcome,
      consent: { publish: true, name: true, photo: false, salary: false },
    }),
  });
}

/** Calls on behalf of one workspace: as its widgets (publishable key) or its server (secret key). */
export function storyClient(t: TestApp, ws: CreatedWorkspace) {
  const widget = (extra: Record<string, string> = {}) => ({
    "Chorus-Key": ws.publishableKey,
    Origin: testOrigin,
    // Each call comes from its own visitor unless the test says otherwise (stories are rate limited).
    "X-Forwarded-For": `203.0.113.${Math.floor(Math.random() * 250) + 1}, 10.0.0.1`,
    "User-Agent": `test-${Math.random()}`,
    ...extra,
  });
  const admin = { Authorization: `Bearer ${ws.secretKey}` };
  return {
    post: (body: Json, headers: Record<string, string> = {}) =>
      t.call("POST", "/v1/stories", { body, headers: widget(headers) }),
    patch: (id: string, body: Json, headers: Record<string, string> = {}) =>
      t.call("PATCH", `/v1/stories/${id}`, { body, headers: widget(headers) }),
    remove: (id: string, headers: Record<string, string> = {}) =>
      t.call("DELETE", `/v1/stories/${id}`, { headers: widget(headers) }),
    list: (query = "") => t.call("GET", `/v1/stories${query}`, { headers: widget() }),
    verification: (id: string, headers: Record<string, string> = {}) =>
      t.call("GET", `/v1/stories/${id}/verification`, { headers: widget(headers) }),
    outcomes: (query = "") => t.call("GET", `/v1/outcomes${query}`, { headers: widget() }),
    adminList: (query = "") => t.call("GET", `/v1/admin/stories${query}`, { headers: admin }),
    moderate: (id: string, body: Json) => t.call("PATCH", `/v1/admin/stories/${id}`, { body, headers: admin }),
    /** Posts a story and approves it; returns the author's answer. */
    async approved(body: Json = storyBody(), headers: Record<string, string> = {}) {
      const posted = await t.call("POST", "/v1/stories", { body, headers: widget(headers) });
      if (posted.status !== 201) throw new Error(`story not created: ${posted.status} ${await posted.text()}`);
      const story = (await posted.json()) as Json & { id: string; editToken: string };
      const moderated = await this.moderate(story.id, { status: "approved" });
      if (moderated.status !== 200) throw new Error(`story not approved: ${await moderated.text()}`);
      return story;
    },
  };
}

export type StoryTest = WorkspaceTest & { api: ReturnType<typeof storyClient> };

/** `eachTestWorkspace` with the workspace's story client. */
export function eachStoryTest(ready: (test: StoryTest) => void, options?: Parameters<typeof eachTestWorkspace>[1]) {
  eachTestWorkspace((test) => ready({ ...test, api: storyClient(test.t, test.ws) }), options);
}
