/**
 * Small video files built byte by byte, as the containers' specs lay them out: a WebM (EBML
 * header with its DocType, a Segment with Info: TimecodeScale and Duration) and an MP4 (`ftyp`
 * with a brand, `moov` with `mvhd`). Enough for what Chorus reads of a video: its type and the
 * duration its container states. Real recordings come from Chromium's fake camera in the browser test.
 */

/** An EBML element: its id bytes, a size as an 8-byte variable-length integer, its payload. */
function ebml(id: number[], payload: Uint8Array): Uint8Array {
  const size = new Uint8Array(8);
  size[0] = 0x01;
  let length = payload.byteLength;
  for (let i = 7; i >= 1; i--) {
    size[i] = length & 0xff;
    length = Math.floor(length / 256);
  }
  return concat(new Uint8Array(id), size, payload);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

const text = (value: string) => new TextEncoder().encode(value);

/** A WebM (or another EBML DocType) stating `durationMs` (none when undefined), then `padding` bytes of cluster. */
export function webmFile(options: { durationMs?: number; docType?: string; padding?: number } = {}): Uint8Array {
  const header = ebml(
    [0x1a, 0x45, 0xdf, 0xa3],
    concat(ebml([0x42, 0x86], new Uint8Array([1])), ebml([0x42, 0x82], text(options.docType ?? "webm"))),
  );
  const info: Uint8Array[] = [ebml([0x2a, 0xd7, 0xb1], new Uint8Array([0x0f, 0x42, 0x40]))]; // 1,000,000 ns: milliseconds
  if (options.durationMs !== undefined) {
    const duration = new Uint8Array(8);
    new DataView(duration.buffer).setFloat64(0, options.durationMs);
    info.push(ebml([0x44, 0x89], duration));
  }
  const cluster = ebml([0x1f, 0x43, 0xb6, 0x75], new Uint8Array(options.padding ?? 256));
  return concat(
    header,
    ebml([0x18, 0x53, 0x80, 0x67], concat(ebml([0x15, 0x49, 0xa9, 0x66], concat(...info)), cluster)),
  );
}

function box(type: string, payload: Uint8Array): Uint8Array {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, payload.byteLength + 8);
  head.set(text(type), 4);
  return concat(head, payload);
}

/** An MP4 (`brand` "isom"; "qt  " makes a QuickTime movie) whose `mvhd` states `durationMs`, `moov` after `mdat` as cameras write it. */
export function mp4File(options: { durationMs: number; brand?: string }): Uint8Array {
  const ftyp = box("ftyp", concat(text(options.brand ?? "isom"), new Uint8Array([0, 0, 2, 0]), text("isomiso2mp41")));
  const mvhd = new Uint8Array(100);
  const view = new DataView(mvhd.buffer);
  view.setUint32(12, 600); // timescale: 600 units a second
  view.setUint32(16, Math.round((options.durationMs * 600) / 1000));
  return concat(ftyp, box("mdat", new Uint8Array(512)), box("moov", box("mvhd", mvhd)));
}
