/**
 * The Workers build's stand-in for `csv-parse/sync` (wrangler.toml `[alias]`). csv-records.ts
 * imports both csv-parse builds and picks the Node one where Node's Buffer exists; Workers have no
 * Buffer, so there the browser build is always the one used, and the Node build (about 40 KB
 * minified) would only be dead weight. Here both imports are the same module.
 */
export { parse } from "csv-parse/browser/esm/sync";
