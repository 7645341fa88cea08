/**
 * The friend's email given before checkout (a page of the provider's), matched when a platform that
 * keeps no referral reports the purchase by email: attributed to that click, with the decision log
 * saying so; refused from another browser (an advocate cannot claim strangers' emails).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { type Referrer, referrerFactory } from "../support/click-factories.ts";
import { testOrigin, workspaceFactory } from "../support/factories.ts";
import { deliver, fixture, makeConnector } from "../support/integrations.ts";
import { createTestApp, expectError, type TestApp } from "../support/test-app.ts";

const friendBrowser =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const otherBrowser =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15";

let t: TestApp;
let ws: CreatedWorkspace;
let priya: Referrer;

beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db);
  priya = await referrerFactory(t.db, ws.id, { sub: "priya", name: "Priya" }, { now: t.clock.now() });
});
afterEach(() => t.cleanup());

/** The friend lands with `?via=CODE` from WhatsApp: the loader records the click. */
async function landingClick(): Promise<string> {
  const response = await t.call("POST", "/v1/clicks", {
    body: { code: priya.code, channel: "whatsapp" },
    headers: { "Chorus-Key": ws.publishableKey, Origin: testOrigin, "User-Agent": friendBrowser },
  });
  await t.flushClicks();
  const { clickId } = await response.json();
  if (!clickId) throw new Error(`no click id: ${response.status}`);
  return clickId;
}

const giveEmail = (clickId: string, email: string, userAgent = friendBrowser) =>
  t.call("POST", `/v1/clicks/${clickId}/email`, {
    body: { email },
    headers: { "Chorus-Key": ws.publishableKey, Origin: testOrigin, "User-Agent": userAgent },
  });

/** Kajabi's documented purchase, without a coupon, bought with `email`. */
function purchaseBy(email: string) {
  const purchase = fixture("kajabi", "purchase");
  ((purchase[2] as Record<string, Record<string, unknown>>).attributes as Record<string, unknown>).email = email;
  // Bought after landing (the sample's own date is older than the click).
  ((purchase[0] as Record<string, Record<string, unknown>>).attributes as Record<string, unknown>).created_at = t.clock
    .now()
    .toISOString();
  return purchase;
}

describe("the friend's email from the banner", () => {
  it("attributes a purchase that carries no referral to the click the email was given on", async () => {
    const clickId = await landingClick();
    expect((await giveEmail(clickId, "Asha.Rao@Example.com")).status).toBe(204);
    const kajabi = await makeConnector(t, ws.secretKey, { platform: "kajabi", courses: { "0": "data-analytics" } });
    expect(await (await deliver(t, kajabi, purchaseBy("asha.rao@example.com"))).json()).toMatchObject({
      outcome: "recorded",
    });
    const body = await (
      await t.call("GET", "/v1/conversions/kajabi:purchase:0", { headers: { Authorization: `Bearer ${ws.secretKey}` } })
    ).json();
    expect(body.attribution).toMatchObject({
      status: "attributed",
      clickId,
      channel: "whatsapp",
      referrer: { id: "priya" },
    });
    const steps = body.attribution.decision.map(
      (step: { rule: string; detail: string }) => `${step.rule}: ${step.detail}`,
    );
    expect(steps).toContain(`email: the customer's email was given before checkout, after click ${clickId}`);
    expect(steps).toContain(
      `decided-by: email: the friend gave the customer's email before checkout (click ${clickId})`,
    );
  });

  it("is refused from another browser than the click's, and an unmatched purchase stays unattributed", async () => {
    const clickId = await landingClick();
    await expectError(await giveEmail(clickId, "stranger@example.com", otherBrowser), 404, "not_found");
    await expectError(await giveEmail("clk_unknown", "stranger@example.com"), 404, "not_found");
    const kajabi = await makeConnector(t, ws.secretKey, { platform: "kajabi", courses: { "0": "data-analytics" } });
    await deliver(t, kajabi, purchaseBy("stranger@example.com"));
    const body = await (
      await t.call("GET", "/v1/conversions/kajabi:purchase:0", { headers: { Authorization: `Bearer ${ws.secretKey}` } })
    ).json();
    expect(body.attribution.status).toBe("unattributed");
  });
});
