/** The HTTP side's shared shapes: the injected dependencies and the Hono environment. */

import type { Context, Hono, MiddlewareHandler } from "hono";
import type { Db } from "../db/index.ts";
import type { Config } from "./config.ts";
import type { Outbound } from "./lib/outbound/guard.ts";
import type { RateLimits } from "./lib/rate-limiter.ts";
import type { Logger, Metrics } from "./lib/telemetry.ts";
import type { ClickWriter } from "./services/click-writer.ts";
import type { ClickRecorder, ClickRecorderOptions } from "./services/clicks.ts";
import type { CodeCache } from "./services/codes.ts";
import type { CredentialFetchCache } from "./services/credentials/fetch-cache.ts";
import type { Member } from "./services/dashboard-sessions.ts";
import type { LearnerClaims } from "./services/learner-tokens.ts";
import type { MailTransport } from "./services/mail-outbox.ts";
import type { MediaStore } from "./services/media-store.ts";
import type { StripeApiOptions } from "./services/stripe-coupons.ts";
import type { Clock, Visitor, Workspace } from "./services/types.ts";

/** What `createApp` is given; the Node and Workers entries only differ in how they build it. */
export type Deps = {
  db: Db;
  clock: Clock;
  config: Config;
  /** Keeps work alive after the response on runtimes that need it (Workers' waitUntil, bound per request). */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Where each request brings its own ExecutionContext (Workers): that request's waitUntil, set as `waitUntil` on its deps. */
  requestWaitUntil?: (c: Context<AppEnv>) => ((promise: Promise<unknown>) => void) | undefined;
  /** The caller's IP as the runtime sees it (socket address on Node, CF-Connecting-IP on Workers). */
  clientIp?: (c: Context<AppEnv>) => string | undefined;
  /** Writes clicks, as the entry chose for its runtime (services/click-writer.ts); a group committer when absent. */
  clickWriter?: ClickWriter;
  /** What the runtime lets the click recorder assume (services/clicks.ts); absent: it always asks the database. */
  clickRecorder?: ClickRecorderOptions;
  /** Outbound HTTP for credential URLs, issuer JWKS and status lists (tests); absent: https through `outbound`. */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /**
   * The runtime's outbound-request guard (server/lib/outbound/guard.ts): on Node it resolves names
   * and connects only to the public addresses it checked (server/node-outbound.ts); absent, the
   * Web guard (URL checks only; Cloudflare's fetch does not reach private networks).
   */
  outbound?: Outbound;
  /** Where Stripe API calls go (friend coupons as promotion codes); absent, api.stripe.com. Tests point it at a local server. */
  stripeApi?: StripeApiOptions;
  /** Sends email from the outbox (SMTP on Node); absent, mail is off and messages wait queued. */
  mailTransport?: MailTransport;
  /**
   * Where uploaded and fetched media (story photos, videos) are kept (services/media-store.ts):
   * files under the data folder on Node, the `MEDIA` R2 bucket on Workers; absent, this process's
   * memory (tests and benches that never keep media).
   */
  media?: MediaStore;
  /** Serves the built static files (loader, elements, dashboard, demo); calls next() when none matches. */
  assets?: MiddlewareHandler<AppEnv>;
  /** One structured line per request and per unexpected error (pino on Node, JSON console lines on Workers); absent: silent. */
  log?: Logger;
  /** Counts requests, clicks written and rate-limit refusals (prom-client on Node); absent: nothing is counted. */
  metrics?: Metrics;
  /** `GET /metrics`: the bearer token it requires and the Prometheus text it answers; absent, it answers 404. */
  metricsEndpoint?: { token: string; render(): Promise<{ contentType: string; body: string }> };
  /** The migrations this build has and the database lacks (`GET /readyz`); absent where they cannot be read (Workers). */
  pendingMigrations?: () => Promise<string[]>;
  /** An embedded replica's (DATABASE_SYNC_URL): settles when its primary answers; for /readyz. */
  primaryProbe?: () => Promise<unknown>;
  /** An embedded replica's clicks kept locally while its primary did not answer, not yet written there. */
  heldClicks?: () => number;
  /** The demo provider's site at /demo and its files at /demo/assets (Node, when it has a demo workspace). */
  demo?: { routes: Hono; assets: MiddlewareHandler<AppEnv> };
};

/** The caller, once a key or token has been checked. */
export type Auth =
  | { kind: "publishable"; workspace: Workspace; origin: string | null }
  | { kind: "secret"; workspace: Workspace; keyId: string }
  | { kind: "member"; workspace: Workspace; member: Member };

export type AppEnv = {
  Variables: {
    requestId: string;
    deps: Deps;
    /** Who is calling (address, user agent, country), read once per request. */
    visitor: Visitor;
    auth: Auth;
    learner: LearnerClaims;
    /**
     * The signed-in team member (id, email, role, workspaceId) when the dashboard's session cookie
     * made the call; unset for the secret key (then `auth.kind === "secret"` and `auth.keyId`).
     */
    member: Member | undefined;
    codes: CodeCache;
    clicks: ClickRecorder;
    /** This app's rate limiters (per visitor and per workspace, windows in memory). */
    rateLimits: RateLimits;
    /** This app's status lists and issuer key sets, kept for a few minutes between credential checks. */
    credentialCache: CredentialFetchCache;
  };
};
