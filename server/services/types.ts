/** The domain's shared shapes: what every service is handed, with nothing of HTTP in them. */
import type { Db, schema } from "../../db/index.ts";
import type { ProgramSettings } from "../../db/program-settings.ts";
import type { Tx } from "../lib/write-transaction.ts";
import type { TransactionMemo } from "./transaction-memo.ts";

export type Clock = { now(): Date };

export type Workspace = typeof schema.workspaces.$inferSelect & { settings: ProgramSettings };

export type Learner = typeof schema.learners.$inferSelect;

/** A caller as a visitor: read from the request once (by the app), handed to services as values. */
export type Visitor = {
  /** The client address as the runtime (or a trusted proxy) reports it; "unknown" when none. */
  ip: string;
  /** Absent when the request sent none (such requests are not counted as clicks). */
  userAgent: string | undefined;
  /** Two-letter country from the edge, when a CDN adds it. */
  country: string | null;
};

/** What every service call is given: the database and the time (tests move the clock). */
export type ServiceContext = { db: Db; clock: Clock };

/** Who made a change, for the audit trail (server/services/audit.ts). */
export type Actor = { kind: "key" | "dashboard" | "member" | "system"; id: string };

/** Where a change came from: set by the routes (server/routes/context.ts), absent for jobs and the CLI. */
export type AuditSource = { actor: Actor; requestId: string | null };

/** A call inside one workspace: every query it makes is scoped by `workspace.id`. */
export type WorkspaceContext = ServiceContext & { workspace: Workspace; audit?: AuditSource };

/** A step inside one write transaction (attribution, fraud, rewards): it reads and writes through `tx`. */
export type TransactionContext = Omit<WorkspaceContext, "db"> & { tx: Tx; memo?: TransactionMemo };

/** For services that salt hashes of personal data (addresses, emails) with the server secret. */
export type SecretContext = { secret: string };
