/** Helpers for the hosted advocate page's tests: its forms as a browser posts them, its links as mail carries them. */
import { eq } from "drizzle-orm";
import type { ParsedMail } from "mailparser";
import type { Db } from "../../db/index.ts";
import { learnerSessions, learners } from "../../db/schema.ts";
import { sessionMaxMs, sessionTokenHash } from "../../server/services/advocate-sign-in.ts";
import { emailHash } from "../../server/services/learners.ts";
import type { TestApp } from "./test-app.ts";
import { testConfig } from "./test-app.ts";

/** A browser's form post (urlencoded) to the app, from the app's own origin unless `origin` says otherwise. */
export function postForm(
  t: Pick<TestApp, "app">,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    t.app.request(`https://chorus.test${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://chorus.test", ...headers },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

/** A page as a browser gets it, with an optional session cookie. */
export function getPage(t: Pick<TestApp, "app">, path: string, headers: Record<string, string> = {}) {
  return Promise.resolve(t.app.request(`https://chorus.test${path}`, { headers }));
}

/** The sign-in link in a received sign-in mail (its plain-text part), on the server at `base`. */
export function signInLinkOf(parsed: ParsedMail, base = "https://chorus.test"): URL {
  const escaped = base.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = String(parsed.text).match(new RegExp(`${escaped}/p/[a-z0-9-]+/link\\?t=[0-9a-f]{64}(?:&lang=hi)?`));
  if (!match) throw new Error(`no sign-in link in: ${parsed.text}`);
  return new URL(match[0]);
}

/** The `chorus_advocate=…` pair of a Set-Cookie answer, to send back as a Cookie header. */
export function sessionCookieOf(response: Response): string {
  const header = response.headers.get("Set-Cookie") ?? "";
  const match = header.match(/chorus_advocate=[^;]+/);
  if (!match) throw new Error(`no session cookie in: ${header}`);
  return match[0];
}

/** A learner the provider already knows by this address (as a learner token with `email` would make them). */
export async function knownLearner(
  t: Pick<TestApp, "db">,
  input: { workspaceId: string; externalId: string; email: string; name?: string },
) {
  const id = `lrn_${input.externalId
    .replace(/[^A-Za-z0-9]/g, "")
    .padEnd(16, "0")
    .slice(0, 16)}`;
  await t.db.insert(learners).values({
    id,
    workspaceId: input.workspaceId,
    externalId: input.externalId,
    name: input.name ?? null,
    emailHash: emailHash(testConfig.secret, input.email),
    email: null,
    createdAt: Date.UTC(2026, 9, 1),
  });
  const [row] = await t.db.select().from(learners).where(eq(learners.id, id));
  return row!;
}

/** A session for a learner, as following a magic link starts one; answers the cookie's value. */
export async function learnerSessionFor(db: Db, input: { workspaceId: string; learnerId: string }): Promise<string> {
  // As the server makes them: 256 random bits, base64url (43 characters).
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const now = Date.now();
  await db.insert(learnerSessions).values({
    id: `ses_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`,
    workspaceId: input.workspaceId,
    learnerId: input.learnerId,
    tokenHash: await sessionTokenHash(token),
    lastSeenAt: now,
    expiresAt: now + sessionMaxMs,
    createdAt: now,
  });
  return token;
}
