/** The story import's strings (file, preview, progress, summary), in English and Hindi. */
import { catalog } from "../lib/i18n.ts";

const en = {
  title: "Import stories from a CSV file",
  intro:
    "Testimonials you collected before Chorus: one row each, with the columns name, headline, body, rating (1–5), date (2024-03-31), course (a course slug you added under Courses), outcome, consent_publish (yes), consent_name and consent_photo (yes or no); photo_url is optional. Imported stories wait in the queue for approval and always count as self-reported.",
  file: "CSV file (UTF-8)",
  check: "Check the file",
  checking: "Checking every row…",
  counts: "{rows} rows: {valid} ready, {refused} refused, {already} already imported (they will be skipped).",
  sampleTitle: "First rows as they will be stored",
  errorsTitle: "Rows that will not be imported",
  moreErrors: "The first {shown} of {refused} refused rows are listed. Fix them and check the file again.",
  noErrors: "Every row can be imported.",
  ignored: "Columns that are ignored: {columns}.",
  row: "Row",
  column: "Column",
  reason: "Reason",
  name: "Name",
  headline: "Headline",
  course: "Course",
  rating: "Rating",
  date: "Date",
  wholeRow: "(whole row)",
  confirm: "Import {count} stories",
  progress: "Importing: {done} of {total} rows read",
  progressLabel: "Import progress",
  done: "Done: {imported} imported, {duplicates} skipped as already imported, {refused} refused.",
  stopped: "The import stopped: {message} The rows counted so far are saved; import the file again to add the rest.",
};

export const importText = catalog(en, () => import("./story-import-strings.hi.ts"));
