/**
 * The Workers build's stand-in for zod's `z.fromJSONSchema` (`workerAliases` in worker.build.ts), which builds
 * zod schemas from JSON Schema documents at run time. Chorus's schemas are written in zod and never
 * built that way; `@hono/zod-openapi`'s use of zod's namespace object keeps its ~12 KB minified in
 * the bundle otherwise. Calling it on Workers throws rather than half-working.
 */
export function fromJSONSchema(): never {
  throw new Error("z.fromJSONSchema is not available on Workers");
}
