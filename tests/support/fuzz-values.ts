/**
 * Values for the fuzzer: hostile corpora, arbitraries built from the OpenAPI document's JSON
 * Schemas (valid-looking values, then mutated at a random place), and a JSON writer that can
 * also emit what JSON.stringify cannot (1e999, duplicate-free `__proto__` keys as own keys).
 */
import fc from "fast-check";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
};
export type OpenApiDoc = {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
};
export type OpenApiParameter = {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
};
export type OpenApiOperation = {
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: Record<string, string[]>[];
};

/**
 * A raw JSON token written as is: numbers JSON.stringify cannot produce (1e999), and nesting
 * too deep for the test's own JSON.stringify (the server must cope with it, the client cannot).
 */
const rawTexts: string[] = [];
export function rawToken(text: string): string {
  let index = rawTexts.indexOf(text);
  if (index < 0) index = rawTexts.push(text) - 1;
  return `\u0000raw:${index}\u0000`;
}

/** JSON text of a value, with raw tokens spliced in. */
export function writeJson(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.replace(/"\\u0000raw:(\d+)\\u0000"/g, (_, index: string) => rawTexts[Number(index)] ?? "null");
}

/** An object with an own, enumerable property of any name (also `__proto__`). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export const hostileStrings: string[] = [
  "",
  " ",
  "\u0000",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-0",
  "1e308",
  "-1e308",
  "0x1F",
  "true",
  "[]",
  "{}",
  "' OR '1'='1",
  "'; DROP TABLE clicks; --",
  '" OR ""="',
  "1; SELECT * FROM api_keys",
  "%",
  "%%",
  "_",
  "\\",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "</script><script>alert(1)</script>",
  "javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "../../../../etc/passwd",
  "..%2f..%2f..%2fetc%2fpasswd",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, on purpose
  "${7*7}",
  "{{7*7}}",
  "\u202eevil\u202c",
  "\u200b\u200c\u200d",
  "\u202e\u202c \u0007",
  "\ufeffbom",
  "💥🎉👩‍👩‍👧‍👦",
  "𝕳𝖊𝖑𝖑𝖔",
  "Ω≈ç√∫˜µ≤≥÷",
  "नमस्ते",
  "\ud800",
  "\udfff\ud800",
  "a\r\nSet-Cookie: x=1",
  "line\nbreak",
  "\t\v\f",
  "https://evil.example/",
  "http://127.0.0.1:8787/",
  "http://169.254.169.254/latest/meta-data/",
  "file:///etc/passwd",
  "sk_",
  "pk_",
  "clk_",
  "cnv_",
  "sty_AAAAAAAAAAAAAAAA",
  "rwd_x",
  "__proto__",
  "constructor",
  "A".repeat(5_000),
  "é".repeat(3_000),
];

/** Strings over 64 KB: bodies with them are over the limit, queries and paths are merely huge. */
export const hugeStrings = ["x".repeat(70_000)];

export const hostileNumbers: unknown[] = [
  0,
  -0,
  -1,
  1.5,
  -1.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 53 + 2,
  -(2 ** 63),
  2 ** 31,
  rawToken("1e999"),
  rawToken("-1e999"),
  rawToken("1e-999"),
  rawToken("1.0"),
  rawToken("-0.0"),
];

export const hostileKeys = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "",
  " ",
  "$where",
  "a.b",
  "k".repeat(1_000),
  "💥",
];

/** `{"__proto__":{"polluted":true}}` as an own key, as JSON.parse makes it. */
const protoPollution = () =>
  JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');

function deep(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? rawToken(`${"[".repeat(depth)}1${"]".repeat(depth)}`)
    : rawToken(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);
}

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...hostileStrings), weight: 6 },
  { arbitrary: fc.constantFrom(...hostileNumbers), weight: 3 },
  {
    arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], [[]], { "": null }),
    weight: 3,
  },
  { arbitrary: fc.constant(null).map(protoPollution), weight: 1 },
  { arbitrary: fc.constantFrom(10, 1_000, 5_000).map((d) => deep(d, "array")), weight: 1 },
  { arbitrary: fc.constantFrom(10, 1_000, 5_000).map((d) => deep(d, "object")), weight: 1 },
  { arbitrary: fc.constantFrom(1_000, 5_000).map((n) => Array.from({ length: n }, (_, i) => i)), weight: 1 },
  { arbitrary: fc.constantFrom(...hugeStrings), weight: 1 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
);

/** A string for a path segment, a query value or a header: hostile or random. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...hostileStrings), weight: 4 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 60 }), weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 60 }), weight: 1 },
  { arbitrary: fc.constantFrom("1e308", "-0", "NaN", "99999999999999999999", "-1", "0", "1.5", "0x10"), weight: 1 },
);

/** Header values must be ByteStrings without CR, LF or NUL: anything else is folded to "?". */
export function headerSafe(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?");
}

/** Lone surrogates replaced by U+FFFD: encodeURIComponent and URLSearchParams cannot carry them. */
export const wellFormed = (value: string) =>
  value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

/** One path segment: "", "." and ".." would move to another route, so they get a suffix. */
export function encodeSegment(value: string): string {
  const segment = encodeURIComponent(wellFormed(value));
  return /^(\.|%2e){0,2}$/i.test(segment) ? `${segment}_` : segment;
}

const sampleUrls = [
  "https://academy.example/courses/data-analytics",
  "https://academy.example/",
  "http://localhost:3000/course.html?x=1",
  "https://images.example/priya.jpg",
];

function boundedInteger(min: number, max: number): fc.Arbitrary<number> {
  const int32 = 2 ** 31 - 1;
  if (min >= -int32 && max <= int32) return fc.integer({ min, max });
  return fc.oneof(
    fc.integer({ min: Math.max(min, -int32), max: Math.min(max, int32) }),
    fc.constantFrom(min, max).filter(Number.isFinite),
  );
}

export type SchemaContext = {
  doc: OpenApiDoc;
  /** Known real values by field name (ids, codes, slugs), so valid-looking requests reach real rows. */
  known: (name: string) => readonly string[] | undefined;
};

export function resolveSchema(schema: JsonSchema, doc: OpenApiDoc): JsonSchema {
  let current = schema;
  for (let i = 0; i < 20 && current.$ref; i++) {
    const name = current.$ref.replace("#/components/schemas/", "");
    current = {
      ...doc.components?.schemas?.[name],
      ...Object.fromEntries(Object.entries(current).filter(([k]) => k !== "$ref")),
    };
  }
  return current;
}

/** A value that satisfies the schema (as far as a generator cheaply can), preferring known real values. */
export function validValue(schema: JsonSchema, ctx: SchemaContext, name?: string, depth = 0): fc.Arbitrary<unknown> {
  const s = resolveSchema(schema, ctx.doc);
  const base = baseValue(s, ctx, depth);
  const known = name ? ctx.known(name) : undefined;
  if (!known?.length) return base;
  return fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 2 }, { arbitrary: base, weight: 1 });
}

function baseValue(s: JsonSchema, ctx: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((alt) => validValue(alt, ctx, undefined, depth + 1)));
  if (s.allOf?.length) return validValue(s.allOf[0]!, ctx, undefined, depth + 1);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => baseValue({ ...s, type }, ctx, depth)));
  const type = types[0] ?? (s.properties ? "object" : undefined);
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return boundedInteger(
        s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000_000),
        s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000),
      );
    case "number":
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case "string":
      return stringValue(s);
    case "array": {
      if (depth > 6) return fc.constant([]);
      const items = s.items ? validValue(s.items, ctx, undefined, depth + 1) : fc.jsonValue({ maxDepth: 1 });
      const minLength = s.minItems ?? 0;
      return fc.array(items, { minLength, maxLength: Math.max(minLength, Math.min(s.maxItems ?? 3, 3)) });
    }
    case "object": {
      if (depth > 6) return fc.constant({});
      const properties = s.properties ?? {};
      const names = Object.keys(properties);
      if (names.length === 0) {
        if (s.additionalProperties === false) return fc.constant({});
        const values =
          typeof s.additionalProperties === "object"
            ? validValue(s.additionalProperties, ctx, undefined, depth + 1)
            : fc.jsonValue({ maxDepth: 2 });
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), values, { maxKeys: 4 });
      }
      const required = new Set(s.required ?? []);
      const shape = Object.fromEntries(names.map((key) => [key, validValue(properties[key]!, ctx, key, depth + 1)]));
      // Required keys always; optional ones often, so the deep branches that read them run.
      return fc.record(shape, { requiredKeys: names.filter((key) => required.has(key)) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringValue(s: JsonSchema): fc.Arbitrary<string> {
  const maxLength = s.maxLength ?? 60;
  const minLength = s.minLength ?? 0;
  switch (s.format) {
    case "uri":
    case "url":
      return fc.oneof(fc.constantFrom(...sampleUrls), fc.webUrl());
    case "email":
      return fc.oneof(fc.constantFrom("asha@example.com", "friend@mailinator.com"), fc.emailAddress());
    case "date":
      return fc
        .date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-12-31T00:00:00Z"), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case "date-time":
      return fc
        .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
        .map((d) => d.toISOString());
  }
  if (s.pattern) {
    return fc.stringMatching(new RegExp(s.pattern)).map((value) => value.slice(0, Math.max(maxLength, 1)));
  }
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(maxLength, 40)) });
}

type Step = { parent: Record<string, unknown> | unknown[]; key: string | number } | null;

/** Every place in a value where a mutation can land: null is the root itself. */
function places(value: unknown, parent: Step = null, out: Step[] = [], depth = 0): Step[] {
  out.push(parent);
  if (depth > 8) return out;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) places(value[i], { parent: value, key: i }, out, depth + 1);
  } else if (value && typeof value === "object")
    for (const key of Object.keys(value)) {
      places(
        (value as Record<string, unknown>)[key],
        { parent: value as Record<string, unknown>, key },
        out,
        depth + 1,
      );
    }
  return out;
}

const mutations = ["replace", "replace", "replace", "delete", "add", "wrap", "stringify"] as const;

/** The value with one random place broken: a wrong type, a hostile value, a missing or extra key. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.nat(), fc.constantFrom(...mutations), hostileValue, fc.constantFrom(...hostileKeys))
    .map(([original, pick, mutation, hostile, hostileKey]) => {
      const value = structuredClone(original);
      const all = places(value);
      const place = all[pick % all.length] ?? null;
      const current = place ? (place.parent as Record<string | number, unknown>)[place.key] : value;
      const replacement =
        mutation === "wrap"
          ? [current]
          : mutation === "stringify"
            ? typeof current === "string"
              ? Number(current)
              : JSON.stringify(current ?? null)
            : hostile;
      if (mutation === "add") {
        const target = current && typeof current === "object" && !Array.isArray(current) ? current : value;
        if (target && typeof target === "object" && !Array.isArray(target)) {
          setOwn(target as Record<string, unknown>, hostileKey, hostile);
          return value;
        }
        return { [hostileKey]: hostile };
      }
      if (!place) return mutation === "delete" ? undefined : replacement;
      if (mutation === "delete") {
        if (Array.isArray(place.parent)) place.parent.splice(Number(place.key), 1);
        else delete place.parent[place.key as string];
      } else if (Array.isArray(place.parent)) place.parent[Number(place.key)] = replacement;
      else setOwn(place.parent, String(place.key), replacement);
      return value;
    });
}

/** Bodies as the wire carries them: text (or nothing), from valid through mutated to garbage. */
export function bodyText(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { arbitrary: valid.map(writeJson), weight: 4 },
    { arbitrary: mutated(valid).map(writeJson), weight: 6 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map(writeJson), weight: 1 },
    { arbitrary: hostileValue.map(writeJson), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        undefined,
        "",
        " ",
        "{",
        '{"a":',
        "[1,2",
        "nul",
        "'single'",
        '{"a":1,"a":2}',
        '{"__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        "\ufeff{}",
        "{}\u0000",
        "1e999",
        "NaN",
        '"\\ud800"',
        `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
        `${'{"a":'.repeat(6_000)}1${"}".repeat(6_000)}`,
      ),
      weight: 2,
    },
    { arbitrary: valid.map(writeJson).map((text) => text.slice(0, Math.max(1, text.length - 3))), weight: 1 },
    { arbitrary: fc.string({ unit: "binary", maxLength: 80 }), weight: 1 },
  );
}
