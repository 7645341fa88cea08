/**
 * The worker's lazily loaded chunks, in real workerd: worker.build.ts splits what few requests need
 * out of the entry (the cold start), and each such request must still find and run its chunk
 * (`wrangler dev` uploads them as `wrangler deploy` does: find_additional_modules). One request per
 * chunk: credential verification (jsonld, the JSON-LD contexts, rdf-canonize), the story import
 * (csv-parse), learner erasure, payouts, Stripe events, the analytics figures and export, and the
 * team, sign-in, connector and outcome services. Passkeys and passwords are covered by the shared
 * API suite on workerd, photos by worker-media, email templates by worker-mail and the cron run by
 * worker-scheduled.
 */
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../db/index.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { buildAssets } from "../support/assets.ts";
import { badge, didKeyIssuer } from "../support/credentials.ts";
import { testOrigin, workspaceFactory } from "../support/factories.ts";
import { runCli } from "../support/processes.ts";
import { type RunningSqld, startSqld } from "../support/sqld.ts";
import { storyBody } from "../support/stories.ts";
import { type RunningWorker, startWranglerDev } from "../support/wrangler-dev.ts";

let sqld: RunningSqld;
let worker: RunningWorker;
let client: ReturnType<typeof createClient>;
let issuer: Awaited<ReturnType<typeof didKeyIssuer>>;
let ws: CreatedWorkspace;
let admin: Record<string, string>;

beforeAll(async () => {
  buildAssets({ onlyIfMissing: true });
  sqld = await startSqld();
  expect(runCli(["db", "migrate"], { DATABASE_URL: sqld.url }).status).toBe(0);
  client = createClient({ url: sqld.url });
  issuer = await didKeyIssuer("Acme Academy");
  ws = await workspaceFactory(createDb(client), {
    settings: { credentialIssuers: [{ id: issuer.id, name: "Acme Academy" }] },
  });
  admin = { Authorization: `Bearer ${ws.secretKey}` };
  worker = await startWranglerDev({
    DATABASE_URL: sqld.url,
    CHORUS_SECRET: "worker-lazy-modules-secret-0123456789abcdef",
  });
}, 120_000);
afterAll(async () => {
  client?.close();
  await worker?.stop();
  await sqld?.stop();
});

const call = (method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) =>
  fetch(`${worker.baseUrl}${path}`, { method, ...init });

describe("chunks loaded on first use, on workerd", () => {
  it("verifies a signed Open Badges 3.0 credential (the verification chunk)", async () => {
    const credential = await issuer.sign(badge({ issuer }));
    const posted = await call("POST", "/v1/stories", {
      headers: { "Chorus-Key": ws.publishableKey, Origin: testOrigin, "Content-Type": "application/json" },
      body: JSON.stringify(storyBody({ photoUrl: undefined, credential: { json: credential } })),
    });
    expect(posted.status, await posted.clone().text()).toBe(201);
    const story = (await posted.json()) as { verification: { checks: { check: string; result: string }[] } };
    expect(story.verification.checks).toContainEqual(expect.objectContaining({ check: "proof", result: "pass" }));
    expect(story.verification.checks).toContainEqual(expect.objectContaining({ check: "issuer", result: "pass" }));
  });

  it("previews a CSV import of stories (csv-parse and the importer)", async () => {
    const csv =
      "name,headline,body,rating,date,course,outcome,consent_publish,consent_name,consent_photo,photo_url\r\n" +
      'Senja,Worth it,"SQL every day now, and ""dashboards""",5,2024-03-02,data-analytics,new_job,yes,yes,no,\r\n';
    const preview = await call("POST", "/v1/admin/stories/imports/preview?label=old.csv", {
      headers: { ...admin, "Content-Type": "text/csv" },
      body: csv,
    });
    expect(preview.status, await preview.clone().text()).toBe(200);
    // Parsed (quotes and all): the row is refused only because the workspace has no such course.
    const body = (await preview.json()) as { errors: { row: number; message: string }[] };
    expect(body.errors).toEqual([expect.objectContaining({ row: 2 })]);
  });

  it("answers the analytics figures and the CSV export, each from its chunk", async () => {
    const funnel = await call("GET", "/v1/analytics/funnel?from=2026-01-01&to=2026-01-31", { headers: admin });
    expect(funnel.status, await funnel.clone().text()).toBe(200);
    expect(await funnel.json()).toMatchObject({ clicks: 0, enrollments: 0, revenue: [] });
    const csv = await call("GET", "/v1/analytics/export.csv?dataset=clicks&from=2026-01-01&to=2026-01-31", {
      headers: admin,
    });
    expect(csv.status, await csv.clone().text()).toBe(200);
    expect(await csv.text()).toMatch(/^clickId,createdAt,code,/);
    // The range is checked before the figures load: a bad one is refused with the envelope.
    const backwards = await call("GET", "/v1/analytics/funnel?from=2026-02-01&to=2026-01-01", { headers: admin });
    expect(backwards.status).toBe(400);
  });

  it("lists the team, the connectors and the outcome statistics, and refuses a wrong password, each from its chunk", async () => {
    const members = await call("GET", "/v1/admin/members", { headers: admin });
    expect(members.status, await members.clone().text()).toBe(200);
    expect(await members.json()).toMatchObject({ items: expect.any(Array) });
    const connectors = await call("GET", "/v1/admin/integrations", { headers: admin });
    expect(connectors.status, await connectors.clone().text()).toBe(200);
    const outcomes = await call("GET", "/v1/outcomes", {
      headers: { "Chorus-Key": ws.publishableKey, Origin: testOrigin },
    });
    expect(outcomes.status, await outcomes.clone().text()).toBe(200);
    expect(await outcomes.json()).toMatchObject({ period: null });
    // The password service (loaded for it) finds no such member: refused with the envelope.
    const signIn = await call("POST", "/v1/dashboard/password/sign-in", {
      headers: { "Content-Type": "application/json", "X-Chorus-Dashboard": "1", Origin: worker.baseUrl },
      body: JSON.stringify({ email: "nobody@acme.example", password: "not-the-password-123" }),
    });
    expect(signIn.status, await signIn.clone().text()).toBe(401);
  });

  it("looks a learner up for erasure, lists payouts and refuses an unsigned Stripe event, each with its own chunk", async () => {
    // The erasure service (loaded for it) answers: no such learner in this workspace.
    const erased = await call("DELETE", "/v1/learners/nobody-1", { headers: admin });
    expect(erased.status, await erased.clone().text()).toBe(404);
    expect(((await erased.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const payouts = await call("GET", "/v1/admin/payouts", { headers: admin });
    expect(payouts.status, await payouts.clone().text()).toBe(200);
    const stripe = await call("POST", `/v1/integrations/stripe?workspace=${ws.id}`, {
      headers: { "Stripe-Signature": "t=1,v1=00", "Content-Type": "application/json" },
      body: JSON.stringify({ id: "evt_1", type: "checkout.session.completed" }),
    });
    // Refused by the Stripe event service (loaded for it), with the error envelope: never a 500.
    expect(stripe.status).toBeGreaterThanOrEqual(400);
    expect(stripe.status).toBeLessThan(500);
    expect(((await stripe.json()) as { error: { code: string } }).error.code).toEqual(expect.any(String));
  });
});
