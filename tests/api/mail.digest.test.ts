/**
 * The team digest, as it arrives at a real SMTP server in this process: written by the
 * background tick (the Workers cron's `runBackgroundTick`) once per period and recipient, however
 * many ticks run (the test clock moves, nothing sleeps); nothing when nothing waits; stories to
 * moderate, rewards to approve and fraud holds with counts, the first few and a link into the
 * dashboard; its own unsubscribe; English and Hindi; daily or weekly or off.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mailMessages } from "../../db/schema.ts";
import { runBackgroundTick, startBackgroundWorker } from "../../server/services/background.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { mailOptionsFor, type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { storyBody, storyClient } from "../support/stories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const day = 86_400_000;
let t: TestApp;
let ws: CreatedWorkspace;
let sink: SmtpSink;

beforeEach(async () => {
  t = await createTestApp();
  // A Wednesday morning (UTC).
  t.clock.set(new Date("2026-12-02T08:00:00Z"));
  sink = await startSmtpSink();
});
afterEach(async () => {
  await sink.close();
  t.cleanup();
});

async function program(digest: Record<string, unknown>, settings: Record<string, unknown> = {}) {
  ws = await workspaceFactory(t.db, {
    now: t.clock.now(),
    settings: {
      storeEmails: true,
      brand: { name: "Acme Academy", logoUrl: null, color: "#1d4ed8" },
      digest: digest as { frequency: "daily"; recipients: string[] },
      ...settings,
    },
  });
}
const tick = () => runBackgroundTick({ db: t.db, clock: t.clock }, {}, mailOptionsFor(sink));
const digests = () => sink.received.filter((mail) => mail.parsed.subject?.includes("digest"));

/** Two stories to moderate, one reward on hold for its period, one held as a fraud suspect. */
async function work() {
  const stories = storyClient(t, ws);
  for (let i = 0; i < 5; i++) expect((await stories.post(storyBody({ rating: 4 }))).status).toBe(201);
  const priya = await referrerFactory(t.db, ws.id, { sub: "priya", name: "Priya Sharma" }, { now: t.clock.now() });
  const post = poster(t, ws.secretKey);
  expect((await post(enrollment({ code: priya.code }))).status).toBe(201);
  expect(
    (await post(enrollment({ code: priya.code, customer: { id: "meera", email: "meera@mailinator.com" } }))).status,
  ).toBe(201);
}

describe("the team digest", () => {
  it("arrives once a day per recipient with counts, the first items and links into the dashboard", async () => {
    await program({ frequency: "daily", recipients: ["team@acme.example", "ops@acme.example"] });
    await work();
    await tick();
    await tick();
    expect(digests()).toHaveLength(2);
    expect(
      digests()
        .flatMap((mail) => mail.envelope.to)
        .sort(),
    ).toEqual(["ops@acme.example", "team@acme.example"]);
    const { parsed } = digests()[0]!;
    expect(parsed.subject).toBe("Acme Academy: your daily Chorus digest for 2026-12-02");
    expect(parsed.text).toContain("Stories awaiting moderation: 5");
    expect(parsed.text).toContain("- data-analytics: 4/5, new job");
    expect(parsed.text).toContain("- and 2 more");
    expect(parsed.text).toContain("Rewards awaiting approval: 1");
    expect(parsed.text).toContain("Fraud holds to review: 1");
    expect(parsed.text).toContain("Moderate stories: https://chorus.test/dashboard#stories");
    expect(parsed.text).toContain("Review fraud holds: https://chorus.test/dashboard#rewards");
    expect(parsed.text).not.toContain("Priya");
    expect(String(parsed.html)).toMatch(/<h2[^>]*>Stories awaiting moderation: 5<\/h2>/);
    expect(parsed.headerLines.find((h) => h.key === "list-unsubscribe")?.line).toMatch(/\.digest\./);

    // The next day, a new digest; ticks within the day add nothing.
    t.clock.advance(day);
    await tick();
    await tick();
    expect(digests()).toHaveLength(4);
    expect(digests()[3]!.parsed.subject).toContain("2026-12-03");
  });

  it("is written and sent by the Node background worker's first tick", async () => {
    await program({ frequency: "daily", recipients: ["team@acme.example"] });
    await work();
    const worker = startBackgroundWorker(
      { db: t.db, clock: t.clock },
      { intervalMs: 3_600_000, mail: mailOptionsFor(sink) },
    );
    // stop() waits for the running tick and every send it started.
    await worker.stop();
    expect(digests().map((mail) => mail.envelope.to)).toEqual([["team@acme.example"]]);
  });

  it("is written once per period whichever process ticks, concurrently", async () => {
    await program({ frequency: "daily", recipients: ["team@acme.example"] });
    await work();
    await Promise.all([tick(), tick(), tick()]);
    const rows = await t.db.select().from(mailMessages).where(eq(mailMessages.template, "digest"));
    expect(rows).toHaveLength(1);
  });

  it("is not sent when nothing waits, nor when off or without recipients", async () => {
    await program({ frequency: "daily", recipients: ["team@acme.example"] });
    await tick();
    expect(digests()).toHaveLength(0);
    const quiet = ws;
    await program({ frequency: "off", recipients: ["team@acme.example"] });
    await work();
    await program({ frequency: "daily", recipients: [] });
    await work();
    await tick();
    expect(digests()).toHaveLength(0);
    expect(await t.db.select().from(mailMessages).where(eq(mailMessages.workspaceId, quiet.id))).toEqual([]);
  });

  it("is weekly when asked, for the week that began on Monday, in Hindi when the program's mail is", async () => {
    await program({ frequency: "weekly", recipients: ["team@acme.example"] }, { mailLocale: "hi" });
    await work();
    await tick();
    t.clock.advance(3 * day); // Saturday: the same week
    await tick();
    const weekly = sink.received.filter((mail) => mail.parsed.subject?.includes("सारांश"));
    expect(weekly.map((mail) => mail.parsed.subject)).toEqual([
      "Acme Academy: 2026-11-30 का आपका साप्ताहिक Chorus सारांश",
    ]);
    expect(weekly[0]!.parsed.text).toContain("मॉडरेशन की प्रतीक्षा में कहानियाँ: 5");
    t.clock.advance(2 * day); // Monday
    await tick();
    expect(sink.received.filter((mail) => mail.parsed.subject?.includes("सारांश"))).toHaveLength(2);
  });

  it("stops for an address that unsubscribed from the digest", async () => {
    await program({ frequency: "daily", recipients: ["team@acme.example"] });
    await work();
    await tick();
    const link = digests()[0]!.parsed.headerLines.find((h) => h.key === "list-unsubscribe")!.line;
    const url = new URL(link.match(/<([^>]+)>/)![1]!);
    const done = await t.call("POST", `${url.pathname}${url.search}`, {
      body: "List-Unsubscribe=One-Click",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(done.status).toBeLessThan(300);
    t.clock.advance(day);
    await tick();
    expect(digests()).toHaveLength(1);
    const suppressed = (await t.db.select().from(mailMessages)).filter(
      (row) => row.template === "digest" && row.status === "suppressed",
    );
    expect(suppressed.map((row) => row.reason)).toEqual(["unsubscribed from digest"]);
  });
});
