/**
 * `npx tsx bench/sizes.ts [--no-build]`: widget weights gzip against their budgets (the same figures
 * tests/browser/sizes.test.ts enforces). Builds the widgets first as `npm start` does.
 */
import { join } from "node:path";
import { buildWidgets } from "./support/build.ts";
import { report } from "./support/report.ts";
import { elementSources, widgetSizes } from "./support/widget-sizes.ts";

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
