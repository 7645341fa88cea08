/**
 * Widget weights, gzip (level 9), from the Vite build in dist/: the loader, each element with every
 * chunk it needs to show its content, and everything the loader can reach together that way, as an
 * English page loads them. Two kinds of chunk are measured apart, each with a budget of its own,
 * because a page pays for them only when it uses them: the Hindi catalogs (`*.hi.ts`, imported
 * the first time an element renders in Hindi) and on-demand features (a chunk an element imports
 * with `import()` for something that comes after its content: the story form's pre-fill on a
 * story request's link, the wall's schema.org markup once its stories are on screen). Shared by
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
  // 25.7: the loader's reserved heights (remembered and fitted), early first requests and the shared chunk fetched
  // alongside an element's own (issue 21: the loader went from 1.45 to 2.13 KB), less the wall's schema.org
  // markup, which became an on-demand feature (0.4 KB). 27.2: a sixth element, <chorus-referred-by> (1.4 KB of its
  // own beside the shared core), which a page loads only where it uses the element. 27.4: the story form's hooks for
  // its author's edit and withdraw and for the baked badge picker (about 0.2 KB; the rest loads when used). 27.5: the
  // photo picker's hook (the file input; resizing and upload load on the first pick).
  // 27.8: video stories (issue 20): the wall's slot and hook for a video story's player (0.07 KB) and the form's
  // "add a video" button, transcript field and upload after the story (0.23 KB); the recorder (2.6 KB) and the
  // wall's player (1 KB) are on-demand features, measured apart.
  { name: "everything the loader can load", source: "embed.ts", budgetKb: 27.8 },
  { name: "who referred you? + what it loads", source: "referred-by.ts", budgetKb: 12 },
] as const;

/**
 * On-demand features (an element's `import()` of something other than a Hindi catalog) and the
 * most each may add on top of its element, in KB gzip. A feature without an entry here fails the
 * size test: every one is budgeted on purpose.
 */
export const onDemandBudgets: Record<string, { name: string; budgetKb: number }> = {
  "story-form-token.ts": { name: "story form on a story request's link", budgetKb: 1 },
  "story-form-photo.ts": { name: "story form's photo picker (resize, preview, upload)", budgetKb: 2 },
  "lib/story-json-ld.ts": { name: "story wall's schema.org markup", budgetKb: 1 },
  "referral-earnings.ts": { name: "referral card's earnings and payout method", budgetKb: 2.5 },
  "story-form-author.ts": { name: "story form's edit and withdraw for its author", budgetKb: 3 },
  "story-form-badge.ts": { name: "story form's baked badge image picker", budgetKb: 1.5 },
  "story-form-video.ts": { name: "story form's video recording, upload and transcript", budgetKb: 3 },
  "story-wall-video.ts": { name: "story wall's video player, captions and transcript", budgetKb: 1.5 },
};

/** The elements, each of which may load Hindi catalogs on top of its English weight. */
export const elementSources = [
  "referral-card.ts",
  "referral-banner.ts",
  "story-wall.ts",
  "story-form.ts",
  "outcome-stats.ts",
  "referred-by.ts",
] as const;

/** Strings-only chunks an element imports the first time it renders in Hindi. */
const isHindi = (source: string) => source.endsWith(".hi.ts");

export function widgetSizes(dist: string) {
  const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8")) as Manifest;
  const gzipBytes = (file: string) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;

  /** The sources the loader can reach (the dashboard's chunks are not the provider's page's business). */
  const reachable = new Set<string>();
  const reach = (source: string) => {
    const chunk = manifest[source];
    if (!chunk || reachable.has(source)) return;
    reachable.add(source);
    for (const next of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) reach(next);
  };
  reach("embed.ts");
  /** Every on-demand feature: what a widget chunk other than the loader imports with `import()`, Hindi catalogs aside. */
  const onDemand = new Set(
    [...reachable]
      .filter((source) => source !== "embed.ts")
      .flatMap((source) => manifest[source]?.dynamicImports ?? [])
      .filter((source) => !isHindi(source)),
  );

  /**
   * A chunk and every chunk it imports, statically or on demand: what a page pays to use it.
   * `hindi: false` leaves out the Hindi catalogs, as an English page never requests them;
   * `onDemand: false` leaves out the on-demand features, as a page that does not use them never does.
   */
  function withEverythingItLoads(
    source: string,
    options: { hindi?: boolean; onDemand?: boolean } = {},
    seen = new Set<string>(),
  ) {
    const chunk = manifest[source];
    if (!chunk || seen.has(chunk.file) || (options.hindi === false && isHindi(source))) return seen;
    if (options.onDemand === false && onDemand.has(source)) return seen;
    seen.add(chunk.file);
    for (const next of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])])
      withEverythingItLoads(next, options, seen);
    return seen;
  }

  const gzipSum = (files: Iterable<string>) => [...files].reduce((sum, file) => sum + gzipBytes(file), 0);

  /** Bytes gzip an English page pays for a source's chunk with everything it loads (each file gzipped on its own, as served). */
  const elementWeight = (source: string) => gzipSum(withEverythingItLoads(source, { hindi: false, onDemand: false }));

  /** The element whose chunks import an on-demand feature (the first found). */
  const ownerOf = (feature: string) =>
    elementSources.find((element) => {
      const files = withEverythingItLoads(element, { hindi: false, onDemand: false });
      return Object.entries(manifest).some(
        ([, chunk]) => files.has(chunk.file) && (chunk.dynamicImports ?? []).includes(feature),
      );
    });

  /** What using an on-demand feature adds, in English, on top of the element that loads it. */
  function onDemandAddOn(feature: string): number {
    const owner = ownerOf(feature);
    const usual = owner ? withEverythingItLoads(owner, { hindi: false, onDemand: false }) : new Set<string>();
    return gzipSum([...withEverythingItLoads(feature, { hindi: false })].filter((file) => !usual.has(file)));
  }
  /** What a page opened from a story request's link pays on top of the story form, in English. */
  const storyLinkAddOn = () => onDemandAddOn("story-form-token.ts");

  /**
   * What a Hindi page pays on top: every Hindi catalog the element or its imports can load. An
   * upper bound: the shared chunk can load both the referral and the story catalogs, and both are
   * counted for every element.
   */
  function hindiAddOn(source: string): number {
    const english = withEverythingItLoads(source, { hindi: false, onDemand: false });
    return gzipSum([...withEverythingItLoads(source, { onDemand: false })].filter((file) => !english.has(file)));
  }

  /** Every budgeted row: bytes, KB and whether it is within budget (on-demand features after the elements). */
  const rows = () => {
    const measured = (name: string, bytes: number, budgetKb: number) => ({
      name,
      bytes,
      budgetKb,
      kb: Math.round((bytes / 1024) * 100) / 100,
      withinBudget: bytes <= budgetKb * 1024,
    });
    return [
      ...sizeBudgets.map((row) =>
        measured(row.name, row.source === null ? gzipBytes("embed.js") : elementWeight(row.source), row.budgetKb),
      ),
      ...[...onDemand].map((feature) => {
        const budget = onDemandBudgets[feature];
        // An unbudgeted feature is a row over budget: every one must be budgeted on purpose.
        return measured(`on demand: ${budget?.name ?? feature}`, onDemandAddOn(feature), budget?.budgetKb ?? 0);
      }),
    ];
  };

  return {
    manifest,
    gzipBytes,
    withEverythingItLoads,
    elementWeight,
    hindiAddOn,
    onDemand,
    onDemandAddOn,
    storyLinkAddOn,
    rows,
  };
}
