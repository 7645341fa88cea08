/**
 * The service context of a request: what every service call is handed (`(ctx, input)`), built
 * from the app's deps and the checked caller, so a handler reads its input and calls the service.
 */
import type { Context } from "hono";
import type { MediaContext } from "../services/media-store.ts";
import type { Actor, SecretContext, ServiceContext, WorkspaceContext } from "../services/types.ts";
import type { AppEnv } from "../types.ts";

export function serviceContext(c: Context<AppEnv>): ServiceContext & SecretContext {
  const { db, clock, config } = c.var.deps;
  return { db, clock, secret: config.secret };
}

/**
 * Who the audit trail names for this request: the one place that decides it. A team member signed
 * into the dashboard, or the secret key a server called with.
 */
export function actorOf(c: Context<AppEnv>): Actor {
  const auth = c.var.auth;
  if (auth.kind === "member") return { kind: "member", id: auth.member.id };
  if (auth.kind === "secret") return { kind: "key", id: auth.keyId };
  return { kind: "system", id: "publishable-key" };
}

/** For routes behind a key, token or session guard: the caller's workspace scopes every query. */
export function workspaceContext(c: Context<AppEnv>): WorkspaceContext & SecretContext {
  const audit =
    c.var.auth.kind === "secret" || c.var.auth.kind === "member"
      ? { actor: actorOf(c), requestId: c.var.requestId ?? null }
      : undefined;
  return { ...serviceContext(c), workspace: c.var.auth.workspace, audit };
}

/** The app's media store (services/media-store.ts), for services that keep or read photos and videos. */
export function mediaContext(c: Context<AppEnv>): MediaContext {
  const media = c.var.deps.media;
  // createApp always sets one (the entry's, or memory): a missing store is a wiring bug.
  if (!media) throw new Error("deps.media is unset: build the app with createApp");
  return { media };
}
