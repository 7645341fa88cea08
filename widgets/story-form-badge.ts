/**
 * `<chorus-story-form>`'s baked badge image picker (credential part): a PNG or SVG file, checked
 * here for what its bytes tell (a badge inside, chunks whole) so the learner reads what is wrong in
 * plain words, and sent as base64 (`credential.image`); the server reads and verifies it again.
 * Loaded only when the learner chooses a badge image.
 */
import { html } from "lit";
import { catalog, type Locale } from "./lib/i18n.ts";

/** What this code needs of `<chorus-story-form>`, by shape: importing the form's module would be an import cycle. */
type StoryForm = HTMLElement & {
  _badge?: () => unknown;
  _image?: { data?: string; error?: string };
  readonly locale: Locale;
  requestUpdate(): void;
};

const text = catalog(
  {
    badgeFile: "Badge image file (PNG or SVG)",
    badgeHint: "The image you downloaded from the site that gave you the badge: the badge is inside it.",
    tooBig: "This file is larger than 1.4 MB: a badge image is much smaller.",
    notImage: "This file is not a PNG or SVG image. Choose the badge image you downloaded.",
    noBadge:
      "This image has no badge inside it (no Open Badges data). Download the badge image again from the site that issued it, or paste the badge's link instead.",
    damaged: "This image file is damaged (a part of it is cut short). Download the badge image again.",
  },
  () => import("./story-form-badge.hi.ts"),
);

/** Shows the file picker in the form's credential part. */
export async function badgePicker(form: StoryForm): Promise<void> {
  await text.load(form.locale);
  form._badge = () => html`<label for="credential">${text(form.locale, "badgeFile")}</label>
    <p class="hint" id="badge-hint">${text(form.locale, "badgeHint")}</p>
    <input id="credential" name="credential" type="file" accept="image/png,image/svg+xml,.png,.svg"
      aria-describedby="badge-hint" @change=${async (event: Event) => {
        const input = event.target as HTMLInputElement;
        const file = input.files?.[0];
        form._image = file ? await readBadge(file, form.locale) : undefined;
        // The form checks its fields as they are left: once the file is read, it checks this one again.
        input.dispatchEvent(new Event("focusout", { bubbles: true }));
      }} />`;
  form.requestUpdate();
}

async function readBadge(file: File, locale: Locale): Promise<{ data?: string; error?: string }> {
  if (file.size > 1_400_000) return { error: text(locale, "tooBig") };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const problem = badgeProblem(bytes);
  if (problem) return { error: text(locale, problem) };
  let binary = "";
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return { data: btoa(binary) };
}

const ascii = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/** What is wrong with a baked badge file, as far as its bytes tell; null when a badge is inside. */
export function badgeProblem(bytes: Uint8Array): "notImage" | "noBadge" | "damaged" | null {
  if (ascii(bytes.subarray(0, 8)) !== "\x89PNG\r\n\x1a\n") {
    const svg = new TextDecoder().decode(bytes);
    if (!/<svg[\s>]/i.test(svg)) return "notImage";
    return /<openbadges:assertion[\s>]/i.test(svg) ? null : "noBadge";
  }
  // PNG chunks: length (4 bytes), type (4), data, CRC (4). A badge is an iTXt or tEXt chunk whose keyword is `openbadges`.
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0);
    const type = ascii(bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) return "damaged";
    if ((type === "iTXt" || type === "tEXt") && ascii(bytes.subarray(at + 8, at + 19)) === "openbadges\0") return null;
    if (type === "IEND") return "noBadge";
    at += 12 + length;
  }
  return "noBadge";
}
