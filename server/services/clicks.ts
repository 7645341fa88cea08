/**
 * Recording a click: once per visitor per code per hour, never for bots, answered only when
 * durable (Node) or handed to the runtime to finish after the answer (Workers' waitUntil).
 */
import { and, desc, eq, gt, max } from "drizzle-orm";
import { isbot } from "isbot";
import type { Db } from "../../db/index.ts";
import { clicks, stories } from "../../db/schema.ts";
import { newClickId } from "../lib/ids.ts";
import type { ClickWriter } from "./click-writer.ts";
import type { ResolvedCode } from "./codes.ts";
import type { SecretContext, Visitor } from "./types.ts";
import { ipHash, networkKey, visitorHash } from "./visitors.ts";

export const clickChannels = [
  "whatsapp",
  "linkedin",
  "x",
  "facebook",
  "telegram",
  "email",
  "sms",
  "copy",
  "qr",
  "native",
  "direct",
  "other",
] as const;
export type ClickChannel = (typeof clickChannels)[number];

export const dedupWindowMs = 60 * 60 * 1000;
const storyCacheMs = 30_000;

/** Link previews, crawlers and requests without a user agent are redirected but never counted. */
export function isAutomated(userAgent: string | undefined): boolean {
  if (!userAgent?.trim()) return true;
  // isbot runs one very large regular expression; visitors share a few thousand user agents.
  // Real browsers' agents are a few hundred characters; longer ones are not cached, so strangers
  // cannot fill memory with 16 KB headers.
  if (userAgent.length > 512) return isbot(userAgent);
  let automated = knownAgents.get(userAgent);
  if (automated === undefined) {
    automated = isbot(userAgent);
    if (knownAgents.size >= 5_000) knownAgents.clear();
    knownAgents.set(userAgent, automated);
  }
  return automated;
}
const knownAgents = new Map<string, boolean>();

/** A click as the redirect or the beacon saw it; `now` is the moment of the click. */
export type ClickInput = {
  channel: ClickChannel;
  storyId: string | null;
  /** The request's visitor, as the app read it once (its address and agent are only hashed). */
  visitor: Visitor;
  visitorId: string | null;
  /** `named`: the friend named the referrer ("Who referred you?", server/services/referred-by.ts). */
  source: "redirect" | "beacon" | "named";
  now: Date;
};

/** What `ClickRecorder.record` is given: the click, its resolved code and, on Workers, `waitUntil`. */
export type RecordClickInput = ClickInput & {
  code: ResolvedCode;
  /** Workers: the write finishes after the answer. Without it (Node) the answer waits until the click is durable. */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
};

/** What a runtime lets the click recorder assume; chosen by the entry (server/node.ts, server/worker.ts). */
export type ClickRecorderOptions = {
  /**
   * This process is the only writer of clicks (Node with its embedded database), so once
   * `recent` covers the whole dedup window a new visitor needs no database read at all.
   * Workers isolates are many and short-lived: they always ask the database.
   */
  exclusive?: boolean;
  /**
   * Workers: no request may await a promise another request made, because that request's I/O is
   * cancelled when it ends; concurrent repeats of a visitor each look up.
   */
  isolatedRequests?: boolean;
};

export class ClickRecorder {
  /**
   * Recent (code, visitor) pairs: a repeat within the hour costs no database read. Two
   * generations: when the current one is full the older one is dropped whole, which stays O(1)
   * (removing a Map's oldest entries one by one makes V8 walk the holes they leave).
   */
  private recent = new Map<string, { clickId: string; at: number }>();
  private olderRecent = new Map<string, { clickId: string; at: number }>();
  /** The latest click time in `recent`, which becomes the older generation's on rotation. */
  private recentNewestAt = 0;
  private olderNewestAt = 0;
  /** Whether a story (`workspace|story`) is an approved one of the workspace, and until when that is trusted: see ownStory. */
  private readonly knownStories = new Map<string, { approved: boolean; until: number }>();
  /**
   * Until when the database may hold clicks that `recent` does not know: clicks from before this
   * process started, and clicks evicted from `recent` while still inside the dedup window.
   */
  private incompleteUntil: Promise<number> | undefined;

  /** The secret that salts the visitor and IP hashes, as the hashes take it (made once, not per click). */
  private readonly hashing: SecretContext;

  /** The entry says what its runtime allows (see ClickRecorderOptions); the default asks the database. */
  constructor(
    private readonly db: Db,
    private readonly writer: ClickWriter,
    secret: string,
    private readonly options: ClickRecorderOptions & { maxRecent?: number } = {},
  ) {
    this.hashing = { secret };
  }

  private async memoryIsComplete(now: number): Promise<boolean> {
    if (!this.options.exclusive) return false;
    this.incompleteUntil ??= this.db
      .select({ latest: max(clicks.createdAt) })
      .from(clicks)
      .then(([row]) => (row?.latest ?? 0) + dedupWindowMs);
    return now >= (await this.incompleteUntil);
  }

  /** Concurrent requests of one visitor for one code share a single lookup-and-write. */
  private inflight = new Map<string, Promise<string>>();

  /**
   * Returns the click id (an existing one for a repeat visit) and whether a click was stored.
   * With `waitUntil` (Workers) the write finishes after the answer; without it (Node) the answer
   * waits until the click is durable.
   */
  async record(input: RecordClickInput): Promise<{ clickId: string; created: boolean }> {
    const { code, waitUntil } = input;
    const now = input.now.getTime();
    const hashed = { workspaceId: code.workspaceId, visitor: input.visitor, now: input.now };
    const visitor = visitorHash(this.hashing, hashed);
    const key = `${code.codeId}|${visitor}`;
    const seen = this.recent.get(key) ?? this.olderRecent.get(key);
    if (seen && now - seen.at < dedupWindowMs) return { clickId: seen.clickId, created: false };
    const pending = this.options.isolatedRequests ? undefined : this.inflight.get(key);
    if (pending) return { clickId: await pending, created: false };

    let created = false;
    const work = (async () => {
      const [earlier] = (await this.memoryIsComplete(now))
        ? []
        : await this.db
            .select({ id: clicks.id, createdAt: clicks.createdAt })
            .from(clicks)
            .where(
              and(
                eq(clicks.workspaceId, code.workspaceId),
                eq(clicks.visitorHash, visitor),
                eq(clicks.codeId, code.codeId),
                gt(clicks.createdAt, now - dedupWindowMs),
              ),
            )
            .orderBy(desc(clicks.createdAt))
            .limit(1);
      if (earlier) {
        this.remember(key, earlier.id, earlier.createdAt);
        return earlier.id;
      }
      const clickId = newClickId(now);
      const storyId = input.storyId ? await this.ownStory(code.workspaceId, input.storyId, now) : null;
      const written = this.writer.write({
        id: clickId,
        workspaceId: code.workspaceId,
        codeId: code.codeId,
        learnerId: code.learnerId,
        course: code.course,
        channel: input.channel,
        storyId,
        visitorHash: visitor,
        ipHash: ipHash(this.hashing, hashed),
        networkKey: networkKey(this.hashing, { workspaceId: code.workspaceId, ip: input.visitor.ip }),
        visitorId: input.visitorId,
        country: input.visitor.country,
        source: input.source,
        createdAt: now,
      });
      created = true;
      if (waitUntil) waitUntil(written.catch((error) => console.error("click write failed", error)));
      else await written;
      this.remember(key, clickId, now);
      return clickId;
    })();
    if (this.options.isolatedRequests) return { clickId: await work, created };
    this.inflight.set(key, work);
    try {
      return { clickId: await work, created };
    } finally {
      this.inflight.delete(key);
    }
  }

  /**
   * The story a link was shared with (`?s=`), kept only when it is an approved story of the code's
   * workspace. Anyone can put any story id in a link: another workspace's story must not be
   * credited, nor its id show up in this workspace's analytics, and a story that is pending,
   * rejected or withdrawn is not on show, so it brings nobody (DESIGN.md §5).
   */
  private async ownStory(workspaceId: string, storyId: string, now: number): Promise<string | null> {
    // The answer is kept for a short while, as codes are: a shared story's clicks skip the read,
    // and a story approved or withdrawn since counts or stops counting within 30 s.
    const key = `${workspaceId}|${storyId}`;
    const known = this.knownStories.get(key);
    if (known && known.until > now) return known.approved ? storyId : null;
    const [row] = await this.db
      .select({ id: stories.id })
      .from(stories)
      .where(and(eq(stories.workspaceId, workspaceId), eq(stories.id, storyId), eq(stories.status, "approved")));
    if (this.knownStories.size >= 10_000) this.knownStories.clear();
    this.knownStories.set(key, { approved: Boolean(row), until: now + storyCacheMs });
    return row ? row.id : null;
  }

  private remember(key: string, clickId: string, at: number) {
    if (this.recent.size >= (this.options.maxRecent ?? 200_000) / 2) {
      // Forgetting the older generation, whose clicks may still be inside the window: ask the
      // database again until the newest of them expires.
      if (this.olderRecent.size > 0) {
        const until = this.olderNewestAt + dedupWindowMs;
        this.incompleteUntil = (this.incompleteUntil ?? Promise.resolve(0)).then((current) => Math.max(current, until));
      }
      this.olderRecent = this.recent;
      this.olderNewestAt = this.recentNewestAt;
      this.recent = new Map();
    }
    this.recent.set(key, { clickId, at });
    this.recentNewestAt = Math.max(this.recentNewestAt, at);
  }
}
