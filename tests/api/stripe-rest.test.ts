/**
 * Chorus's small Stripe client (server/lib/stripe-rest.ts) against the official `stripe` package:
 * both send the same calls to one local server that records the raw requests, and the bodies,
 * paths and API version must match byte for byte. Then its own retry rules: a 5xx is tried again
 * with the same idempotency key, a 4xx and `Stripe-Should-Retry: false` are not, and a refusal
 * carries Stripe's status and error code.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StripeApiError, stripeApiVersion, stripeRestClient } from "../../server/lib/stripe-rest.ts";

type Recorded = { method: string; path: string; headers: Record<string, unknown>; body: string };
type Scripted = { status: number; body: unknown; headers?: Record<string, string> };

const recorded: Recorded[] = [];
const scripted: Scripted[] = [];
let server: ReturnType<typeof createServer>;
let api: { host: string; port: number; protocol: "http" };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      recorded.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      const answer = scripted.shift() ?? { status: 200, body: { id: `obj_${recorded.length}`, code: "CODE" } };
      res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api = { host: "127.0.0.1", port: (server.address() as AddressInfo).port, protocol: "http" };
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const key = "sk_test_0123456789abcdef";
const coupon = {
  id: "chorus-ws_1-a50000INR-data-analytics-30d",
  name: "Friend offer: 10% off (Priya's ₹500 * für dich!)",
  duration: "once",
  amount_off: 50_000,
  currency: "inr",
  max_redemptions: 1,
  applies_to: { products: ["prod_DataAnalytics", "prod_Sql"] },
  metadata: { chorus_workspace: "ws_1", chorus_offer: "a50000INR" },
};
const promotion = {
  promotion: { type: "coupon", coupon: coupon.id },
  code: "PRIYA-500-ABCDEFG",
  restrictions: { first_time_transaction: true },
  expires_at: 1_800_000_000,
  metadata: { chorus_workspace: "ws_1", chorus_coupon: "fc_1" },
};
const credit = {
  amount: -50_000,
  currency: "inr",
  description: "Referral reward",
  metadata: { chorus_workspace: "ws_1", chorus_reward: "rw_1" },
};

describe("the small Stripe client", () => {
  it("sends what the stripe package sends: the same paths, bodies and API version, byte for byte", async () => {
    const calls = async (client: ReturnType<typeof stripeRestClient>) => {
      await client.coupons.create(coupon, { idempotencyKey: "k-coupon" });
      await client.promotionCodes.create(promotion, { idempotencyKey: "k-promo" });
      await client.customers.createBalanceTransaction("cus_Abc123", credit, { idempotencyKey: "k-credit" });
    };
    recorded.length = 0;
    const official = new Stripe(key, { ...api, httpClient: Stripe.createFetchHttpClient(), maxNetworkRetries: 0 });
    await calls(official as unknown as ReturnType<typeof stripeRestClient>);
    const byPackage = recorded.splice(0);
    await calls(stripeRestClient(key, { ...api, maxNetworkRetries: 0, timeout: 5_000 }));
    const byChorus = recorded.splice(0);

    const essentials = (request: Recorded) => ({
      method: request.method,
      path: request.path,
      body: request.body,
      ...Object.fromEntries(
        ["authorization", "content-type", "idempotency-key", "stripe-version"].map((name) => [
          name,
          request.headers[name],
        ]),
      ),
    });
    expect(byChorus.map(essentials)).toEqual(byPackage.map(essentials));
    expect(byChorus[0]?.headers["stripe-version"]).toBe(stripeApiVersion);
    expect(byChorus.map((request) => request.path)).toEqual([
      "/v1/coupons",
      "/v1/promotion_codes",
      "/v1/customers/cus_Abc123/balance_transactions",
    ]);
    expect(byChorus[1]?.body).toContain("promotion[coupon]=chorus-ws_1-a50000INR-data-analytics-30d");
  });

  it("answers Stripe's object, and tries a 5xx again with the same idempotency key", async () => {
    recorded.length = 0;
    scripted.push({ status: 503, body: { error: { type: "api_error", message: "down" } } });
    const client = stripeRestClient(key, { ...api, maxNetworkRetries: 2, timeout: 5_000 });
    const answer = await client.promotionCodes.create(promotion, { idempotencyKey: "k-retry" });
    expect(answer).toEqual({ id: "obj_2", code: "CODE" });
    expect(recorded.map((request) => request.headers["idempotency-key"])).toEqual(["k-retry", "k-retry"]);
    expect(recorded[1]?.body).toBe(recorded[0]?.body);
  });

  it("throws Stripe's refusal with its status and code, without retrying a 4xx or a 5xx Stripe says not to", async () => {
    const client = stripeRestClient(key, { ...api, maxNetworkRetries: 2, timeout: 5_000 });
    recorded.length = 0;
    const exists = {
      type: "invalid_request_error",
      code: "resource_already_exists",
      message: "Coupon already exists.",
    };
    scripted.push({ status: 400, body: { error: exists }, headers: { "Request-Id": "req_9" } });
    const refused = await client.coupons.create(coupon, { idempotencyKey: "k-400" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StripeApiError);
    expect(refused).toMatchObject({ statusCode: 400, code: "resource_already_exists", requestId: "req_9" });
    scripted.push({ status: 500, body: { error: { type: "api_error" } }, headers: { "Stripe-Should-Retry": "false" } });
    const failed = await client.coupons.create(coupon, { idempotencyKey: "k-500" }).catch((error: unknown) => error);
    expect(failed).toMatchObject({ statusCode: 500, type: "api_error" });
    expect(recorded).toHaveLength(2);
  });

  it("fails without a status when nothing answers (the caller tries again later)", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const client = stripeRestClient(key, { ...api, port, maxNetworkRetries: 0, timeout: 5_000 });
    const error = await client.coupons.create(coupon, { idempotencyKey: "k-net" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as { statusCode?: number }).statusCode).toBeUndefined();
  });
});
