/**
 * `npm run bench:seed [-- --clicks 1000000 --conversions 100000 --advocates 5000] [--file F] [--fresh]`:
 * the analytics bench's data set (bench/support/analytics-seed.ts), written in bulk with the
 * rollups built once. Without --file it lands in the cache (data/bench-cache/) that
 * `npm run bench` reuses; --fresh seeds again even when the cache is current.
 * Progress goes to stderr; the last line on stdout is JSON the bench reads.
 */
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  cachedAnalyticsSeed,
  defaultSeedSizes,
  seedAnalyticsDatabase,
  seedCacheDir,
} from "./support/analytics-seed.ts";

const { values } = parseArgs({
  options: {
    file: { type: "string" },
    clicks: { type: "string", default: String(defaultSeedSizes.clicks) },
    conversions: { type: "string", default: String(defaultSeedSizes.conversions) },
    advocates: { type: "string", default: String(defaultSeedSizes.advocates) },
    fresh: { type: "boolean", default: false },
  },
});
const sizes = {
  clicks: Number(values.clicks),
  conversions: Number(values.conversions),
  advocates: Number(values.advocates),
};
const log = (line: string) => process.stderr.write(`${line}\n`);
if (values.fresh && !values.file) rmSync(seedCacheDir, { recursive: true, force: true });
const result = values.file
  ? await seedAnalyticsDatabase(values.file, sizes, log)
  : await cachedAnalyticsSeed(sizes, log);
log(
  result.cached
    ? `reused ${result.file} (seeded in ${result.seconds} s)`
    : `seeded ${result.file} in ${result.seconds} s`,
);
console.log(JSON.stringify(result));
