/**
 * The OpenAPI document lists every status a route can answer before its handler runs. For each
 * operation of the real app's /openapi.json, the statuses are derived from the router itself:
 * every handler Hono runs for that method and path (the app's body checks, the route's guards and
 * rate limits, found in `app.routes`) with the refusals it declares, and 400 when the operation
 * takes parameters or a body. A route declared by hand (plain `createRoute`) that forgets one
 * fails here; the last test proves it with such a route.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { COMPOSED_HANDLER } from "hono/utils/constants";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { errorResponses, isDescribedStatus } from "../../server/errors.ts";
import { refusalsOf } from "../../server/lib/refusals.ts";
import { createRouter } from "../../server/lib/router.ts";
import {
  requireLearnerToken,
  requirePublishableKey,
  requireSecretKey,
  requireSecretKeyOrSession,
} from "../../server/middleware/auth.ts";
import { jsonBody, limitBody } from "../../server/middleware/json-body.ts";
import { rateLimit } from "../../server/middleware/rate-limit.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

type Operation = {
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>;
};
type Doc = { paths: Record<string, Record<string, Operation>> };

const methods = ["get", "post", "put", "patch", "delete"];

async function documentOf(app: TestApp["app"]): Promise<Doc> {
  return (await (await app.request("https://chorus.test/openapi.json")).json()) as Doc;
}

/** Whether Hono runs a handler registered on `pattern` for `path` (both in Hono's `:param` form). */
function covers(pattern: string, path: string): boolean {
  if (pattern === "*" || pattern === "/*") return true;
  if (pattern.endsWith("/*")) return path.startsWith(pattern.slice(0, -1));
  return pattern === path;
}

/** A sub-router with its own onError hands its handlers over wrapped: look through the wrapper. */
function unwrap(handler: object): object {
  return (handler as Record<string, object>)[COMPOSED_HANDLER] ?? handler;
}

/** What the router's real middleware (and input validation) can answer for one operation. */
function answerable(app: TestApp["app"], method: string, docPath: string, operation: Operation) {
  const path = docPath.replace(/\{(\w+)\}/g, ":$1");
  const verb = method.toUpperCase();
  const run = app.routes.filter(
    (route) => (route.method === "ALL" || route.method === verb) && covers(route.path, path),
  );
  // The operation's own route must be found, or every derivation below would be vacuous.
  expect(
    run.some((route) => route.path === path && route.method === verb),
    `${verb} ${docPath} in app.routes`,
  ).toBe(true);
  const statuses = new Set<number>();
  for (const route of run) for (const status of refusalsOf(unwrap(route.handler))?.(verb) ?? []) statuses.add(status);
  if ((operation.parameters?.length ?? 0) > 0 || operation.requestBody) statuses.add(400);
  return statuses;
}

/** Every operation's statuses that its middleware can answer and the document does not list. */
async function missingStatuses(app: TestApp["app"]) {
  const doc = await documentOf(app);
  const missing: string[] = [];
  let operations = 0;
  let checked = 0;
  for (const [docPath, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!methods.includes(method)) continue;
      operations++;
      for (const status of answerable(app, method, docPath, operation)) {
        checked++;
        if (!(String(status) in operation.responses)) missing.push(`${method.toUpperCase()} ${docPath} ${status}`);
      }
    }
  }
  return { missing, operations, checked };
}

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

describe("the OpenAPI document and the router's middleware", () => {
  it("lists, for every operation, each status its guards, rate limits, body checks and validation can answer", async () => {
    const { missing, operations, checked } = await missingStatuses(t.app);
    expect(missing).toEqual([]);
    expect(operations).toBeGreaterThanOrEqual(40);
    expect(checked).toBeGreaterThanOrEqual(3 * operations);
  });

  it("lists only error statuses that errorResponses describes, with the error envelope", async () => {
    const doc = await documentOf(t.app);
    const wrong: string[] = [];
    for (const [docPath, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [code, response] of Object.entries(operation.responses)) {
          const status = Number(code);
          if (status < 400) continue;
          const where = `${method.toUpperCase()} ${docPath} ${code}`;
          if (!isDescribedStatus(status)) {
            wrong.push(`${where}: not a status errorResponses describes`);
            continue;
          }
          if (response.description !== errorResponses(status)[status]?.description) wrong.push(`${where}: description`);
          const schema = response.content?.["application/json"]?.schema as { $ref?: string } | undefined;
          if (schema?.$ref !== "#/components/schemas/Error") wrong.push(`${where}: not the error envelope`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("knows what every guard, rate limit and body check refuses with", () => {
    const declared = (middleware: object, method: string) => refusalsOf(middleware)?.(method);
    expect(declared(requireSecretKey, "GET")).toEqual([401]);
    expect(declared(requirePublishableKey, "GET")).toEqual([401, 403]);
    expect(declared(requireLearnerToken, "POST")).toEqual([401]);
    // A dashboard session is refused a route above its member's role (any method), and a change
    // without the X-Chorus-Dashboard header.
    expect(declared(requireSecretKeyOrSession, "GET")).toEqual([401, 403]);
    expect(declared(requireSecretKeyOrSession, "DELETE")).toEqual([401, 403]);
    expect(declared(rateLimit("stories"), "POST")).toEqual([429]);
    expect(declared(limitBody, "PATCH")).toEqual([413]);
    expect(declared(jsonBody, "PUT")).toEqual([400, 415]);
    expect(declared(limitBody, "GET")).toEqual([]);
    expect(declared(jsonBody, "DELETE")).toEqual([]);
  });

  it("fails a route declared by hand that leaves out what its middleware can answer", async () => {
    // As the moderation and settings routes were declared before: the guard's 401 only.
    const handWritten = createRoute({
      method: "post",
      path: "/v1/admin/hand-written/{id}",
      security: [{ secretKey: [] }],
      middleware: [requireSecretKeyOrSession, rateLimit("stories")] as const,
      request: { params: z.object({ id: z.string().max(64) }) },
      responses: { 204: { description: "Done" }, ...errorResponses(401) },
    });
    t.app.route(
      "/",
      createRouter().openapi(handWritten, (c) => c.body(null, 204)),
    );
    const { missing } = await missingStatuses(t.app);
    expect(missing.sort()).toEqual(
      [400, 403, 413, 415, 429].map((status) => `POST /v1/admin/hand-written/{id} ${status}`),
    );
  });
});
