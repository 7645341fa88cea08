/**
 * Which routes the fuzzer must cover, derived from the app itself: every operation of its own
 * `/openapi.json`, plus the routes outside OpenAPI (pages, redirects) listed here by hand. The
 * coverage test compares this with the app's full route table, so a new route that is neither
 * in OpenAPI nor listed below fails the build instead of going unfuzzed.
 */
import { staticHeaders } from "../../server/lib/static-headers.ts";
import type { OpenApiDoc, OpenApiOperation } from "./fuzz-values.ts";

export type RouteKind = "api" | "page" | "redirect";

export type FuzzTarget = {
  /** `GET /v1/stories/{id}`: OpenAPI spelling, Hono's `:id` converted. */
  key: string;
  method: string;
  path: string;
  kind: RouteKind;
  operation: OpenApiOperation;
};

const page = (method: string, path: string, kind: RouteKind, operation: OpenApiOperation): FuzzTarget => ({
  key: `${method} ${path}`,
  method,
  path,
  kind,
  operation,
});

const stringParam = (name: string, pattern?: string) => ({
  name,
  in: "path" as const,
  required: true,
  schema: { type: "string", ...(pattern ? { pattern } : {}) },
});
const redirectQuery = [
  {
    name: "ch",
    in: "query" as const,
    schema: { type: "string", enum: ["whatsapp", "linkedin", "qr", "WhatsApp", "zz"] },
  },
  { name: "s", in: "query" as const, schema: { type: "string", pattern: "^sty_[A-Za-z0-9]{16}$" } },
];

/** Routes outside OpenAPI that are fuzzed all the same, with hand-written parameter schemas. */
export const extraTargets: FuzzTarget[] = [
  page("GET", "/", "page", { responses: { "200": { content: { "text/html": {} } } } }),
  page("GET", "/docs", "page", { responses: { "200": { content: { "text/html": {} } } } }),
  page("GET", "/openapi.json", "api", { responses: { "200": { content: { "application/json": {} } } } }),
  page("GET", "/r/{code}", "redirect", {
    parameters: [stringParam("code", "^[a-z0-9-]{3,32}$"), ...redirectQuery],
    responses: { "302": {}, "404": { content: { "text/html": {} } } },
  }),
  page("HEAD", "/r/{code}", "redirect", {
    parameters: [stringParam("code", "^[a-z0-9-]{3,32}$"), ...redirectQuery],
    responses: { "302": {}, "404": { content: { "text/html": {} } } },
  }),
  page("GET", "/r/{code}/qr.svg", "redirect", {
    parameters: [stringParam("code", "^[a-z0-9-]{3,32}$")],
    responses: { "200": { content: { "image/svg+xml": {} } }, "404": { content: { "text/html": {} } } },
  }),
  // The hosted advocate page (server/routes/advocate-page.ts): HTML pages and plain forms.
  ...[
    "GET /p/{slug}",
    "POST /p/{slug}/sign-in",
    "GET /p/{slug}/link",
    "POST /p/{slug}/link",
    "POST /p/{slug}/sign-out",
    "POST /p/{slug}/payout-method",
  ].map((route) => {
    const [method = "GET", path = ""] = route.split(" ");
    return page(method, path, "page", {
      parameters: [
        stringParam("slug", "^[a-z0-9-]{3,40}$"),
        { name: "t", in: "query" as const, schema: { type: "string", pattern: "^[0-9a-f]{64}$" } },
        { name: "lang", in: "query" as const, schema: { type: "string", enum: ["en", "hi", "xx"] } },
      ],
      responses: {
        "200": { content: { "text/html": {} } },
        "303": {},
        "400": { content: { "text/html": {} } },
        "403": { content: { "text/html": {} } },
        "404": { content: { "text/html": {} } },
        "410": { content: { "text/html": {} } },
        "429": { content: { "text/html": {} } },
      },
    });
  }),
  // Story photos are bytes for <img>, outside OpenAPI: Chorus's checked copies (services/story-photos.ts).
  page("GET", "/v1/story-photos/{id}/{hash}", "api", {
    parameters: [stringParam("id", "^sty_[A-Za-z0-9]{16}$"), stringParam("hash", "^[0-9a-f]{64}$")],
    responses: { "200": { content: { "image/png": {} } }, "404": { content: { "application/json": {} } } },
  }),
  // Story videos, posters and captions, outside OpenAPI like the photos (services/story-videos.ts).
  page("GET", "/v1/story-videos/{id}/{hash}", "api", {
    parameters: [stringParam("id", "^sty_[A-Za-z0-9]{16}$"), stringParam("hash", "^[0-9a-f]{64}$")],
    responses: {
      "200": { content: { "video/webm": {} } },
      "206": { content: { "video/webm": {} } },
      "404": { content: { "application/json": {} } },
    },
  }),
  page("GET", "/v1/story-posters/{id}/{hash}", "api", {
    parameters: [stringParam("id", "^sty_[A-Za-z0-9]{16}$"), stringParam("hash", "^[0-9a-f]{64}$")],
    responses: { "200": { content: { "image/jpeg": {} } }, "404": { content: { "application/json": {} } } },
  }),
  page("GET", "/v1/stories/{id}/captions.vtt", "api", {
    parameters: [stringParam("id", "^sty_[A-Za-z0-9]{16}$")],
    responses: { "200": { content: { "text/vtt": {} } }, "404": { content: { "application/json": {} } } },
  }),
  // A story's public receipt page (server/routes/story-receipt.ts); its JSON twin is in OpenAPI.
  page("GET", "/stories/{id}/receipt", "page", {
    parameters: [
      stringParam("id", "^sty_[A-Za-z0-9]{16}$"),
      { name: "lang", in: "query" as const, schema: { type: "string", enum: ["en", "hi", "xx"] } },
    ],
    responses: { "200": { content: { "text/html": {} } }, "404": { content: { "application/json": {} } } },
  }),
];

/** Routes that are deliberately not fuzzed, each with the reason. */
export const notFuzzed: Record<string, string> = {
  "GET /*":
    "static files (loader, widgets, dashboard, demo) from deps.assets, which createTestApp does not mount; " +
    "they read no input but the path (tests/api/system.test.ts and the browser suites cover them)",
};

export const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/** Every operation of the app's own OpenAPI document, as fuzz targets. */
export function openApiTargets(doc: OpenApiDoc): FuzzTarget[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      key: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      kind: "api" as const,
      operation,
    })),
  );
}

export function fuzzTargets(doc: OpenApiDoc): FuzzTarget[] {
  return [...openApiTargets(doc), ...extraTargets];
}

/**
 * The concrete routes in Hono's table (`app.routes`). Middleware is registered as method ALL;
 * an ALL entry is taken for middleware only when it is a wildcard, a concrete route serves the
 * same path, or it is one of the static-file header rules (served by the assets handler). Any
 * other ALL entry would be an `app.all()` handler, and is reported as a route so it cannot hide.
 */
export function registeredRoutes(routes: readonly { method: string; path: string }[]): string[] {
  const concrete = routes.filter((route) => route.method !== "ALL");
  const concretePaths = new Set(concrete.map((route) => route.path));
  const staticPaths = new Set(staticHeaders.map((rule) => rule.path));
  const keys = new Set(concrete.map((route) => `${route.method} ${toOpenApiPath(route.path)}`));
  for (const route of routes) {
    if (route.method !== "ALL" || route.path.includes("*")) continue;
    if (!concretePaths.has(route.path) && !staticPaths.has(route.path)) keys.add(`ALL ${toOpenApiPath(route.path)}`);
  }
  // Hono spells a catch-all "*" as "/*" once mounted.
  return [...keys].map((key) => key.replace(/ \*$/, " /*")).sort();
}
