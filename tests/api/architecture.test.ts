/**
 * The architecture rules of DESIGN.md section 7, enforced over the real import graph: services,
 * db/ and widgets know nothing of Hono; services never reach the HTTP side; db/ is persistence
 * only; widgets take server types by `import type` alone; no import cycle anywhere. The planted
 * tree below breaks each rule once, so a rule that stopped seeing violations would fail here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { architectureViolations, importCycles, readImportGraph } from "../support/import-graph.ts";

const root = join(import.meta.dirname, "../..");
const folders = ["server", "db", "widgets", "demo"];

describe("the project's import graph", () => {
  const graph = readImportGraph(root, folders);

  it("is read from every source folder", () => {
    for (const folder of folders) expect([...graph.keys()].some((file) => file.startsWith(`${folder}/`))).toBe(true);
    // The parser sees real imports: the app imports Hono, a service imports the schema.
    expect(graph.get("server/app.ts")?.some((edge) => edge.to.startsWith("hono"))).toBe(true);
    expect(graph.get("server/services/conversions.ts")?.some((edge) => edge.to === "db/schema.ts")).toBe(true);
  });

  it("keeps every architecture rule", () => {
    expect(architectureViolations(graph)).toEqual([]);
  });

  it("has no import cycle", () => {
    expect(importCycles(graph)).toEqual([]);
  });
});

describe("a planted tree that breaks each rule", () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-architecture-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const plant = (file: string, text: string) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  plant("server/lib/router.ts", `import { OpenAPIHono } from "@hono/zod-openapi";\nexport const r = OpenAPIHono;\n`);
  plant("server/lib/pure.ts", `export const one = 1;\n`);
  // A service that reaches Hono through a helper, and one that imports a route.
  plant("server/services/indirect.ts", `import { r } from "../lib/router.ts";\nexport const s = r;\n`);
  plant("server/services/fine.ts", `import { one } from "../lib/pure.ts";\nexport const f = one;\n`);
  plant("server/services/typed.ts", `import type { Context } from "hono";\nexport type T = Context;\n`);
  plant("server/services/upward.ts", `import { route } from "../routes/x.ts";\nexport const u = route;\n`);
  plant("server/routes/x.ts", `import { Hono } from "hono";\nexport const route = new Hono();\n`);
  // db/ importing the server; a widget importing server code at run time, another by type only.
  plant("db/seed.ts", `import { f } from "../server/services/fine.ts";\nexport const seed = f;\n`);
  plant("widgets/wall.ts", `import { f } from "../server/services/fine.ts";\nexport const w = f;\n`);
  plant("widgets/card.ts", `import type { route } from "../server/routes/x.ts";\nexport type C = typeof route;\n`);
  // A cycle of three, one edge of it type-only.
  plant("server/a.ts", `import { b } from "./b.ts";\nexport const a = b;\n`);
  plant("server/b.ts", `import { c } from "./c.ts";\nexport const b = c;\n`);
  plant("server/c.ts", `import type { a } from "./a.ts";\nexport const c = 1 as unknown as typeof a;\n`);

  const problems = architectureViolations(readImportGraph(dir, folders));
  const about = (file: string) => problems.filter((problem) => problem.startsWith(file));

  it("finds a service that reaches Hono through a helper, and by a type", () => {
    expect(about("server/services/indirect.ts").join("\n")).toContain(
      "server/services/indirect.ts → server/lib/router.ts → @hono/zod-openapi",
    );
    expect(about("server/services/typed.ts").join("\n")).toContain("reaches hono");
  });

  it("finds a service that reaches the HTTP side", () => {
    expect(about("server/services/upward.ts").join("\n")).toContain("reaches the HTTP side");
  });

  it("finds db/ importing server code", () => {
    expect(about("db/seed.ts")).toEqual(["db/seed.ts imports server/services/fine.ts (db/ is persistence only)"]);
  });

  it("finds a widget importing server code at run time, and allows `import type`", () => {
    expect(about("widgets/wall.ts")).toHaveLength(1);
    expect(about("widgets/card.ts")).toEqual([]);
  });

  it("finds the cycle, type-only edges included", () => {
    expect(problems).toContain("import cycle: server/a.ts ↔ server/b.ts ↔ server/c.ts");
  });

  it("passes what keeps the rules", () => {
    expect(about("server/services/fine.ts")).toEqual([]);
  });
});
