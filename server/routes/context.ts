/**
 * The service context of a request: what every service call is handed (`(ctx, input)`), built
 * from the app's deps and the checked caller, so a handler reads its input and calls the service.
 */
import type { Context } from "hono";
import type { SecretContext, ServiceContext, WorkspaceContext } from "../services/types.ts";
import type { AppEnv } from "../types.ts";

export function serviceContext(c: Context<AppEnv>): ServiceContext & SecretContext {
  const { db, clock, config } = c.var.deps;
  return { db, clock, secret: config.secret };
}

/** For routes behind a key, token or session guard: the caller's workspace scopes every query. */
export function workspaceContext(c: Context<AppEnv>): WorkspaceContext & SecretContext {
  return { ...serviceContext(c), workspace: c.var.auth.workspace };
}
