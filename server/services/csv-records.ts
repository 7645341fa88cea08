/**
 * A CSV file read as it streams in: bytes decoded (UTF-8, with or without its BOM; UTF-16 when a
 * BOM says so), cut at record boundaries, and parsed by csv-parse a slice at a time, so a file of
 * 100,000 rows never sits in memory whole. csv-parse's own stream API needs Node streams (not on
 * Workers): its self-contained sync parser is handed one slice of whole records after another.
 *
 * Rows are numbered as a spreadsheet shows them: the header is row 1, blank rows count too.
 */
// The parser, csv-parse, is loaded by the first file read (`import()` in csvRecords), not at
// start-up: on Workers it is a chunk that a cold start does not parse. Node's build of it uses
// Node's Buffer (2.5 times faster than the browser build, measured on 20,000 rows); Workers have
// no Buffer, and that build calls Buffer.from as it loads, so the Workers build (worker.build.ts)
// aliases `csv-parse/sync` to the browser build, which carries its own.
import { DomainError } from "./errors.ts";

export type CsvRecord = { row: number; cells: string[] };

/** Records are parsed in slices of about this many characters (a whole record each, at least). */
const sliceChars = 256 * 1024;
/** One record longer than this is a file without record boundaries (an unclosed quote, CR-only lines). */
export const maxRecordChars = 1024 * 1024;

const notText = (what: string) =>
  new DomainError(
    "invalid_request",
    `The file is not UTF-8 text (${what}). Save it from your spreadsheet as "CSV UTF-8" and try again.`,
  );

/** The decoder the first bytes ask for: a UTF-16 byte order mark, else UTF-8 (whose BOM the decoder drops). */
function decoderFor(head: Uint8Array): TextDecoder {
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder("utf-16le", { fatal: true, ignoreBOM: false });
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder("utf-16be", { fatal: true, ignoreBOM: false });
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
}

/** The body's text, piece by piece; refuses bytes that are not text in the detected encoding. */
async function* decoded(body: ReadableStream<Uint8Array>, rowsSoFar: () => number): AsyncGenerator<string> {
  const reader = body.getReader();
  let decoder: TextDecoder | null = null;
  const decode = (bytes: Uint8Array | undefined, last: boolean) => {
    decoder ??= decoderFor(bytes ?? new Uint8Array());
    // UTF-16 without its BOM is full of NUL bytes; so are binary files. Text never holds one.
    if (decoder.encoding === "utf-8" && bytes?.includes(0)) {
      throw notText("it holds NUL bytes: UTF-16 without a byte order mark, or not text at all");
    }
    let text: string;
    try {
      text = decoder.decode(bytes, { stream: !last });
    } catch {
      const rows = rowsSoFar();
      throw notText(rows > 0 ? `bytes that are not UTF-8 after row ${rows}` : "bytes that are not UTF-8");
    }
    // UTF-16 without its BOM decodes as UTF-8 full of NUL characters; so do binary files.
    if (text.includes("\u0000")) throw notText("it holds NUL characters");
    return text;
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        const rest = decode(undefined, true);
        if (rest) yield rest;
        return;
      }
      // The BOM needs the first two bytes together.
      if (decoder === null && value.length < 2) {
        const next = await reader.read();
        const joined = next.done ? value : new Uint8Array([...value, ...next.value]);
        const text = decode(joined, next.done);
        if (text) yield text;
        if (next.done) return;
        continue;
      }
      const text = decode(value, false);
      if (text) yield text;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Where whole records end in `text` from `from` on: a line break outside quotes. Quotes toggle
 * (an escaped quote `""` toggles twice), so the state carries across calls.
 */
class RecordBoundaries {
  inQuotes = false;
  scanned = 0;
  /** The index just past the last record-ending line break found so far, or 0. */
  lastEnd = 0;

  scan(text: string): void {
    for (let i = this.scanned; i < text.length; i++) {
      const char = text.charCodeAt(i);
      if (char === 34) this.inQuotes = !this.inQuotes;
      else if (char === 10 && !this.inQuotes) this.lastEnd = i + 1;
    }
    this.scanned = text.length;
  }

  /** Forgets the first `count` characters (handed to the parser). */
  shift(count: number): void {
    this.scanned -= count;
    this.lastEnd -= count;
  }
}

/** Every record of the CSV body with its spreadsheet row number, the header first. */
export async function* csvRecords(body: ReadableStream<Uint8Array>): AsyncGenerator<CsvRecord> {
  const { parse } = await import("csv-parse/sync");
  let rows = 0;
  let pending = "";
  const boundaries = new RecordBoundaries();

  const parseSlice = (slice: string): CsvRecord[] => {
    let records: string[][];
    try {
      records = parse(slice, { relax_column_count: true, skip_empty_lines: false, max_record_size: maxRecordChars });
    } catch (error) {
      const at = rows + 1 + Number((error as { records?: number }).records ?? 0);
      const reason = error instanceof Error ? error.message.replace(/^[A-Z_]+: /, "") : String(error);
      throw new DomainError("invalid_request", `The file cannot be read from row ${at} on: ${reason}`, [
        { path: `row ${at}`, message: reason },
      ]);
    }
    return records.map((cells) => ({ row: ++rows, cells }));
  };

  for await (const text of decoded(body, () => rows)) {
    pending += text;
    boundaries.scan(pending);
    if (boundaries.lastEnd >= sliceChars || (boundaries.lastEnd > 0 && pending.length >= sliceChars * 2)) {
      const cut = boundaries.lastEnd;
      const slice = pending.slice(0, cut);
      pending = pending.slice(cut);
      boundaries.shift(cut);
      yield* parseSlice(slice);
    } else if (boundaries.lastEnd === 0 && pending.length > maxRecordChars) {
      throw new DomainError(
        "invalid_request",
        `Row ${rows + 1} is longer than ${maxRecordChars} characters: a quote that is never closed, or lines that end without a line feed`,
      );
    }
  }
  if (pending.length > 0) yield* parseSlice(pending);
}
