/**
 * Passkeys, checked by the real @simplewebauthn/server against a software authenticator
 * (tests/support/software-authenticator.ts): a member adds a passkey and signs in with it; answers
 * made for another origin or relying party, to another or a used or an expired challenge, with a
 * counter that did not grow, or for a removed member are refused with 401 and no cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { workspaceFactory } from "../support/factories.ts";
import { SoftwareAuthenticator } from "../support/software-authenticator.ts";
import { memberSession } from "../support/team.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

const origin = "https://chorus.test";
let t: TestApp;
let ws: CreatedWorkspace;
let owner: string;
let key: SoftwareAuthenticator;

const changing = (cookie: string) => ({ Cookie: cookie, "X-Chorus-Dashboard": "1" });
type Options = { challengeId: string; options: { challenge: string; rp: { id: string }; rpId?: string } };

async function registrationOptions(cookie = owner): Promise<Options> {
  const response = await t.call("POST", "/v1/dashboard/passkeys/options", { headers: changing(cookie) });
  expect(response.status).toBe(200);
  return response.json();
}

async function signInOptions(): Promise<Options> {
  const response = await t.call("POST", "/v1/dashboard/passkey/options");
  expect(response.status).toBe(200);
  return response.json();
}

const signIn = (challengeId: string, response: unknown) =>
  t.call("POST", "/v1/dashboard/passkey", { body: { challengeId, response } });

beforeAll(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  owner = await memberSession(t, ws.id);
  key = new SoftwareAuthenticator();
});
afterAll(() => t?.cleanup());

describe("adding a passkey", () => {
  it("refuses an answer made at another origin, or to a challenge the server did not make", async () => {
    const wrongOrigin = await registrationOptions();
    const answer = key.register(wrongOrigin.options, "https://evil.example");
    const refused = await t.call("POST", "/v1/dashboard/passkeys", {
      body: { challengeId: wrongOrigin.challengeId, response: answer },
      headers: changing(owner),
    });
    expect((await expectError(refused, 401, "unauthorized")).details).toEqual({ reason: "passkey" });
    const real = await registrationOptions();
    const forgedChallenge = key.register(
      { ...real.options, challenge: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
      origin,
    );
    const second = await t.call("POST", "/v1/dashboard/passkeys", {
      body: { challengeId: real.challengeId, response: forgedChallenge },
      headers: changing(owner),
    });
    await expectError(second, 401, "unauthorized");
  });

  it("stores a passkey answered to the server's challenge at its origin; the challenge works once", async () => {
    const { challengeId, options } = await registrationOptions();
    expect(options.rp.id).toBe("chorus.test");
    const answer = key.register(options, origin);
    const added = await t.call("POST", "/v1/dashboard/passkeys", {
      body: { challengeId, response: answer },
      headers: changing(owner),
    });
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({ id: key.id });
    const replay = await t.call("POST", "/v1/dashboard/passkeys", {
      body: { challengeId, response: answer },
      headers: changing(owner),
    });
    expect((await expectError(replay, 401, "unauthorized")).details).toEqual({ reason: "challenge" });
    const list = await (await t.call("GET", "/v1/dashboard/passkeys", { headers: { Cookie: owner } })).json();
    expect(list.items.map((p: { id: string }) => p.id)).toEqual([key.id]);
  });

  it("records adding and removing a passkey in the audit trail, naming the member; removes only your own", async () => {
    const viewer = await memberSession(t, ws.id, "viewer", "v@example.org");
    const spare = new SoftwareAuthenticator();
    const { challengeId, options } = await registrationOptions(viewer);
    const added = await t.call("POST", "/v1/dashboard/passkeys", {
      body: { challengeId, response: spare.register(options, origin) },
      headers: changing(viewer),
    });
    expect(added.status).toBe(201);
    const me = await (await t.call("GET", "/v1/dashboard/session", { headers: { Cookie: viewer } })).json();
    // The owner cannot remove the viewer's passkey through their own list.
    const notYours = await t.call("DELETE", `/v1/dashboard/passkeys/${spare.id}`, { headers: changing(owner) });
    await expectError(notYours, 404, "not_found");
    t.clock.advance(1000); // the removal at its own instant: the trail lists it first
    const removed = await t.call("DELETE", `/v1/dashboard/passkeys/${spare.id}`, { headers: changing(viewer) });
    expect(removed.status).toBe(204);
    const trail = await (
      await t.call("GET", "/v1/admin/audit?action=passkey", { headers: { Authorization: `Bearer ${ws.secretKey}` } })
    ).json();
    const viewers = trail.items.filter((row: { actor: { id: string } }) => row.actor.id === me.member.id);
    expect(viewers).toEqual([
      expect.objectContaining({
        action: "passkey.remove",
        targetId: me.member.id,
        before: { passkeyId: spare.id },
        actor: { kind: "member", id: me.member.id, email: "v@example.org" },
        requestId: removed.headers.get("X-Request-Id"),
      }),
      expect.objectContaining({
        action: "passkey.add",
        after: { passkeyId: spare.id },
        requestId: added.headers.get("X-Request-Id"),
      }),
    ]);
  });

  it("the secret key has no passkeys of its own (403)", async () => {
    const response = await t.call("POST", "/v1/dashboard/passkeys/options", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    await expectError(response, 403, "forbidden");
  });
});

describe("signing in with a passkey", () => {
  it("signs in: a session cookie for the passkey's member", async () => {
    const { challengeId, options } = await signInOptions();
    expect(options.rpId).toBe("chorus.test");
    const response = await signIn(challengeId, key.assert(options, origin));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ workspace: { id: ws.id }, member: { role: "owner" } });
    const cookie = (response.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    expect((await t.call("GET", "/v1/dashboard/session", { headers: { Cookie: cookie } })).status).toBe(200);
  });

  it("refuses another origin, another relying party, another challenge, a used or an expired one", async () => {
    const cases: [string, (o: Options) => unknown, string][] = [
      ["origin", (o) => key.assert(o.options, "https://chorus.test.evil.example"), "passkey"],
      ["relying party", (o) => key.assert(o.options, origin, "evil.example"), "passkey"],
      ["challenge", (o) => key.assert({ ...o.options, challenge: "bm90LXRoZS1jaGFsbGVuZ2U" }, origin), "passkey"],
    ];
    for (const [name, answer, reason] of cases) {
      const options = await signInOptions();
      const response = await signIn(options.challengeId, answer(options));
      expect((await expectError(response.clone(), 401, "unauthorized")).details, name).toEqual({ reason });
      expect(response.headers.get("Set-Cookie"), name).toBeNull();
    }
    const used = await signInOptions();
    expect((await signIn(used.challengeId, key.assert(used.options, origin))).status).toBe(200);
    const again = await signIn(used.challengeId, key.assert(used.options, origin));
    expect((await expectError(again, 401, "unauthorized")).details).toEqual({ reason: "challenge" });
    const late = await signInOptions();
    t.clock.advance(5 * 60_000);
    const expired = await signIn(late.challengeId, key.assert(late.options, origin));
    expect((await expectError(expired, 401, "unauthorized")).details).toEqual({ reason: "challenge" });
  });

  it("refuses a counter that did not grow (a cloned authenticator), then accepts a higher one", async () => {
    const first = await signInOptions();
    expect((await signIn(first.challengeId, key.assert(first.options, origin))).status).toBe(200);
    const seen = key.counter;
    for (const stale of [seen - 1, seen - 2]) {
      key.counter = stale; // assert() adds one: the same counter again, then an older one
      const options = await signInOptions();
      const response = await signIn(options.challengeId, key.assert(options.options, origin));
      await expectError(response, 401, "unauthorized");
    }
    key.counter = seen + 5;
    const later = await signInOptions();
    expect((await signIn(later.challengeId, key.assert(later.options, origin))).status).toBe(200);
  });

  it("a removed member's passkey signs nobody in", async () => {
    const marketer = await memberSession(t, ws.id, "marketer", "m@example.org");
    const other = new SoftwareAuthenticator();
    const { challengeId, options } = await registrationOptions(marketer);
    await t.call("POST", "/v1/dashboard/passkeys", {
      body: { challengeId, response: other.register(options, origin) },
      headers: changing(marketer),
    });
    const me = await (await t.call("GET", "/v1/dashboard/session", { headers: { Cookie: marketer } })).json();
    expect((await t.call("DELETE", `/v1/admin/members/${me.member.id}`, { headers: changing(owner) })).status).toBe(
      204,
    );
    const attempt = await signInOptions();
    await expectError(await signIn(attempt.challengeId, other.assert(attempt.options, origin)), 401, "unauthorized");
  });
});
