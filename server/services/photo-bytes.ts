/**
 * What a photo's bytes are, read from the bytes themselves (never from a Content-Type), and the
 * copy Chorus keeps of them. Only JPEG, PNG and WebP are taken (SVG can carry script; GIF adds
 * nothing a portrait needs). The header is read without decoding, so a file that claims 50
 * megapixels is refused before anything is decompressed.
 *
 * The kept copy is the image and nothing else: the file's structure is walked to its end marker,
 * and anything after it (a ZIP or JAR appended to make a "GIFAR"-style polyglot, an HTML page) is
 * refused, not trimmed, since such a file was made to be two things. Metadata that can carry a
 * location or a payload (EXIF, XMP, IPTC, comments, text chunks) is dropped; what is needed to
 * draw the pixels (tables, colour profile) is kept. The result is served with its checked type and
 * `nosniff` (routes/story-photos.ts), so no browser reads it as anything but an image.
 */
import type { imageSize } from "image-size";

/** A portrait shown at 44 px (88 px on dense screens) needs no more; the bounds stop decompression bombs. */
export const photoLimits = {
  maxBytes: 2 * 1024 * 1024,
  minSide: 32,
  maxSide: 4096,
  /** 4096 × 4096: a header claiming more (say 8000 × 6250, 50 megapixels) is refused unread. */
  maxPixels: 4096 * 4096,
  timeoutMs: 5000,
};

export const photoTypes: Record<string, string> = { jpg: "image/jpeg", png: "image/png", webp: "image/webp" };

export type PhotoCheck =
  | { ok: true; contentType: string; width: number; height: number; bytes: Uint8Array<ArrayBuffer> }
  | { ok: false; reason: string };

type Cleaned = Uint8Array<ArrayBuffer> | string;

/** Checks the photo and returns the copy to keep (metadata dropped), or why it is refused. */
export async function checkPhoto(bytes: Uint8Array): Promise<PhotoCheck> {
  if (bytes.byteLength > photoLimits.maxBytes)
    return { ok: false, reason: `The photo is larger than ${photoLimits.maxBytes} bytes` };
  // The header reader is loaded by the first upload, not at start-up (worker.build.ts).
  const { imageSize } = await import("image-size");
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch {
    return { ok: false, reason: "The photo is not an image Chorus can read" };
  }
  const contentType = size.type ? photoTypes[size.type] : undefined;
  if (!contentType)
    return { ok: false, reason: `The photo is ${size.type ?? "an unknown type"}; only JPEG, PNG and WebP are shown` };
  const { width, height } = size;
  if (width > photoLimits.maxSide || height > photoLimits.maxSide || width * height > photoLimits.maxPixels)
    return { ok: false, reason: `The photo is ${width}×${height}; at most ${photoLimits.maxSide} pixels a side` };
  if (width < photoLimits.minSide || height < photoLimits.minSide)
    return { ok: false, reason: `The photo is ${width}×${height}; at least ${photoLimits.minSide} pixels a side` };
  const cleaned = size.type === "jpg" ? cleanJpeg(bytes) : size.type === "png" ? cleanPng(bytes) : cleanWebp(bytes);
  if (typeof cleaned === "string") return { ok: false, reason: cleaned };
  return { ok: true, contentType, width, height, bytes: cleaned };
}

const broken = "The photo's file is damaged or cut short";
const trailing = "The photo has data after the image's end (a file made to be two things is refused)";

function join(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

/**
 * JPEG: segments from SOI to EOI. APP0 (JFIF), APP2 colour profiles and APP14 (Adobe colour
 * transform) stay; APP1 (EXIF, XMP: camera, time, GPS), the other APPn and comments go.
 */
function cleanJpeg(bytes: Uint8Array): Cleaned {
  const kept: Uint8Array[] = [bytes.subarray(0, 2)];
  let at = 2;
  while (at < bytes.length) {
    if (bytes[at] !== 0xff) return broken;
    while (bytes[at] === 0xff) at++; // fill bytes before a marker
    const marker = bytes[at];
    if (marker === undefined) return broken;
    const start = at - 1;
    at++;
    if (marker === 0xd9) {
      kept.push(Uint8Array.of(0xff, 0xd9));
      return at === bytes.length ? join(kept) : trailing;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      kept.push(bytes.subarray(start, at));
      continue;
    }
    if (at + 2 > bytes.length) return broken;
    const length = ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
    const end = at + length;
    if (length < 2 || end > bytes.length) return broken;
    const isApp = marker >= 0xe0 && marker <= 0xef;
    const keep = !isApp
      ? marker !== 0xfe
      : marker === 0xe0 || marker === 0xee || (marker === 0xe2 && ascii(bytes, at + 2, 12) === "ICC_PROFILE\0");
    if (keep) kept.push(bytes.subarray(start, end));
    at = end;
    if (marker === 0xda) {
      // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart.
      let scan = at;
      while (scan + 1 < bytes.length) {
        const next = bytes[scan + 1] ?? 0;
        if (bytes[scan] === 0xff && next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) break;
        scan++;
      }
      if (scan + 1 >= bytes.length) return broken;
      kept.push(bytes.subarray(at, scan));
      at = scan;
    }
  }
  return broken;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** PNG chunks that draw the image (critical ones, colour, transparency, animation); text, EXIF and times go. */
const pngKept = new Set(["tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs", "acTL", "fcTL", "fdAT"]);

/** PNG: chunks from IHDR to IEND, each CRC checked. */
function cleanPng(bytes: Uint8Array): Cleaned {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kept: Uint8Array[] = [bytes.subarray(0, 8)];
  let at = 8;
  let first = true;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = ascii(bytes, at + 4, 4);
    const end = at + 12 + length;
    if (end > bytes.length) return broken;
    if (first && type !== "IHDR") return broken;
    first = false;
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) return broken;
    const critical = type.charCodeAt(0) < 0x61; // an upper-case first letter
    if (critical || pngKept.has(type)) kept.push(bytes.subarray(at, end));
    at = end;
    if (type === "IEND") return at === bytes.length ? join(kept) : trailing;
  }
  return broken;
}

/** WebP: RIFF chunks; EXIF and XMP go, and the extended header's flags stop announcing them. */
function cleanWebp(bytes: Uint8Array): Cleaned {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== "RIFF" || ascii(bytes, 8, 4) !== "WEBP") return broken;
  const riffEnd = 8 + view.getUint32(4, true);
  if (riffEnd > bytes.length) return broken;
  if (riffEnd < bytes.length) return trailing;
  const kept: Uint8Array[] = [];
  let at = 12;
  while (at < riffEnd) {
    if (at + 8 > riffEnd) return broken;
    const type = ascii(bytes, at, 4);
    const size = view.getUint32(at + 4, true);
    const end = at + 8 + size + (size % 2);
    if (end > riffEnd) return broken;
    if (type === "VP8X" && size >= 10) {
      const chunk = bytes.slice(at, end);
      chunk[8] = (chunk[8] ?? 0) & ~0x0c; // EXIF (0x08) and XMP (0x04) flags
      kept.push(chunk);
    } else if (type !== "EXIF" && type !== "XMP ") kept.push(bytes.subarray(at, end));
    at = end;
  }
  const body = join(kept);
  const header = new Uint8Array(12);
  header.set(bytes.subarray(0, 12));
  new DataView(header.buffer).setUint32(4, body.byteLength + 4, true);
  return join([header, body]);
}
