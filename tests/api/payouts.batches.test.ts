/**
 * Cash payouts (issue 18): payout methods validated and stored sealed (a database dump holds no
 * detail in clear), shown masked; batches written byte for byte as PayPal Payouts, Wise and a
 * generic CSV (INR with paise, JPY without decimals); the minimum per currency; a batch id given
 * twice pays once and answers the same bytes; rewards issued with the batch id, `reward.issued`
 * and its mail; another workspace's batch is not found; erasure removes the payout method.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgramSettingsInput } from "../../db/program-settings.ts";
import { mailMessages, payoutMethods, rewards, webhookEvents } from "../../db/schema.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { getPage, learnerSessionFor, postForm } from "../support/advocate-page.ts";
import { referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { dumpDatabase, tablesContaining } from "../support/database-dump.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.cleanup());

type Program = { ws: CreatedWorkspace; admin: Record<string, string> };

async function program(settings: ProgramSettingsInput = {}): Promise<Program> {
  const ws = await workspaceFactory(t.db, {
    settings: {
      holdDays: 0,
      storeEmails: true,
      referrerReward: { type: "cash", amount: 50_000, currency: "INR" },
      ...settings,
    },
  });
  return { ws, admin: { Authorization: `Bearer ${ws.secretKey}` } };
}

/** A referrer with `friends` enrolled friends (each an approved cash reward) and, if given, a payout method. */
async function referrer(
  { ws }: Program,
  sub: string,
  name: string,
  friends: number,
  method?: { kind: string; details: string },
) {
  const made = await referrerFactory(t.db, ws.id, { sub, name, email: `${sub}@mail.example` }, { now: t.clock.now() });
  const post = poster(t, ws.secretKey);
  for (let i = 0; i < friends; i++)
    expect((await post(enrollment({ customer: { id: `${sub}-friend-${i}` }, code: made.code }))).status).toBe(201);
  if (method) expect((await putMethod(ws, sub, method, name)).status).toBe(200);
  return made;
}

async function learnerHeaders(ws: CreatedWorkspace, sub: string, name = "Priya Sharma") {
  return {
    "Chorus-Key": ws.publishableKey,
    Origin: testOrigin,
    Authorization: `Bearer ${await learnerToken(ws, { sub, name })}`,
  };
}

async function putMethod(ws: CreatedWorkspace, sub: string, body: unknown, name?: string) {
  return t.call("PUT", "/v1/referrals/me/payout-method", { headers: await learnerHeaders(ws, sub, name), body });
}

async function pay(p: Program, body: Record<string, unknown>) {
  return t.call("POST", "/v1/admin/payouts/batches", { headers: p.admin, body });
}

async function file(p: Program, batchId: string) {
  const response = await t.call("GET", `/v1/admin/payouts/batches/${batchId}/file`, { headers: p.admin });
  expect(response.status).toBe(200);
  return { text: await response.text(), type: response.headers.get("Content-Type") };
}

describe("payout methods", () => {
  it("accept PayPal emails, UPI IDs and bank references, masked; refuse malformed ones with 400 naming details", async () => {
    const p = await program();
    const accepted: [string, string, string][] = [
      ["paypal", " Priya.Sharma@Example.com ", "p••••@example.com"],
      ["upi", "priya.sharma@okaxis", "pr••••@okaxis"],
      ["upi", "9876543210@ybl", "98••••@ybl"],
      ["bank", "123456789012 HDFC0001234", "••••1234"],
      ["bank", "GB33BUKB20201555555555", "••••5555"],
    ];
    for (const [kind, details, masked] of accepted) {
      const response = await putMethod(p.ws, "priya", { kind, details });
      expect(response.status, details).toBe(200);
      expect(await response.json()).toMatchObject({ kind, masked });
    }
    const refused: [string, string][] = [
      ["paypal", "priya"],
      ["paypal", "priya@example"],
      ["paypal", "Priya <priya@example.com>"],
      ["paypal", "priya@example.com\r\nBcc: x@y.example"],
      ["upi", "priya@ok.axis"],
      ["upi", "priya"],
      ["upi", "@okaxis"],
      ["upi", "priya@@okaxis"],
      ["upi", "priya sharma@okaxis"],
      ["upi", "priya@1bank"],
      ["bank", "abcdefgh"],
      ["bank", "12"],
      ["bank", "=HYPERLINK(1234)"],
      ["paypal", ""],
    ];
    for (const [kind, details] of refused) {
      const error = await expectError(await putMethod(p.ws, "priya", { kind, details }), 400, "invalid_request");
      expect(error.details, `${kind} ${details}`).toEqual([expect.objectContaining({ path: "details" })]);
    }
    await expectError(await putMethod(p.ws, "priya", { kind: "venmo", details: "x" }), 400, "invalid_request");
    // The last accepted method stands.
    const earnings = await t.call("GET", "/v1/referrals/me/earnings", { headers: await learnerHeaders(p.ws, "priya") });
    expect((await earnings.json()).payoutMethod).toMatchObject({ kind: "bank", masked: "••••5555" });
  });

  it("are sealed at rest: neither the methods nor a paid batch's file appear in a database dump", async () => {
    const p = await program();
    await referrer(p, "meera", "Meera Iyer", 1, { kind: "paypal", details: "meera.iyer@paypal-mail.example" });
    await referrer(p, "ravi", "Ravi Kumar", 1, { kind: "upi", details: "ravi.kumar99@okhdfcbank" });
    await referrer(p, "sana", "Sana Khan", 1, { kind: "bank", details: "998877665544 ICIC0004321" });
    expect((await pay(p, { method: "paypal", currency: "INR", format: "paypal" })).status).toBe(201);
    expect((await pay(p, { method: "upi", currency: "INR", format: "generic" })).status).toBe(201);
    const dump = await dumpDatabase(t.client);
    for (const secret of ["meera.iyer@paypal-mail", "ravi.kumar99", "998877665544", "ICIC0004321"])
      expect(tablesContaining(dump, secret), secret).toEqual([]);
    const [row] = await t.db.select().from(payoutMethods).where(eq(payoutMethods.workspaceId, p.ws.id)).limit(1);
    expect(row?.detailsCiphertext).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  });
});

describe("payout batches", () => {
  it("list what is due by method and currency, with the minimum, and pay INR byte for byte in each format", async () => {
    const p = await program({ payouts: { minimum: { INR: 60_000 } } });
    await referrer(p, "priya", "Priya Sharma", 2, { kind: "paypal", details: "priya@example.com" });
    await referrer(p, "arjun", "Arjun Mehta, Jr.", 3, { kind: "paypal", details: "arjun@example.com" });
    await referrer(p, "kiran", "Kiran", 1, { kind: "paypal", details: "kiran@example.com" }); // below the minimum
    await referrer(p, "nomethod", "No Method", 1);
    const due = await (await t.call("GET", "/v1/admin/payouts", { headers: p.admin })).json();
    expect(due.groups).toEqual([
      {
        method: "paypal",
        currency: "INR",
        minimum: 60_000,
        total: 250_000,
        formats: ["paypal", "wise", "generic"],
        payees: expect.arrayContaining([
          {
            learnerId: "priya",
            name: "Priya Sharma",
            masked: "p••••@example.com",
            amount: 100_000,
            rewards: 2,
            belowMinimum: false,
          },
          {
            learnerId: "kiran",
            name: "Kiran",
            masked: "k••••@example.com",
            amount: 50_000,
            rewards: 1,
            belowMinimum: true,
          },
        ]),
      },
      {
        method: null,
        currency: "INR",
        minimum: 60_000,
        total: 0,
        formats: [],
        payees: [
          { learnerId: "nomethod", name: "No Method", masked: null, amount: 50_000, rewards: 1, belowMinimum: true },
        ],
      },
    ]);
    const made = await pay(p, { method: "paypal", currency: "INR", format: "paypal", batchId: "pob_InrPaypal0001" });
    expect(made.status).toBe(201);
    expect(await made.json()).toMatchObject({ id: "pob_InrPaypal0001", total: 250_000, payees: 2, format: "paypal" });
    const paypal = await file(p, "pob_InrPaypal0001");
    expect(paypal.type).toBe("text/csv; charset=utf-8");
    expect(paypal.text).toBe(
      "EMAIL,arjun@example.com,1500.00,INR,pob_InrPaypal0001-1,Referral reward from Test Academy. Thank you!\r\n" +
        "EMAIL,priya@example.com,1000.00,INR,pob_InrPaypal0001-2,Referral reward from Test Academy. Thank you!\r\n",
    );
    // Kiran (below the minimum) and the referrer without a method still wait; the rest are issued with the batch id.
    const rows = await t.db.select().from(rewards).where(eq(rewards.workspaceId, p.ws.id));
    const byStatus = (status: string) => rows.filter((row) => row.side === "referrer" && row.status === status);
    expect(byStatus("issued")).toHaveLength(5);
    expect(byStatus("issued").every((row) => row.payoutBatchId === "pob_InrPaypal0001")).toBe(true);
    expect(byStatus("approved")).toHaveLength(2);
    const events = await t.db
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.workspaceId, p.ws.id), eq(webhookEvents.type, "reward.issued")));
    expect(events).toHaveLength(5);
    expect(events[0]?.payload).toMatchObject({ data: { status: "issued", payoutBatchId: "pob_InrPaypal0001" } });
    const mail = await t.db
      .select()
      .from(mailMessages)
      .where(and(eq(mailMessages.workspaceId, p.ws.id), eq(mailMessages.template, "reward-status")));
    expect(mail.filter((m) => m.key.startsWith("reward-issued:"))).toHaveLength(5);
    expect(mail.find((m) => m.key.startsWith("reward-issued:"))?.data).toMatchObject({
      delivery: { kind: "cash", batchId: "pob_InrPaypal0001" },
    });
    // Nothing more is due in INR by PayPal at this minimum.
    await expectError(await pay(p, { method: "paypal", currency: "INR", format: "paypal" }), 409, "conflict");
  });

  it("write the Wise and generic files, quoting names with commas and defusing formulas", async () => {
    const p = await program();
    await referrer(p, "arjun", "Arjun Mehta, Jr.", 1, { kind: "paypal", details: "arjun@example.com" });
    await referrer(p, "zed", "=cmd|' /C calc'!A0", 1, { kind: "paypal", details: "zed@example.com" });
    await referrer(p, "ravi", "Ravi Kumar", 2, { kind: "upi", details: "ravi@okaxis" });
    expect(
      (await pay(p, { method: "paypal", currency: "INR", format: "wise", batchId: "pob_InrWise00001" })).status,
    ).toBe(201);
    expect((await file(p, "pob_InrWise00001")).text).toBe(
      "name,recipientEmail,paymentReference,receiverType,amountCurrency,amount,sourceCurrency,targetCurrency\r\n" +
        '"Arjun Mehta, Jr.",arjun@example.com,pob_InrWise00001-1,PRIVATE,target,500.00,INR,INR\r\n' +
        "'=cmd|' /C calc'!A0,zed@example.com,pob_InrWise00001-2,PRIVATE,target,500.00,INR,INR\r\n",
    );
    await expectError(await pay(p, { method: "upi", currency: "INR", format: "paypal" }), 400, "invalid_request");
    expect(
      (await pay(p, { method: "upi", currency: "INR", format: "generic", batchId: "pob_InrUpi000001" })).status,
    ).toBe(201);
    const [ids] = [
      (await t.db.select().from(rewards).where(eq(rewards.payoutBatchId, "pob_InrUpi000001")))
        .map((row) => row.id)
        .sort(),
    ];
    const generic = (await file(p, "pob_InrUpi000001")).text;
    expect(generic).toBe(
      "batch_id,item_id,name,method,details,amount,currency,rewards\r\n" +
        `pob_InrUpi000001,pob_InrUpi000001-1,Ravi Kumar,upi,ravi@okaxis,1000.00,INR,${generic.split(",").at(-1)?.trim()}\r\n`,
    );
    expect(generic.trim().split(",").at(-1)?.split(" ").sort()).toEqual(ids);
  });

  it("pay yen without decimals", async () => {
    const p = await program({ referrerReward: { type: "cash", amount: 1500, currency: "JPY" } });
    await referrer(p, "haruto", "Haruto Sato", 3, { kind: "paypal", details: "haruto@example.jp" });
    await referrer(p, "aiko", "Aiko Tanaka", 1, { kind: "paypal", details: "aiko@example.jp" });
    expect(
      (await pay(p, { method: "paypal", currency: "JPY", format: "paypal", batchId: "pob_JpyPaypal0001" })).status,
    ).toBe(201);
    expect((await file(p, "pob_JpyPaypal0001")).text).toBe(
      "EMAIL,aiko@example.jp,1500,JPY,pob_JpyPaypal0001-1,Referral reward from Test Academy. Thank you!\r\n" +
        "EMAIL,haruto@example.jp,4500,JPY,pob_JpyPaypal0001-2,Referral reward from Test Academy. Thank you!\r\n",
    );
  });

  it("are idempotent by batch id: the same id pays once and answers the same bytes", async () => {
    const p = await program();
    await referrer(p, "priya", "Priya Sharma", 1, { kind: "paypal", details: "priya@example.com" });
    const body = { method: "paypal", currency: "INR", format: "paypal", batchId: "pob_Idempotent01" };
    const first = await pay(p, body);
    expect(first.status).toBe(201);
    const bytes = (await file(p, "pob_Idempotent01")).text;
    // More becomes due meanwhile; the same batch id still answers the batch as it was made.
    await referrer(p, "arjun", "Arjun Mehta", 1, { kind: "paypal", details: "arjun@example.com" });
    const again = await pay(p, body);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    expect((await file(p, "pob_Idempotent01")).text).toBe(bytes);
    const events = await t.db
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.workspaceId, p.ws.id), eq(webhookEvents.type, "reward.issued")));
    expect(events).toHaveLength(1);
    const list = await (await t.call("GET", "/v1/admin/payouts/batches", { headers: p.admin })).json();
    expect(list.items.map((batch: { id: string }) => batch.id)).toEqual(["pob_Idempotent01"]);
    // The audit trail names the payment once, with what was paid and none of the payee's details.
    const trail = await (await t.call("GET", "/v1/admin/audit?action=payout", { headers: p.admin })).json();
    expect(trail.items).toHaveLength(1);
    expect(trail.items[0]).toMatchObject({
      action: "payout.pay",
      targetId: "pob_Idempotent01",
      after: { method: "paypal", currency: "INR", format: "paypal", payees: 1 },
    });
    expect(JSON.stringify(trail.items)).not.toContain("priya@example.com");
    // Another workspace's key finds neither the batch nor its file, and cannot claim its id.
    const other = await program();
    await expectError(
      await t.call("GET", "/v1/admin/payouts/batches/pob_Idempotent01/file", { headers: other.admin }),
      404,
      "not_found",
    );
    await expectError(await pay(other, body), 409, "conflict");
  });

  it("refuse malformed requests with the error envelope", async () => {
    const p = await program();
    for (const body of [
      {},
      { method: "paypal", currency: "inr", format: "paypal" },
      { method: "paypal", currency: "INR", format: "swift" },
      { method: "paypal", currency: "INR", format: "paypal", batchId: "batch-1" },
      { method: "paypal", currency: "INR", format: "paypal", extra: 1 },
    ])
      await expectError(await pay(p, body), 400, "invalid_request");
  });
});

describe("the hosted page", () => {
  it("shows earnings and stores a payout method from its plain form, masked; refuses bad details and other sites", async () => {
    const p = await program({ slug: "payout-academy" });
    const priya = await referrer(p, "priya", "Priya Sharma", 1);
    const cookie = `chorus_advocate=${await learnerSessionFor(t.db, { workspaceId: p.ws.id, learnerId: priya.learner.id })}`;
    const saved = await postForm(
      t,
      "/p/payout-academy/payout-method",
      { kind: "upi", details: "Priya@OKAXIS" },
      { Cookie: cookie },
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe("https://chorus.test/p/payout-academy?payout=saved#payout-heading");
    const page = await (await getPage(t, "/p/payout-academy?payout=saved", { Cookie: cookie })).text();
    expect(page).toContain("Earnings and payouts");
    expect(page).toContain("Now: pr••••@okaxis");
    expect(page).toContain("Payout method saved.");
    expect(page).not.toContain("priya@okaxis");
    const bad = await postForm(
      t,
      "/p/payout-academy/payout-method",
      { kind: "upi", details: "priya" },
      { Cookie: cookie },
    );
    expect(bad.headers.get("Location")).toContain("payout=invalid");
    const hindi = await (await getPage(t, "/p/payout-academy?lang=hi&payout=invalid", { Cookie: cookie })).text();
    expect(hindi).toContain("कमाई और भुगतान");
    expect(hindi).toContain("ये विवरण सही नहीं लगते");
    const crossSite = await postForm(
      t,
      "/p/payout-academy/payout-method",
      { kind: "upi", details: "mallory@okaxis" },
      { Cookie: cookie, Origin: "https://evil.example" },
    );
    expect(crossSite.status).toBe(403);
    const [row] = await t.db.select().from(payoutMethods).where(eq(payoutMethods.workspaceId, p.ws.id));
    expect(row?.masked).toBe("pr••••@okaxis");
  });
});

describe("erasure", () => {
  it("removes the learner's payout method", async () => {
    const p = await program();
    await referrer(p, "priya", "Priya Sharma", 1, { kind: "upi", details: "priya@okaxis" });
    const erased = await t.call("DELETE", "/v1/learners/priya", { headers: p.admin });
    expect(erased.status).toBe(200);
    expect(await t.db.select().from(payoutMethods).where(eq(payoutMethods.workspaceId, p.ws.id))).toEqual([]);
    const due = await (await t.call("GET", "/v1/admin/payouts", { headers: p.admin })).json();
    expect(due.groups.map((group: { method: string | null }) => group.method)).toEqual([null]);
  });
});
