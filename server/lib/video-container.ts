/**
 * What a video's bytes are, read from the bytes (never from the uploader's Content-Type): WebM
 * (an EBML header whose DocType is `webm`) or MP4 (an `ftyp` box that is not QuickTime's), the two
 * containers every current browser plays; and the duration where the container states it (WebM's
 * Segment Info Duration, MP4's `mvhd`). MediaRecorder's WebM states none: it is written live.
 */

export type VideoType = "video/webm" | "video/mp4";

export type VideoSniff = { ok: true; type: VideoType } | { ok: false; reason: string };

/** Bytes enough to tell the container: the EBML header with its DocType, or the `ftyp` box. */
export const sniffBytes = 64;

const ascii = (bytes: Uint8Array, from: number, length: number) =>
  String.fromCharCode(...bytes.subarray(from, from + length));

/** An EBML variable-length integer at `at`: its length in bytes and value (marker bit removed for sizes). */
function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { length: number; value: number } | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = bytes[at + i] as number;
    allOnes &&= byte === 0xff;
    value = value * 256 + byte;
  }
  // An unknown size (all value bits set): the element runs to the end of its parent.
  return { length, value: !keepMarker && allOnes ? Number.POSITIVE_INFINITY : value };
}

type Element = { id: number; start: number; end: number };

/** The EBML elements between `from` and `to`, in order, stopping at the first that cannot be read. */
function* elements(bytes: Uint8Array, from: number, to: number): Generator<Element> {
  let at = from;
  while (at < to) {
    const id = vint(bytes, at, true);
    if (!id || id.length > 4) return;
    const size = vint(bytes, at + id.length, false);
    if (!size) return;
    const start = at + id.length + size.length;
    const end = Math.min(to, start + size.value);
    yield { id: id.value, start, end };
    if (!Number.isFinite(size.value)) return;
    at = end;
  }
}

const ebmlHeader = 0x1a45dfa3;
const docTypeId = 0x4282;
const segmentId = 0x18538067;
const infoId = 0x1549a966;
const timecodeScaleId = 0x2ad7b1;
const durationId = 0x4489;
const clusterId = 0x1f43b675;

function webmDocType(bytes: Uint8Array): string | null {
  const [header] = elements(bytes, 0, bytes.length);
  if (!header || header.id !== ebmlHeader) return null;
  for (const child of elements(bytes, header.start, header.end))
    if (child.id === docTypeId) return ascii(bytes, child.start, child.end - child.start).replace(/\0+$/, "");
  return null;
}

/** What container the bytes begin with; refused when it is none a browser plays everywhere. */
export function sniffVideo(head: Uint8Array): VideoSniff {
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
    const docType = webmDocType(head);
    if (docType === "webm") return { ok: true, type: "video/webm" };
    return { ok: false, reason: `The video is ${docType ?? "an EBML file"}; only WebM and MP4 play in every browser` };
  }
  if (ascii(head, 4, 4) === "ftyp") {
    const brand = ascii(head, 8, 4);
    if (brand === "qt  ")
      return { ok: false, reason: "The video is a QuickTime movie; only WebM and MP4 play in every browser" };
    return { ok: true, type: "video/mp4" };
  }
  return { ok: false, reason: "The file is not a video Chorus can publish: only WebM and MP4 play in every browser" };
}

function webmDurationMs(bytes: Uint8Array): number | null {
  const top = [...elements(bytes, 0, bytes.length)];
  const segment = top.find((element) => element.id === segmentId);
  if (!segment) return null;
  for (const child of elements(bytes, segment.start, segment.end)) {
    if (child.id === clusterId) return null;
    if (child.id !== infoId) continue;
    let scale = 1_000_000;
    let duration: number | null = null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const field of elements(bytes, child.start, child.end)) {
      const length = field.end - field.start;
      if (field.id === timecodeScaleId && length > 0 && length <= 6) {
        scale = 0;
        for (let i = field.start; i < field.end; i++) scale = scale * 256 + (bytes[i] as number);
      } else if (field.id === durationId && (length === 4 || length === 8)) {
        duration = length === 4 ? view.getFloat32(field.start) : view.getFloat64(field.start);
      }
    }
    return duration === null || !Number.isFinite(duration) ? null : Math.round((duration * scale) / 1_000_000);
  }
  return null;
}

/** The ISO BMFF boxes between `from` and `to`: type and the bounds of their content. */
function* boxes(bytes: Uint8Array, from: number, to: number): Generator<{ type: string; start: number; end: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = from;
  while (at + 8 <= to) {
    let size = view.getUint32(at);
    const type = ascii(bytes, at + 4, 4);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) return;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header) return;
    yield { type, start: at + header, end: Math.min(to, at + size) };
    at += size;
  }
}

function mp4DurationMs(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const moov of boxes(bytes, 0, bytes.length)) {
    if (moov.type !== "moov") continue;
    for (const box of boxes(bytes, moov.start, moov.end)) {
      if (box.type !== "mvhd") continue;
      const version = bytes[box.start];
      const [timescaleAt, durationAt, wide] = version === 1 ? [20, 24, true] : [12, 16, false];
      if (box.start + durationAt + (wide ? 8 : 4) > box.end) return null;
      const timescale = view.getUint32(box.start + timescaleAt);
      const duration = wide
        ? Number(view.getBigUint64(box.start + durationAt))
        : view.getUint32(box.start + durationAt);
      // All ones: "unknown" in the spec (a fragmented file).
      if (timescale === 0 || duration === 0xffffffff) return null;
      return Math.round((duration * 1000) / timescale);
    }
  }
  return null;
}

/** The duration in milliseconds where the container states it; null where it does not. */
export function containerDurationMs(bytes: Uint8Array, type: VideoType): number | null {
  return type === "video/webm" ? webmDurationMs(bytes) : mp4DurationMs(bytes);
}
