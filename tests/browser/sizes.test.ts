/** Widget weights, gzip: deterministic, so budgets are enforced here (timings live in bench/). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/processes.ts";

const dist = join(repoRoot, "dist");
type Manifest = Record<string, { file: string; imports?: string[]; dynamicImports?: string[]; isEntry?: boolean }>;
const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8")) as Manifest;

const gzipBytes = (file: string) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;

/** A chunk and every chunk it imports, statically or on demand: what a page pays to use it. */
function withEverythingItLoads(source: string, seen = new Set<string>()): Set<string> {
  const chunk = manifest[source];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const next of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) withEverythingItLoads(next, seen);
  return seen;
}

function elementWeight(source: string): number {
  return [...withEverythingItLoads(source)].reduce((sum, file) => sum + gzipBytes(file), 0);
}

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
});
