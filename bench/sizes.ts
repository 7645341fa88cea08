/**
 * `npx tsx bench/sizes.ts [--no-build]`: widget weights gzip against their budgets (the same figures
 * tests/browser/sizes.test.ts enforces), then the Workers upload and what of it a cold start loads
 * (tests/process/worker-bundle.test.ts enforces that budget). Builds the widgets first as
 * `npm start` does.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { buildWidgets } from "./support/build.ts";
import { report } from "./support/report.ts";
import { elementSources, widgetSizes } from "./support/widget-sizes.ts";
import { buildWorkerUpload, coldStartTargetBytes, gzipBytes } from "./support/worker-bundle.ts";

const root = join(import.meta.dirname, "..");
if (!process.argv.includes("--no-build")) {
  process.stderr.write("vite build\n");
  buildWidgets();
}
const sizes = widgetSizes(join(root, "dist"));
for (const row of sizes.rows()) {
  console.log(
    `${row.name.padEnd(34)} ${row.kb.toFixed(2).padStart(6)} KB gzip   budget ${row.budgetKb} KB   ${row.withinBudget ? "met" : "MISSED"}`,
  );
  report({
    bench: "sizes",
    name: row.name,
    unit: "KB gzip",
    value: row.kb,
    target: `<= ${row.budgetKb} KB`,
    met: row.withinBudget,
  });
}
for (const element of elementSources) {
  const kb = Math.round((sizes.hindiAddOn(element) / 1024) * 100) / 100;
  console.log(
    `${`Hindi add-on, ${element}`.padEnd(34)} ${kb.toFixed(2).padStart(6)} KB gzip   budget 3 KB   ${kb <= 3 ? "met" : "MISSED"}`,
  );
  report({
    bench: "sizes",
    name: `Hindi add-on, ${element}`,
    unit: "KB gzip",
    value: kb,
    target: "<= 3 KB",
    met: kb <= 3,
  });
}

// The Workers bundle: wrangler's dry run needs the built assets, which the widget build made.
process.stderr.write("wrangler deploy --dry-run\n");
const upload = buildWorkerUpload();
try {
  if (upload.dryRun.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${upload.dryRun.output}`);
  const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  const cold = kb(gzipBytes(upload, upload.coldStart));
  const all = kb(gzipBytes(upload, [...upload.modules.keys()]));
  const target = kb(coldStartTargetBytes);
  console.log(
    `${"worker, cold start".padEnd(34)} ${cold.toFixed(1).padStart(6)} KB gzip   target ${target} KB   ${cold <= target ? "met" : "MISSED"}`,
  );
  console.log(
    `${"worker, whole upload".padEnd(34)} ${all.toFixed(1).padStart(6)} KB gzip   (${upload.modules.size} modules)`,
  );
  report(
    {
      bench: "sizes",
      name: `worker, what a cold start loads (${upload.coldStart.length} of ${upload.modules.size} modules)`,
      unit: "KB gzip",
      value: cold,
      target: `<= ${target} KB`,
      met: cold <= target,
    },
    { bench: "sizes", name: "worker, whole upload", unit: "KB gzip", value: all },
  );
} finally {
  rmSync(upload.dir, { recursive: true, force: true });
}
