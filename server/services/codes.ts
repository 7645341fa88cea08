/**
 * Referral codes: lookup for the redirect (through a small in-process cache, because every
 * click needs it and codes rarely change) and vanity codes chosen by the provider.
 */
import { and, eq } from "drizzle-orm";
import type { RateLimitGroup } from "../../db/program-settings.ts";
import { courses, learners, referralCodes, workspaces } from "../../db/schema.ts";
import { newId } from "../lib/ids.ts";
import { DomainError } from "./errors.ts";
import type { ServiceContext, WorkspaceContext } from "./types.ts";
import { parseWorkspace } from "./workspace-row.ts";

/** What the redirect needs to know about a code, resolved once and cached. */
export type ResolvedCode = {
  codeId: string;
  code: string;
  workspaceId: string;
  learnerId: string | null;
  course: string;
  disabled: boolean;
  /** The code's own target, else its course's page, else the workspace default. */
  target: string | null;
  /** Where a disabled code sends visitors. */
  fallback: string | null;
  /** The workspace's click rate limits, so the redirect checks them without a database read. */
  clickLimits: RateLimitGroup;
};

/** Codes are stored lower-case; any case in a link finds them. */
export const codePattern = /^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/;

export function normalizeCode(raw: string): string | null {
  const code = raw.toLowerCase();
  return codePattern.test(code) && !code.includes("--") ? code : null;
}

/** Words a vanity code may not be: they read as parts of the product or invite phishing. */
export const reservedCodes = new Set([
  "admin",
  "api",
  "app",
  "assets",
  "chorus",
  "dashboard",
  "demo",
  "docs",
  "embed",
  "help",
  "healthz",
  "login",
  "logout",
  "me",
  "null",
  "openapi",
  "r",
  "root",
  "settings",
  "signin",
  "signup",
  "static",
  "support",
  "undefined",
  "v1",
  "www",
  "official",
  "security",
  "billing",
  "account",
]);

/** A code (already normalised) with its workspace's settings, or null when there is none. */
export async function resolveCode(
  { db }: Pick<ServiceContext, "db">,
  { code }: { code: string },
): Promise<ResolvedCode | null> {
  const [row] = await db
    .select({ code: referralCodes, workspace: workspaces, courseUrl: courses.url })
    .from(referralCodes)
    .innerJoin(workspaces, eq(workspaces.id, referralCodes.workspaceId))
    .leftJoin(courses, and(eq(courses.workspaceId, referralCodes.workspaceId), eq(courses.slug, referralCodes.course)))
    .where(eq(referralCodes.code, code));
  if (!row) return null;
  const { settings } = parseWorkspace(row.workspace);
  return {
    codeId: row.code.id,
    code: row.code.code,
    workspaceId: row.code.workspaceId,
    learnerId: row.code.learnerId,
    course: row.code.course,
    disabled: row.code.disabledAt !== null,
    target: row.code.targetUrl ?? row.courseUrl ?? settings.defaultTargetUrl,
    fallback: settings.fallbackUrl,
    clickLimits: settings.rateLimits.clicks,
  };
}

/**
 * A bounded cache of resolved codes (misses too, so a flood of unknown codes cannot reach the
 * database each time). Changes made through this process clear it; the short TTL bounds how
 * long another process's change (the CLI, a second server) can go unseen.
 */
export class CodeCache {
  private entries = new Map<string, { value: ResolvedCode | null; expires: number }>();
  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** `now` is the caller's one reading of the clock for its request (ms), so the redirect reads it once. */
  async get(ctx: Pick<ServiceContext, "db">, code: string, now: number): Promise<ResolvedCode | null> {
    const hit = this.entries.get(code);
    if (hit && hit.expires > now) return hit.value;
    const value = await resolveCode(ctx, { code });
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(code, { value, expires: now + this.ttlMs });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The referrer as a friend sees them: a first name only, or a neutral word. */
export async function referrerName(
  { db }: Pick<ServiceContext, "db">,
  { workspaceId, learnerId }: { workspaceId: string; learnerId: string | null },
): Promise<string | null> {
  if (!learnerId) return null;
  const [row] = await db
    .select({ name: learners.name, erasedAt: learners.erasedAt })
    .from(learners)
    .where(and(eq(learners.workspaceId, workspaceId), eq(learners.id, learnerId)));
  if (!row?.name || row.erasedAt !== null) return null;
  return row.name.trim().split(/\s+/)[0] ?? null;
}

export type VanityInput = { code: string; learnerId?: string; course?: string; targetUrl?: string };

/** A provider-chosen code. Unique across the server, whatever the case. */
export async function createVanityCode({ db, clock, workspace }: WorkspaceContext, input: VanityInput) {
  const workspaceId = workspace.id;
  const code = normalizeCode(input.code);
  if (!code) throw new DomainError("invalid_request", "A code is 3–32 characters of a-z, 0-9 and single hyphens");
  if (reservedCodes.has(code)) throw new DomainError("invalid_request", `"${code}" is reserved`);
  let learnerId: string | null = null;
  if (input.learnerId) {
    const [learner] = await db
      .select({ id: learners.id })
      .from(learners)
      .where(and(eq(learners.workspaceId, workspaceId), eq(learners.externalId, input.learnerId)));
    if (!learner) throw new DomainError("not_found", `No learner ${input.learnerId} in this workspace`);
    learnerId = learner.id;
  }
  const [row] = await db
    .insert(referralCodes)
    .values({
      id: newId("ref"),
      workspaceId,
      code,
      kind: "vanity",
      learnerId,
      course: input.course ?? "",
      targetUrl: input.targetUrl ?? null,
      createdAt: clock.now().getTime(),
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new DomainError("conflict", `The code "${code}" is taken`);
  return row;
}
