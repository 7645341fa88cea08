/**
 * Signing in on the hosted advocate page with a magic link, as real mail at a real SMTP server
 * in this process: who gets a link (policies known / domains / anyone), the same answer for any
 * address, hostile addresses refused at the edge, one mail per address per window however many
 * requests, single use (also from another browser), 15 minutes, and links that never cross
 * workspaces.
 */
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { learnerSessions, magicLinks, mailMessages } from "../../db/schema.ts";
import { writeTransaction } from "../../server/lib/write-transaction.ts";
import { emailHash } from "../../server/services/learners.ts";
import { enqueueMail } from "../../server/services/mail-outbox.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { getPage, knownLearner, postForm, sessionCookieOf, signInLinkOf } from "../support/advocate-page.ts";
import { workspaceFactory } from "../support/factories.ts";
import { drainMailTo, type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { createTestApp, type TestApp, testConfig } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let sink: SmtpSink;

const brand = { name: "Acme Academy", logoUrl: null, color: "#1d4ed8" };
const noLimits = { perVisitor: null, perWorkspace: null };

beforeEach(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
});
afterEach(async () => {
  await sink.close();
  t.cleanup();
});

async function program(settings: Record<string, unknown> = {}, slug = "acme") {
  const created = await workspaceFactory(t.db, { settings: { slug, brand, ...settings } });
  ws ??= created;
  return created;
}
const ask = (email: string, slug = "acme", headers: Record<string, string> = {}) =>
  postForm(t, `/p/${slug}/sign-in`, { email }, headers);
const drain = () => drainMailTo(sink, t);
const mailRows = (workspaceId = ws.id) =>
  t.db.select().from(mailMessages).where(eq(mailMessages.workspaceId, workspaceId));

/** Follows a link as a browser with no cookies would: the confirm page, then its button. */
async function follow(link: URL, slug = "acme") {
  const confirm = await getPage(t, `${link.pathname}${link.search}`);
  const token = link.searchParams.get("t") ?? "";
  const used = await postForm(t, `/p/${slug}/link`, { t: token });
  return { confirm, used };
}

describe("asking for a sign-in link", () => {
  beforeEach(() => {
    ws = undefined as unknown as CreatedWorkspace;
  });

  it("mails a known learner a single-use link with no unsubscribe, which signs in from any browser once", async () => {
    await program();
    await knownLearner(t, { workspaceId: ws.id, externalId: "priya", email: "priya@learners.example" });
    const asked = await ask("Priya@Learners.example");
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain("Check your email");
    expect(await drain()).toMatchObject({ sent: 1 });

    const { parsed, envelope } = sink.received[0]!;
    expect(envelope.to).toEqual(["Priya@learners.example"]); // nodemailer lower-cases the domain
    expect(parsed.subject).toBe("Your sign-in link for Acme Academy");
    expect(parsed.headerLines.find((h) => h.key === "list-unsubscribe")).toBeUndefined();
    expect(String(parsed.html)).toContain("<h1");
    const link = signInLinkOf(parsed);
    expect(String(parsed.html)).toContain(link.toString().replaceAll("&", "&amp;"));
    // Neither the token nor anything it can be made from without the server secret is stored.
    const token = link.searchParams.get("t")!;
    const dump = JSON.stringify([await t.db.select().from(magicLinks), await mailRows()]);
    expect(dump).not.toContain(token);

    // Another browser (no cookie): the GET only shows the button, however often a scanner follows it.
    expect((await getPage(t, `${link.pathname}${link.search}`)).status).toBe(200);
    const { confirm, used } = await follow(link);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('<button type="submit">Sign in</button>');
    expect(used.status).toBe(303);
    expect(used.headers.get("Location")).toBe("https://chorus.test/p/acme");
    const cookie = used.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/^chorus_advocate=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("Path=/p/acme");
    const page = await getPage(t, "/p/acme", { Cookie: sessionCookieOf(used) });
    expect(await page.text()).toContain("<chorus-referral-card");

    // Used once: the same link again (a third browser) gets a clear page and no session.
    const again = await follow(link);
    expect(again.confirm.status).toBe(410);
    expect(again.used.status).toBe(410);
    expect(await again.used.text()).toContain("This link no longer works");
    expect(again.used.headers.get("Set-Cookie")).toBeNull();
  });

  it("gives one session when several browsers use one link at the same moment", async () => {
    await program();
    await knownLearner(t, { workspaceId: ws.id, externalId: "priya", email: "priya@learners.example" });
    await ask("priya@learners.example");
    await drain();
    const token = signInLinkOf(sink.received[0]!.parsed).searchParams.get("t")!;
    const answers = await Promise.all(Array.from({ length: 8 }, () => postForm(t, "/p/acme/link", { t: token })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, ...Array(7).fill(410)]);
    expect(await t.db.select().from(learnerSessions)).toHaveLength(1);
  });

  it("refuses a link after 15 minutes with the same clear page", async () => {
    await program();
    await knownLearner(t, { workspaceId: ws.id, externalId: "priya", email: "priya@learners.example" });
    await ask("priya@learners.example");
    await drain();
    const link = signInLinkOf(sink.received[0]!.parsed);
    t.clock.advance(15 * 60_000 + 1);
    const { confirm, used } = await follow(link);
    expect([confirm.status, used.status]).toEqual([410, 410]);
    expect(await used.text()).toContain("Sign-in links work once and only for 15 minutes");
  });

  it("answers an unknown address exactly as a known one, doing the same writes but sending nothing", async () => {
    await program();
    await knownLearner(t, { workspaceId: ws.id, externalId: "priya", email: "priya@learners.example" });
    const known = await ask("priya@learners.example");
    const unknown = await ask("stranger@learners.example");
    expect(unknown.status).toBe(known.status);
    expect(await unknown.text()).toBe(await known.text());
    // One row per address either way (the same work); only the known one can sign in or is mailed.
    const links = await t.db.select().from(magicLinks).where(eq(magicLinks.workspaceId, ws.id));
    expect(links).toHaveLength(2);
    expect(links.filter((link) => link.subject !== null)).toHaveLength(1);
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(sink.received.map((mail) => mail.envelope.to)).toEqual([["priya@learners.example"]]);
  });

  it("knows learners from conversions (a customer email) as well as from tokens", async () => {
    await program();
    const posted = await t.call("POST", "/v1/conversions", {
      headers: { Authorization: `Bearer ${ws.secretKey}` },
      body: { id: "order-1", type: "enrollment", customer: { id: "cust-9", email: "meera@learners.example" } },
    });
    expect(posted.status).toBe(201);
    await ask("meera@learners.example");
    await drain();
    const { used } = await follow(signInLinkOf(sink.received[0]!.parsed));
    const page = await (await getPage(t, "/p/acme", { Cookie: sessionCookieOf(used) })).text();
    const token = page.match(/learner-token="([^"]+)"/)?.[1] ?? "";
    expect(JSON.parse(atob(token.split(".")[1]!))).toMatchObject({ sub: "cust-9" });
  });

  it("sends one mail per address per window however many requests arrive at once", async () => {
    await program({ rateLimits: { advocateSignIn: noLimits } });
    await knownLearner(t, { workspaceId: ws.id, externalId: "priya", email: "priya@learners.example" });
    const answers = await Promise.all(Array.from({ length: 25 }, () => ask("priya@learners.example")));
    expect(answers.map((answer) => answer.status)).toEqual(Array(25).fill(200));
    expect(await drain()).toMatchObject({ sent: 1 });
    t.clock.advance(60_000);
    await ask("priya@learners.example");
    expect(await drain()).toMatchObject({ claimed: 0 });
    t.clock.advance(5 * 60_000);
    await ask("priya@learners.example");
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(sink.received).toHaveLength(2);
  });

  it("caps sign-in mail per address per day on its own, never using up the cap of reward mail", async () => {
    await program({ rateLimits: { advocateSignIn: noLimits } });
    await knownLearner(t, { workspaceId: ws.id, externalId: "priya", email: "priya@learners.example" });
    for (let i = 0; i < 11; i++) {
      await ask("priya@learners.example");
      t.clock.advance(5 * 60_000);
    }
    // The worker sends 5 per workspace at a time: drain until nothing is left.
    const total = { sent: 0, suppressed: 0 };
    for (let run = await drain(); run.claimed > 0; run = await drain()) {
      total.sent += run.sent;
      total.suppressed += run.suppressed;
    }
    expect(total).toEqual({ sent: 10, suppressed: 1 });
    await writeTransaction(t.db, (tx) =>
      enqueueMail(
        { tx, clock: t.clock },
        {
          workspaceId: ws.id,
          key: "reward-earned:rwd_test",
          category: "rewards",
          template: "reward-earned",
          locale: "en",
          data: { firstName: "Priya", reward: "500.00 INR credit", holdUntil: null, shareCode: null },
          learnerId: null,
          to: { name: "Priya", address: "priya@learners.example" },
          toHash: emailHash(testConfig.secret, "priya@learners.example"),
        },
      ),
    );
    expect(await drain()).toMatchObject({ sent: 1 });
  });

  it("limits sign-in requests per visitor (429 with Retry-After), whatever the address", async () => {
    await program();
    for (let i = 0; i < 10; i++) expect((await ask(`someone${i}@learners.example`)).status).toBe(200);
    const refused = await ask("another@learners.example");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("Too many sign-in requests");
  });

  it("refuses hostile addresses clearly at the edge, storing and sending nothing", async () => {
    await program({ advocateSignIn: { policy: "anyone", domains: [] } });
    const hostile = [
      "a@b",
      `${"a".repeat(300)}@learners.example`,
      "prіya@learners.example", // Cyrillic і
      "priya@lеarners.example", // Cyrillic е in the domain
      "priya@learners.example\r\nBcc: attacker@evil.example",
      "priya@learners.example\nX-Injected: yes",
      "priya @learners.example",
      "<priya@learners.example>",
      "",
      "priya",
    ];
    for (const email of hostile) {
      const answer = await ask(email);
      expect(answer.status, email).toBe(400);
      const text = await answer.text();
      expect(text).toContain("Enter one plain email address");
      expect(text).toContain('aria-invalid="true"');
      expect(answer.headers.get("Content-Type")).toContain("text/html");
    }
    expect(await t.db.select().from(magicLinks)).toEqual([]);
    expect(await mailRows()).toEqual([]);
  });

  it("admits addresses at allowed domains with `domains`, and anyone with `anyone`, who start with no history", async () => {
    await program({ advocateSignIn: { policy: "domains", domains: ["acme.example"] } });
    await ask("new.learner@acme.example");
    await ask("outsider@other.example");
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(sink.received[0]!.envelope.to).toEqual(["new.learner@acme.example"]);

    const open = await program({ advocateSignIn: { policy: "anyone", domains: [] } }, "open-academy");
    await ask("outsider@other.example", "open-academy");
    await drain();
    expect(sink.received[1]!.envelope.to).toEqual(["outsider@other.example"]);
    const { used } = await follow(signInLinkOf(sink.received[1]!.parsed), "open-academy");
    const page = await (await getPage(t, "/p/open-academy", { Cookie: sessionCookieOf(used) })).text();
    expect(page).toContain("No rewards yet");
    const token = page.match(/learner-token="([^"]+)"/)?.[1] ?? "";
    expect(JSON.parse(atob(token.split(".")[1]!)).sub).toMatch(/^email:[0-9a-f]{64}$/);
    expect(open.id).not.toBe(ws.id);
  });

  it("never lets a link or a session of workspace A sign in to workspace B", async () => {
    const a = await program({}, "acme");
    const b = await program({ advocateSignIn: { policy: "anyone", domains: [] } }, "beta");
    await knownLearner(t, { workspaceId: a.id, externalId: "priya", email: "priya@learners.example" });
    await ask("priya@learners.example", "acme");
    await drain();
    const link = signInLinkOf(sink.received[0]!.parsed);
    const token = link.searchParams.get("t")!;
    expect((await getPage(t, `/p/beta/link?t=${token}`)).status).toBe(410);
    expect((await postForm(t, "/p/beta/link", { t: token })).status).toBe(410);
    // Refused at B, still good at A (B's attempt used nothing up).
    const { used } = await follow(link, "acme");
    expect(used.status).toBe(303);
    const atB = await getPage(t, "/p/beta", { Cookie: sessionCookieOf(used) });
    const body = await atB.text();
    expect(body).toContain('name="email"');
    expect(body).not.toContain("learner-token");
    const mails = await mailRows(b.id);
    expect(mails).toEqual([]);
  });

  it("refuses form posts another site makes the browser send", async () => {
    await program();
    const refused = await ask("priya@learners.example", "acme", { Origin: "https://evil.example" });
    expect(refused.status).toBe(403);
    // Under no-referrer a form post's Origin is "null": Sec-Fetch-Site tells.
    const nullOrigin = { Origin: "null", "Sec-Fetch-Site": "cross-site" };
    expect((await ask("priya@learners.example", "acme", nullOrigin)).status).toBe(403);
    expect(await t.db.select().from(magicLinks)).toEqual([]);
    const ownPage = { Origin: "null", "Sec-Fetch-Site": "same-origin" };
    expect((await ask("priya@learners.example", "acme", ownPage)).status).toBe(200);
    expect((await postForm(t, "/p/acme/link", { t: "0".repeat(64) }, { Origin: "https://evil.example" })).status).toBe(
      403,
    );
  });

  it("answers an unknown slug, and a malformed token, with a page, never a 500", async () => {
    await program();
    expect((await getPage(t, "/p/nobody-here")).status).toBe(404);
    expect((await ask("priya@learners.example", "nobody-here")).status).toBe(404);
    expect((await getPage(t, "/p/acme/link?t=<script>")).status).toBe(410);
    expect((await getPage(t, "/p/acme/link")).status).toBe(410);
    expect((await postForm(t, "/p/acme/link", {})).status).toBe(410);
    const json = await t.app.request("https://chorus.test/p/acme/sign-in", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "priya@learners.example" }),
    });
    expect(json.status).toBe(400);
  });

  it("writes the mail and the page in Hindi for ?lang=hi or Accept-Language: hi", async () => {
    await program();
    await knownLearner(t, { workspaceId: ws.id, externalId: "priya", email: "priya@learners.example" });
    const form = await getPage(t, "/p/acme", { "Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5" });
    const text = await form.text();
    expect(text).toContain('<html lang="hi">');
    expect(text).toContain("मुझे साइन-इन लिंक भेजें");
    expect(await (await getPage(t, "/p/acme?lang=en", { "Accept-Language": "hi" })).text()).toContain(
      "Send me a sign-in link",
    );
    await postForm(t, "/p/acme/sign-in?lang=hi", { email: "priya@learners.example" });
    await drain();
    const { parsed } = sink.received[0]!;
    expect(parsed.subject).toBe("Acme Academy के लिए आपका साइन-इन लिंक");
    expect(signInLinkOf(parsed).searchParams.get("lang")).toBe("hi");
    const rows = await t.db
      .select()
      .from(mailMessages)
      .where(and(eq(mailMessages.workspaceId, ws.id), eq(mailMessages.category, "sign-in")));
    expect(rows[0]).toMatchObject({ locale: "hi", toAddress: null, status: "sent" });
  });
});
