/**
 * CSV exports (RFC 4180: comma separated, CRLF line ends, fields with a comma, quote or line
 * break quoted, quotes doubled). Rows are read a page at a time with keyset pagination as the
 * client reads, so an export of a million clicks never sits in memory. Only what the provider
 * gave us (its ids, course slugs, amounts) and what we derived without personal data: no
 * visitor, IP or email hashes.
 */
import { type SQL, sql } from "drizzle-orm";
import { csvLine } from "../lib/csv-line.ts";
import { type AnalyticsRange, dayMs, type ExportDataset } from "./analytics-queries.ts";
import type { WorkspaceContext } from "./types.ts";

type Row = Record<string, unknown>;
type Cursor = { at: number; id: string };

/** Which page of a dataset: the workspace's rows of [from, to) (ms) and the course ('*' for all), `size` after `cursor`. */
type PageQuery = { workspaceId: string; from: number; to: number; course: string; cursor: Cursor | null; size: number };

type DatasetSpec = {
  columns: string[];
  /** One page after `cursor`, ordered by (time, id), as objects keyed by the column names plus `_at`, `_id`. */
  page: (query: PageQuery) => SQL;
};

const after = (time: SQL, id: SQL, cursor: Cursor | null) =>
  cursor ? sql`AND (${time} > ${cursor.at} OR (${time} = ${cursor.at} AND ${id} > ${cursor.id}))` : sql``;

const courseIs = (column: SQL, course: string) => (course === "*" ? sql`` : sql`AND ${column} = ${course}`);

const iso = (ms: unknown) => (ms === null || ms === undefined ? "" : new Date(Number(ms)).toISOString());

const specs: Record<ExportDataset, DatasetSpec> = {
  clicks: {
    columns: ["clickId", "createdAt", "code", "advocateId", "course", "channel", "storyId", "country", "source"],
    page: ({ workspaceId: ws, from, to, course, cursor, size }) => sql`
      SELECT c.id AS clickId, c.created_at AS createdAt, r.code AS code, l.external_id AS advocateId, c.course AS course,
        c.channel AS channel, c.story_id AS storyId, c.country AS country, c.source AS source, c.created_at AS _at, c.id AS _id
      FROM clicks c LEFT JOIN referral_codes r ON r.id = c.code_id AND r.workspace_id = c.workspace_id
        LEFT JOIN learners l ON l.id = c.learner_id AND l.workspace_id = c.workspace_id
      WHERE c.workspace_id = ${ws} AND c.is_bot = 0 AND c.created_at >= ${from} AND c.created_at < ${to}
        ${courseIs(sql`c.course`, course)} ${after(sql`c.created_at`, sql`c.id`, cursor)}
      ORDER BY c.created_at, c.id LIMIT ${size}`,
  },
  conversions: {
    columns: [
      "conversionId",
      "externalId",
      "type",
      "customerId",
      "course",
      "amount",
      "currency",
      "status",
      "flagged",
      "advocateId",
      "channel",
      "storyId",
      "clickId",
      "refundOf",
      "occurredAt",
    ],
    page: ({ workspaceId: ws, from, to, course, cursor, size }) => sql`
      SELECT v.id AS conversionId, v.external_id AS externalId, v.type AS type, v.customer_id AS customerId,
        v.course AS course, v.amount AS amount, v.currency AS currency, v.status AS status, v.flagged AS flagged,
        l.external_id AS advocateId, v.channel AS channel, v.story_id AS storyId, v.click_id AS clickId,
        v.refund_of AS refundOf, v.occurred_at AS occurredAt, v.occurred_at AS _at, v.id AS _id
      FROM conversions v LEFT JOIN learners l ON l.id = v.referrer_id AND l.workspace_id = v.workspace_id
      WHERE v.workspace_id = ${ws} AND v.occurred_at >= ${from} AND v.occurred_at < ${to}
        ${courseIs(sql`v.course`, course)} ${after(sql`v.occurred_at`, sql`v.id`, cursor)}
      ORDER BY v.occurred_at, v.id LIMIT ${size}`,
  },
  rewards: {
    columns: [
      "rewardId",
      "conversionId",
      "side",
      "advocateId",
      "customerId",
      "kind",
      "amount",
      "currency",
      "percent",
      "status",
      "flagged",
      "holdUntil",
      "createdAt",
    ],
    page: ({ workspaceId: ws, from, to, course, cursor, size }) => sql`
      SELECT w.id AS rewardId, w.conversion_id AS conversionId, w.side AS side, l.external_id AS advocateId,
        w.customer_id AS customerId, w.kind AS kind, w.amount AS amount, w.currency AS currency, w.percent AS percent,
        w.status AS status, w.flagged AS flagged, w.hold_until AS holdUntil, w.created_at AS createdAt,
        w.created_at AS _at, w.id AS _id
      FROM rewards w LEFT JOIN learners l ON l.id = w.learner_id AND l.workspace_id = w.workspace_id
      WHERE w.workspace_id = ${ws} AND w.created_at >= ${from} AND w.created_at < ${to}
        ${course === "*" ? sql`` : sql`AND w.conversion_id IN (SELECT id FROM conversions WHERE workspace_id = ${ws} AND course = ${course})`}
        ${after(sql`w.created_at`, sql`w.id`, cursor)}
      ORDER BY w.created_at, w.id LIMIT ${size}`,
  },
  stories: {
    columns: [
      "storyId",
      "course",
      "status",
      "featured",
      "tags",
      "rating",
      "outcomeType",
      "verificationLevel",
      "name",
      "headline",
      "createdAt",
      "approvedAt",
    ],
    // The author's name only with their consent to show it; never body, photo or salary figures.
    page: ({ workspaceId: ws, from, to, course, cursor, size }) => sql`
      SELECT s.id AS storyId, s.course AS course, s.status AS status, s.featured AS featured, s.tags AS tags,
        s.rating AS rating, s.outcome_type AS outcomeType, s.verification_level AS verificationLevel,
        CASE WHEN s.consent_name = 1 THEN s.name ELSE '' END AS name, s.headline AS headline,
        s.created_at AS createdAt, s.approved_at AS approvedAt, s.created_at AS _at, s.id AS _id
      FROM stories s
      WHERE s.workspace_id = ${ws} AND s.status <> 'withdrawn' AND s.created_at >= ${from} AND s.created_at < ${to}
        ${courseIs(sql`s.course`, course)} ${after(sql`s.created_at`, sql`s.id`, cursor)}
      ORDER BY s.created_at, s.id LIMIT ${size}`,
  },
};

const timeColumns = new Set(["createdAt", "occurredAt", "holdUntil", "approvedAt"]);
const booleanColumns = new Set(["flagged", "featured"]);

/**
 * Text a spreadsheet would run as a formula (OWASP's CSV injection list) gets a leading
 * apostrophe, which spreadsheets show as text. Story headlines come from anyone with the page's
 * publishable key, and marketers open these files in spreadsheets. Numbers stay as they are.
 */
function defused(text: string): string {
  // At the start, and after every separator a spreadsheet may split on (comma, semicolon, tab),
  // in case one ignores the quotes.
  return text.replace(/(^|[,;\t])(?=[=+\-@\t\r])/g, "$1'");
}

function cell(column: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (timeColumns.has(column)) return iso(value);
  if (booleanColumns.has(column)) return Number(value) ? "true" : "false";
  if (column === "tags") {
    const tags = typeof value === "string" ? (JSON.parse(value) as string[]) : [];
    return defused(tags.join(";"));
  }
  return typeof value === "string" ? defused(value) : String(value);
}

export type ExportInput = {
  dataset: ExportDataset;
  range: AnalyticsRange;
  /** Rows read per pull (default 1000). */
  pageSize?: number;
};

/** A stream of the whole export: the header line, then one page of rows per pull. */
export function exportCsv({ db, workspace }: WorkspaceContext, input: ExportInput): ReadableStream<Uint8Array> {
  const { dataset, range, pageSize = 1000 } = input;
  const spec = specs[dataset];
  const where = {
    workspaceId: workspace.id,
    from: range.fromDay * dayMs,
    to: (range.toDay + 1) * dayMs,
    course: range.course,
  };
  const encoder = new TextEncoder();
  let cursor: Cursor | null = null;
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(csvLine(spec.columns)));
          return;
        }
        const rows = await db.all<Row>(spec.page({ ...where, cursor, size: pageSize }));
        if (rows.length > 0) {
          const text = rows.map((row) => csvLine(spec.columns.map((column) => cell(column, row[column])))).join("");
          controller.enqueue(encoder.encode(text));
          const last = rows[rows.length - 1] as Row;
          cursor = { at: Number(last._at), id: String(last._id) };
        }
        if (rows.length < pageSize) controller.close();
      },
    },
    // Pull the next page only when the client has taken the previous one.
    { highWaterMark: 0 },
  );
}
