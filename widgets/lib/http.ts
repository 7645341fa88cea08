/**
 * The one fetch core of the elements and the dashboard: JSON in and out, the error envelope
 * `{ error: { code, message, details, requestId } }` as a `ChorusApiError`, and abort. The
 * elements (`api.ts`) add the page's publishable key; the dashboard (`dashboard/api.ts`) its
 * session cookie and CSRF header.
 */
import type { ErrorEnvelope } from "./api-types.ts";

/**
 * An error envelope from the API (or, made by a caller, a network failure: status 0, code
 * `network_error`). The message is the envelope's, else empty: the elements show their own words
 * for a code, the dashboard says what happened (`dashboard/api.ts`).
 */
export class ChorusApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** Empty when there is none. */
    message?: string,
    /** Validation failures: `{ path: "outcome.salaryIncreasePct", message }`. */
    readonly details: { path?: string; message?: string }[] = [],
    /** The server's id of the request, to quote to its operator. */
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export type RequestOptions = {
  /** Default: GET, or POST with a body. */
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  keepalive?: boolean;
  credentials?: RequestCredentials;
};

/** The answer's JSON (null for an empty answer such as 204), or a `ChorusApiError` for an error answer. */
export async function request<T>(url: string, { body, headers, ...init }: RequestOptions = {}): Promise<T> {
  // A network failure (or an abort) rejects with fetch's own error: callers that say so map it to
  // `network_error` (the dashboard, the story form); the others only show that loading failed.
  const response = await fetch(url, {
    ...init,
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers: body === undefined ? headers : { ...headers, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // Not JSON (or empty, as a 204): an error is reported below, a success answers null.
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data as Partial<ErrorEnvelope> | null)?.error;
    throw new ChorusApiError(
      response.status,
      error?.code ?? "http_error",
      error?.message,
      Array.isArray(error?.details) ? error.details : [],
      error?.requestId,
    );
  }
  return data as T;
}
