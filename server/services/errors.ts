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
  "payload_too_large",
  "unsupported_media_type",
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

/**
 * The DomainError an error is or carries. drizzle wraps what the driver throws ("Failed query: …",
 * the original as `cause`), and an embedded replica's "the primary does not answer" is a
 * DomainError thrown beneath the query builder (server/replica-client.ts).
 */
export function domainErrorIn(error: unknown): DomainError | undefined {
  let current = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof DomainError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether a write failed because an embedded replica's primary does not answer (reads go on). */
export const primaryAway = (error: unknown) => domainErrorIn(error)?.code === "unavailable";
