/**
 * The service context of a request: what every service call is handed (`(ctx, input)`), built
 * from the app's deps and the checked caller, so a handler reads its input and calls the service.
 */
import type { Context } from "hono";
import type { Actor, SecretContext, ServiceContext, WorkspaceContext } from "../services/types.ts";
import type { AppEnv } from "../types.ts";

export function serviceContext(c: Context<AppEnv>): ServiceContext & SecretContext {
  const { db, clock, config } = c.var.deps;
  return { db, clock, secret: config.secret };
}

/**
 * Who the audit trail names for this request: the one place that decides it. A request without
 * an Authorization header passed the guard with the dashboard's session cookie (of a secret key).
 */
export function actorOf(c: Context<AppEnv>): Actor {
  const auth = c.var.auth;
  if (auth.kind !== "secret") return { kind: "system", id: "publishable-key" };
  return { kind: c.req.header("Authorization") === undefined ? "dashboard" : "key", id: auth.keyId };
}

/** For routes behind a key, token or session guard: the caller's workspace scopes every query. */
export function workspaceContext(c: Context<AppEnv>): WorkspaceContext & SecretContext {
  const audit = c.var.auth.kind === "secret" ? { actor: actorOf(c), requestId: c.var.requestId ?? null } : undefined;
  return { ...serviceContext(c), workspace: c.var.auth.workspace, audit };
}
