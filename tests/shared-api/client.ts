/**
 * What a shared API test may use: plain `fetch` against the target's base URL, and the real CLI
 * against the target's database to make workspaces (see targets.ts for the rules).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { SignJWT } from "jose";
import { expect, inject } from "vitest";
import { repoRoot } from "../support/processes.ts";
import type { TargetInfo } from "./global-setup.ts";
import { suiteSecret } from "./targets.ts";

/** The target this project runs against: its name, base URL and database URL. */
export function target(): TargetInfo {
  return inject("sharedApiTarget");
}

/**
 * `expect.poll` options for work a Worker finishes after answering (targets.ts). Read every
 * quarter second, not every 50 ms: polling is traffic too, and a rate-limited route would refuse it.
 */
export const settling = { timeout: 10_000, interval: 250 };

/** An origin that every workspace made by `newWorkspace` allows by default. */
export const siteOrigin = "https://academy.example";

export type ApiOptions = { body?: unknown; headers?: Record<string, string> };

/** One HTTP call to the target; an object body is sent as JSON, a string body as is. */
export function api(method: string, path: string, options: ApiOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/json";
  }
  return fetch(`${target().baseUrl}${path}`, { method, headers, body, redirect: "manual" });
}

/** `api` for a JSON answer with the expected status; returns the parsed body. */
export async function apiJson<T = Record<string, unknown>>(
  method: string,
  path: string,
  status: number,
  options: ApiOptions = {},
): Promise<T> {
  const response = await api(method, path, options);
  const text = await response.text();
  if (response.status !== status)
    throw new Error(`${method} ${path}: expected ${status}, got ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export type ErrorEnvelope = { code: string; message: string; requestId: string; details?: unknown };

/** Asserts the error envelope (DESIGN.md section 3) with the given status and code; returns `error`. */
export async function expectError(response: Response, status: number, code: string): Promise<ErrorEnvelope> {
  const text = await response.text();
  expect(`${response.status} ${text}`).toMatch(new RegExp(`^${status} `));
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: ErrorEnvelope };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.requestId).toBe(response.headers.get("X-Request-Id"));
  return body.error;
}

/** The secret key header. */
export const secret = (key: string) => ({ Authorization: `Bearer ${key}` });

/** What a widget sends: the publishable key from a page's origin, with a learner token if any. */
export const browser = (key: string, token?: string, origin = siteOrigin) => ({
  "Chorus-Key": key,
  Origin: origin,
  ...(token ? { Authorization: `Bearer ${token}` } : {}),
});

/** Runs `npm run chorus -- …` (server/cli.ts) against the target's database. */
export function cli(args: string[]): Promise<string> {
  const child = spawn(join(repoRoot, "node_modules", ".bin", "tsx"), [join(repoRoot, "server/cli.ts"), ...args], {
    env: { ...process.env, DATABASE_URL: target().databaseUrl, CHORUS_SECRET: suiteSecret },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`chorus ${args.join(" ")} exited ${code}:\n${stderr}`)),
    );
  });
}

export type Workspace = { id: string; name: string; publishableKey: string; secretKey: string; tokenSecret: string };

/** A new workspace made with `chorus workspace create --json`, as an operator would. */
export async function newWorkspace(options: { name?: string; origins?: string[] } = {}): Promise<Workspace> {
  const origins = options.origins ?? [siteOrigin];
  const args = ["workspace", "create", "--name", options.name ?? "Shared Suite Academy", "--json"];
  for (const origin of origins) args.push("--origin", origin);
  return JSON.parse(await cli(args)) as Workspace;
}

/** `chorus key rotate`: revokes the current key of that kind and returns the new one. */
export async function rotateKey(workspace: Workspace, kind: "secret" | "publishable"): Promise<string> {
  const out = JSON.parse(await cli(["key", "rotate", "--workspace", workspace.id, "--kind", kind, "--json"]));
  return out.key as string;
}

/** A learner token as the provider's server signs it (HS256 with the workspace token secret). */
export function learnerToken(
  workspace: Pick<Workspace, "tokenSecret">,
  claims: { sub?: string; name?: string; email?: string } = {},
  expiresInSeconds = 3600,
): Promise<string> {
  const { sub = "learner-1", ...rest } = { name: "Priya Sharma", ...claims };
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(rest)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(new TextEncoder().encode(workspace.tokenSecret));
}

/**
 * A workspace whose links lead to `targetUrl`, with one learner (signed in by `token`) and the
 * learner's referral code, as the card would first have loaded it.
 */
export async function referringWorkspace(
  name: string,
  targetUrl: string,
  learner: { sub: string; name: string },
): Promise<{ ws: Workspace; token: string; code: string }> {
  const ws = await newWorkspace({ name });
  await apiJson("PATCH", "/v1/admin/program", 200, {
    headers: secret(ws.secretKey),
    body: { defaultTargetUrl: targetUrl },
  });
  const token = await learnerToken(ws, learner);
  const { code } = await apiJson<{ code: string }>("POST", "/v1/referrals/me", 200, {
    headers: browser(ws.publishableKey, token),
  });
  return { ws, token, code };
}
