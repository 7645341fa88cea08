/**
 * "You reached a milestone", to the advocate, as it arrives at a real SMTP server in this process:
 * written where the milestone's bonus is granted, once per milestone, with the bonus and the next
 * milestone of the program (or none), in the rewards category, in English and Hindi.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mailMessages } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { drainMailTo, type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let sink: SmtpSink;
let priya: Awaited<ReturnType<typeof referrerFactory>>;

const milestones = [
  { count: 2, bonus: { amount: 100_000, currency: "INR" } },
  { count: 3, bonus: { amount: 250_000, currency: "INR" } },
];

async function program(settings: Record<string, unknown> = {}) {
  ws = await workspaceFactory(t.db, {
    settings: {
      storeEmails: true,
      milestones,
      brand: { name: "Acme Academy", logoUrl: null, color: "#1d4ed8" },
      ...settings,
    },
  });
  priya = await referrerFactory(
    t.db,
    ws.id,
    { sub: "priya", name: "Priya Sharma", email: "priya@learners.example" },
    { now: t.clock.now() },
  );
}

beforeEach(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
});
afterEach(async () => {
  await sink.close();
  t.cleanup();
});

const refer = (n: number) =>
  Promise.all(Array.from({ length: n }, () => poster(t, ws.secretKey)(enrollment({ code: priya.code }))));
const milestoneMail = () => sink.received.filter((mail) => mail.parsed.subject?.includes("milestone"));

describe("the milestone message", () => {
  it("arrives once per milestone with its bonus and the next milestone, then says it was the last", async () => {
    await program();
    await refer(1);
    await drainMailTo(sink, t);
    expect(milestoneMail()).toHaveLength(0);

    await refer(1);
    // Another conversion after the milestone grants nothing new and writes no second message.
    await drainMailTo(sink, t);
    expect(milestoneMail()).toHaveLength(1);
    const second = milestoneMail()[0]!.parsed;
    expect(second.subject).toBe("You reached a milestone: 2 friends referred");
    expect(second.to).toMatchObject({ value: [{ address: "priya@learners.example" }] });
    expect(second.text).toContain("Hello Priya,");
    expect(second.text).toContain(
      "2 friends you referred to Acme Academy have joined, and that earned you a bonus of 1000.00 INR.",
    );
    expect(second.text).toContain("Next milestone: 3 friends, for a bonus of 2500.00 INR.");
    expect(second.text).toContain(`https://chorus.test/r/${priya.code}?ch=email`);
    expect(String(second.html)).toMatch(/<h1[^>]*>You reached a milestone: 2 friends referred<\/h1>/);
    expect(second.headerLines.find((h) => h.key === "list-unsubscribe")?.line).toMatch(/\.rewards\./);

    await refer(2);
    await drainMailTo(sink, t);
    const subjects = milestoneMail().map((mail) => mail.parsed.subject);
    expect(subjects).toEqual([
      "You reached a milestone: 2 friends referred",
      "You reached a milestone: 3 friends referred",
    ]);
    expect(milestoneMail()[1]!.parsed.text).toContain("That was the program's last milestone.");
    const rows = await t.db.select().from(mailMessages).where(eq(mailMessages.workspaceId, ws.id));
    expect(rows.filter((row) => row.template === "milestone")).toHaveLength(2);
  });

  it("is one message per milestone when the referrals that reach them arrive at once", async () => {
    await program();
    await refer(6);
    // Five messages per workspace per run: drain until the outbox is empty.
    while ((await drainMailTo(sink, t)).claimed > 0);
    expect(
      milestoneMail()
        .map((mail) => mail.parsed.subject)
        .sort(),
    ).toEqual(["You reached a milestone: 2 friends referred", "You reached a milestone: 3 friends referred"]);
  });

  it("speaks Hindi when the program's mail is in Hindi", async () => {
    await program({ mailLocale: "hi" });
    await refer(2);
    await drainMailTo(sink, t);
    const [mail] = sink.received.filter((m) => m.parsed.subject?.includes("पड़ाव"));
    expect(mail?.parsed.subject).toBe("आपने एक पड़ाव पार किया: 2 मित्र जोड़े");
    expect(mail?.parsed.text).toContain("अगला पड़ाव: 3 मित्र, 2500.00 INR के बोनस के लिए।");
    expect(String(mail?.parsed.html)).toContain('<html lang="hi">');
  });
});
