/**
 * Every route module starts from `createRouter()`, so validation failures share one envelope, and
 * declares its routes with `apiRoute()`, so the document lists every status the route can answer.
 */
import { createRoute, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import { ApiError, type DescribedStatus, errorResponses } from "../errors.ts";
import { bodyPaths, jsonBody, limitBody } from "../middleware/json-body.ts";
import type { AppEnv } from "../types.ts";
import { rolesFor } from "./permissions.ts";
import { refusalsOf } from "./refusals.ts";
import { validationDetails } from "./validation.ts";

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    // "/demo/" and "/demo" are the same page to a person typing it.
    strict: false,
    defaultHook: (result) => {
      if (!result.success) {
        const where = result.target === "json" ? "body" : result.target;
        throw new ApiError("invalid_request", `The request ${where} is invalid`, validationDetails(result.error));
      }
    },
  });
}

type RouteShape = Pick<RouteConfig, "method" | "path" | "middleware" | "request">;

/**
 * The error statuses a route answers before its handler runs: what its middleware declare
 * (guards, rate limits), the body checks the app runs on its path, and 400 when it validates input.
 */
export function routeRefusals(route: RouteShape): DescribedStatus[] {
  const method = route.method.toUpperCase();
  const own = route.middleware === undefined ? [] : [route.middleware].flat();
  const app = route.path.startsWith(bodyPaths.replace(/\*$/, "")) ? [limitBody, jsonBody] : [];
  const statuses = new Set<DescribedStatus>();
  for (const middleware of [...app, ...own]) {
    const refusals = refusalsOf(middleware);
    // A middleware that declares nothing would leave its refusals out of the document: fail at once.
    if (!refusals)
      throw new Error(`${method} ${route.path}: declare what ${middleware.name || "a middleware"} refuses`);
    for (const status of refusals(method)) statuses.add(status);
  }
  const { params, query, headers, cookies, body } = route.request ?? {};
  if (params || query || headers || cookies || body) statuses.add(400);
  return [...statuses].sort((a, b) => a - b);
}

/**
 * `createRoute` whose error responses are `errorResponses(...)` of what the route's middleware,
 * body and input can refuse, plus the ones its `responses` list by hand (the handler's own: 404,
 * 409, …). The types are createRoute's: handlers never return an error, they throw it.
 */
export function apiRoute<P extends string, R extends Omit<RouteConfig, "path"> & { path: P }>(config: R) {
  const responses = { ...errorResponses(...routeRefusals(config)), ...config.responses };
  return createRoute({ ...config, ...teamRoles(config), responses }) as ReturnType<typeof createRoute<P, R>>;
}

/**
 * For routes a dashboard session may call: the roles the permission table allows, as the
 * `x-chorus-roles` extension and a sentence of the description.
 */
function teamRoles(config: Omit<RouteConfig, "path"> & { path: string }) {
  if (!config.security?.some((scheme) => "dashboardSession" in scheme)) return {};
  const allowed = rolesFor(config.method, config.path) ?? [];
  const sentence = `Team roles: ${allowed.length > 0 ? allowed.join(", ") : "none (secret key only)"}; the secret key acts as an owner.`;
  return {
    "x-chorus-roles": allowed,
    description: config.description ? `${config.description}\n\n${sentence}` : sentence,
  };
}
