/**
 * Image files built byte by byte for the upload checks: structurally real (a PNG's chunks carry
 * their CRCs, a JPEG's segments their lengths) so the checks read them as a browser's decoder
 * would, with whatever a test adds (metadata, a payload after the end, a huge claimed size).
 */
// Node's own CRC-32 (zlib's), not a copy of the server's: a wrong checksum table on the server
// side then fails the tests instead of agreeing with itself.
import { crc32 } from "node:zlib";

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

export const text = (value: string) => new TextEncoder().encode(value);

export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.byteLength);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.byteLength);
  chunk.set(text(type), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.byteLength, crc32(chunk.subarray(4, 8 + data.byteLength)));
  return chunk;
}

/** A PNG of the given size: IHDR, optional extra chunks, `padding` bytes of IDAT, IEND. */
export function png(width: number, height: number, padding = 0, extra: Uint8Array[] = []): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8);
  return concat(
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    pngChunk("IHDR", header),
    ...extra,
    pngChunk("IDAT", new Uint8Array(padding)),
    pngChunk("IEND", new Uint8Array(0)),
  );
}

function segment(marker: number, data: Uint8Array): Uint8Array {
  const length = data.byteLength + 2;
  return concat(Uint8Array.of(0xff, marker, length >> 8, length & 0xff), data);
}

/** An APP1 EXIF segment whose GPS block names a place (the bytes a phone writes, in short). */
export const exifGps = segment(
  0xe1,
  concat(text("Exif\0\0MM\0*GPSLatitude 28.6139 N GPSLongitude 77.2090 E"), new Uint8Array(8)),
);

/** Inserts `segments` after a JPEG's SOI (a real JPEG from a canvas gains EXIF this way). */
export function withSegments(jpeg: Uint8Array, ...segments: Uint8Array[]): Uint8Array {
  return concat(jpeg.subarray(0, 2), ...segments, jpeg.subarray(2));
}

/** A baseline JPEG's structure at the given size: SOI, JFIF, tables, SOF0, SOS with scan bytes, EOI. */
export function jpeg(width: number, height: number, ...segments: Uint8Array[]): Uint8Array {
  const frame = Uint8Array.of(8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0);
  return concat(
    Uint8Array.of(0xff, 0xd8),
    segment(0xe0, concat(text("JFIF\0"), Uint8Array.of(1, 1, 0, 0, 1, 0, 1, 0, 0))),
    ...segments,
    segment(0xdb, concat(Uint8Array.of(0), new Uint8Array(64).fill(1))),
    segment(0xc0, frame),
    segment(0xc4, concat(Uint8Array.of(0), new Uint8Array(16), Uint8Array.of())),
    segment(0xda, Uint8Array.of(1, 1, 0, 0, 63, 0)),
    Uint8Array.of(0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56),
    Uint8Array.of(0xff, 0xd9),
  );
}

/** A JPEG comment segment (COM), where a payload can hide. */
export const comment = (value: string) => segment(0xfe, text(value));

/** A ZIP's end-of-central-directory record: what Java and unzip look for at a file's end (a "GIFAR"). */
export const zipTail = concat(text("PK\x03\x04"), new Uint8Array(26), text("PK\x05\x06"), new Uint8Array(18));

/** A GIF89a header of the given size. */
export function gif(width: number, height: number): Uint8Array {
  const bytes = concat(text("GIF89a"), new Uint8Array(7), Uint8Array.of(0x3b));
  const view = new DataView(bytes.buffer);
  view.setUint16(6, width, true);
  view.setUint16(8, height, true);
  return bytes;
}

/** A lossless WebP (VP8L) header of the given size in an extended (VP8X) file with an EXIF chunk. */
export function webpWithExif(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const head = new Uint8Array(8);
    head.set(text(type));
    new DataView(head.buffer).setUint32(4, data.byteLength, true);
    return concat(head, data, data.byteLength % 2 ? new Uint8Array(1) : new Uint8Array(0));
  };
  const vp8x = new Uint8Array(10);
  vp8x[0] = 0x08; // EXIF present
  const w = width - 1;
  const h = height - 1;
  vp8x.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 4);
  const vp8l = new Uint8Array(6);
  vp8l[0] = 0x2f;
  const bits = (width - 1) | ((height - 1) << 14);
  new DataView(vp8l.buffer).setUint32(1, bits, true);
  const body = concat(
    text("WEBP"),
    chunk("VP8X", vp8x),
    chunk("VP8L", vp8l),
    chunk("EXIF", text("MM\0*GPS 28.61 77.20")),
  );
  const head = new Uint8Array(8);
  head.set(text("RIFF"));
  new DataView(head.buffer).setUint32(4, body.byteLength, true);
  return concat(head, body);
}
