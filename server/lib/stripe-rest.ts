/**
 * The three Stripe API calls Chorus makes (a coupon, a promotion code, a customer balance
 * transaction), as form-encoded `POST`s over fetch. The official `stripe` package does the same
 * with ~250 KB of minified code for every other resource, too much for the worker bundle; this
 * client sends what the package sends for these calls, byte for byte in the body (checked against
 * the package in tests/api/stripe-rest.test.ts), at the API version the package pins, and keeps the
 * package's retry rules: a network failure, a 409 or a 5xx is tried again (unless Stripe says
 * `Stripe-Should-Retry: false`), with the same idempotency key, after 0.5 s doubling (jittered,
 * at most 5 s).
 */

/** The API version request and answer shapes follow: the one `stripe` 23.2 pins. Raise it deliberately. */
export const stripeApiVersion = "2026-11-18.endive";

/** Where requests go; absent, Stripe's own API (tests point it at a local server). */
export type StripeApiOptions = { host: string; port: number; protocol: "http" | "https" };

export type StripeRestOptions = Partial<StripeApiOptions> & {
  /** Tries after the first, on a network failure, a 409 or a 5xx. */
  maxNetworkRetries: number;
  /** Each try is abandoned (a network failure) after this long. */
  timeout: number;
};

/** Stripe's answer to a refused request: its HTTP status, and its error `type` and `code`. */
export class StripeApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly type: string | undefined,
    readonly code: string | undefined,
    readonly requestId: string | undefined,
  ) {
    super(message);
    this.name = "StripeApiError";
  }
}

/** A request's parameters: nested objects and arrays of strings, numbers and booleans. */
type Params = object;
type RequestOptions = { idempotencyKey: string };

/** Stripe's form encoding (the package's): `parent[child]=value`, arrays indexed, brackets left readable. */
export function stripeFormEncode(data: Params): string {
  const pairs: string[] = [];
  const encodeValue = (text: string) =>
    encodeURIComponent(text)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%5B/g, "[")
      .replace(/%5D/g, "]");
  const add = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (value === null || typeof value !== "object") {
      pairs.push(`${encodeValue(key)}=${encodeValue(value === null ? "" : String(value))}`);
    } else if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) add(`${key}[${index}]`, item);
    } else {
      for (const [name, item] of Object.entries(value)) add(key ? `${key}[${name}]` : name, item);
    }
  };
  add("", data);
  return pairs.join("&");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The package's back-off before retry `n` (1, 2, …): 0.5 s doubling, jittered down to half, at most 5 s, at least 0.5 s. */
const retryDelayMs = (n: number) => Math.max(0.5, Math.min(0.5 * 2 ** (n - 1), 5) * 0.5 * (1 + Math.random())) * 1000;

/** A client for the workspace's key; the same shape as the package's, for the calls Chorus makes. */
export function stripeRestClient(apiKey: string, options: StripeRestOptions) {
  const { protocol = "https", host = "api.stripe.com", port = protocol === "https" ? 443 : 80 } = options;
  const base = `${protocol}://${host}:${port}`;

  async function post<T>(path: string, params: Params, { idempotencyKey }: RequestOptions): Promise<T> {
    const body = stripeFormEncode(params);
    for (let attempt = 0; ; attempt++) {
      const retriesLeft = attempt < options.maxNetworkRetries;
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method: "POST",
          headers: {
            Accept: "application/json",
            Authorization: `Bearer ${apiKey}`,
            "Content-Type": "application/x-www-form-urlencoded",
            "Idempotency-Key": idempotencyKey,
            "Stripe-Version": stripeApiVersion,
          },
          body,
          signal: AbortSignal.timeout(options.timeout),
        });
      } catch (error) {
        // No answer (refused, reset, timed out): the request may not have arrived; the key makes a retry safe.
        if (retriesLeft) {
          await sleep(retryDelayMs(attempt + 1));
          continue;
        }
        throw error;
      }
      const shouldRetry = response.headers.get("stripe-should-retry");
      const retryable =
        shouldRetry === "true" || (shouldRetry !== "false" && (response.status === 409 || response.status >= 500));
      if (retryable && retriesLeft) {
        await response.body?.cancel();
        await sleep(retryDelayMs(attempt + 1));
        continue;
      }
      const requestId = response.headers.get("request-id") ?? undefined;
      const answer = (await response.json().catch(() => null)) as {
        error?: { message?: string; type?: string; code?: string };
      } | null;
      // A success that is not JSON counts as no answer (tried again later), as the package has it.
      if (response.ok && !answer) throw new Error(`Stripe answered ${response.status} without JSON`);
      if (!response.ok || answer?.error) {
        const error = answer?.error;
        const message = error?.message ?? `Stripe answered ${response.status}`;
        throw new StripeApiError(message, response.status, error?.type, error?.code, requestId);
      }
      return answer as T;
    }
  }

  return {
    coupons: {
      create: (params: Params, opts: RequestOptions) => post<{ id: string }>("/v1/coupons", params, opts),
    },
    promotionCodes: {
      create: (params: Params, opts: RequestOptions) =>
        post<{ id: string; code: string }>("/v1/promotion_codes", params, opts),
    },
    customers: {
      createBalanceTransaction: (customer: string, params: Params, opts: RequestOptions) =>
        post<{ id: string }>(`/v1/customers/${encodeURIComponent(customer)}/balance_transactions`, params, opts),
    },
  };
}
