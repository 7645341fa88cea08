/**
 * The Workers build's stand-in for zod's locale index (`workerAliases` in worker.build.ts). zod re-exports all
 * of its ~50 message locales as `z.locales`, and `@hono/zod-openapi` uses zod's namespace object, so
 * the bundler cannot drop them: about 260 KB minified, half the worker's zod. Chorus shows zod's
 * messages in English only (zod registers English itself, from its own `en.js`), and never calls
 * `z.config(z.locales.…())`, so on Workers `z.locales` holds English alone.
 */
export { default as en } from "zod/v4/locales/en.js";
