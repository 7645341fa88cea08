/**
 * Team sign-in on every target, Workers included: the first owner's one-time link from
 * `chorus member add` opens a session (HttpOnly, SameSite=Strict), the member adds a passkey (a
 * software ES256 authenticator answering the server's challenge at the server's origin), signs
 * out, and signs in again with the passkey through @simplewebauthn/server as each runtime loads it;
 * an answer for another origin is refused. Then the password fallback: the member sets one and signs
 * in with it, hashed with scrypt (@noble/hashes) as each runtime runs it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SoftwareAuthenticator } from "../support/software-authenticator.ts";
import { api, apiJson, cli, expectError, newWorkspace, target, type Workspace } from "./client.ts";

type Options = { challengeId: string; options: { challenge: string; rp: { id: string }; rpId?: string } };

let ws: Workspace;
let link: string;
const key = new SoftwareAuthenticator();
const changing = (cookie: string) => ({ Cookie: cookie, "X-Chorus-Dashboard": "1" });
const cookieOf = (response: Response) => (response.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";

beforeAll(async () => {
  ws = await newWorkspace({ name: "Shared Team Academy" });
  const added = JSON.parse(
    await cli(["member", "add", "--workspace", ws.id, "--email", "owner@shared.example", "--role", "owner", "--json"]),
  ) as { url: string };
  link = added.url;
});

describe("a team member's sign-in", () => {
  it("opens the dashboard with the CLI's link, adds a passkey and signs in with it, then with a password", async () => {
    const token = new URL(link).hash.replace(/^#link=/, "");
    const used = await api("POST", "/v1/dashboard/links/use", { body: { token } });
    expect(used.status).toBe(200);
    expect(used.headers.get("Set-Cookie")).toMatch(/HttpOnly/i);
    expect(used.headers.get("Set-Cookie")).toMatch(/SameSite=Strict/i);
    const cookie = cookieOf(used);

    // The relying party is the origin the request came to (no PUBLIC_URL on the targets).
    const origin = new URL(target().baseUrl).origin;
    const adding = await apiJson<Options>("POST", "/v1/dashboard/passkeys/options", 200, { headers: changing(cookie) });
    expect(adding.options.rp.id).toBe(new URL(origin).hostname);
    const added = await api("POST", "/v1/dashboard/passkeys", {
      body: { challengeId: adding.challengeId, response: key.register(adding.options, origin) },
      headers: changing(cookie),
    });
    expect(added.status).toBe(201);
    expect((await api("DELETE", "/v1/dashboard/session", { headers: changing(cookie) })).status).toBe(204);
    expect((await api("GET", "/v1/dashboard/session", { headers: { Cookie: cookie } })).status).toBe(401);

    const elsewhere = await apiJson<Options>("POST", "/v1/dashboard/passkey/options", 200);
    const forged = await api("POST", "/v1/dashboard/passkey", {
      body: { challengeId: elsewhere.challengeId, response: key.assert(elsewhere.options, "https://evil.example") },
    });
    await expectError(forged, 401, "unauthorized");

    const signIn = await apiJson<Options>("POST", "/v1/dashboard/passkey/options", 200);
    const signedIn = await api("POST", "/v1/dashboard/passkey", {
      body: { challengeId: signIn.challengeId, response: key.assert(signIn.options, origin) },
    });
    expect(signedIn.status).toBe(200);
    const session = await apiJson<{ member: { email: string; role: string } }>("GET", "/v1/dashboard/session", 200, {
      headers: { Cookie: cookieOf(signedIn) },
    });
    expect(session.member).toMatchObject({ email: "owner@shared.example", role: "owner" });

    const password = "every target hashes alike";
    const set = await api("PUT", "/v1/dashboard/password", {
      body: { password },
      headers: changing(cookieOf(signedIn)),
    });
    expect(set.status).toBe(200);
    const byPassword = (candidate: string) =>
      api("POST", "/v1/dashboard/password/sign-in", {
        body: { email: "owner@shared.example", password: candidate },
        headers: { "X-Chorus-Dashboard": "1" },
      });
    await expectError(await byPassword("every target hashes apart"), 401, "unauthorized");
    const withPassword = await byPassword(password);
    expect(withPassword.status).toBe(200);
    const again = await apiJson<{ member: { email: string } }>("GET", "/v1/dashboard/session", 200, {
      headers: { Cookie: cookieOf(withPassword) },
    });
    expect(again.member.email).toBe("owner@shared.example");
  });
});
