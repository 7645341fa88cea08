/**
 * Roles, route by route: every route a dashboard session may call is walked with a member of each
 * role, and the answer must be what the permission table (server/lib/permissions.ts) says: a role
 * it lists gets past the role check, any other gets 403 `forbidden` with reason "role" in the
 * envelope. The routes come from the app's own OpenAPI document, so a new dashboard or admin
 * route without an entry fails the coverage test; an entry for a route that is gone fails too.
 * Every change a session may make is also walked without the X-Chorus-Dashboard header (CSRF).
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { teamMembers } from "../../db/schema.ts";
import { permissions, type Role, roles } from "../../server/lib/permissions.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { workspaceFactory } from "../support/factories.ts";
import { memberSession } from "../support/team.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

vi.setConfig({ testTimeout: 60_000 });

type Operation = { security?: Record<string, string[]>[]; "x-chorus-roles"?: Role[]; description?: string };
let t: TestApp;
let ws: CreatedWorkspace;
let sessions: Record<Role, string>;
/** "METHOD /path/{param}" of every operation a dashboard session may call. */
let sessionRoutes: string[];
let operations: Record<string, Operation>;

beforeAll(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  sessions = Object.fromEntries(
    await Promise.all(roles.map(async (role) => [role, await memberSession(t, ws.id, role)] as const)),
  ) as Record<Role, string>;
  const doc = (await (await t.call("GET", "/openapi.json")).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  operations = {};
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, operation] of Object.entries(methods))
      operations[`${method.toUpperCase()} ${path}`] = operation;
  sessionRoutes = Object.keys(operations).filter((key) =>
    operations[key]?.security?.some((scheme) => "dashboardSession" in scheme),
  );
});
afterAll(() => t?.cleanup());

/** A concrete call of a route pattern: parameters filled with ids that name nothing. */
const concrete = (route: string) => {
  const [method, path] = route.split(" ") as [string, string];
  return { method, path: path.replace(/\{[^}]+\}/g, "nothing_here") };
};

describe("the permission table", () => {
  it("has an entry for every route a dashboard session may call (coverage)", () => {
    expect(sessionRoutes.length).toBeGreaterThanOrEqual(50);
    const missing = sessionRoutes.filter((route) => !(route in permissions));
    expect(missing, "add these routes to server/lib/permissions.ts").toEqual([]);
  });

  it("names no route that is gone, and every entry allows the owner", () => {
    expect(Object.keys(permissions).filter((route) => !sessionRoutes.includes(route))).toEqual([]);
    for (const [route, allowed] of Object.entries(permissions)) expect(allowed, route).toContain("owner");
  });

  it("is what the OpenAPI document says, as x-chorus-roles and in the description", () => {
    for (const route of sessionRoutes) {
      expect(operations[route]?.["x-chorus-roles"], route).toEqual(permissions[route]);
      expect(operations[route]?.description, route).toContain(`Team roles: ${permissions[route]?.join(", ")}`);
    }
  });

  it("gives exports to owners and marketers only, payouts to finance, moderation to moderators, keys to owners", () => {
    expect(permissions["GET /v1/analytics/export.csv"]).toEqual(["owner", "marketer"]);
    expect(permissions["POST /v1/admin/rewards/{id}/approve"]).toEqual(["owner", "finance"]);
    expect(permissions["PATCH /v1/admin/stories/{id}"]).toEqual(["owner", "moderator"]);
    expect(permissions["PUT /v1/admin/stripe/api-key"]).toEqual(["owner"]);
    // Viewers change nothing but their own way in (passkeys, password).
    const ownCredentials = /^\w+ \/v1\/dashboard\/(passkeys|password)\b/;
    for (const [route, allowed] of Object.entries(permissions))
      if (!route.startsWith("GET ") && !ownCredentials.test(route)) expect(allowed, route).not.toContain("viewer");
  });
});

describe("every route with every role", () => {
  it("answers each role as the table says: 403 role in the envelope, or past the check", async () => {
    const wrong: string[] = [];
    for (const route of sessionRoutes) {
      const { method, path } = concrete(route);
      for (const role of roles) {
        const response = await t.call(method, path, {
          headers: { Cookie: sessions[role], "X-Chorus-Dashboard": "1" },
          body: method === "GET" || method === "DELETE" ? undefined : {},
        });
        const text = await response.text();
        const refusedForRole = response.status === 403 && text.includes('"reason":"role"');
        if (response.status === 403 && refusedForRole) {
          const body = JSON.parse(text);
          expect(Object.keys(body.error).sort()).toEqual(["code", "details", "message", "requestId"]);
          expect(body.error.code).toBe("forbidden");
        }
        const allowed = permissions[route]?.includes(role) ?? false;
        if (allowed === refusedForRole || response.status >= 500)
          wrong.push(`${route} as ${role}: ${response.status} ${text.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("names the member in the audit trail: a change they made, and a route above their role they tried", async () => {
    const viewer = { Cookie: sessions.viewer, "X-Chorus-Dashboard": "1" };
    const refused = await t.call("PATCH", "/v1/admin/program", { headers: viewer, body: { minSampleSize: 7 } });
    expect(refused.status).toBe(403);
    const marketer = { Cookie: sessions.marketer, "X-Chorus-Dashboard": "1" };
    expect((await t.call("PATCH", "/v1/admin/program", { headers: marketer, body: { minSampleSize: 8 } })).status).toBe(
      200,
    );
    const members = await t.db.select().from(teamMembers).where(eq(teamMembers.workspaceId, ws.id));
    const idOf = (role: Role) => members.find((member) => member.role === role)?.id;
    // Filtered by action and member: the walk above left many refusals in this workspace's trail.
    const trail = async (query: string) =>
      (
        (await (
          await t.call("GET", `/v1/admin/audit?${query}`, { headers: { Authorization: `Bearer ${ws.secretKey}` } })
        ).json()) as { items: { action: string; actor: { kind: string; id: string }; after: unknown }[] }
      ).items;
    const refusals = await trail(`action=access.refused&actor=${idOf("viewer")}&limit=100`);
    expect(refusals.find((row) => (row.after as { route?: string }).route === "/v1/admin/program")).toMatchObject({
      actor: { kind: "member" },
      after: { method: "PATCH", route: "/v1/admin/program", role: "viewer" },
    });
    // The walk's own PATCH (an empty body) was the marketer's too, at the same test-clock instant.
    const changes = await trail(`action=program.update&actor=${idOf("marketer")}&limit=100`);
    expect(changes.find((row) => (row.after as { minSampleSize?: number }).minSampleSize === 8)).toMatchObject({
      actor: { kind: "member" },
      after: { minSampleSize: 8 },
    });
  });

  it("refuses every change made with the cookie alone, without the X-Chorus-Dashboard header (CSRF)", async () => {
    const changes = sessionRoutes.filter((route) => !route.startsWith("GET "));
    expect(changes.length).toBeGreaterThanOrEqual(30);
    const wrong: string[] = [];
    for (const route of changes) {
      const { method, path } = concrete(route);
      const response = await t.call(method, path, {
        headers: { Cookie: sessions.owner },
        body: method === "DELETE" ? undefined : {},
      });
      const text = await response.text();
      if (response.status !== 403 || !text.includes("X-Chorus-Dashboard")) wrong.push(`${route}: ${response.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it("the secret key acts as an owner on every route", async () => {
    const wrong: string[] = [];
    for (const route of sessionRoutes) {
      const { method, path } = concrete(route);
      const response = await t.call(method, path, {
        headers: { Authorization: `Bearer ${ws.secretKey}` },
        body: method === "GET" || method === "DELETE" ? undefined : {},
      });
      const text = await response.text();
      if (
        (response.status === 403 && text.includes('"reason":"role"')) ||
        response.status >= 500 ||
        response.status === 401
      )
        wrong.push(`${route}: ${response.status} ${text.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
  });
});
