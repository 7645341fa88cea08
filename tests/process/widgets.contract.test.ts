/**
 * The widgets' public contract, checked against the files people read: the Custom Elements
 * Manifest that `npm run build` generates names every attribute, part, event and custom property
 * the README's Embed section promises, for each element; and the widgets take the API's types
 * from the route schemas by `import type` only, never server or database code.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/processes.ts";

type Named = { name: string }[] | undefined;
type Declaration = {
  kind: string;
  tagName?: string;
  customElement?: boolean;
  attributes?: Named;
  cssParts?: Named;
  cssProperties?: Named;
  events?: Named;
};
type Manifest = { modules: { path: string; declarations?: Declaration[] }[] };

const elements = [
  "chorus-referral-card",
  "chorus-referral-banner",
  "chorus-story-wall",
  "chorus-story-form",
  "chorus-outcome-stats",
  "chorus-referred-by",
] as const;

/** What the README's Embed section says of each element. */
function readmePromises() {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const embed = readme.slice(readme.indexOf("\n## Embed"), readme.indexOf("\n## ", readme.indexOf("\n## Embed") + 1));
  const section = (heading: string) => {
    const start = embed.indexOf(`\n### ${heading}`);
    expect(start, heading).toBeGreaterThan(-1);
    const end = embed.indexOf("\n### ", start + 1);
    return embed.slice(start, end === -1 ? undefined : end);
  };
  const codes = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "");
  /** The backticked names after a label such as "Parts:", up to the end of its sentence. */
  const after = (text: string, label: RegExp) => {
    const found = label.exec(text);
    if (!found) return [];
    const rest = text.slice(found.index + found[0].length);
    return codes(rest.slice(0, rest.search(/\.(\s|$)/)));
  };
  const theming = section("Theming");
  const everyElement = codes(theming.slice(0, theming.indexOf(". Elements"))).filter((name) =>
    name.startsWith("--chorus-"),
  );
  return Object.fromEntries(
    elements.map((tag) => {
      const text = section(`\`<${tag}>\``);
      // Attribute tables: the first column of each row (one row may name two attributes). Every
      // element takes `theme` and `lang` (the banner, which has no table, too).
      const table = [...text.matchAll(/^\| (`[^|]+`) \|/gm)].flatMap((row) => codes(row[1] ?? ""));
      const attributes = [...new Set([...table, "theme", "lang"])];
      const events = after(text, /Events? \(bubbling,\s*composed\):|Events?:/).filter((name) =>
        name.startsWith("chorus-"),
      );
      const cssProperties = [
        ...everyElement.filter((name) => !name.endsWith("-min-height")),
        ...after(text, /Custom propert(?:y|ies):?/).filter((name) => name.startsWith("--chorus-")),
      ];
      return [
        tag,
        {
          table,
          attributes,
          parts: after(text, /Parts:/).filter((name) => /^[a-z-]+$/.test(name)),
          events,
          cssProperties,
        },
      ];
    }),
  );
}

let dir: string;
let manifest: Manifest;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-cem-"));
  // The analyzer resolves --outdir against the working directory.
  const result = spawnSync(
    join(repoRoot, "node_modules", ".bin", "cem"),
    ["analyze", "--config", "custom-elements-manifest.config.mjs", "--outdir", relative(repoRoot, dir), "--quiet"],
    { cwd: repoRoot, encoding: "utf8" },
  );
  expect(result.status, result.stderr).toBe(0);
  manifest = JSON.parse(readFileSync(join(dir, "custom-elements.json"), "utf8")) as Manifest;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the custom elements manifest", () => {
  it("is what the build generates and package.json points at", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      customElements?: string;
      scripts: Record<string, string>;
    };
    expect(pkg.customElements).toBe("dist/custom-elements.json");
    expect(pkg.scripts.build).toContain("cem analyze --config custom-elements-manifest.config.mjs");
  });

  it("describes each element with every attribute, part, event and custom property the README names", () => {
    const promises = readmePromises();
    const declarations = manifest.modules.flatMap((module) => module.declarations ?? []);
    const names = (list: Named) => (list ?? []).map((item) => item.name);
    for (const tag of elements) {
      const element = declarations.find((declaration) => declaration.customElement && declaration.tagName === tag);
      expect(element, tag).toBeDefined();
      const promised = promises[tag];
      // The README must name something for each, or the parser above lost its place.
      if (tag !== "chorus-referral-banner") expect(promised?.table.length, `${tag} attribute table`).toBeGreaterThan(1);
      expect(promised?.parts.length, `${tag} parts`).toBeGreaterThan(0);
      expect(promised?.events.length, `${tag} events`).toBeGreaterThan(0);
      expect(names(element?.attributes), `${tag} attributes`).toEqual(
        expect.arrayContaining(promised?.attributes ?? []),
      );
      expect(names(element?.cssParts), `${tag} parts`).toEqual(expect.arrayContaining(promised?.parts ?? []));
      expect(names(element?.events), `${tag} events`).toEqual(expect.arrayContaining(promised?.events ?? []));
      expect(names(element?.cssProperties), `${tag} custom properties`).toEqual(
        expect.arrayContaining(promised?.cssProperties ?? []),
      );
      // No reactive state leaks into the public API.
      expect(
        names(element?.attributes).filter((name) => name.startsWith("_")),
        tag,
      ).toEqual([]);
    }
  });

  it("names the story wall's and the form's own custom properties", () => {
    const promises = readmePromises();
    expect(promises["chorus-story-wall"]?.cssProperties).toContain("--chorus-wall-column-width");
    expect(promises["chorus-story-form"]?.cssProperties).toContain("--chorus-danger");
  });
});

describe("the widgets' imports", () => {
  const files = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? files(join(folder, entry.name))
        : entry.name.endsWith(".ts")
          ? [join(folder, entry.name)]
          : [],
    );

  it("take server and database modules by `import type` / `export type` only", () => {
    const offenders: string[] = [];
    for (const file of files(join(repoRoot, "widgets"))) {
      const source = readFileSync(file, "utf8");
      for (const statement of source.matchAll(/^(?:import|export)\b[^;]*?from\s+"([^"]+)";/gms)) {
        const [text, specifier = ""] = statement;
        if (!/(^|\/)(server|db)\//.test(specifier)) continue;
        if (!/^(import|export) type\b/.test(text)) offenders.push(`${relative(repoRoot, file)}: ${specifier}`);
      }
      for (const dynamic of source.matchAll(/import\(\s*"([^"]+)"\s*\)/g))
        if (/(^|\/)(server|db)\//.test(dynamic[1] ?? "")) offenders.push(`${relative(repoRoot, file)}: ${dynamic[1]}`);
    }
    expect(offenders).toEqual([]);
  });
});
