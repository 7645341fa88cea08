/**
 * What an analytics query may ask: its range of days, the breakdown dimensions and the export
 * datasets. Apart from the figures themselves (analytics.ts, analytics-export.ts) so the routes can
 * validate a query without loading them: those load on the first analytics request
 * (routes/analytics.ts), which keeps them out of the worker's cold start.
 */
import { DomainError } from "./errors.ts";
import type { ServiceContext } from "./types.ts";

export const dayMs = 86_400_000;

/** The longest range one query may cover: two years and a leap day. */
export const maxRangeDays = 731;

/** A validated query: UTC day numbers (days since the epoch) and a course slug or '*' for all. */
export type AnalyticsRange = { fromDay: number; toDay: number; course: string };

/** A range as a caller asks for it: ISO days (YYYY-MM-DD, UTC, both included) and a course slug. */
export type RangeQuery = { from?: string; to?: string; course?: string };

/** The range a query asks for: `to` defaults to today, `from` to 29 days before `to`, the course to all. */
export function analyticsRange({ clock }: Pick<ServiceContext, "clock">, query: RangeQuery): AnalyticsRange {
  const day = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / dayMs);
  const toDay = query.to ? day(query.to) : Math.floor(clock.now().getTime() / dayMs);
  const fromDay = query.from ? day(query.from) : toDay - 29;
  if (fromDay > toDay)
    throw new DomainError("invalid_request", "`from` is after `to`", [{ path: "from", message: "after to" }]);
  if (toDay - fromDay + 1 > maxRangeDays)
    throw new DomainError("invalid_request", `A range covers at most ${maxRangeDays} days`, [
      { path: "from", message: "range too long" },
    ]);
  return { fromDay, toDay, course: query.course ?? "*" };
}

export const dimensions = ["channel", "course", "advocate", "story", "country", "day"] as const;
export type Dimension = (typeof dimensions)[number];

export const exportDatasets = ["clicks", "conversions", "rewards", "stories"] as const;
export type ExportDataset = (typeof exportDatasets)[number];
