/**
 * `<chorus-story-form>`'s author edits or withdraws their story: after sending it (with the edit
 * token just received), or on a later visit (with the learner token, through `GET /v1/stories/mine`).
 * Loaded only then, so the form's usual download does not grow.
 */
import { html, nothing } from "lit";
import { api } from "./lib/api.ts";
import type { AuthorStory } from "./lib/api-types.ts";
import { ChorusApiError } from "./lib/http.ts";
import { catalog, type Locale } from "./lib/i18n.ts";

/** What this code needs of `<chorus-story-form>`, by shape: importing the form's module would be an import cycle. */
type StoryForm = HTMLElement & {
  course: string;
  learnerToken: string;
  _more?: () => unknown;
  readonly locale: Locale;
  readonly updateComplete: Promise<boolean>;
  readonly renderRoot: HTMLElement | DocumentFragment;
  requestUpdate(): void;
};

const text = catalog(
  {
    yours: "Your story",
    status: "Status: {status}",
    pending: "waiting for the course provider's approval",
    approved: "published on this site",
    rejected: "not published",
    edit: "Edit your story",
    withdraw: "Withdraw your story",
    editHint: "New text or a new rating, or showing more of you, goes back to the course provider for approval.",
    name: "Your name",
    headline: "Headline",
    body: "Your story",
    rating: "Your rating of the course",
    stars: "{n} out of 5",
    consents: "What may we publish?",
    showName: "Show my name (otherwise “A learner”)",
    showPhoto: "Show my photo",
    showSalary: "Show my salary increase",
    save: "Save changes",
    saving: "Saving…",
    cancel: "Cancel",
    saved: "Your changes are saved.",
    savedPending: "Your changes are saved. They appear on this site once the course provider approves them.",
    confirm: "Withdraw your story?",
    confirmHint: "It leaves this site at once and its text is erased. This cannot be undone.",
    confirmYes: "Yes, withdraw my story",
    keep: "Keep my story",
    withdrawn: "Your story was withdrawn. It is no longer on this site.",
    required: "Fill in this field.",
    tooLong: "Use at most {max} characters.",
    failed: "That did not work ({code}). Please try again.",
    rateLimited: "Too many changes from this device. Please try again in an hour.",
  },
  () => import("./story-form-author.hi.ts"),
);
type Key = Parameters<typeof text>[1];

const limits = { name: 80, headline: 140, body: 5000 } as const;
type TextField = keyof typeof limits;

/**
 * Offers the author of `story` (just sent, with its edit token) to edit or withdraw it; without a
 * story, looks up the stories of the form's learner token for its course and offers the newest.
 */
export async function authorTools(form: StoryForm, posted?: AuthorStory): Promise<void> {
  let story = posted;
  if (!story) {
    const found = await api<{ items: AuthorStory[] }>(`/v1/stories/mine?course=${encodeURIComponent(form.course)}`, {
      token: form.learnerToken,
    }).catch(() => null);
    story = found?.items[0];
    if (!story) return;
  }
  await text.load(form.locale);
  new AuthorPanel(form, story, posted?.editToken);
}

/** The author's panel: their story's status, then editing it or confirming its withdrawal. */
class AuthorPanel {
  private mode: "view" | "edit" | "confirm" | "withdrawn" = "view";
  private message = "";
  private failure = "";
  private errors: Partial<Record<TextField, string>> = {};
  private busy = false;

  constructor(
    private readonly form: StoryForm,
    private story: AuthorStory,
    private readonly editToken?: string,
  ) {
    form._more = () => this.render();
    form.requestUpdate();
  }

  private t(key: Key, vars?: Record<string, string | number>) {
    return text(this.form.locale, key, vars);
  }

  /** The author's proof: the edit token of a story just sent, else the learner token. */
  private proof() {
    return this.editToken
      ? { headers: { "Chorus-Edit-Token": this.editToken } }
      : { token: this.form.learnerToken || undefined };
  }

  private async show(mode: AuthorPanel["mode"], focus: string) {
    this.mode = mode;
    this.form.requestUpdate();
    await this.form.updateComplete;
    this.form.renderRoot.querySelector<HTMLElement>(focus)?.focus();
  }

  private failed(error: unknown) {
    const failure = error instanceof ChorusApiError ? error : new ChorusApiError(0, "network_error");
    for (const detail of failure.details) {
      const field = (Object.keys(limits) as TextField[]).find((name) => detail.path === name);
      if (field) this.errors[field] = detail.message ?? this.t("required");
    }
    this.failure = failure.status === 429 ? this.t("rateLimited") : this.t("failed", { code: failure.code });
  }

  private emit(name: string) {
    this.form.dispatchEvent(
      new CustomEvent(name, {
        detail: { id: this.story.id, status: this.story.status },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private async save(event: Event) {
    event.preventDefault();
    if (this.busy) return;
    const data = new FormData(event.target as HTMLFormElement);
    const value = (name: string) => String(data.get(name) ?? "").trim();
    this.errors = {};
    this.failure = "";
    for (const field of Object.keys(limits) as TextField[]) {
      if (!value(field)) this.errors[field] = this.t("required");
      else if (value(field).length > limits[field]) this.errors[field] = this.t("tooLong", { max: limits[field] });
    }
    const invalid = (Object.keys(limits) as TextField[]).find((field) => this.errors[field]);
    if (invalid) return this.show("edit", `#own-${invalid}`);
    // Only what changed is sent: the server sends changed content (not untouched fields) back to moderation.
    const patch: Record<string, unknown> = {};
    for (const field of Object.keys(limits) as TextField[])
      if (value(field) !== this.story[field]) patch[field] = value(field);
    if (Number(value("rating")) !== this.story.rating) patch.rating = Number(value("rating"));
    const consent = {
      publish: true,
      name: data.get("name-ok") === "on",
      photo: data.get("photo-ok") === "on",
      salary: data.get("salary-ok") === "on",
    };
    const { name, photo, salary } = this.story.consent;
    if (consent.name !== name || consent.photo !== photo || consent.salary !== salary) patch.consent = consent;
    if (Object.keys(patch).length === 0) return this.show("view", "#own-edit");
    this.busy = true;
    this.form.requestUpdate();
    try {
      this.story = await api<AuthorStory>(`/v1/stories/${encodeURIComponent(this.story.id)}`, {
        method: "PATCH",
        body: patch,
        ...this.proof(),
      });
      this.message = this.t(this.story.status === "approved" ? "saved" : "savedPending");
      this.emit("chorus-story-edited");
      await this.show("view", "#own-message");
    } catch (error) {
      this.failed(error);
      await this.show("edit", "#own-failure");
    } finally {
      this.busy = false;
      this.form.requestUpdate();
    }
  }

  private async withdraw() {
    if (this.busy) return;
    this.busy = true;
    try {
      await api(`/v1/stories/${encodeURIComponent(this.story.id)}`, { method: "DELETE", ...this.proof() });
      this.emit("chorus-story-withdrawn");
      await this.show("withdrawn", "#own-title");
    } catch (error) {
      this.failed(error);
      await this.show("confirm", "#own-failure");
    } finally {
      this.busy = false;
    }
  }

  private field(name: TextField, label: Key) {
    const error = this.errors[name];
    const id = `own-${name}`;
    const attrs = {
      id,
      name,
      maxlength: limits[name],
      invalid: error ? "true" : "false",
      describedby: error ? `${id}-error` : nothing,
    };
    return html`<div class="field">
      <label for=${id}>${this.t(label)}</label>
      ${
        name === "body"
          ? html`<textarea id=${attrs.id} name=${attrs.name} rows="6" maxlength=${attrs.maxlength} required
              aria-invalid=${attrs.invalid} aria-describedby=${attrs.describedby} .value=${this.story.body}></textarea>`
          : html`<input id=${attrs.id} name=${attrs.name} maxlength=${attrs.maxlength} required
              aria-invalid=${attrs.invalid} aria-describedby=${attrs.describedby} .value=${this.story[name]} />`
      }
      ${error ? html`<p class="error" id="${id}-error">${error}</p>` : nothing}
    </div>`;
  }

  private editor() {
    const { consent, rating } = this.story;
    const box = (name: string, checked: boolean, label: Key) =>
      html`<label><input type="checkbox" name=${name} ?checked=${checked} />${this.t(label)}</label>`;
    return html`<form novalidate @submit=${(e: Event) => this.save(e)}>
      <p class="hint">${this.t("editHint")}</p>
      ${this.field("name", "name")} ${this.field("headline", "headline")} ${this.field("body", "body")}
      <div class="field">
        <label for="own-rating">${this.t("rating")}</label>
        <select id="own-rating" name="rating">
          ${[1, 2, 3, 4, 5].map((n) => html`<option value=${n} ?selected=${n === rating}>${this.t("stars", { n })}</option>`)}
        </select>
      </div>
      <fieldset class="field consents">
        <legend>${this.t("consents")}</legend>
        ${box("name-ok", consent.name, "showName")} ${box("photo-ok", consent.photo, "showPhoto")}
        ${box("salary-ok", consent.salary, "showSalary")}
      </fieldset>
      <p>
        <button class="button" type="submit" ?disabled=${this.busy}>${this.t(this.busy ? "saving" : "save")}</button>
        <button class="button secondary" type="button" @click=${() => this.show("view", "#own-edit")}>${this.t("cancel")}</button>
      </p>
    </form>`;
  }

  render() {
    const failure = this.failure
      ? html`<p class="error" id="own-failure" tabindex="-1" role="alert">${this.failure}</p>`
      : nothing;
    let content: unknown;
    if (this.mode === "withdrawn") content = html`<p role="status">${this.t("withdrawn")}</p>`;
    else if (this.mode === "edit") content = html`${failure}${this.editor()}`;
    else if (this.mode === "confirm")
      content = html`<div role="alertdialog" aria-labelledby="own-confirm" aria-describedby="own-confirm-hint">
        <h3 id="own-confirm" tabindex="-1">${this.t("confirm")}</h3>
        <p id="own-confirm-hint">${this.t("confirmHint")}</p>
        ${failure}
        <p>
          <button class="button" type="button" ?disabled=${this.busy} @click=${() => this.withdraw()}>${this.t("confirmYes")}</button>
          <button class="button secondary" type="button" @click=${() => this.show("view", "#own-withdraw")}>${this.t("keep")}</button>
        </p>
      </div>`;
    else
      content = html`<p><strong>${this.story.headline}</strong></p>
        <p>${this.t("status", { status: this.t(this.story.status as "pending") })}</p>
        ${this.message ? html`<p id="own-message" tabindex="-1" role="status">${this.message}</p>` : nothing}
        <p>
          <button id="own-edit" class="button secondary" type="button" @click=${() => {
            this.message = "";
            this.failure = "";
            this.errors = {};
            void this.show("edit", "#own-name");
          }}>${this.t("edit")}</button>
          <button id="own-withdraw" class="button secondary" type="button" @click=${() => {
            this.failure = "";
            void this.show("confirm", "#own-confirm");
          }}>${this.t("withdraw")}</button>
        </p>`;
    return html`<section class="panel" aria-labelledby="own-title">
      <h2 id="own-title" tabindex="-1">${this.t("yours")}</h2>
      ${content}
    </section>`;
  }
}
