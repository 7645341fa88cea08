/**
 * The Chorus HTTP app. Runtime-agnostic (Web APIs only): the Node and Workers entries build
 * `deps` (database, clock, config, how clicks are written, optional parts such as the demo site)
 * and hand them in; nothing here knows where it runs.
 */
import type { Context } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { apiErrorOf, type ErrorCode, errorBody } from "./errors.ts";
import { RateLimits } from "./lib/rate-limiter.ts";
import { createRouter } from "./lib/router.ts";
import { apiCsp, staticHeaders } from "./lib/static-headers.ts";
import { errorText } from "./lib/telemetry.ts";
import { bodyPaths, jsonBody, limitBody } from "./middleware/json-body.ts";
import { observeRequests, routePattern } from "./middleware/observe.ts";
import { readVisitor } from "./middleware/visitor.ts";
import { adminIntegrationRoutes } from "./routes/admin-integrations.ts";
import { adminStoryRoutes } from "./routes/admin-stories.ts";
import { advocatePageRoutes } from "./routes/advocate-page.ts";
import { analyticsRoutes } from "./routes/analytics.ts";
import { auditRoutes } from "./routes/audit.ts";
import { clickRoutes } from "./routes/clicks.ts";
import { codeRoutes } from "./routes/codes.ts";
import { conversionRoutes } from "./routes/conversions.ts";
import { courseRoutes } from "./routes/courses.ts";
import { dashboardSessionRoutes } from "./routes/dashboard-session.ts";
import { eventRoutes } from "./routes/events.ts";
import { friendCouponRoutes } from "./routes/friend-coupons.ts";
import { healthRoutes } from "./routes/health.ts";
import { integrationRoutes } from "./routes/integrations.ts";
import { learnerRoutes } from "./routes/learners.ts";
import { mailRoutes } from "./routes/mail.ts";
import { outcomeRoutes } from "./routes/outcomes.ts";
import { pageRoutes } from "./routes/pages.ts";
import { payoutMethodRoutes } from "./routes/payout-methods.ts";
import { payoutRoutes } from "./routes/payouts.ts";
import { programRoutes } from "./routes/program.ts";
import { redirectRoutes } from "./routes/redirect.ts";
import { referralEmailRoutes } from "./routes/referral-emails.ts";
import { referralRoutes } from "./routes/referrals.ts";
import { referredByRoutes } from "./routes/referred-by.ts";
import { reservedCodeRoutes } from "./routes/reserved-codes.ts";
import { reviewRoutes } from "./routes/review.ts";
import { rewardRoutes } from "./routes/rewards.ts";
import { storyRoutes } from "./routes/stories.ts";
import { storyImportRoutes } from "./routes/story-imports.ts";
import { storyPhotoRoutes } from "./routes/story-photos.ts";
import { storyReceiptRoutes } from "./routes/story-receipt.ts";
import { storyRequestRoutes } from "./routes/story-requests.ts";
import { storyVideoRoutes, storyVideoUploadRoutes } from "./routes/story-videos.ts";
import { stripeRoutes } from "./routes/stripe.ts";
import { teamRoutes } from "./routes/team.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { createClickWriter } from "./services/click-writer.ts";
import { ClickRecorder } from "./services/clicks.ts";
import { CodeCache } from "./services/codes.ts";
import { CredentialFetchCache } from "./services/credentials/fetch-cache.ts";
import { memoryMediaStore } from "./services/media-store.ts";
import type { AppEnv, Deps } from "./types.ts";

/** Endpoints that browsers call with a publishable key from the provider's own pages. */
const browserPaths = [
  "/v1/referrals/*",
  "/v1/clicks",
  "/v1/events",
  "/v1/stories",
  "/v1/stories/*",
  "/v1/outcomes",
  "/v1/referred-by",
  "/v1/referred-by/*",
];

function statusCode(status: number): ErrorCode {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 405) return "method_not_allowed";
  if (status === 413) return "payload_too_large";
  if (status === 415) return "unsupported_media_type";
  if (status === 429) return "rate_limited";
  return status >= 500 ? "internal" : "invalid_request";
}

/**
 * Where every request has its own ExecutionContext (Workers), `deps.waitUntil` must use that one
 * (work handed to another request's context dies with it): the entry's `requestWaitUntil` finds
 * it. Without one (Node) `deps` stays as is, without even asking (Hono answers that question with
 * a thrown Error, costly on a hot path).
 */
function withExecutionContext(deps: Deps, c: Context<AppEnv>): Deps {
  if (deps.waitUntil || !deps.requestWaitUntil) return deps;
  const waitUntil = deps.requestWaitUntil(c);
  return waitUntil ? { ...deps, waitUntil } : deps;
}

type Router = ReturnType<typeof createRouter>;

/** Every resource's routes, in the order they are matched. */
const resourceRoutes = [
  healthRoutes,
  pageRoutes,
  advocatePageRoutes,
  programRoutes,
  referralRoutes,
  clickRoutes,
  referralEmailRoutes,
  referredByRoutes,
  eventRoutes,
  codeRoutes,
  reservedCodeRoutes,
  friendCouponRoutes,
  courseRoutes,
  redirectRoutes,
  storyRequestRoutes,
  storyRoutes,
  storyReceiptRoutes,
  storyPhotoRoutes,
  storyVideoRoutes,
  storyVideoUploadRoutes,
  adminStoryRoutes,
  storyImportRoutes,
  outcomeRoutes,
  conversionRoutes,
  rewardRoutes,
  reviewRoutes,
  auditRoutes,
  payoutRoutes,
  payoutMethodRoutes,
  webhookRoutes,
  mailRoutes,
  stripeRoutes,
  integrationRoutes,
  adminIntegrationRoutes,
  analyticsRoutes,
  dashboardSessionRoutes,
  teamRoutes,
  learnerRoutes,
];

export function createApp(given: Deps) {
  // Services reach media through `deps.media`: one store per app when the entry gave none.
  const deps: Deps = given.media ? given : { ...given, media: memoryMediaStore() };
  const app = createRouter();
  app.use("*", requestId({ headerName: "X-Request-Id" }));
  app.use("*", observeRequests(deps));
  useRequestState(app, deps);
  useHeaders(app);
  app.use(bodyPaths, limitBody, jsonBody);
  for (const routes of resourceRoutes) app.route("/", routes);
  documentApi(app);
  serveFiles(app, deps);
  answerErrors(app, deps);
  return app;
}

/** What every request reads from `c.var`: its deps, its visitor, and the state all requests share. */
function useRequestState(app: Router, deps: Deps) {
  // Per-process state shared by all requests: the code cache, the click recorder, the limiters,
  // the documents credential checks fetch.
  const codes = new CodeCache();
  const clicks = new ClickRecorder(
    deps.db,
    deps.clickWriter ?? createClickWriter({ db: deps.db }),
    deps.config.secret,
    deps.clickRecorder,
  );
  const rateLimits = new RateLimits({
    clicksPerAddressPerMinute: deps.config.clicksPerAddressPerMinute,
    onRefusal: deps.metrics?.rateLimited,
  });
  const credentialCache = new CredentialFetchCache();
  app.use("*", async (c, next) => {
    const requestDeps = withExecutionContext(deps, c);
    c.set("deps", requestDeps);
    c.set("visitor", readVisitor(c, requestDeps));
    c.set("codes", codes);
    c.set("clicks", clicks);
    c.set("rateLimits", rateLimits);
    c.set("credentialCache", credentialCache);
    await next();
  });
}

function useHeaders(app: Router) {
  // Widgets, the loader and their API are embedded on other origins by design. Pages set their
  // own policy (kept: overwrite false); everything else (JSON, the API) gets one that allows nothing.
  app.use(
    "*",
    secureHeaders({
      crossOriginResourcePolicy: "cross-origin",
      crossOriginOpenerPolicy: false,
      xFrameOptions: "DENY",
      contentSecurityPolicy: apiCsp,
      overwrite: false,
    }),
  );
  for (const path of browserPaths) {
    app.use(
      path,
      cors({
        // The real origin check needs the key, which a preflight does not carry: it happens in
        // requirePublishableKey, which refuses foreign origins before any data is read.
        origin: (origin) => origin,
        allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allowHeaders: ["Chorus-Key", "Authorization", "Content-Type", "Chorus-Edit-Token", "Chorus-Story-Token"],
        exposeHeaders: ["X-Request-Id", "Retry-After"],
        maxAge: 600,
      }),
    );
  }
}

/** The credentials the routes name in `security`, and /openapi.json itself. */
function documentApi(app: Router) {
  const schemes = {
    secretKey: {
      type: "http",
      scheme: "bearer",
      description: "The workspace secret key `sk_…`, server to server only.",
    },
    publishableKey: {
      type: "apiKey",
      in: "header",
      name: "Chorus-Key",
      description: "The workspace publishable key `pk_…`, accepted only from the workspace's allowed origins.",
    },
    learnerToken: {
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
      description: "A learner token (HS256, signed with the workspace token secret), sent beside `Chorus-Key`.",
    },
    dashboardSession: {
      type: "apiKey",
      in: "cookie",
      name: "chorus_session",
      description:
        "A team member's dashboard session cookie (from a passkey or a one-time link); changes also need `X-Chorus-Dashboard: 1`, and the member's role must be one the route lists in `x-chorus-roles`.",
    },
    metricsToken: {
      type: "http",
      scheme: "bearer",
      description: "The server's METRICS_TOKEN, for GET /metrics only (a Prometheus scraper's credential).",
    },
  } as const;
  for (const [name, scheme] of Object.entries(schemes))
    app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Chorus API",
      version: "1",
      description: "Referral links, conversions, rewards, success stories and analytics for course providers.",
    },
  });
}

/** The built files (loader, elements, dashboard) with their headers, and the optional demo site. */
function serveFiles(app: Router, deps: Deps) {
  if (deps.assets) {
    for (const { path, headers } of staticHeaders) {
      app.use(path, async (c, next) => {
        await next();
        for (const [name, value] of Object.entries(headers)) c.header(name, value);
      });
    }
    app.get("*", deps.assets);
  }
  if (deps.demo) {
    app.use("/demo/assets/*", deps.demo.assets);
    app.route("/demo", deps.demo.routes);
  }
}

/** Every failure answers the one envelope: ours with their code, Hono's by status, the rest as 500. */
function answerErrors(app: Router, deps: Deps) {
  app.notFound((c) =>
    c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`, c.var.requestId), 404),
  );
  app.onError((error, c) => {
    const requestId = c.var.requestId ?? "unknown";
    const apiError = apiErrorOf(error);
    if (apiError) {
      for (const [name, value] of Object.entries(apiError.headers ?? {})) c.header(name, value);
      return c.json(errorBody(apiError.code, apiError.message, requestId, apiError.details), apiError.status);
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      return c.json(errorBody(statusCode(status), error.message || "Request failed", requestId), status);
    }
    // Unexpected: log it with the request id, answer without internals.
    if (deps.log)
      deps.log.error(
        {
          requestId,
          route: routePattern(c),
          error: errorText(error),
        },
        "unexpected error",
      );
    else console.error(`[${requestId}]`, error);
    return c.json(errorBody("internal", "Something went wrong on our side", requestId), 500);
  });
}

export type App = ReturnType<typeof createApp>;
