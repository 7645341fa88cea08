/**
 * Byte ranges (RFC 9110 §14) for media Chorus serves: a `<video>` asks for `bytes=0-` first and
 * then for the parts it seeks to, and Safari plays nothing from a server that ignores them. One
 * range per request (browsers ask for no more); a header that is not one readable range is
 * ignored, as the RFC allows, and the whole body is answered.
 */

export type ByteRange = { start: number; end: number } | "unsatisfiable" | null;

/** The one range `header` asks of a body of `size` bytes: inclusive bounds, or null for the whole body. */
export function parseRange(header: string | undefined, size: number): ByteRange {
  const match = header?.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!match) return null;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return null;
  if (first === "") {
    // A suffix: the last N bytes.
    const length = Number(last);
    if (length === 0) return "unsatisfiable";
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

/** The status, headers and body of an answer to `range` over `bytes` (headers beyond these are the caller's). */
export function rangedBody(
  bytes: Uint8Array,
  rangeHeader: string | undefined,
): { status: 200 | 206 | 416; headers: Record<string, string>; body: Uint8Array | null } {
  const size = bytes.byteLength;
  const range = parseRange(rangeHeader, size);
  if (range === "unsatisfiable") return { status: 416, headers: { "Content-Range": `bytes */${size}` }, body: null };
  if (range === null)
    return { status: 200, headers: { "Accept-Ranges": "bytes", "Content-Length": String(size) }, body: bytes };
  return {
    status: 206,
    headers: {
      "Accept-Ranges": "bytes",
      "Content-Range": `bytes ${range.start}-${range.end}/${size}`,
      "Content-Length": String(range.end - range.start + 1),
    },
    body: bytes.subarray(range.start, range.end + 1),
  };
}
