/**
 * What a row of a testimonial import must say, and the plain-words reason when it does not.
 * Every cell is text and stays text: a cell starting with `=`, `+`, `-` or `@` is stored as typed,
 * never evaluated (exports defuse it, analytics-export.ts). A course must already exist in the
 * workspace: a typo would otherwise create a course nobody sells.
 */
import { webUrl } from "../../db/web-url.ts";
import { sha256HexSync } from "../lib/crypto.ts";
import { DomainError } from "./errors.ts";
import { cleanText, type OutcomeType, outcomeTypes } from "./stories.ts";

/** The columns a file must have (in any order, any case; spaces count as underscores). */
export const requiredColumns = [
  "name",
  "headline",
  "body",
  "rating",
  "date",
  "course",
  "outcome",
  "consent_publish",
  "consent_name",
  "consent_photo",
] as const;
/** Columns a file may have. */
export const optionalColumns = ["consent_salary", "salary_increase_pct", "months_to_outcome", "photo_url"] as const;
type Column = (typeof requiredColumns)[number] | (typeof optionalColumns)[number];
const knownColumns: readonly string[] = [...requiredColumns, ...optionalColumns];

/** The same limits as a story from the form (story-schemas.ts). */
const textLimits = { name: 80, headline: 140, body: 5000 } as const;

export type RowError = { row: number; column: string | null; reason: string };

/** An imported row, ready to store: the story's fields, its date, and the key that makes it idempotent. */
export type ImportedRow = {
  row: number;
  key: string;
  course: string;
  name: string;
  headline: string;
  body: string;
  rating: number;
  date: number;
  outcomeType: OutcomeType;
  salaryIncreasePct: number | null;
  monthsToOutcome: number | null;
  consent: { name: boolean; photo: boolean; salary: boolean };
  photoUrl: string | null;
};

/** Where each known column is in the file; unknown columns are reported and ignored. */
export type ImportHeader = { index: Map<Column, number>; ignored: string[]; width: number };

const normalised = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");

/** Reads the header row; a missing or repeated column refuses the whole file. */
export function readHeader(cells: string[]): ImportHeader {
  const index = new Map<Column, number>();
  const ignored: string[] = [];
  const repeated: string[] = [];
  cells.forEach((cell, position) => {
    const name = normalised(cell);
    if (!knownColumns.includes(name)) {
      if (name) ignored.push(cell.trim());
      return;
    }
    if (index.has(name as Column)) repeated.push(name);
    index.set(name as Column, position);
  });
  const missing = requiredColumns.filter((name) => !index.has(name));
  if (missing.length > 0 || repeated.length > 0) {
    throw new DomainError(
      "invalid_request",
      missing.length > 0
        ? `The first row must name the columns; missing: ${missing.join(", ")}`
        : `Columns named twice: ${repeated.join(", ")}`,
      [
        ...missing.map((name) => ({ path: name, message: "column missing" })),
        ...repeated.map((name) => ({ path: name, message: "column named twice" })),
      ],
    );
  }
  return { index, ignored, width: cells.length };
}

const yes = new Set(["yes", "y", "true", "1"]);
const no = new Set(["no", "n", "false", "0"]);
const httpsUrl = webUrl({ protocol: /^https$/ }).max(2000);
const isoDate = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The context of a file's rows: the workspace's course slugs and now (no story from the future). */
export type RowRules = { courses: ReadonlySet<string>; now: number };

/** A row checked against the rules: the story to store, or every reason it cannot be. */
export function checkRow(
  header: ImportHeader,
  record: { row: number; cells: string[] },
  rules: RowRules,
): { story: ImportedRow } | { errors: RowError[] } {
  const { row, cells } = record;
  const errors: RowError[] = [];
  const fail = (column: string | null, reason: string) => {
    errors.push({ row, column, reason });
    return null;
  };
  if (cells.length !== header.width) {
    fail(null, `has ${cells.length} cells where the header has ${header.width}: a comma or quote out of place?`);
    return { errors };
  }
  const cell = (column: Column) => {
    const position = header.index.get(column);
    return position === undefined ? "" : (cells[position] ?? "").trim();
  };

  const text = (column: keyof typeof textLimits) => {
    const value = cleanText(cell(column));
    if (value.length === 0) return fail(column, "is empty");
    if (value.length > textLimits[column]) return fail(column, `is longer than ${textLimits[column]} characters`);
    return value;
  };
  const whole = (column: Column, min: number, max: number, what: string) => {
    const value = cell(column);
    if (value === "") return null;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      return fail(column, `must be ${what} (it says "${value.slice(0, 40)}")`);
    }
    return Number(value);
  };
  const consent = (column: Column, required: boolean) => {
    const value = cell(column).toLowerCase();
    if (yes.has(value)) return true;
    if (no.has(value)) return false;
    if (value === "" && !required) return false;
    return fail(
      column,
      value === "" ? "is empty: say yes or no" : `must be yes or no (it says "${value.slice(0, 40)}")`,
    );
  };

  const name = text("name");
  const headline = text("headline");
  const body = text("body");

  const ratingText = cell("rating");
  const rating = /^[1-5]$/.test(ratingText) ? Number(ratingText) : null;
  if (rating === null) fail("rating", `must be a whole number from 1 to 5 (it says "${ratingText.slice(0, 40)}")`);

  const dateText = cell("date");
  let date: number | null = null;
  if (!isoDate.test(dateText)) {
    fail(
      "date",
      dateText === "" ? "is empty" : `must be a date such as 2024-03-31 (it says "${dateText.slice(0, 40)}")`,
    );
  } else {
    const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(dateText) ? `${dateText}T00:00:00Z` : dateText);
    if (Number.isNaN(parsed)) fail("date", `is not a real date ("${dateText}")`);
    else if (parsed > rules.now) fail("date", "is in the future");
    else date = parsed;
  }

  const course = cell("course").toLowerCase();
  if (course === "") fail("course", "is empty");
  else if (!rules.courses.has(course)) {
    fail("course", `no course "${course.slice(0, 64)}" in this workspace: add it under Courses first, or fix the slug`);
  }

  const outcomeText = normalised(cell("outcome"));
  const outcomeType = (outcomeTypes as readonly string[]).includes(outcomeText) ? (outcomeText as OutcomeType) : null;
  if (outcomeType === null) {
    fail("outcome", `must be one of ${outcomeTypes.join(", ")} (it says "${cell("outcome").slice(0, 40)}")`);
  }

  const publish = consent("consent_publish", true);
  if (publish === false)
    fail("consent_publish", "must be yes: only stories their authors agreed to publish are imported");
  const consentName = consent("consent_name", true);
  const consentPhoto = consent("consent_photo", true);
  const consentSalary = consent("consent_salary", false);
  const salaryIncreasePct = whole("salary_increase_pct", 0, 1000, "a whole percentage from 0 to 1000");
  const monthsToOutcome = whole("months_to_outcome", 0, 120, "a whole number of months from 0 to 120");

  const photoText = cell("photo_url");
  const photoUrl = photoText === "" ? null : httpsUrl.safeParse(photoText).success ? photoText : null;
  if (photoText !== "" && photoUrl === null) fail("photo_url", "must be an https URL of the photo, or empty");

  if (
    errors.length > 0 ||
    name === null ||
    headline === null ||
    body === null ||
    rating === null ||
    date === null ||
    outcomeType === null ||
    consentName === null ||
    consentPhoto === null ||
    consentSalary === null
  ) {
    return { errors };
  }
  const story = {
    course,
    name,
    headline,
    body,
    rating,
    date,
    outcomeType,
    salaryIncreasePct,
    monthsToOutcome,
    consent: { name: consentName, photo: consentPhoto, salary: consentSalary },
    photoUrl,
  };
  // The row's content, not its position: the same testimonial in a re-exported file is still a duplicate.
  return { story: { row, key: sha256HexSync(JSON.stringify(story)), ...story } };
}

/** Whether every cell of the record is empty (a blank row: skipped, still counted). */
export const isBlank = (cells: string[]) => cells.every((cell) => cell.trim() === "");
