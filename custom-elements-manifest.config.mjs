/**
 * The Custom Elements Manifest of the six public elements: `npm run build` writes
 * dist/custom-elements.json (served at /custom-elements.json). Attributes and properties come from
 * `static properties`, the rest from each element's JSDoc (`@attr`, `@fires`, `@csspart`,
 * `@cssprop`, `@tagname`; `ChorusElement` holds what every element shares).
 */

/** Reactive state (`_x`) and helpers are not part of an element's public API. */
function publicApiOnly() {
  return {
    name: "chorus-public-api-only",
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules)
        for (const declaration of module.declarations ?? []) {
          if (declaration.kind !== "class") continue;
          declaration.attributes = declaration.attributes?.filter((attribute) => !attribute.name.startsWith("_"));
          declaration.members = declaration.members?.filter(
            (member) => !member.name.startsWith("_") && member.privacy !== "private" && member.privacy !== "protected",
          );
          // Only the documented events: `emit(name, …)` in the base class is not one.
          declaration.events = declaration.events?.filter((event) => event.description);
        }
    },
  };
}

export default {
  globs: [
    "widgets/lib/element.ts",
    "widgets/referral-card.ts",
    "widgets/referral-banner.ts",
    "widgets/story-wall.ts",
    "widgets/story-form.ts",
    "widgets/outcome-stats.ts",
    "widgets/referred-by.ts",
  ],
  outdir: "dist",
  litelement: true,
  packagejson: false,
  plugins: [publicApiOnly()],
};
