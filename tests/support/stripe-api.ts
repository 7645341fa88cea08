/**
 * A local stand-in for Stripe's API (the real one cannot be reached from here): a real HTTP server
 * that the official `stripe` package is pointed at (host, port, protocol), answering with the
 * shapes of Stripe's own fixtures (`fixtures3.json`: coupons, promotion codes, customer balance
 * transactions) and recording every request, form fields
 * decoded, so tests check what Chorus sent field by field. A test can script failures (429, 400)
 * for the next requests to a path.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { StripeApiOptions } from "../../server/services/stripe-coupons.ts";

const fixtures = JSON.parse(readFileSync("/work/shared/fixtures/stripe/fixtures3.json", "utf8")).resources as Record<
  string,
  Record<string, unknown>
>;

export type StripeRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The form body as Stripe's encoding writes it: `promotion[coupon]` → value. */
  form: Record<string, string>;
};

type Scripted = { status: number; body: unknown };

export type FakeStripe = {
  api: StripeApiOptions;
  requests: StripeRequest[];
  /** The next request to `path` answers this instead (once per call, in order). */
  fail(path: string, status: number, error: { type: string; code?: string; message: string }): void;
  close(): Promise<void>;
};

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: StripeRequest[] = [];
  const scripted = new Map<string, Scripted[]>();
  let promotions = 0;
  let transactions = 0;
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      const form = Object.fromEntries(new URLSearchParams(raw));
      requests.push({ method: req.method ?? "", path, headers: req.headers, form });
      const next = scripted.get(path)?.shift();
      const answer = next ?? respond(path, form);
      res.writeHead(answer.status, { "Content-Type": "application/json", "Request-Id": `req_${requests.length}` });
      res.end(JSON.stringify(answer.body));
    });
  });
  const respond = (path: string, form: Record<string, string>): Scripted => {
    if (path === "/v1/coupons")
      return {
        status: 200,
        body: {
          ...fixtures.coupon,
          id: form.id,
          percent_off: form.percent_off ? Number(form.percent_off) : null,
          amount_off: form.amount_off ? Number(form.amount_off) : null,
          currency: form.currency ?? null,
          duration: form.duration,
        },
      };
    if (path === "/v1/promotion_codes") {
      promotions++;
      return {
        status: 200,
        body: {
          ...fixtures.promotion_code,
          id: `promo_chorus${String(promotions).padStart(4, "0")}`,
          active: true,
          code: form.code,
          restrictions: {
            ...(fixtures.promotion_code?.restrictions as object),
            first_time_transaction: form["restrictions[first_time_transaction]"] === "true",
          },
          expires_at: form.expires_at ? Number(form.expires_at) : null,
          promotion: { type: "coupon", coupon: form["promotion[coupon]"] },
        },
      };
    }
    const balance = path.match(/^\/v1\/customers\/(cus_[A-Za-z0-9]+)\/balance_transactions$/);
    if (balance) {
      transactions++;
      return {
        status: 200,
        body: {
          ...fixtures.customer_balance_transaction,
          id: `cbtxn_chorus${String(transactions).padStart(4, "0")}`,
          customer: balance[1],
          amount: Number(form.amount),
          ending_balance: Number(form.amount),
          currency: form.currency,
          description: form.description ?? null,
        },
      };
    }
    return {
      status: 404,
      body: { error: { type: "invalid_request_error", message: `Unrecognized request URL (${path})` } },
    };
  };
  server.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    api: { host: "127.0.0.1", port, protocol: "http" },
    requests,
    fail(path, status, error) {
      scripted.set(path, [...(scripted.get(path) ?? []), { status, body: { error } }]);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
