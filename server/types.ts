/** The HTTP side's shared shapes: the injected dependencies and the Hono environment. */
import type { Context, MiddlewareHandler } from "hono";
import type { Db } from "../db/index.ts";
import type { Config } from "./config.ts";
import type { RateLimits } from "./lib/rate-limiter.ts";
import type { ClickWriter } from "./services/click-writer.ts";
import type { ClickRecorder } from "./services/clicks.ts";
import type { CodeCache } from "./services/codes.ts";
import type { LearnerClaims } from "./services/learner-tokens.ts";
import type { Clock, Visitor, Workspace } from "./services/types.ts";

/** What `createApp` is given; the Node and Workers entries only differ in how they build it. */
export type Deps = {
  db: Db;
  clock: Clock;
  config: Config;
  /** "workers" where each request brings an ExecutionContext (its waitUntil is bound per request). */
  runtime?: "node" | "workers";
  /** Keeps work alive after the response on runtimes that need it (Workers' waitUntil, bound per request). */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** The caller's IP as the runtime sees it (socket address on Node, CF-Connecting-IP on Workers). */
  clientIp?: (c: Context<AppEnv>) => string | undefined;
  /** Writes clicks; on Node a group committer (many clicks, one transaction). Made by createApp when absent. */
  clickWriter?: ClickWriter;
  /** Outbound HTTP for credential URLs, issuer JWKS and status lists; defaults to https-to-public-hosts only. */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** Serves the built static files (loader, elements, dashboard, demo); calls next() when none matches. */
  assets?: MiddlewareHandler<AppEnv>;
};

/** The caller, once a key or token has been checked. */
export type Auth =
  | { kind: "publishable"; workspace: Workspace; origin: string | null }
  | { kind: "secret"; workspace: Workspace; keyId: string };

export type AppEnv = {
  Variables: {
    requestId: string;
    deps: Deps;
    /** Who is calling (address, user agent, country), read once per request. */
    visitor: Visitor;
    auth: Auth;
    learner: LearnerClaims;
    codes: CodeCache;
    clicks: ClickRecorder;
    /** This app's rate limiters (per visitor and per workspace, windows in memory). */
    rateLimits: RateLimits;
  };
};
