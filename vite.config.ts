/**
 * One build for everything the server hands to browsers: the loader `embed.js` (fixed name, so
 * the script tag never changes), lazily loaded element chunks, and the API reference assets.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { minifyTemplateLiterals } from "rollup-plugin-minify-template-literals";
import { defineConfig, type Plugin } from "vite";
import { workersHeadersFile } from "./server/lib/static-headers.ts";

const root = dirname(fileURLToPath(import.meta.url));
const outDir = join(root, "dist");

/** Serves the OpenAPI reference UI from our own origin: no CDN, works offline and under CSP. */
function apiReferenceAssets(): Plugin {
  return {
    name: "chorus-api-reference",
    apply: "build",
    closeBundle() {
      // The same static-file headers the Node server sets, for Workers assets.
      writeFileSync(join(outDir, "_headers"), workersHeadersFile());
      const docs = join(outDir, "docs");
      mkdirSync(docs, { recursive: true });
      const swagger = join(root, "node_modules", "swagger-ui-dist");
      for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"])
        copyFileSync(join(swagger, file), join(docs, file));
      writeFileSync(
        join(docs, "init.js"),
        `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#reference", deepLinking: true });\n`,
      );
    },
  };
}

/**
 * Vite wraps every dynamic `import()` in a preload helper (about 0.6 KB gzip in the loader) that
 * adds `<link rel=modulepreload>` tags for a chunk's own imports. With `modulePreload: false` it
 * is handed an empty list anyway, so the helper only costs bytes: load a pass-through instead.
 * The loader gets its own copy: were one module shared by the loader and the element code (whose
 * Hindi catalogs load on demand too), the bundler would put it in the core chunk and the loader
 * would import Lit on every page. The elements' copy travels in the core chunk.
 */
const elementsPreloadHelper = "\0chorus/preload-helper.js";
function noPreloadHelper(): Plugin {
  const id = "\0vite/preload-helper.js";
  return {
    name: "chorus-no-preload-helper",
    apply: "build",
    enforce: "pre",
    resolveId: (source, importer) =>
      source === id && importer && !importer.endsWith("/widgets/embed.ts") ? elementsPreloadHelper : null,
    load: (source) =>
      source === id || source === elementsPreloadHelper ? "export const __vitePreload = (load) => load();" : null,
  };
}

/**
 * The loader fetches the elements' shared chunk (Lit and widgets/lib) alongside an element's own
 * chunk instead of after it (one round trip less before a wall or card can render): the build
 * writes the chunk's hashed name where the loader says `__CHORUS_CORE__`.
 */
function corePreload(): Plugin {
  return {
    name: "chorus-core-preload",
    apply: "build",
    generateBundle(_options, bundle) {
      const core = Object.values(bundle).find((file) => file.type === "chunk" && file.name === "chorus-core");
      const loader = bundle["embed.js"];
      if (!core || loader?.type !== "chunk" || !loader.code.includes("__CHORUS_CORE__"))
        throw new Error("chorus-core-preload: no shared chunk, or no placeholder in embed.js");
      loader.code = loader.code.replace("__CHORUS_CORE__", core.fileName);
    },
  };
}

export default defineConfig({
  root: join(root, "widgets"),
  publicDir: false,
  plugins: [
    noPreloadHelper(),
    corePreload(),
    minifyTemplateLiterals({
      include: ["widgets/**/*.ts"],
      failOnError: true,
      options: {
        minifyOptions: {
          removeAttributeQuotes: true,
          collapseBooleanAttributes: true,
          removeOptionalTags: true,
        },
      },
    }),
    apiReferenceAssets(),
  ],
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    modulePreload: false,
    // Read by the size tests to sum each element with every chunk it loads.
    manifest: true,
    rolldownOptions: {
      input: { embed: join(root, "widgets/embed.ts"), dashboard: join(root, "widgets/dashboard/index.html") },
      output: {
        minify: true,
        entryFileNames: (chunk) => (chunk.name === "embed" ? "embed.js" : "assets/[name]-[hash].js"),
        chunkFileNames: "assets/[name]-[hash].js",
        // Lit and the widgets' shared library travel as one chunk: every element needs all of it,
        // and one gzip stream is smaller than four (the dashboard would otherwise split it). The
        // Hindi catalogs (`*.hi.ts`) stay out of it: each is a chunk loaded only by Hindi pages. So does
        // the story wall's JSON-LD builder (only the wall uses it).
        codeSplitting: {
          groups: [
            {
              name: "chorus-core",
              test: (module) =>
                module === elementsPreloadHelper ||
                /node_modules[\\/](lit|lit-html|lit-element|@lit)[\\/]|widgets[\\/]lib[\\/](?![^\\/]*\.hi\.ts$|story-json-ld\.ts$|json-script\.ts$)/.test(
                  module,
                ),
            },
          ],
        },
      },
    },
  },
});
