/**
 * One error shape for the whole API: `{ error: { code, message, details?, requestId } }`.
 * Services throw `ApiError` with a code; the code alone decides the HTTP status.
 */
import { z } from "@hono/zod-openapi";

export const errorStatus = {
  invalid_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  /** Extra response headers, such as `Retry-After` for 429 or `WWW-Authenticate` for 401. */
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, details?: unknown, headers?: Record<string, string>) {
    super(message);
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): (typeof errorStatus)[ErrorCode] {
    return errorStatus[this.code];
  }
}

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string(),
    }),
  })
  .openapi("Error");
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

export function errorBody(code: ErrorCode, message: string, requestId: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }), requestId } };
}

const statusDescriptions: Record<number, string> = {
  400: "Invalid request (validation details in `error.details`)",
  401: "Missing, wrong or revoked credentials",
  403: "Credentials valid but not allowed here (for example a foreign origin)",
  404: "Not found in this workspace",
  409: "Conflicts with an existing resource",
  413: "Body too large",
  415: "Body is not JSON",
  429: "Too many requests (see `Retry-After`)",
  503: "A dependency (the database) is unavailable",
};

/** The OpenAPI `responses` entries for the errors a route can answer with. */
export function errorResponses(...statuses: (keyof typeof statusDescriptions)[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: statusDescriptions[status] ?? "Error",
        content: { "application/json": { schema: ErrorEnvelope } },
      },
    ]),
  );
}
