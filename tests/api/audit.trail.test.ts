/**
 * The audit trail: every change through an admin or dashboard route leaves one row, committed with
 * the change or not at all (a coverage test fails on a new mutating route without an entry), with
 * who (the key, or the team member), when, what, the values before and after with personal data
 * masked, and the request id. Rows cannot be changed or deleted (services have no path; the database refuses), the
 * trail filters and exports as formula-safe CSV, and erasing a learner masks their rows.
 */

import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys, auditEvents, mailMessages, memberLinks } from "../../db/schema.ts";
import { rotateKey } from "../../server/services/api-keys.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { storyRow } from "../support/analytics-factories.ts";
import { type Referrer, referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { parseCsv } from "../support/csv.ts";
import { workspaceFactory } from "../support/factories.ts";
import { memberSession } from "../support/team.ts";
import { signIn } from "../support/tenants.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let priya: Referrer;
let auth: Record<string, string>;
let openapi: { paths: Record<string, Record<string, unknown>> };

type Row = {
  action: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  actor: { kind: string; id: string };
};

beforeAll(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  priya = await referrerFactory(
    t.db,
    ws.id,
    { sub: "priya", name: "Priya Sharma", email: "priya@example.com" },
    { now: t.clock.now() },
  );
  auth = { Authorization: `Bearer ${ws.secretKey}` };
  openapi = await (await t.call("GET", "/openapi.json")).json();
});
afterAll(() => t?.cleanup());

const call = (method: string, path: string, body?: unknown, headers = auth) => t.call(method, path, { headers, body });
const trail = async (query = "") =>
  (await (await call("GET", `/v1/admin/audit?limit=100${query}`)).json()).items as Row[];

/** The database's message when it refuses a statement (drizzle wraps it as the error's cause). */
async function refusal(statement: PromiseLike<unknown>): Promise<string> {
  try {
    await statement;
    return "accepted";
  } catch (error) {
    return String((error as { cause?: unknown }).cause ?? error);
  }
}

/** Mutating routes that change nothing stored, with the reason. */
const exempt: Record<string, string> = {
  "POST /v1/admin/integrations/test": "a dry run: what a sample payload would make; nothing is stored",
  "POST /v1/admin/stories/imports/preview": "checks a file and stores nothing (stories.import.test.ts)",
  // Recorded, and checked where due cash payouts exist to be paid: payouts.batches.test.ts (the idempotency test).
  "POST /v1/admin/payouts/batches": "checked in payouts.batches.test.ts, where rewards are due to be paid",
  // Signing in and out changes no workspace data; a passkey needs a member and an authenticator.
  "POST /v1/dashboard/links": "asks for a sign-in link",
  "POST /v1/dashboard/links/use": "signs in",
  "POST /v1/dashboard/passkey/options": "a sign-in challenge",
  "POST /v1/dashboard/passkey": "signs in",
  "DELETE /v1/dashboard/session": "signs out",
  "POST /v1/dashboard/passkeys/options": "a registration challenge",
  "POST /v1/dashboard/passkeys": "recorded as passkey.add: checked in team.passkeys.test.ts",
  "DELETE /v1/dashboard/passkeys/{id}": "recorded as passkey.remove: checked in team.passkeys.test.ts",
  "POST /v1/dashboard/password/sign-in": "signs in",
  "PUT /v1/dashboard/password": "recorded as password.set or password.change: checked in team.passwords.test.ts",
  "DELETE /v1/dashboard/password": "recorded as password.remove: checked in team.passwords.test.ts",
};

/** Each mutating admin route: the call that changes something, and the action it records. */
type Step = { route: string; action: string; run: () => Promise<Response> };
const ids: Record<string, string> = {};

function steps(): Step[] {
  const rewardOf = async (customer: string) => {
    const json = (await poster(t, ws.secretKey)(enrollment({ customer: { id: customer }, code: priya.code }))).json;
    return json.rewards.find((r) => r.side === "referrer")?.id as string;
  };
  return [
    {
      route: "PATCH /v1/admin/program",
      action: "program.update",
      run: () => call("PATCH", "/v1/admin/program", { minSampleSize: 12 }),
    },
    {
      route: "PUT /v1/admin/courses/{slug}",
      action: "course.upsert",
      run: () => call("PUT", "/v1/admin/courses/sql-101", { title: "SQL 101", url: "https://academy.example/sql" }),
    },
    {
      route: "PUT /v1/admin/reserved-codes/{name}",
      action: "reserved_code.reserve",
      run: () => call("PUT", "/v1/admin/reserved-codes/auditacademy"),
    },
    {
      route: "DELETE /v1/admin/reserved-codes/{name}",
      action: "reserved_code.release",
      run: () => call("DELETE", "/v1/admin/reserved-codes/auditacademy"),
    },
    {
      route: "PATCH /v1/admin/stories/{id}",
      action: "story.moderate",
      run: async () => call("PATCH", `/v1/admin/stories/${await storyRow(t.db, ws.id)}`, { status: "rejected" }),
    },
    {
      route: "POST /v1/admin/stories/imports",
      action: "story.import",
      run: async () => {
        const csv =
          "name,headline,body,rating,date,course,outcome,consent_publish,consent_name,consent_photo\r\n" +
          "Asha Rao,Promoted,Real projects,5,2024-02-01,sql-101,promotion,yes,yes,no\r\n";
        const response = await call("POST", "/v1/admin/stories/imports", csv, { ...auth, "Content-Type": "text/csv" });
        // The import is recorded once its answer (streamed) has been read to the end.
        await response.clone().text();
        ids.imported = String(
          (await t.client.execute({ sql: "select id from stories where source = 'import'", args: [] })).rows[0]?.id,
        );
        return response;
      },
    },
    {
      route: "DELETE /v1/admin/stories/{id}",
      action: "story.erase",
      run: () => call("DELETE", `/v1/admin/stories/${ids.imported}`),
    },
    {
      route: "POST /v1/admin/webhooks",
      action: "webhook.create",
      run: async () => {
        const response = await call("POST", "/v1/admin/webhooks", {
          url: "http://127.0.0.1:9/hook",
          allowPrivateNetwork: true,
        });
        ids.webhook = (await response.clone().json()).id;
        return response;
      },
    },
    {
      route: "POST /v1/admin/rewards/{id}/approve",
      action: "reward.approve",
      run: async () => {
        ids.reward = await rewardOf("c1");
        return call("POST", `/v1/admin/rewards/${ids.reward}/approve`);
      },
    },
    {
      route: "POST /v1/admin/rewards/{id}/issue",
      action: "reward.issue",
      run: () => call("POST", `/v1/admin/rewards/${ids.reward}/issue`),
    },
    {
      route: "POST /v1/admin/rewards/{id}/void",
      action: "reward.void",
      run: async () => call("POST", `/v1/admin/rewards/${await rewardOf("c2")}/void`),
    },
    {
      route: "POST /v1/admin/webhooks/{id}/resume",
      action: "webhook.resume",
      run: () => call("POST", `/v1/admin/webhooks/${ids.webhook}/resume`),
    },
    {
      route: "POST /v1/admin/webhooks/{id}/deliveries/{eventId}/resend",
      action: "webhook.resend",
      run: async () => {
        const deliveries = await (await call("GET", `/v1/admin/webhooks/${ids.webhook}/deliveries`)).json();
        return call("POST", `/v1/admin/webhooks/${ids.webhook}/deliveries/${deliveries.items[0].eventId}/resend`);
      },
    },
    {
      route: "DELETE /v1/admin/webhooks/{id}",
      action: "webhook.delete",
      run: () => call("DELETE", `/v1/admin/webhooks/${ids.webhook}`),
    },
    {
      route: "POST /v1/admin/friend-coupons/pool",
      action: "friend_coupons.import",
      run: () => call("POST", "/v1/admin/friend-coupons/pool", { csv: "code\nWELCOME-AUDIT-1\nWELCOME-AUDIT-2" }),
    },
    {
      route: "POST /v1/admin/friend-coupons/retry",
      action: "friend_coupons.retry",
      run: () => call("POST", "/v1/admin/friend-coupons/retry"),
    },
    {
      route: "PUT /v1/admin/stripe/api-key",
      action: "stripe_key.set",
      run: () => call("PUT", "/v1/admin/stripe/api-key", { apiKey: "sk_test_auditTrail1234567890" }),
    },
    {
      route: "DELETE /v1/admin/stripe/api-key",
      action: "stripe_key.delete",
      run: () => call("DELETE", "/v1/admin/stripe/api-key"),
    },
    {
      route: "POST /v1/admin/integrations",
      action: "integration.create",
      run: async () => {
        const response = await call("POST", "/v1/admin/integrations", {
          platform: "teachable",
          signingSecret: "whsec-audit-secret",
        });
        ids.connector = (await response.clone().json()).id;
        return response;
      },
    },
    {
      route: "PATCH /v1/admin/integrations/{id}",
      action: "integration.update",
      run: () => call("PATCH", `/v1/admin/integrations/${ids.connector}`, { name: "School" }),
    },
    {
      route: "POST /v1/admin/integrations/{id}/rotate",
      action: "integration.rotate_token",
      run: () => call("POST", `/v1/admin/integrations/${ids.connector}/rotate`),
    },
    {
      route: "DELETE /v1/admin/integrations/{id}",
      action: "integration.delete",
      run: () => call("DELETE", `/v1/admin/integrations/${ids.connector}`),
    },
    {
      route: "POST /v1/admin/review/{id}/notes",
      action: "review.note",
      run: async () => {
        const held = (await poster(t, ws.secretKey)(enrollment({ customer: { id: "priya" }, code: priya.code }))).json;
        ids.held = held.conversion.id;
        return call("POST", `/v1/admin/review/${ids.held}/notes`, { body: "Looks like Priya herself" });
      },
    },
    {
      route: "POST /v1/admin/review/decisions",
      action: "review.void",
      run: () => call("POST", "/v1/admin/review/decisions", { conversionIds: [ids.held], action: "void" }),
    },
    {
      route: "POST /v1/admin/blocks",
      action: "block.add",
      run: async () => {
        const response = await call("POST", "/v1/admin/blocks", {
          kind: "domain",
          value: "spam.example",
          reason: "bulk",
        });
        ids.block = (await response.clone().json()).id;
        return response;
      },
    },
    {
      route: "DELETE /v1/admin/blocks/{id}",
      action: "block.remove",
      run: () => call("DELETE", `/v1/admin/blocks/${ids.block}`),
    },
    {
      route: "DELETE /v1/learners/{id}",
      action: "learner.erase",
      run: () => call("DELETE", "/v1/learners/someone-else"),
    },
    {
      route: "POST /v1/admin/members",
      action: "member.invite",
      run: async () => {
        const response = await call("POST", "/v1/admin/members", { email: "mod@academy.example", role: "moderator" });
        ids.member = ((await response.clone().json()) as { id: string }).id;
        return response;
      },
    },
    {
      route: "PATCH /v1/admin/members/{id}",
      action: "member.role",
      run: () => call("PATCH", `/v1/admin/members/${ids.member}`, { role: "viewer" }),
    },
    {
      route: "DELETE /v1/admin/members/{id}",
      action: "member.remove",
      run: () => call("DELETE", `/v1/admin/members/${ids.member}`),
    },
  ];
}

describe("the audit trail", () => {
  it("has a row for every change through every mutating admin route", async () => {
    const mutating = Object.entries(openapi.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((method) => ["post", "put", "patch", "delete"].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`)
        .filter(
          (route) =>
            route.includes(" /v1/admin/") || route.includes(" /v1/dashboard/") || route === "DELETE /v1/learners/{id}",
        ),
    );
    const table = steps();
    expect(mutating.filter((route) => !exempt[route] && !table.some((step) => step.route === route))).toEqual([]);
    await referrerFactory(t.db, ws.id, { sub: "someone-else", email: "else@example.com" }, { now: t.clock.now() });
    for (const step of table) {
      t.clock.advance(1000); // each change at its own instant, so "newest" is this one
      const response = await step.run();
      expect(response.status, `${step.route}: ${await response.clone().text()}`).toBeLessThan(300);
      const [newest] = await trail();
      expect(newest, step.route).toMatchObject({
        action: step.action,
        requestId: response.headers.get("X-Request-Id"),
        actor: { kind: "key", id: expect.stringMatching(/^key_/) },
      });
    }
  });

  it("keeps before and after, masks personal data and never stores a secret", async () => {
    const program = (await trail("&action=program.update"))[0];
    expect(program).toMatchObject({ before: { minSampleSize: expect.any(Number) }, after: { minSampleSize: 12 } });
    const text = JSON.stringify(await trail());
    for (const secret of ["sk_test_auditTrail1234567890", "whsec-audit-secret", "priya@example.com", "Priya Sharma"])
      expect(text).not.toContain(secret);
    expect((await trail("&action=stripe_key.set"))[0]?.after).toEqual({ hint: "sk_test_…7890" });
    expect((await trail("&action=reward.approve"))[0]).toMatchObject({
      before: { status: "pending" },
      after: { status: "approved" },
    });
  });

  it("names the team member as the actor when the change came from the dashboard", async () => {
    const cookie = await signIn(t, ws.id);
    t.clock.advance(1000);
    const response = await call(
      "PATCH",
      "/v1/admin/program",
      { minSampleSize: 13 },
      { Cookie: cookie, "X-Chorus-Dashboard": "1" },
    );
    expect(response.status).toBe(200);
    // The team member signed in, by their member id: not the workspace's key.
    expect((await trail())[0]).toMatchObject({
      action: "program.update",
      actor: { kind: "member", id: expect.stringMatching(/^mbr_/), email: expect.stringContaining("@") },
    });
  });

  it("keeps a removed member's rows: by their id, no longer by their address", async () => {
    const cookie = await memberSession(t, ws.id, "marketer", "leaving@academy.example");
    const me = await (await call("GET", "/v1/dashboard/session", undefined, { Cookie: cookie })).json();
    t.clock.advance(1000);
    const change = await call(
      "PATCH",
      "/v1/admin/program",
      { minSampleSize: 14 },
      {
        Cookie: cookie,
        "X-Chorus-Dashboard": "1",
      },
    );
    expect(change.status).toBe(200);
    const row = async () => (await trail(`&actor=${me.member.id}&action=program.update`))[0];
    expect((await row())?.actor).toEqual({ kind: "member", id: me.member.id, email: "leaving@academy.example" });
    expect((await call("DELETE", `/v1/admin/members/${me.member.id}`)).status).toBe(204);
    expect(await row()).toMatchObject({
      actor: { kind: "member", id: me.member.id, email: null },
      after: { minSampleSize: 14 },
      requestId: change.headers.get("X-Request-Id"),
    });
  });

  it("filters by actor, action and day, and exports formula-safe CSV", async () => {
    const all = await trail();
    const keyId = all.find((row) => row.actor.kind === "key")?.actor.id as string;
    expect((await trail(`&actor=${keyId}`)).length).toBe(all.filter((row) => row.actor.id === keyId).length);
    expect((await trail("&actor=key_nobody")).length).toBe(0);
    expect((await trail("&action=reward")).map((row) => row.action).sort()).toEqual([
      "reward.approve",
      "reward.issue",
      "reward.void",
    ]);
    expect((await trail("&from=2026-11-01&to=2026-11-01")).length).toBe(all.length);
    expect((await trail("&from=2026-11-02")).length).toBe(0);
    // A change whose value a spreadsheet would run: the course title "=HYPERLINK(…)".
    await call("PUT", "/v1/admin/courses/evil", { title: '=HYPERLINK("http://x")', url: null });
    const response = await call("GET", "/v1/admin/audit/export?action=course");
    expect(response.headers.get("Content-Type")).toContain("text/csv");
    const rows = parseCsv(await response.text());
    expect(rows[0]).toEqual(["at", "actor_kind", "actor_id", "action", "target_id", "before", "after", "request_id"]);
    expect(rows.length).toBe(3);
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@]/);
    const bad = await call("GET", "/v1/admin/audit?from=yesterday");
    expect(bad.status).toBe(400);
  });

  it("cannot be changed or deleted: the database refuses", async () => {
    expect(await refusal(t.db.update(auditEvents).set({ action: "forged" }))).toMatch(/append-only/);
    expect(await refusal(t.db.delete(auditEvents))).toMatch(/append-only/);
    expect(await refusal(t.db.update(auditEvents).set({ before: null }))).toMatch(/append-only/);
  });

  it("masks an erased learner's rows and keeps who did what and when", async () => {
    const before = await trail("&action=review.note");
    expect(before[0]?.after).toBeTruthy();
    const erase = await call("DELETE", "/v1/learners/priya");
    expect(erase.status).toBe(200);
    for (const action of ["review.note", "review.void", "reward.approve"]) {
      const [row] = await trail(`&action=${action}`);
      expect(row, action).toMatchObject({ targetId: "[erased learner]", before: null, after: null });
      expect(row?.actor.id).toMatch(/^key_/);
    }
    expect((await trail("&action=learner.erase"))[0]?.targetId).toMatch(/^erased:/);
    // Masked once: the row cannot be changed again.
    expect(await refusal(t.db.update(auditEvents).set({ after: { forged: true } }))).toMatch(/append-only/);
  });

  it("commits a team change with its row or not at all: invite, role change and removal", async () => {
    const team = await workspaceFactory(t.db, { name: "All or none" });
    const owner = { Authorization: `Bearer ${team.secretKey}` };
    const invited = await call("POST", "/v1/admin/members", { email: "kept@academy.example", role: "viewer" }, owner);
    expect(invited.status).toBe(201);
    const { id } = await invited.json();
    // The database refuses this workspace's member rows from now on, as a full disk or a lost
    // connection would fail the row's write: the change it belongs to must not stay.
    await t.client.execute(
      `CREATE TRIGGER refuse_member_audit BEFORE INSERT ON audit_events WHEN NEW.workspace_id = '${team.id}' AND NEW.action LIKE 'member.%' BEGIN SELECT RAISE(ABORT, 'no room'); END`,
    );
    try {
      const members = async () =>
        (
          (await (await call("GET", "/v1/admin/members", undefined, owner)).json()).items as {
            email: string;
            role: string;
          }[]
        ).map((m) => `${m.email} ${m.role}`);
      const mail = () => t.db.select().from(mailMessages).where(eq(mailMessages.workspaceId, team.id));
      const mailBefore = (await mail()).length;
      const attempts = [
        call("POST", "/v1/admin/members", { email: "lost@academy.example", role: "marketer" }, owner),
        call("PATCH", `/v1/admin/members/${id}`, { role: "finance" }, owner),
        call("DELETE", `/v1/admin/members/${id}`, undefined, owner),
      ];
      for (const attempt of attempts) expect((await attempt).status).toBeGreaterThanOrEqual(500);
      expect(await members()).toEqual(["kept@academy.example viewer"]);
      expect(await t.db.select().from(memberLinks).where(eq(memberLinks.workspaceId, team.id))).toHaveLength(1);
      expect(await mail()).toHaveLength(mailBefore);
    } finally {
      await t.client.execute("DROP TRIGGER refuse_member_audit");
    }
  });

  it("records a key rotation from the CLI with the system as its actor", async () => {
    const other = await workspaceFactory(t.db);
    await rotateKey({ db: t.db, clock: t.clock }, { workspaceId: other.id, kind: "secret" });
    const [fresh] = await t.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.workspaceId, other.id), isNull(apiKeys.revokedAt), eq(apiKeys.kind, "secret")));
    const rows = await t.db.select().from(auditEvents).where(eq(auditEvents.workspaceId, other.id));
    expect(rows).toEqual([expect.objectContaining({ action: "key.rotate", actorKind: "system", targetId: "secret" })]);
    expect(JSON.stringify(rows)).not.toContain(fresh?.hash);
  });
});
