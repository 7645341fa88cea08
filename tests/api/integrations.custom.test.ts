/**
 * The generic mapped webhook: a LearnDash-style payload (WordPress webhook plugins send the whole
 * user record, password hash included) read through JSON Pointers, signed as such plugins sign
 * (HMAC-SHA1 or -SHA256, hex or base64, a `sha256=` prefix); only mapped fields are stored; the
 * mapping is tested against a sample without storing anything; secrets at rest are not in clear.
 */
import { createHmac } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { conversions } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { type Referrer, referrerFactory } from "../support/click-factories.ts";
import { dumpDatabase, tablesContaining } from "../support/database-dump.ts";
import { workspaceFactory } from "../support/factories.ts";
import { deliver, makeConnector } from "../support/integrations.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
let priya: Referrer;
let admin: Record<string, string>;

beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  admin = { Authorization: `Bearer ${ws.secretKey}` };
  priya = await referrerFactory(t.db, ws.id, { sub: "priya", name: "Priya" }, { now: t.clock.now() });
});
afterEach(() => t.cleanup());

/** What a LearnDash course-completed webhook from a WordPress plugin looks like. */
const learndash = (changes: Record<string, unknown> = {}) => ({
  action: "course_completed",
  hook_id: "ld-90210",
  user: {
    ID: 42,
    user_email: "meera@example.org",
    display_name: "Meera",
    user_pass: "$P$BSECRETPASSWORDHASHxyz",
    user_registered: "2026-10-01 09:00:00",
  },
  course: { id: 314, slug: "data-analytics", price: "49.99" },
  order: { total: "49.99", currency: "USD", coupon: null },
  ...changes,
});

const mapping = {
  id: { pointer: "/hook_id" },
  type: { pointer: "/action" },
  types: { course_enrolled: "enrollment", course_completed: "completion", user_registered: "ignore" },
  email: { pointer: "/user/user_email" },
  name: { pointer: "/user/display_name" },
  course: { pointer: "/course/slug" },
  amount: { pointer: "/order/total" },
  amountFormat: "major",
  currency: { pointer: "/order/currency" },
  code: { pointer: "/order/coupon" },
};

const signature = { header: "X-WP-Signature", algorithm: "sha1", encoding: "base64", prefix: "sha1=" };
const signingSecret = "wp-webhook-secret-123";
const wpSign = (body: string, key = signingSecret) => ({
  "X-WP-Signature": `sha1=${createHmac("sha1", key).update(body).digest("base64")}`,
});

async function conversionCount() {
  const [row] = await t.db.select({ n: count() }).from(conversions).where(eq(conversions.workspaceId, ws.id));
  return row?.n ?? 0;
}

describe("a custom endpoint", () => {
  it("records through the mapping, verifies the configured signature, and stores none of the unmapped fields", async () => {
    const endpoint = await makeConnector(t, ws.secretKey, {
      platform: "custom",
      name: "LearnDash",
      mapping,
      signature,
      signingSecret,
    });
    const enrolled = learndash({
      action: "course_enrolled",
      hook_id: "ld-1",
      order: { total: "49.99", currency: "USD", coupon: priya.code },
    });
    const answer = await deliver(t, endpoint, enrolled, { sign: wpSign });
    expect(await answer.json()).toMatchObject({ outcome: "recorded" });
    const stored = await (
      await t.call("GET", `/v1/conversions/${endpoint.id}:enrollment:ld-1`, { headers: admin })
    ).json();
    expect(stored.conversion).toMatchObject({
      type: "enrollment",
      course: "data-analytics",
      amount: 4999,
      currency: "USD",
    });
    expect(stored.attribution).toMatchObject({ status: "attributed", code: priya.code });

    await expectError(
      await deliver(t, endpoint, learndash(), { sign: (body) => wpSign(body, "wrong") }),
      401,
      "unauthorized",
    );
    await expectError(await deliver(t, endpoint, learndash()), 401, "unauthorized");

    const dump = await dumpDatabase(t.client);
    expect(tablesContaining(dump, "data-analytics")).toContain("conversions");
    for (const unmapped of [
      "$P$BSECRETPASSWORDHASHxyz",
      "2026-10-01 09:00:00",
      "meera@example.org",
      signingSecret,
      endpoint.token,
    ])
      expect(tablesContaining(dump, unmapped), unmapped).toEqual([]);
  });

  it("maps event names to types, ignores what is mapped to ignore or not mapped, and refuses an unknown currency", async () => {
    const endpoint = await makeConnector(t, ws.secretKey, { platform: "custom", mapping });
    expect(await (await deliver(t, endpoint, learndash({ action: "user_registered" }))).json()).toMatchObject({
      outcome: "ignored",
      detail: "event type user_registered is mapped to ignore",
    });
    expect(await (await deliver(t, endpoint, learndash({ action: "quiz_passed" }))).json()).toMatchObject({
      outcome: "ignored",
      detail: "event type quiz_passed is not mapped",
    });
    const strange = learndash({ action: "course_enrolled", order: { total: "10", currency: "XYZ" } });
    expect((await expectError(await deliver(t, endpoint, strange), 400, "invalid_request")).message).toContain(
      "unknown currency XYZ",
    );
    const tooPrecise = learndash({ action: "course_enrolled", order: { total: "10.999", currency: "USD" } });
    await expectError(await deliver(t, endpoint, tooPrecise), 400, "invalid_request");
    expect(await conversionCount()).toBe(0);
  });

  it("converts major units exactly for currencies with 0, 2 and 3 decimals", async () => {
    const endpoint = await makeConnector(t, ws.secretKey, { platform: "custom", mapping });
    for (const [i, total, currency, minor] of [
      [1, "1500", "JPY", 1500],
      [2, 19.99, "INR", 1999],
      [3, "1.234", "KWD", 1234],
      [4, "0.10", "USD", 10],
    ] as const) {
      const event = learndash({ action: "course_enrolled", hook_id: `m-${i}`, order: { total, currency } });
      expect((await deliver(t, endpoint, event)).status).toBe(200);
      const stored = await (
        await t.call("GET", `/v1/conversions/${endpoint.id}:enrollment:m-${i}`, { headers: admin })
      ).json();
      expect(stored.conversion).toMatchObject({ amount: minor, currency });
    }
  });

  it("serves Moodle's event webhooks: user ids instead of emails, and objects numbered per kind", async () => {
    const moodle = await makeConnector(t, ws.secretKey, {
      platform: "custom",
      name: "Moodle",
      courses: { "12": "data-analytics" },
      mapping: {
        id: { pointer: "/objectid" },
        type: { pointer: "/eventname" },
        types: {
          "\\core\\event\\user_enrolment_created": "enrollment",
          "\\core\\event\\course_completed": "completion",
        },
        userId: { pointer: "/relateduserid" },
        course: { pointer: "/courseid" },
        occurredAt: { pointer: "/timecreated" },
      },
    });
    const event = (eventname: string, timecreated: number) => ({
      eventname,
      component: "core",
      action: eventname.endsWith("completed") ? "completed" : "created",
      objectid: 7,
      relateduserid: 42,
      courseid: 12,
      timecreated,
      other: null,
    });
    const at = Math.floor(t.clock.now().getTime() / 1000);
    expect(await (await deliver(t, moodle, event("\\core\\event\\course_completed", at - 60))).json()).toMatchObject({
      outcome: "pending",
    });
    expect(
      await (await deliver(t, moodle, event("\\core\\event\\user_enrolment_created", at - 3600))).json(),
    ).toMatchObject({
      outcome: "recorded",
    });
    const completion = await (
      await t.call("GET", `/v1/conversions/${moodle.id}:completion:7`, { headers: admin })
    ).json();
    expect(completion.conversion).toMatchObject({
      type: "completion",
      customerId: "custom:user:42",
      course: "data-analytics",
    });
    expect(await conversionCount()).toBe(2);
  });

  it("tests a mapping against a pasted sample, storing nothing", async () => {
    const answer = await t.call("POST", "/v1/admin/integrations/test", {
      headers: admin,
      body: { platform: "custom", mapping, sample: learndash({ action: "course_enrolled" }) },
    });
    expect(answer.status).toBe(200);
    const body = await answer.json();
    expect(body).toMatchObject({
      outcome: "conversion",
      eventType: "course_enrolled",
      conversion: { type: "enrollment", course: "data-analytics", amount: 4999, currency: "USD" },
    });
    expect(await conversionCount()).toBe(0);
    const broken = await t.call("POST", "/v1/admin/integrations/test", {
      headers: admin,
      body: { platform: "custom", mapping: { ...mapping, email: { pointer: "user.email" } }, sample: {} },
    });
    await expectError(broken, 400, "invalid_request");
  });

  it("refuses a signature scheme without its secret, and a mapping on a platform connector", async () => {
    const noSecret = await t.call("POST", "/v1/admin/integrations", {
      headers: admin,
      body: { platform: "custom", mapping, signature },
    });
    await expectError(noSecret, 400, "invalid_request");
    const thinkificWithout = await t.call("POST", "/v1/admin/integrations", {
      headers: admin,
      body: { platform: "thinkific" },
    });
    await expectError(thinkificWithout, 400, "invalid_request");
    const mapped = await t.call("POST", "/v1/admin/integrations", {
      headers: admin,
      body: { platform: "kajabi", mapping },
    });
    await expectError(mapped, 400, "invalid_request");
  });
});
