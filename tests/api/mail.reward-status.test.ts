/**
 * "Your reward is approved / issued", to the advocate, as it arrives at a real SMTP server in
 * this process: written with the admin's decision or the end of the hold, once per reward and
 * status, in the rewards category.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { drainMailTo, type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const day = 86_400_000;
let t: TestApp;
let ws: CreatedWorkspace;
let sink: SmtpSink;
let priya: Awaited<ReturnType<typeof referrerFactory>>;

beforeEach(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
  ws = await workspaceFactory(t.db, {
    settings: { storeEmails: true, brand: { name: "Acme Academy", logoUrl: null, color: "#1d4ed8" } },
  });
  priya = await referrerFactory(
    t.db,
    ws.id,
    { sub: "priya", name: "Priya Sharma", email: "priya@learners.example" },
    { now: t.clock.now() },
  );
});
afterEach(async () => {
  await sink.close();
  t.cleanup();
});

const auth = () => ({ Authorization: `Bearer ${ws.secretKey}` });
const drain = () => drainMailTo(sink, t);
async function earn() {
  const answer = await poster(t, ws.secretKey)(enrollment({ code: priya.code }));
  const reward = answer.json.rewards.find((r) => r.side === "referrer");
  return reward!.id;
}

describe("the reward status messages", () => {
  it("tells the advocate when an admin approves and then issues their reward, once each", async () => {
    const id = await earn();
    for (const action of ["approve", "issue"]) {
      expect((await t.call("POST", `/v1/admin/rewards/${id}/${action}`, { headers: auth() })).status).toBe(200);
    }
    // Asking again changes nothing and writes nothing.
    expect((await t.call("POST", `/v1/admin/rewards/${id}/issue`, { headers: auth() })).status).toBe(409);
    await drain();
    const subjects = sink.received.map((mail) => mail.parsed.subject);
    expect(subjects).toHaveLength(3);
    expect(subjects).toContain("Your reward is approved: 500.00 INR credit");
    expect(subjects).toContain("Your reward is on its way: 500.00 INR credit");
    const issued = sink.received.find((mail) => mail.parsed.subject?.startsWith("Your reward is on its way"))!.parsed;
    expect(issued.to).toMatchObject({ value: [{ address: "priya@learners.example" }] });
    expect(issued.text).toContain("Acme Academy has issued your reward of 500.00 INR credit.");
    expect(issued.text).toContain(`https://chorus.test/r/${priya.code}?ch=email`);
    expect(String(issued.html)).toMatch(/<h1[^>]*>Your reward is on its way: 500\.00 INR credit<\/h1>/);
    expect(issued.headerLines.find((h) => h.key === "list-unsubscribe")?.line).toMatch(/\.rewards\./);
  });

  it("tells the advocate when the hold ends and the reward is approved on its own", async () => {
    await earn();
    t.clock.advance(60 * day);
    expect((await t.call("GET", "/v1/admin/rewards", { headers: auth() })).status).toBe(200);
    await drain();
    expect(sink.received.map((mail) => mail.parsed.subject)).toContain("Your reward is approved: 500.00 INR credit");
  });

  it("tells the advocate why a flagged reward is on hold, in plain words and without the log's details", async () => {
    await poster(
      t,
      ws.secretKey,
    )(enrollment({ code: priya.code, customer: { id: "meera", email: "meera@mailinator.com" } }));
    await drain();
    const { parsed } = sink.received[0]!;
    expect(parsed.text).toContain(
      "It is on hold until a person at the program checks it: your friend signed up with a throwaway email address.",
    );
    expect(parsed.text).not.toContain("mailinator");
  });
});
