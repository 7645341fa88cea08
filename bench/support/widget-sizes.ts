/**
 * Widget weights, gzip (level 9), from the Vite build in dist/: the loader, each element with every
 * chunk it loads (statically or on demand), and everything the loader can reach together, as an
 * English page loads them. The Hindi catalogs (`*.hi.ts`) are chunks an element imports only the
 * first time it renders in Hindi; what they add is measured apart. Shared by
 * tests/browser/sizes.test.ts (which enforces the budgets) and bench/sizes.ts (which reports them).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export type Manifest = Record<
  string,
  { file: string; imports?: string[]; dynamicImports?: string[]; isEntry?: boolean }
>;

/**
 * Budgets in KB (1,024 bytes) gzip, by what the row measures (`source`: the manifest key, or null
 * for the loader file alone). tests/browser/sizes.test.ts asserts every one of them.
 */
export const sizeBudgets = [
  { name: "loader (embed.js)", source: null, budgetKb: 2.5 },
  { name: "referral card + what it loads", source: "referral-card.ts", budgetKb: 12 },
  { name: "referral banner + what it loads", source: "referral-banner.ts", budgetKb: 12 },
  { name: "story wall + what it loads", source: "story-wall.ts", budgetKb: 15 },
  { name: "story form + what it loads", source: "story-form.ts", budgetKb: 16 },
  { name: "outcome stats + what it loads", source: "outcome-stats.ts", budgetKb: 15 },
  // 25.1: the story form's hook for story request links (about 0.1 KB; the rest loads on such a page only).
  { name: "everything the loader can load", source: "embed.ts", budgetKb: 25.1 },
] as const;

/** The elements, each of which may load Hindi catalogs on top of its English weight. */
export const elementSources = [
  "referral-card.ts",
  "referral-banner.ts",
  "story-wall.ts",
  "story-form.ts",
  "outcome-stats.ts",
] as const;

/** Strings-only chunks an element imports the first time it renders in Hindi. */
const isHindi = (source: string) => source.endsWith(".hi.ts");
/**
 * Code only a page opened from a story request email's link loads (`?chorus_story=`): the story
 * form's pre-fill and token. Measured apart like the Hindi catalogs, with a budget of its own.
 */
const isStoryLink = (source: string) => source.startsWith("story-form-token.");

export function widgetSizes(dist: string) {
  const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8")) as Manifest;
  const gzipBytes = (file: string) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;

  /**
   * A chunk and every chunk it imports, statically or on demand: what a page pays to use it.
   * `hindi: false` leaves out the Hindi catalogs, as an English page never requests them.
   */
  function withEverythingItLoads(
    source: string,
    options: { hindi?: boolean; storyLink?: boolean } = {},
    seen = new Set<string>(),
  ) {
    const chunk = manifest[source];
    if (!chunk || seen.has(chunk.file) || (options.hindi === false && isHindi(source))) return seen;
    if (options.storyLink === false && isStoryLink(source)) return seen;
    seen.add(chunk.file);
    for (const next of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])])
      withEverythingItLoads(next, options, seen);
    return seen;
  }

  const gzipSum = (files: Iterable<string>) => [...files].reduce((sum, file) => sum + gzipBytes(file), 0);

  /** Bytes gzip an English page pays for a source's chunk with everything it loads (each file gzipped on its own, as served). */
  const elementWeight = (source: string) => gzipSum(withEverythingItLoads(source, { hindi: false, storyLink: false }));
  /** What a page opened from a story request's link pays on top of the story form, in English. */
  const storyLinkAddOn = () => {
    const usual = withEverythingItLoads("story-form.ts", { hindi: false, storyLink: false });
    return gzipSum([...withEverythingItLoads("story-form.ts", { hindi: false })].filter((file) => !usual.has(file)));
  };

  /**
   * What a Hindi page pays on top: every Hindi catalog the element or its imports can load. An
   * upper bound: the shared chunk can load both the referral and the story catalogs, and both are
   * counted for every element.
   */
  function hindiAddOn(source: string): number {
    const english = withEverythingItLoads(source, { hindi: false, storyLink: false });
    return gzipSum([...withEverythingItLoads(source, { storyLink: false })].filter((file) => !english.has(file)));
  }

  /** Every budgeted row: bytes, KB and whether it is within budget. */
  const rows = () =>
    sizeBudgets.map((row) => {
      const bytes = row.source === null ? gzipBytes("embed.js") : elementWeight(row.source);
      return { ...row, bytes, kb: Math.round((bytes / 1024) * 100) / 100, withinBudget: bytes <= row.budgetKb * 1024 };
    });

  return { manifest, gzipBytes, withEverythingItLoads, elementWeight, hindiAddOn, storyLinkAddOn, rows };
}
