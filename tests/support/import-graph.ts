/**
 * The real import graph of the source folders, read with TypeScript's own parser (static imports,
 * re-exports and `import()` of a string), and the architecture rules of DESIGN.md section 7 as
 * a function of that graph. `tests/api/architecture.test.ts` runs the rules over the project and
 * over planted violations, so a rule that could never fail would show.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

export type ImportEdge = {
  /** A project file (relative, with `/`) or a package name (`hono`, `@hono/zod-openapi`). */
  to: string;
  /** True for `import type` (or only type specifiers): erased, no bytes, no code runs. */
  typeOnly: boolean;
};

/** File → what it imports. Only files below `folders` are nodes; other targets are kept as leaves. */
export type ImportGraph = Map<string, ImportEdge[]>;

const sourceFile = /\.(ts|tsx|js|mjs)$/;

function walk(dir: string, out: string[]) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (sourceFile.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) return node.isTypeOnly;
  const clause = node.importClause;
  if (!clause) return false; // `import "x"` runs x
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0
    ? bindings.elements.every((element) => element.isTypeOnly)
    : false;
}

function importsOf(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier))
        found.push({ specifier: node.moduleSpecifier.text, typeOnly: isTypeOnly(node) });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) found.push({ specifier: literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Reads every source file below `folders` (relative to `root`) and resolves its imports. */
export function readImportGraph(root: string, folders: string[]): ImportGraph {
  const files: string[] = [];
  for (const folder of folders) if (existsSync(join(root, folder))) walk(join(root, folder), files);
  const graph: ImportGraph = new Map();
  const key = (path: string) => relative(root, path).split(sep).join("/");
  for (const file of files) {
    const edges = importsOf(file).map(({ specifier, typeOnly }) => {
      if (!specifier.startsWith(".")) return { to: packageName(specifier), typeOnly };
      const target = resolve(dirname(file), specifier);
      const candidates = [target, `${target}.ts`, join(target, "index.ts")];
      return { to: key(candidates.find((candidate) => existsSync(candidate)) ?? target), typeOnly };
    });
    graph.set(key(file), edges);
  }
  return graph;
}

const isHono = (to: string) => to === "hono" || to.startsWith("@hono/");
const under = (folder: string) => (file: string) => file.startsWith(`${folder}/`);
const isService = under("server/services");
const isDb = under("db");
const isWidget = under("widgets");
/** The HTTP side of server/: what a service must never reach. */
const isHttp = (file: string) =>
  ["server/routes/", "server/middleware/"].some((prefix) => file.startsWith(prefix)) ||
  ["server/app.ts", "server/types.ts", "server/errors.ts", "server/node.ts", "server/worker.ts"].includes(file);

/** Everything `from` reaches through imports (type-only edges followed only when `withTypes`). */
function reach(graph: ImportGraph, from: string, withTypes: boolean): Map<string, string[]> {
  const paths = new Map<string, string[]>([[from, [from]]]);
  const queue = [from];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const edge of graph.get(file) ?? []) {
      if (edge.typeOnly && !withTypes) continue;
      if (paths.has(edge.to)) continue;
      paths.set(edge.to, [...paths.get(file)!, edge.to]);
      if (graph.has(edge.to)) queue.push(edge.to);
    }
  }
  return paths;
}

/** Import cycles, each as the files of one strongly connected component (Tarjan). */
export function importCycles(graph: ImportGraph): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (file: string) => {
    indexOf.set(file, index);
    low.set(file, index);
    index++;
    stack.push(file);
    onStack.add(file);
    for (const { to } of graph.get(file) ?? []) {
      if (!graph.has(to)) continue;
      if (!indexOf.has(to)) {
        connect(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(file, Math.min(low.get(file)!, indexOf.get(to)!));
    }
    if (low.get(file) === indexOf.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfImport = (graph.get(file) ?? []).some((edge) => edge.to === file);
      if (component.length > 1 || selfImport) cycles.push(component.sort());
    }
  };
  for (const file of [...graph.keys()].sort()) if (!indexOf.has(file)) connect(file);
  return cycles;
}

/** Every broken rule, as a sentence naming the files (and the path, for reached imports). */
export function architectureViolations(graph: ImportGraph): string[] {
  const problems: string[] = [];
  for (const [file, edges] of graph) {
    if (isService(file) || isDb(file) || isWidget(file)) {
      // Services and db/ may not reach Hono even through a helper or a type; widgets only by value.
      const reached = reach(graph, file, !isWidget(file));
      for (const [to, path] of reached) if (isHono(to)) problems.push(`${file} reaches ${to} (${path.join(" → ")})`);
    }
    if (isService(file)) {
      for (const [to, path] of reach(graph, file, true))
        if (isHttp(to)) problems.push(`${file} reaches the HTTP side: ${path.join(" → ")}`);
    }
    if (isDb(file)) {
      for (const { to } of edges)
        if (["server/", "demo/", "widgets/"].some((prefix) => to.startsWith(prefix)))
          problems.push(`${file} imports ${to} (db/ is persistence only)`);
    }
    if (isWidget(file)) {
      for (const { to, typeOnly } of edges)
        if ((to.startsWith("server/") || to.startsWith("db/")) && !typeOnly)
          problems.push(`${file} imports ${to} at run time (widgets may only \`import type\` from server/ and db/)`);
    }
  }
  for (const cycle of importCycles(graph)) problems.push(`import cycle: ${cycle.join(" ↔ ")}`);
  return problems;
}
