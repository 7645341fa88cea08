/**
 * The Workers build's stand-in for `csv-parse/sync` (`workerAliases` in worker.build.ts), used by
 * services/csv-records.ts: csv-parse's Node build calls Buffer.from as it loads, and Workers have
 * no Buffer (workerd refused to start with it). The browser build carries its own.
 */
export { parse } from "csv-parse/browser/esm/sync";
