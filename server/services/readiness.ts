/**
 * Whether this server should be sent traffic (`GET /readyz`), and the figures behind it that the
 * metrics show: the outboxes' backlog and the database's size.
 *
 * "Draining" is judged by how long the oldest message has been *due and not picked up*, not by
 * its age: a message waiting out a back-off for a receiver that is down, or held by an endpoint a
 * person paused, is the receiver's trouble and no reason to take this server out of rotation;
 * a due message nobody claims for minutes means the background worker is stuck.
 */
import { sql } from "drizzle-orm";
import type { OutboxName } from "../lib/telemetry.ts";
import type { ServiceContext } from "./types.ts";

export type OutboxBacklog = {
  /** Messages still to send (pending webhook deliveries, queued mail), due or not. */
  depth: number;
  /** Seconds since the oldest of them was written (0 when none). */
  oldestAgeSeconds: number;
  /** Seconds the longest-waiting *due* message has gone unclaimed (0 when none is overdue). */
  overdueSeconds: number;
};

type BacklogRow = { depth: number; oldest: number | null; due: number | null };

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

/** The webhook and mail outboxes' backlog, each read with one indexed query. */
export async function outboxBacklog({ db, clock }: ServiceContext): Promise<Record<OutboxName, OutboxBacklog>> {
  const now = clock.now().getTime();
  // A delivery is due when its own time and its endpoint's back-off have passed, and the
  // endpoint is neither deleted nor paused (those wait for a person, by design).
  const [webhooks] = await db.all<BacklogRow>(sql`
    select count(*) as depth, min(d.created_at) as oldest,
      min(case when e.disabled_at is null and e.paused_at is null
        then max(d.next_attempt_at, coalesce(e.retry_at, 0)) end) as due
    from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
    where d.status = 'pending'`);
  const [mail] = await db.all<BacklogRow>(sql`
    select count(*) as depth, min(created_at) as oldest, min(next_attempt_at) as due
    from mail_messages where status = 'queued'`);
  const backlog = (row: BacklogRow | undefined): OutboxBacklog => ({
    depth: Number(row?.depth ?? 0),
    oldestAgeSeconds: row?.oldest == null ? 0 : seconds(now - Number(row.oldest)),
    overdueSeconds: row?.due == null ? 0 : seconds(now - Number(row.due)),
  });
  return { webhooks: backlog(webhooks), mail: backlog(mail) };
}

/** The database's size in bytes (its pages; an embedded file's WAL comes on top until a checkpoint). */
export async function databaseBytes({ db }: Pick<ServiceContext, "db">): Promise<number> {
  const [row] = await db.all<{ bytes: number }>(
    sql`select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`,
  );
  return Number(row?.bytes ?? 0);
}

export type ReadinessInput = {
  /** The migrations this build has and the database lacks; absent where the runtime cannot read them. */
  pendingMigrations?: () => Promise<string[]>;
  /** The most seconds a due message may wait unclaimed (READY_OUTBOX_MAX_AGE_SECONDS). */
  maxOverdueSeconds: number;
  /** Which outboxes this server drains: mail only where mail is on (otherwise it waits, by design). */
  draining: readonly OutboxName[];
  /**
   * For an embedded replica: settles when its primary answers (a sync). While it does not, reads
   * go on from the local copy but every write is refused, so the server is not ready.
   */
  primary?: () => Promise<unknown>;
  /** The clicks an embedded replica holds locally until its primary has them (server/node-click-spool.ts). */
  heldClicks?: () => number;
};

export type Readiness = {
  ready: boolean;
  /** Each check's verdict: "ok", "skipped: why", or what is wrong. */
  checks: { database: string; migrations: string; webhooks: string; mail: string; primary: string };
  /** What is wrong, one sentence per failing check (empty when ready). */
  reasons: string[];
};

/** Answers each check; none throws (a database that does not answer is a verdict, not an error). */
export async function readiness(ctx: ServiceContext, input: ReadinessInput): Promise<Readiness> {
  const checks: Readiness["checks"] = {
    database: "ok",
    migrations: "ok",
    webhooks: "ok",
    mail: "ok",
    primary: input.primary ? "ok" : "skipped: not an embedded replica",
  };
  const reasons: string[] = [];
  const fail = (check: keyof Readiness["checks"], reason: string) => {
    checks[check] = reason;
    reasons.push(`${check}: ${reason}`);
  };
  try {
    await ctx.db.run(sql`select 1`);
  } catch {
    fail("database", "the database does not answer");
    checks.migrations = checks.webhooks = checks.mail = "skipped: the database does not answer";
    if (input.primary) checks.primary = "skipped: the database does not answer";
    return { ready: false, checks, reasons };
  }
  if (!input.pendingMigrations) checks.migrations = "skipped: this runtime cannot read the migration files";
  else {
    const pending = await input.pendingMigrations().catch(() => null);
    if (pending === null) fail("migrations", "the applied migrations could not be read");
    else if (pending.length > 0)
      fail("migrations", `missing ${pending.join(", ")}: run \`chorus db migrate\` with this build`);
  }
  const backlog = await outboxBacklog(ctx);
  for (const outbox of ["webhooks", "mail"] as const) {
    if (!input.draining.includes(outbox)) {
      checks[outbox] = "skipped: this server does not send it";
      continue;
    }
    const { overdueSeconds } = backlog[outbox];
    if (overdueSeconds > input.maxOverdueSeconds)
      fail(
        outbox,
        `not draining: a due message has waited ${overdueSeconds} s unclaimed (the limit is ${input.maxOverdueSeconds} s)`,
      );
  }
  if (input.primary) {
    const held = input.heldClicks?.() ?? 0;
    const holding = `${held} ${held === 1 ? "click" : "clicks"} held on this server`;
    const answers = await input.primary().then(
      () => true,
      () => false,
    );
    if (!answers)
      fail(
        "primary",
        input.heldClicks
          ? `the primary database does not answer: clicks are kept on this server (${holding}), other writes are refused until it does (reads go on)`
          : "the primary database does not answer: writes are refused until it does (reads go on)",
      );
    // Answering again, and still catching up: ready, and saying so.
    else if (held > 0) checks.primary = `ok (${holding}, being written to the primary)`;
  }
  return { ready: reasons.length === 0, checks, reasons };
}
