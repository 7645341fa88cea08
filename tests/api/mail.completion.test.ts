/**
 * The completion message, to the learner, as it arrives at a real SMTP server in this process:
 * headers, both parts, their referral link and share buttons, "tell your story" and "add to
 * LinkedIn" when known; one message however many completions of one learner and course arrive
 * at once; nothing without an address.
 */
import { eq } from "drizzle-orm";
import type { ParsedMail } from "mailparser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mailMessages, referralCodes, stories } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { conversionId, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { drainMailTo, type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let sink: SmtpSink;

const brand = { name: "Acme Academy", logoUrl: "https://acme.example/logo.png", color: "#1d4ed8" };

beforeEach(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
});
afterEach(async () => {
  await sink.close();
  t.cleanup();
});

async function program(settings: Record<string, unknown> = {}) {
  ws = await workspaceFactory(t.db, {
    settings: { storeEmails: true, brand, defaultTargetUrl: "https://acme.example/stories", ...settings },
  });
}
const post = (body: unknown) => poster(t, ws.secretKey)(body);
const completion = (customer: Record<string, string>, course = "data-analytics") => ({
  id: conversionId("done"),
  type: "completion",
  customer,
  course,
});
const drain = () => drainMailTo(sink, t);
const rows = () => t.db.select().from(mailMessages).where(eq(mailMessages.workspaceId, ws.id));
const hrefs = (parsed: ParsedMail) =>
  [...String(parsed.html).matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));

describe("the completion message", () => {
  it("arrives with the learner's link, share buttons, the story link and a per-category unsubscribe", async () => {
    await program();
    const answer = await post(completion({ id: "asha", email: "asha@learners.example", name: "Asha Verma" }));
    expect(answer.status).toBe(201);
    expect(await drain()).toMatchObject({ claimed: 1, sent: 1 });

    expect(sink.received).toHaveLength(1);
    const { parsed } = sink.received[0]!;
    const [code] = await t.db.select().from(referralCodes).where(eq(referralCodes.workspaceId, ws.id));
    expect(code).toMatchObject({ course: "", kind: "generated" });
    const link = `https://chorus.test/r/${code!.code}`;
    expect(parsed.to).toMatchObject({ value: [{ name: "Asha Verma", address: "asha@learners.example" }] });
    expect(parsed.subject).toBe("Congratulations on completing your course with Acme Academy");
    expect(parsed.messageId).toBe((await rows())[0]?.messageId);
    const unsubscribe = parsed.headerLines.find((h) => h.key === "list-unsubscribe")?.line ?? "";
    expect(unsubscribe).toMatch(/\/v1\/mail\/unsubscribe\?t=ws_[^.]+\.completion\./);
    expect(parsed.text).toContain("Hello Asha,");
    expect(parsed.text).toContain(`Your link: ${link}?ch=email`);
    expect(parsed.text).toContain("Tell your story: https://acme.example/stories?ch=email");
    expect(parsed.text).not.toContain("LinkedIn: https://www.linkedin.com/profile/add");

    const html = String(parsed.html);
    expect(html).toMatch(/<h1[^>]*>Congratulations, you did it<\/h1>/);
    expect(html).toMatch(/<h2[^>]*>Bring a friend along<\/h2>/);
    expect(html).toMatch(/<h2[^>]*>Tell your story<\/h2>/);
    expect(html).toContain('alt="Acme Academy logo"');
    expect(html.match(/<img /g)).toHaveLength(1);
    // White text on the dark blue accent.
    expect(html).toContain("color:#ffffff");
    const links = hrefs(parsed);
    expect(links).toContain(`${link}?ch=email`);
    expect(links).toContain("https://acme.example/stories?ch=email");
    const whatsapp = links.find((href) => href.startsWith("https://wa.me/"));
    expect(decodeURIComponent(whatsapp!)).toContain(`${link}?ch=whatsapp`);
    expect(links.find((href) => href.startsWith("https://www.linkedin.com/sharing/"))).toContain(
      encodeURIComponent(`${link}?ch=linkedin`),
    );
    expect(links.some((href) => href.startsWith("mailto:"))).toBe(true);

    // The learner's link works when followed against the app.
    const followed = await t.app.request(`/r/${code!.code}?ch=email`);
    expect([301, 302, 303, 307]).toContain(followed.status);
  });

  it("uses the learner's code for that course when they have one, and offers the credential for LinkedIn", async () => {
    await program({ defaultTargetUrl: null });
    const asha = await referrerFactory(
      t.db,
      ws.id,
      { sub: "asha", name: "Asha", email: "asha@learners.example" },
      { course: "data-analytics" },
    );
    await t.db.insert(stories).values({
      id: "sty_asha",
      workspaceId: ws.id,
      learnerId: asha.learner.id,
      course: "data-analytics",
      name: "Asha",
      headline: "I switched careers",
      body: "Six months later I work as an analyst.",
      rating: 5,
      outcomeType: "career_switch",
      consentPublish: true,
      consentName: true,
      consentPhoto: false,
      consentSalary: false,
      status: "approved",
      verificationLevel: "credential_verified",
      verification: {
        level: "credential_verified",
        checkedAt: "2026-01-01T00:00:00.000Z",
        checks: [],
        issuer: { id: "https://acme.example", name: "Acme Academy" },
        credential: { format: "vc-jwt", name: "Data Analytics", issuedAt: "2026-01-01T00:00:00Z" },
      },
      editTokenHash: "x",
      createdAt: 1,
    });
    await post(completion({ id: "asha" }));
    await drain();
    const { parsed } = sink.received[0]!;
    expect(parsed.text).toContain(`https://chorus.test/r/${asha.code}?ch=email`);
    expect(parsed.text).not.toContain("Tell your story");
    const linkedIn = hrefs(parsed).find((href) => href.startsWith("https://www.linkedin.com/profile/add"));
    expect(new URL(linkedIn!).searchParams.get("name")).toBe("Data Analytics");
    expect(String(parsed.html)).toMatch(/<h2[^>]*>Your credential<\/h2>/);
  });

  it("is in Hindi where the program says so", async () => {
    await program({ mailLocale: "hi" });
    await post(completion({ id: "asha", email: "asha@learners.example", name: "आशा वर्मा" }));
    await drain();
    const { parsed } = sink.received[0]!;
    expect(parsed.subject).toBe("Acme Academy के साथ कोर्स पूरा करने पर बधाई");
    expect(String(parsed.html)).toContain('<html lang="hi">');
    expect(parsed.text).toContain("नमस्ते आशा,");
  });

  it("20 simultaneous completions of one learner and course send exactly one message", async () => {
    await program();
    const customer = { id: "asha", email: "asha@learners.example", name: "Asha" };
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(completion(customer))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(201));
    expect(await drain()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await drain()).toMatchObject({ claimed: 0 });
    expect(sink.received).toHaveLength(1);
    // Another course is another moment to congratulate.
    await post(completion(customer, "python"));
    await drain();
    expect(sink.received).toHaveLength(2);
  });

  it("is not written without an address the provider lets Chorus keep", async () => {
    await program({ storeEmails: false });
    await post(completion({ id: "asha", email: "asha@learners.example" }));
    await program();
    await post(completion({ id: "ravi" }));
    await post({ ...completion({ id: "meena", email: "meena@learners.example" }), type: "enrollment" });
    expect(await t.db.select().from(mailMessages)).toEqual([]);
  });
});
