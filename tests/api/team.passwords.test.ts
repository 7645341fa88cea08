/**
 * A member's own password, the fallback sign-in: set from a session (never by the secret key),
 * hashed with scrypt (the clear password is nowhere in the database file), signed in with through
 * the same throttle as links and passkeys; an unknown address, a member without a password and a
 * wrong password get the same answer; a change ends the member's other sessions and is audited;
 * a removed member's password opens nothing.
 */
import { readFileSync } from "node:fs";
import { scrypt } from "@noble/hashes/scrypt.js";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { teamMembers } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { workspaceFactory } from "../support/factories.ts";
import { memberSession, teamMember } from "../support/team.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let addressCounter = 0;

/** Each test signs in from its own address, so the throttle of one does not leak into another. */
const newAddress = () => `198.51.100.${++addressCounter}`;
const changing = (cookie: string) => ({ Cookie: cookie, "X-Chorus-Dashboard": "1" });

function signIn(email: string, password: string, ip: string, headers: Record<string, string> = {}) {
  return t.call("POST", "/v1/dashboard/password/sign-in", {
    body: { email, password },
    headers: { "X-Chorus-Dashboard": "1", "X-Forwarded-For": ip, ...headers },
  });
}

/** The session cookie a successful sign-in set. */
function cookieOf(response: Response): string {
  const match = response.headers.get("Set-Cookie")?.match(/chorus_session=[^;]+/);
  if (!match) throw new Error(`no session cookie (status ${response.status})`);
  return match[0];
}

const setPassword = (cookie: string, password: string) =>
  t.call("PUT", "/v1/dashboard/password", { body: { password }, headers: changing(cookie) });

const whoIs = (cookie: string) => t.call("GET", "/v1/dashboard/session", { headers: { Cookie: cookie } });

/** The refusal without its request id: what a caller can compare between two answers. */
async function refusal(response: Response) {
  const error = await expectError(response, 401, "unauthorized");
  expect(response.headers.get("Set-Cookie")).toBeNull();
  return { message: error.message, details: error.details };
}

beforeAll(async () => {
  t = await createTestApp({ trustProxy: true });
  ws = await workspaceFactory(t.db);
});
afterAll(() => t?.cleanup());

describe("setting a password", () => {
  it("lets a member set one and sign in with it; the session is the member's, in their workspace", async () => {
    const owner = await memberSession(t, ws.id, "owner", "pat@example.org");
    expect(await (await t.call("GET", "/v1/dashboard/password", { headers: { Cookie: owner } })).json()).toEqual({
      set: false,
    });
    const set = await setPassword(owner, "a long walk to the river");
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ endedSessions: 0 });
    expect(await (await t.call("GET", "/v1/dashboard/password", { headers: { Cookie: owner } })).json()).toEqual({
      set: true,
    });

    const signedIn = await signIn("Pat@Example.org", "a long walk to the river", newAddress());
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get("Set-Cookie")).toMatch(/HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/);
    expect(await signedIn.json()).toMatchObject({
      workspace: { id: ws.id },
      member: { email: "pat@example.org", role: "owner" },
    });
    const session = await (await whoIs(cookieOf(signedIn))).json();
    expect(session.member).toMatchObject({ email: "pat@example.org", role: "owner" });
  });

  it("refuses short, common and one-character passwords and the member's own address; the secret key has none", async () => {
    const viewer = await memberSession(t, ws.id, "viewer", "vera@example.org");
    for (const weak of ["short one", "Password1234", "zzzzzzzzzzzzzzzz", "VERA@example.org"]) {
      const error = await expectError(await setPassword(viewer, weak), 400, "invalid_request");
      expect(error.details).toEqual({ field: "password" });
    }
    const byKey = await t.call("PUT", "/v1/dashboard/password", {
      body: { password: "the servers have no password" },
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    await expectError(byKey, 403, "forbidden");
    // A change from the dashboard without the CSRF header is refused, like every other.
    const noHeader = await t.call("PUT", "/v1/dashboard/password", {
      body: { password: "a perfectly fine passphrase" },
      headers: { Cookie: viewer },
    });
    await expectError(noHeader, 403, "forbidden");
  });

  it("stores only a salted scrypt hash with its parameters: the password is nowhere in the database file", async () => {
    const clear = "unmistakable-clear-text-9f3a";
    const member = await memberSession(t, ws.id, "marketer", "mia@example.org");
    expect((await setPassword(member, clear)).status).toBe(200);
    // Another member with the same password gets another salt, so another hash.
    const other = await memberSession(t, ws.id, "finance", "fin@example.org");
    expect((await setPassword(other, clear)).status).toBe(200);
    const rows = await t.db.select({ hash: teamMembers.passwordHash }).from(teamMembers);
    const hashes = rows.map((row) => row.hash).filter((hash) => hash !== null);
    for (const hash of hashes) expect(hash).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(new Set(hashes).size).toBe(hashes.length);
    await t.client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    const bytes = readFileSync(t.file);
    expect(bytes.includes(Buffer.from(clear))).toBe(false);
    expect(bytes.includes(Buffer.from("$scrypt$ln=14,r=8,p=1$"))).toBe(true);
  });
});

describe("signing in with a password", () => {
  it("answers an unknown address, a member without a password and a wrong password alike", async () => {
    const ip = newAddress();
    const member = await memberSession(t, ws.id, "moderator", "mo@example.org");
    expect((await setPassword(member, "moderation all day long")).status).toBe(200);
    await teamMember(t, ws.id, "viewer", "nopass@example.org");
    const wrong = await refusal(await signIn("mo@example.org", "moderation all night", ip));
    const unknown = await refusal(await signIn("nobody@example.org", "moderation all day long", ip));
    const noPassword = await refusal(await signIn("nopass@example.org", "moderation all day long", ip));
    expect(unknown).toEqual(wrong);
    expect(noPassword).toEqual(wrong);
    expect(wrong).toEqual({ message: expect.any(String), details: { reason: "password" } });
  });

  it("needs the dashboard header, so another site cannot sign a browser in", async () => {
    const response = await t.call("POST", "/v1/dashboard/password/sign-in", {
      body: { email: "pat@example.org", password: "a long walk to the river" },
      headers: { "X-Forwarded-For": newAddress() },
    });
    await expectError(response, 403, "forbidden");
    expect(response.headers.get("Set-Cookie")).toBeNull();
  });

  it("counts failures in the one allowance with link requests: then even the right password gets 429", async () => {
    const ip = newAddress();
    for (let i = 0; i < 5; i++) {
      const asked = await t.call("POST", "/v1/dashboard/links", {
        body: { email: "pat@example.org" },
        headers: { "X-Forwarded-For": ip },
      });
      expect(asked.status).toBe(202);
    }
    for (let i = 0; i < 5; i++) await refusal(await signIn("pat@example.org", `not it ${i} at all`, ip));
    const throttled = await signIn("pat@example.org", "a long walk to the river", ip);
    const error = await expectError(throttled.clone(), 429, "rate_limited");
    expect(error.details).toMatchObject({ scope: "address" });
    expect(throttled.headers.get("Retry-After")).toBe("900");
    expect(throttled.headers.get("Set-Cookie")).toBeNull();
    expect((await signIn("pat@example.org", "a long walk to the river", newAddress())).status).toBe(200);
  });

  it("opens the workspace whose password matches when an address is a member of two", async () => {
    const other = await workspaceFactory(t.db);
    const here = await memberSession(t, ws.id, "viewer", "two@example.org");
    const there = await memberSession(t, other.id, "owner", "two@example.org");
    expect((await setPassword(here, "the password of one place")).status).toBe(200);
    expect((await setPassword(there, "the password of another place")).status).toBe(200);
    const ip = newAddress();
    expect(await (await signIn("two@example.org", "the password of one place", ip)).json()).toMatchObject({
      workspace: { id: ws.id },
      member: { role: "viewer" },
    });
    expect(await (await signIn("two@example.org", "the password of another place", ip)).json()).toMatchObject({
      workspace: { id: other.id },
      member: { role: "owner" },
    });
  });

  it("rewrites a hash made with weaker parameters at the next sign-in", async () => {
    const member = await teamMember(t, ws.id, "viewer", "old@example.org");
    const salt = new Uint8Array(16).fill(7);
    const key = scrypt("an older kind of hash", salt, { N: 2 ** 11, r: 8, p: 1, dkLen: 32 });
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64").replace(/=+$/, "");
    const old = `$scrypt$ln=11,r=8,p=1$${b64(salt)}$${b64(key)}`;
    await t.db.update(teamMembers).set({ passwordHash: old }).where(eq(teamMembers.id, member.id));
    expect((await signIn("old@example.org", "an older kind of hash", newAddress())).status).toBe(200);
    const [row] = await t.db.select().from(teamMembers).where(eq(teamMembers.id, member.id));
    expect(row?.passwordHash).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$/);
    expect((await signIn("old@example.org", "an older kind of hash", newAddress())).status).toBe(200);
  });
});

describe("changing and removing a password", () => {
  it("ends the member's other sessions, keeps the one that made the change, and audits each change", async () => {
    const ip = newAddress();
    const first = await memberSession(t, ws.id, "finance", "cara@example.org");
    expect((await setPassword(first, "first password of cara")).status).toBe(200);
    const laptop = cookieOf(await signIn("cara@example.org", "first password of cara", ip));
    const phone = cookieOf(await signIn("cara@example.org", "first password of cara", ip));

    t.clock.advance(1000);
    const changed = await setPassword(laptop, "second password of cara");
    expect(await changed.json()).toEqual({ endedSessions: 2 });
    expect((await whoIs(laptop)).status).toBe(200);
    await expectError(await whoIs(phone), 401, "unauthorized");
    await expectError(await whoIs(first), 401, "unauthorized");
    await refusal(await signIn("cara@example.org", "first password of cara", ip));
    const desk = cookieOf(await signIn("cara@example.org", "second password of cara", ip));

    t.clock.advance(1000);
    const removed = await t.call("DELETE", "/v1/dashboard/password", { headers: changing(laptop) });
    expect(await removed.json()).toEqual({ endedSessions: 1 });
    await expectError(await whoIs(desk), 401, "unauthorized");
    await refusal(await signIn("cara@example.org", "second password of cara", ip));
    await expectError(
      await t.call("DELETE", "/v1/dashboard/password", { headers: changing(laptop) }),
      404,
      "not_found",
    );

    const me = (await (await whoIs(laptop)).json()).member.id;
    const trail = await (
      await t.call("GET", "/v1/admin/audit?action=password", { headers: { Authorization: `Bearer ${ws.secretKey}` } })
    ).json();
    const actor = { kind: "member", id: me, email: "cara@example.org" };
    expect(trail.items.filter((row: { targetId: string }) => row.targetId === me)).toEqual([
      expect.objectContaining({
        action: "password.remove",
        actor,
        after: { otherSessionsEnded: 1 },
        requestId: removed.headers.get("X-Request-Id"),
      }),
      expect.objectContaining({
        action: "password.change",
        actor,
        after: { otherSessionsEnded: 2 },
        requestId: changed.headers.get("X-Request-Id"),
      }),
      expect.objectContaining({ action: "password.set", actor, after: { otherSessionsEnded: 0 } }),
    ]);
  });

  it("refuses a removed member's password like any wrong one", async () => {
    const ip = newAddress();
    const leaving = await memberSession(t, ws.id, "marketer", "leaving@example.org");
    expect((await setPassword(leaving, "my last day at the office")).status).toBe(200);
    expect((await signIn("leaving@example.org", "my last day at the office", ip)).status).toBe(200);
    const id = (await (await whoIs(leaving)).json()).member.id;
    const gone = await t.call("DELETE", `/v1/admin/members/${id}`, {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
    });
    expect(gone.status).toBe(204);
    const wrong = await refusal(await signIn("pat@example.org", "not the right one at all", ip));
    expect(await refusal(await signIn("leaving@example.org", "my last day at the office", ip))).toEqual(wrong);
  });
});
