/**
 * "A friend signed up / enrolled / completed", to the advocate, as it arrives at a real SMTP
 * server in this process: the friend named only when they consented to their name being shown,
 * its own unsubscribe category, and no second message when the conversion earned a reward.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mailMessages, stories } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { conversionId, enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { drainMailTo, type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let sink: SmtpSink;
let priya: Awaited<ReturnType<typeof referrerFactory>>;

beforeEach(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
});
afterEach(async () => {
  await sink.close();
  t.cleanup();
});

async function program(mailLocale: "en" | "hi" = "en") {
  ws = await workspaceFactory(t.db, {
    settings: { storeEmails: true, mailLocale, brand: { name: "Acme Academy", logoUrl: null, color: "#1d4ed8" } },
  });
  priya = await referrerFactory(t.db, ws.id, { sub: "priya", name: "Priya Sharma", email: "priya@learners.example" });
}
const post = (body: unknown) => poster(t, ws.secretKey)(body);
const drain = () => drainMailTo(sink, t);

/** A story by the learner `sub`, with or without consent to show their name. */
async function storyBy(sub: string, name: string, consentName: boolean) {
  const friend = await referrerFactory(t.db, ws.id, { sub, name });
  await t.db.insert(stories).values({
    id: `sty_${sub}`,
    workspaceId: ws.id,
    learnerId: friend.learner.id,
    course: "data-analytics",
    name,
    headline: "Worth it",
    body: "I learned a lot.",
    rating: 5,
    outcomeType: "skills",
    consentPublish: true,
    consentName,
    consentPhoto: false,
    consentSalary: false,
    status: "approved",
    verificationLevel: "self_reported",
    editTokenHash: "x",
  });
}

describe("the friend message", () => {
  it("tells the advocate a friend signed up, without the friend's name, under the friends category", async () => {
    await program();
    expect(
      (await post({ id: conversionId(), type: "signup", customer: { id: "anon" }, code: priya.code })).status,
    ).toBe(201);
    expect(await drain()).toMatchObject({ claimed: 1, sent: 1 });
    const { parsed } = sink.received[0]!;
    expect(parsed.to).toMatchObject({ value: [{ address: "priya@learners.example" }] });
    expect(parsed.subject).toBe("A friend signed up with your link");
    expect(parsed.text).toContain("Hello Priya,");
    expect(parsed.text).toContain("A friend you referred signed up with Acme Academy.");
    expect(parsed.text).toContain(`https://chorus.test/r/${priya.code}?ch=email`);
    expect(String(parsed.html)).toMatch(/<h1[^>]*>A friend signed up with your link<\/h1>/);
    const unsubscribe = parsed.headerLines.find((h) => h.key === "list-unsubscribe")?.line ?? "";
    expect(unsubscribe).toMatch(/\.friends\./);
  });

  it("names the friend (first name only) only when that friend consented to their name being shown", async () => {
    await program();
    await storyBy("ravi", "Ravi Kumar", true);
    await storyBy("meena", "Meena Iyer", false);
    for (const id of ["ravi", "meena"]) {
      const answer = await post({ id: conversionId(), type: "completion", customer: { id }, code: priya.code });
      expect(answer.status).toBe(201);
    }
    await drain();
    const subjects = sink.received.map((mail) => mail.parsed.subject).sort();
    expect(subjects).toEqual(["A friend completed their course", "Ravi completed their course"]);
    expect(sink.received.map((mail) => mail.parsed.text).join("\n")).not.toContain("Meena");
  });

  it("is in Hindi where the program says so", async () => {
    await program("hi");
    await post({ id: conversionId(), type: "signup", customer: { id: "anon" }, code: priya.code });
    await drain();
    expect(sink.received[0]?.parsed.subject).toBe("एक मित्र आपके लिंक से जुड़े");
  });

  it("sends one message per friend and stage, and none beside the reward's own message", async () => {
    await program();
    const signup = { type: "signup", customer: { id: "anon" }, code: priya.code };
    await Promise.all(Array.from({ length: 5 }, () => post({ ...signup, id: conversionId() })));
    // The enrolment earns a reward: its message already says a friend joined.
    await post(enrollment({ code: priya.code }));
    const templates = (await t.db.select().from(mailMessages).where(eq(mailMessages.workspaceId, ws.id))).map(
      (row) => row.template,
    );
    expect(templates.sort()).toEqual(["friend", "reward-earned"]);
  });
});
