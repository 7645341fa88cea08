/** Story helpers for browser tests: the live server's API as a widget and as the provider's server. */
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import type { LiveServer } from "./http-server.ts";
import { storyBody } from "./stories.ts";

export type Json = Record<string, unknown>;
export type PostedStory = { id: string; editToken: string; verificationLevel: string; body: string };

let visitor = 0;

export function liveStories(live: LiveServer, ws: CreatedWorkspace, origin: string) {
  // Each post comes from its own visitor: stories are rate limited per visitor.
  const widget = (extra: Record<string, string> = {}) => ({
    "Chorus-Key": ws.publishableKey,
    Origin: origin,
    "User-Agent": `story-seeder-${++visitor}`,
    "Content-Type": "application/json",
    ...extra,
  });
  const admin = { Authorization: `Bearer ${ws.secretKey}`, "Content-Type": "application/json" };

  async function post(body: Json, headers: Record<string, string> = {}): Promise<PostedStory> {
    const response = await fetch(`${live.baseUrl}/v1/stories`, {
      method: "POST",
      headers: widget(headers),
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`story not created: ${response.status} ${await response.text()}`);
    return (await response.json()) as PostedStory;
  }

  async function approve(id: string): Promise<void> {
    const response = await fetch(`${live.baseUrl}/v1/admin/stories/${id}`, {
      method: "PATCH",
      headers: admin,
      body: JSON.stringify({ status: "approved" }),
    });
    if (response.status !== 200) throw new Error(`story not approved: ${await response.text()}`);
  }

  return {
    post,
    approve,
    /** Posts a story for `course` and approves it. */
    async approved(course: string, overrides: Json = {}, headers: Record<string, string> = {}) {
      const story = await post(storyBody({ course, ...overrides }), headers);
      await approve(story.id);
      return story;
    },
    withdraw: (id: string, editToken: string) =>
      fetch(`${live.baseUrl}/v1/stories/${id}`, {
        method: "DELETE",
        headers: widget({ "Chorus-Edit-Token": editToken }),
      }),
    list: async (query: string) =>
      (await (await fetch(`${live.baseUrl}/v1/stories${query}`, { headers: widget() })).json()) as {
        items: Json[];
      },
    /** What the provider's server reports through the conversions API: here written directly. */
    async completion(customerId: string, course: string) {
      await live.client.execute({
        sql: `insert into conversions (id, workspace_id, external_id, type, customer_id, course, status, decision, request_hash, response, occurred_at)
              values (?, ?, ?, 'completion', ?, ?, 'unattributed', '[]', 'h', '{}', ?)`,
        args: [`cnv_${customerId}_${course}`, ws.id, `ext_${customerId}_${course}`, customerId, course, Date.now()],
      });
    },
  };
}
