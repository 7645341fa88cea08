/**
 * The error statuses a middleware can answer instead of letting the request through, declared
 * beside the middleware. Routes declared with `apiRoute()` (server/lib/router.ts) list them in
 * the OpenAPI document from the middleware they run, so the document cannot forget a guard's
 * refusal; tests/api/openapi.statuses.test.ts checks the document against the real router.
 */
import type { DescribedStatus } from "../errors.ts";

/** The statuses for a request of `method` (upper case): some refusals apply to changes only. */
export type Refusals = (method: string) => readonly DescribedStatus[];

const declared = new WeakMap<object, Refusals>();

/** Declares what `middleware` can refuse with; returns it, so a factory can declare and return at once. */
export function refuses<M extends object>(middleware: M, statuses: readonly DescribedStatus[] | Refusals): M {
  declared.set(middleware, typeof statuses === "function" ? statuses : () => statuses);
  return middleware;
}

/** What `middleware` declared, or undefined when it declared nothing. */
export function refusalsOf(middleware: object): Refusals | undefined {
  return declared.get(middleware);
}
