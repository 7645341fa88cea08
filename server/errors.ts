/**
 * One error shape for the whole API: `{ error: { code, message, details?, requestId } }`.
 * Services throw `DomainError` (no HTTP in it); the HTTP layer (middleware, routes) throws
 * `ApiError`, which adds the refusals only HTTP has (a body too large, not JSON) and headers.
 * The code alone decides the status, here and nowhere else.
 */
import { z } from "@hono/zod-openapi";
import { type DomainError, type DomainErrorCode, domainErrorIn } from "./services/errors.ts";

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
} as const satisfies Record<DomainErrorCode, number> & Record<string, number>;

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

/** A domain refusal as the HTTP layer says it (the same code, message and details). */
export function fromDomainError(error: DomainError): ApiError {
  return new ApiError(error.code, error.message, error.details);
}

/** The error a thrown value stands for, if it is one of ours. */
export function apiErrorOf(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  const domain = domainErrorIn(error);
  return domain ? fromDomainError(domain) : undefined;
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

const statusDescriptions = {
  400: "Invalid request (validation details in `error.details`)",
  401: "Missing, wrong or revoked credentials",
  403: "Credentials valid but not allowed here (a foreign origin, or a dashboard change without `X-Chorus-Dashboard: 1`)",
  404: "Not found in this workspace",
  409: "Conflicts with an existing resource",
  413: "Body too large",
  415: "Body is not JSON",
  429: "Too many requests (see `Retry-After`)",
  503: "A dependency (the database) is unavailable",
} satisfies Partial<Record<ErrorStatus, string>>;

/** An HTTP status of an error code. */
export type ErrorStatus = (typeof errorStatus)[ErrorCode];
/** The error statuses the OpenAPI document can list (errorResponses describes them). */
export type DescribedStatus = keyof typeof statusDescriptions;

export function isDescribedStatus(status: number): status is DescribedStatus {
  return Object.hasOwn(statusDescriptions, status);
}

/** The OpenAPI `responses` entries for the errors a route can answer with. */
export function errorResponses(...statuses: DescribedStatus[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: statusDescriptions[status],
        content: { "application/json": { schema: ErrorEnvelope } },
      },
    ]),
  );
}
