/**
 * What an Open Badges "baked" image carries: a PNG's `iTXt` (or older `tEXt`) chunk with the
 * keyword `openbadges`, or an SVG's `<openbadges:assertion>` element (its `verify` attribute, or
 * the assertion inside it). The image is a stranger's bytes, so every length is checked against
 * what is really there, compressed text is inflated only up to a cap, and a malformed image is
 * refused with a plain reason, never a crash.
 */

/** The badge inside: an assertion URL, the assertion's JSON text, or a signed assertion (JWS). */
export type BakedBadge = { url: string } | { text: string };

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const maxText = 256 * 1024;

export class BakedBadgeError extends Error {
  override name = "BakedBadgeError";
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(bytes)]).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      throw new BakedBadgeError("the PNG's compressed openbadges text is corrupt");
    });
    if (done) break;
    size += value.byteLength;
    if (size > maxText) {
      await reader.cancel();
      throw new BakedBadgeError(`the PNG's openbadges text is larger than ${maxText} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** The `openbadges` text of a PNG, from its iTXt or tEXt chunk. */
async function fromPng(bytes: Uint8Array): Promise<string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  while (offset + 12 <= bytes.byteLength) {
    const length = view.getUint32(offset);
    const type = latin1.decode(bytes.subarray(offset + 4, offset + 8));
    const start = offset + 8;
    const end = start + length;
    if (length > 0x7fffffff || end + 4 > bytes.byteLength) {
      throw new BakedBadgeError(`the PNG's ${type} chunk claims ${length} bytes that are not there`);
    }
    const data = bytes.subarray(start, end);
    if (type === "iTXt" || type === "tEXt") {
      const nul = data.indexOf(0);
      if (nul < 0) throw new BakedBadgeError(`the PNG's ${type} chunk has no keyword`);
      if (latin1.decode(data.subarray(0, nul)) === "openbadges") {
        if (type === "tEXt") return latin1.decode(data.subarray(nul + 1));
        // iTXt: keyword NUL, compression flag, method, language NUL, translated keyword NUL, text.
        const compressed = data[nul + 1];
        const language = data.indexOf(0, nul + 3);
        const translated = language < 0 ? -1 : data.indexOf(0, language + 1);
        if (compressed === undefined || translated < 0) {
          throw new BakedBadgeError("the PNG's openbadges iTXt chunk is malformed");
        }
        const body = data.subarray(translated + 1);
        return utf8.decode(compressed === 1 ? await inflate(body) : body);
      }
    }
    if (type === "IEND") break;
    offset = end + 4;
  }
  throw new BakedBadgeError("the PNG carries no openbadges chunk (it is not a baked badge)");
}

const decodeEntities = (value: string) =>
  value.replace(
    /&(amp|lt|gt|quot|apos);/g,
    (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" })[name] ?? "",
  );

/** The assertion of an SVG: its `verify` attribute (a URL or a JWS), or the JSON inside the element. */
function fromSvg(text: string): BakedBadge {
  const element = text.match(/<openbadges:assertion\b([^>]*?)(\/>|>([\s\S]*?)<\/openbadges:assertion\s*>)/);
  if (!element) throw new BakedBadgeError("the SVG carries no openbadges:assertion element (it is not a baked badge)");
  const verify = element[1]?.match(/\bverify\s*=\s*("([^"]*)"|'([^']*)')/);
  const inner = (element[3] ?? "")
    .trim()
    .replace(/^<!\[CDATA\[([\s\S]*)\]\]>$/, "$1")
    .trim();
  if (inner.startsWith("{")) return { text: inner };
  const value = decodeEntities(verify?.[2] ?? verify?.[3] ?? "").trim();
  if (!value)
    throw new BakedBadgeError("the SVG's openbadges:assertion has neither a verify attribute nor an assertion");
  return /^https?:\/\//i.test(value) ? { url: value } : { text: value };
}

/** The badge baked into `bytes` (a PNG or an SVG). */
export async function readBakedBadge(bytes: Uint8Array): Promise<BakedBadge> {
  if (bytes.byteLength >= 8 && pngSignature.every((byte, i) => bytes[i] === byte)) {
    const text = (await fromPng(bytes)).trim();
    if (text.length > maxText) throw new BakedBadgeError(`the openbadges text is larger than ${maxText} bytes`);
    return /^https?:\/\//i.test(text) ? { url: text } : { text };
  }
  const head = utf8.decode(bytes.subarray(0, Math.min(bytes.byteLength, 4096))).trimStart();
  if (head.startsWith("<")) {
    if (bytes.byteLength > 2 * maxText * 4) throw new BakedBadgeError("the SVG is too large to read");
    return fromSvg(utf8.decode(bytes));
  }
  throw new BakedBadgeError("not a PNG or an SVG image");
}
