/**
 * `<chorus-story-form>`'s photo, loaded only once a learner picks a file: the image is drawn on a
 * canvas at most `maxSide` pixels a side and re-encoded as JPEG, which also leaves its EXIF
 * (camera, time, GPS location) behind, then shown as a preview with a button to remove it. Once
 * the story is in, the photo is uploaded with the story's edit token (Chorus checks it again).
 */
import { html, nothing } from "lit";
import { catalog, type Locale } from "./lib/i18n.ts";

/** What this code needs of the form, by shape: importing the form's module would be an import cycle. */
type StoryForm = HTMLElement & {
  _photo?: PhotoPick;
  readonly locale: Locale;
  readonly renderRoot: HTMLElement | DocumentFragment;
  requestUpdate(): void;
};

const photoText = catalog(
  {
    preview: "Your photo as it will be sent",
    remove: "Remove photo",
    unreadable: "This file is not a photo we can use: choose a JPEG, PNG or WebP image.",
    consent: "It is shown only if you tick “Show my photo”.",
    notSent: "Your photo could not be sent ({code}); your story is in without it.",
  },
  () => import("./story-form-photo.hi.ts"),
);

/** A portrait on the wall is 44 px (88 on dense screens): 512 leaves room and keeps uploads small. */
export const maxSide = 512;

export class PhotoPick {
  private blob: Blob | null = null;
  private url = "";
  private problem: "unreadable" | "" = "";
  private failed = "";

  constructor(private readonly form: StoryForm) {}

  private t(key: Parameters<typeof photoText>[1], vars?: Record<string, string>) {
    return photoText(this.form.locale, key, vars);
  }

  /** Resizes the picked file; a file the browser cannot draw is refused here, before anything is sent. */
  async pick(input: HTMLInputElement): Promise<void> {
    this.clear();
    const file = input.files?.[0];
    await photoText.load(this.form.locale);
    if (file) {
      try {
        const image = await createImageBitmap(file);
        const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(image.width * scale));
        canvas.height = Math.max(1, Math.round(image.height * scale));
        canvas.getContext("2d")?.drawImage(image, 0, 0, canvas.width, canvas.height);
        image.close();
        this.blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
        if (!this.blob) throw new Error("not encoded");
        this.url = URL.createObjectURL(this.blob);
      } catch {
        this.problem = "unreadable";
        input.value = "";
      }
    }
    this.form.requestUpdate();
  }

  private clear() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = "";
    this.blob = null;
    this.problem = "";
  }

  private remove() {
    this.clear();
    const input = this.form.renderRoot.querySelector<HTMLInputElement>("#photo");
    if (input) {
      input.value = "";
      input.focus();
    }
    this.form.requestUpdate();
  }

  /** The preview and its remove button, or why the file was refused. */
  render() {
    if (this.problem) return html`<p class="error" role="alert">${this.t(this.problem)}</p>`;
    if (!this.url) return nothing;
    return html`<p class="hint">${this.t("consent")}</p>
      <img src=${this.url} alt=${this.t("preview")} width="96" />
      <p><button class="button secondary" type="button" @click=${() => this.remove()}>${this.t("remove")}</button></p>`;
  }

  /** Sends the photo for the story just received (only with the learner's consent to show it). */
  async upload(story: { id: string; editToken?: string }): Promise<void> {
    const config = window.chorus?.config;
    const consented = this.form.renderRoot.querySelector<HTMLInputElement>("[name=consentPhoto]")?.checked;
    if (!this.blob || !consented || !story.editToken || !config) return;
    const response = await fetch(`${config.apiBase}/v1/stories/${encodeURIComponent(story.id)}/photo`, {
      method: "PUT",
      headers: { "Chorus-Key": config.key, "Chorus-Edit-Token": story.editToken, "Content-Type": "image/jpeg" },
      body: this.blob,
    }).catch(() => null);
    if (!response?.ok) this.failed = response ? String(response.status) : "network_error";
  }

  /** For the thank-you panel: said only when the photo did not go through. */
  note() {
    return this.failed ? html`<p class="error">${this.t("notSent", { code: this.failed })}</p>` : nothing;
  }
}

/** The form's photo for the file just picked (the form calls this on the file input's change). */
export function pick(form: StoryForm, input: HTMLInputElement): Promise<void> {
  form._photo ??= new PhotoPick(form);
  return form._photo.pick(input);
}
