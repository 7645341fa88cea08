/**
 * What a service refuses with. It says what went wrong in the domain's words (a code, a message,
 * details a caller can show); how that is said over HTTP (status, headers, the envelope) is the
 * app's business (`server/errors.ts`), so services stay free of any transport.
 */
export const domainErrorCodes = [
  "invalid_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "rate_limited",
  "unavailable",
] as const;

export type DomainErrorCode = (typeof domainErrorCodes)[number];

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details?: unknown;

  constructor(code: DomainErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
}
