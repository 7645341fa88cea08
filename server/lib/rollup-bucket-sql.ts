/**
 * The first day of the rollup bucket (ISO week, month, quarter) that contains the UTC day number
 * `day`, as SQL expressions over that column or expression. They restate what migration 0003's
 * triggers compute from `occurred_at` (and click-writer.ts's `bucketsOf` in code): the conversion
 * batch's grouped rollups (services/conversion-rollups.ts) and the bench's bulk rebuild
 * (bench/support/analytics-rollups.ts) both build on these, and their tests hold them to the
 * triggers.
 */
const secondsOf = (day: string) => `${day} * 86400`;

/** Monday of the ISO week (day 0, 1970-01-01, was a Thursday). */
export const weekStartSql = (day: string) => `(${day} - ((${day} + 3) % 7))`;

export const monthStartSql = (day: string) =>
  `(CAST(strftime('%s', ${secondsOf(day)}, 'unixepoch', 'start of month') AS INTEGER) / 86400)`;

export const quarterStartSql = (day: string) =>
  `(CAST(strftime('%s', ${secondsOf(day)}, 'unixepoch', 'start of month', printf('-%d months', (CAST(strftime('%m', ${secondsOf(day)}, 'unixepoch') AS INTEGER) - 1) % 3)) AS INTEGER) / 86400)`;
