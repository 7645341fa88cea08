/**
 * The Workers build's stand-in for zod's ahead-of-time compiler, `z.compile`
 * (`workerAliases` in worker.build.ts). It generates parsers with `new Function`, which Workers forbid, so there it always
 * falls back to the runtime parser: `compile` answers the schema unchanged, as zod's own does when it
 * cannot compile, and refuses under `{ strict: true }`. Chorus never calls it; `@hono/zod-openapi`'s
 * use of zod's namespace object keeps its ~30 KB minified in the bundle otherwise.
 */
export const INVALID = Symbol.for("zod.compile.invalid");

export class ZodCompileAsyncError extends Error {
  constructor(message = "z.compile does not support async refinements, transforms, or checks") {
    super(message);
    this.name = "ZodCompileAsyncError";
  }
}

export class ZodCompileUnsupportedError extends Error {
  constructor(message = "z.compile is not available on Workers, which forbid generated code") {
    super(message);
    this.name = "ZodCompileUnsupportedError";
  }
}

export function compileFn(): never {
  throw new ZodCompileUnsupportedError();
}

export function compile<T>(schema: T, options?: { strict?: boolean }): T {
  if (options?.strict) throw new ZodCompileUnsupportedError();
  return schema;
}

export function withParser(): never {
  throw new ZodCompileUnsupportedError("z.withParser is not available on Workers");
}
