import { html, nothing } from "lit";
import { api } from "./lib/api.ts";
import type { AuthorStory, StoryVerification } from "./lib/api-types.ts";
import { ChorusElement, define } from "./lib/element.ts";
import { ChorusApiError } from "./lib/http.ts";
import { catalog } from "./lib/i18n.ts";
import { outcomeTypes, storyText } from "./lib/stories.ts";
import { baseStyles } from "./lib/styles.ts";
import { COMPLETE, initialState, PENDING, Task } from "./lib/task.ts";
import { storyFormStyles } from "./story-form.styles.ts";
import type { PhotoPick } from "./story-form-photo.ts";
import type { VideoPart } from "./story-form-video.ts";

const formText = catalog(
  {
    title: "Tell your success story",
    intro: "Fields marked * are required. Your story appears after the course provider approves it.",
    name: "Your name",
    headline: "Headline",
    headlineHint: "One line, such as “From support desk to data analyst”.",
    body: "Your story",
    bodyHint: "What changed for you, and how the course helped.",
    rating: "Your rating of the course",
    stars: "{n} out of 5",
    outcome: "What changed",
    choose: "Choose…",
    salary: "Salary increase in % (optional)",
    months: "Months from the course to this change (optional)",
    consents: "What may we publish?",
    publish: "Publish my story on this site",
    showName: "Show my name (otherwise “A learner”)",
    showPhoto: "Show my photo",
    showSalary: "Show my salary increase",
    photo: "Your photo (optional)",
    credential: "Credential (optional)",
    credentialHint: "An Open Badges credential proves your story: its link, JSON, JWT or badge image.",
    credentialType: "Credential format",
    none: "None",
    url: "Link (https)",
    json: "JSON",
    jwt: "JWT",
    image: "Badge image",
    credentialValue: "Credential",
    website: "Website",
    submit: "Send my story",
    sending: "Sending…",
    problems: "Please fix {n} problem(s):",
    required: "Fill in this field.",
    tooLong: "Use at most {max} characters.",
    chooseRating: "Choose a rating from 1 to 5.",
    chooseOutcome: "Choose what changed.",
    whole: "Enter a whole number from {min} to {max}.",
    https: "Enter an address starting with https://.",
    badJson: "Paste the credential's JSON object.",
    badJwt: "Paste a JWT: three parts separated by dots.",
    mustPublish: "Stories are only collected to be published: tick this box to send yours.",
    invalid: "Check this field.",
    rateLimited: "Too many stories were sent from this device. Please try again in an hour.",
    failed: "We couldn't send your story ({code}). Please try again.",
    thanks: "Thank you! We received your story.",
    pending: "It will appear on this site once the course provider approves it.",
    approved: "It is on this site now.",
    level: "Verification: {level}",
    credentialFailed: "Your credential could not be verified:",
    editToken: "Your edit token",
    editTokenHint: "Keep it somewhere safe: you need it to edit or withdraw your story. It is shown only this once.",
    shareLink: "Once approved, share your story with your link",
    linkedIn: "Add this credential to LinkedIn",
    video: "Video",
    addVideo: "Add a video (optional)",
  },
  () => import("./story-form.hi.ts"),
);

type FormKey = Parameters<typeof formText>[1];
/** A field's name is also its label's key in the catalog. */
type Field =
  | "name"
  | "headline"
  | "body"
  | "rating"
  | "outcome"
  | "salary"
  | "months"
  | "publish"
  | "video"
  | "credential";
type Values = Record<string, string>;

const order: Field[] = [
  "name",
  "headline",
  "body",
  "rating",
  "outcome",
  "salary",
  "months",
  "publish",
  "video",
  "credential",
];
const limits: Partial<Record<Field, number>> = { name: 80, headline: 140, body: 5000 };
/** Where the API's validation details point, in the form's terms. */
const apiPaths: [prefix: string, field: Field][] = [
  ["outcome.salaryIncreasePct", "salary"],
  ["outcome.monthsToOutcome", "months"],
  ["outcome", "outcome"],
  ["consent.publish", "publish"],
  ["credential", "credential"],
  ["name", "name"],
  ["headline", "headline"],
  ["body", "body"],
  ["rating", "rating"],
];

function isHttps(value: string): boolean {
  try {
    return new URL(value).protocol === "https:" && value.length <= 2000;
  } catch {
    return false;
  }
}

/**
 * `<chorus-story-form>`: a learner tells their success story. Labelled fields with inline
 * validation, an error summary that takes focus on submit, consents (publishing is required;
 * name, photo and salary are each the learner's choice), an optional photo and credential, and a
 * success state with the verification level and the edit token (shown once, kept nowhere). Its
 * author edits or withdraws the story there, or on a later visit with their learner token; that
 * code (story-form-author.ts) and the badge image picker (story-form-badge.ts) load only when used.
 *
 * @tagname chorus-story-form
 * @attr course - the course slug the story is about
 * @attr learner-token - optional: links the story to the learner (provider attestation, recipient check, a share link); on a later visit, their story to edit or withdraw
 * @attr story-token - optional: a story request email's one-time token (else the page URL's `chorus_story`): pre-fills name and course and stands for the learner token
 * @csspart form - the form's frame
 * @csspart error-summary - the list of problems shown after a failed submit
 * @csspart submit - the submit button
 * @csspart success - the thank-you panel
 * @cssprop --chorus-accent - buttons, checkboxes and focus ring
 * @cssprop --chorus-danger - error text and invalid borders
 * @cssprop --chorus-form-min-height - the space the form reserves while loading
 * @fires chorus-story-submitted - `{ id, status, verificationLevel }` once the story is received
 * @fires chorus-story-edited - `{ id, status }` once its author's change is saved
 * @fires chorus-story-withdrawn - `{ id, status }` once its author withdrew it
 */
export class ChorusStoryForm extends ChorusElement {
  static override catalogs = [formText, storyText];
  static override styles = [baseStyles, storyFormStyles];
  static override properties = {
    ...ChorusElement.properties,
    course: { type: String },
    learnerToken: { type: String, attribute: "learner-token" },
    _errors: { state: true },
    _failure: { state: true },
    _credentialType: { state: true },
    _video: { state: true },
    _videoNote: { state: true },
  };

  /** The course the story is about (a slug such as `data-analytics`). */
  declare course: string;
  /** The learner token your server signed: links the story to the learner (attestation, share link). Optional. */
  declare learnerToken: string;
  /** The picked photo, resized (story-form-photo.ts, loaded when a file is picked). */
  _photo?: PhotoPick;
  /** Headers the story link's code (story-form-token.ts) adds to the submission: its one-time token. */
  _headers?: Record<string, string>;
  declare _errors: Partial<Record<Field, string>>;
  declare _failure: string;
  declare _credentialType: "none" | "url" | "json" | "jwt" | "image";
  /** The author's edit and withdraw (story-form-author.ts) once loaded: after the thank-you, or instead of the form. */
  _more?: () => unknown;
  /** The badge image picker (story-form-badge.ts) once loaded, and the image it read (base64) or what is wrong with it. */
  _badge?: () => unknown;
  _image?: { data?: string; error?: string };
  /** The video part (story-form-video.ts, on demand), once the learner asked for it; what its upload said. */
  declare _video?: VideoPart;
  declare _videoNote: string;
  /** Sending the story: pending while it is on its way, its `value` the story received. */
  private readonly _send = new Task(
    this,
    async ([values]: [Values]) => {
      const story = await api<AuthorStory>("/v1/stories", {
        body: this._body(values),
        token: this.learnerToken || undefined,
        headers: this._headers,
      });
      await this._photo?.upload(story);
      // The story is in either way; the video follows it, with the edit token.
      this._videoNote = (await this._video?.upload(story)) ?? "";
      return story;
    },
    undefined,
    (result) => {
      this.emit("chorus-story-submitted", {
        id: result.id,
        status: result.status,
        verificationLevel: result.verificationLevel,
      });
      this._author().then((author) => author.authorTools(this, result));
    },
  );
  /**
   * The receipt of a story whose credential verified, for LinkedIn's add-to-profile link (the
   * edit token lets its author read it before approval). The link is a convenience: the story
   * is in either way.
   */
  private readonly _receipt = new Task(
    this,
    ([result]) =>
      result?.verificationLevel === "credential_verified" && result.editToken
        ? api<StoryVerification>(`/v1/stories/${encodeURIComponent(result.id)}/verification`, {
            headers: { "Chorus-Edit-Token": result.editToken },
          })
        : initialState,
    () => [this._send.value],
  );

  /** Fields validate as the learner leaves them, and all of them after a first submit. */
  private _touched = new Set<string>();
  _submitted = false;

  constructor() {
    super();
    this.course = "";
    this.learnerToken = "";
    this._errors = {};
    this._failure = "";
    this._credentialType = "none";
    this._videoNote = "";
  }

  override connectedCallback() {
    super.connectedCallback();
    // A story request's one-time token (the `story-token` attribute, else the link's `chorus_story`):
    // only such a page loads the code that uses it.
    const token = this.getAttribute("story-token") || new URLSearchParams(location.search).get("chorus_story");
    if (token) import("./story-form-token.ts").then((link) => link.useStoryToken(this, token));
    // A returning author: their story of this course, to edit or withdraw.
    else if (this.learnerToken) this._author().then((author) => author.authorTools(this));
  }

  private _author() {
    return import("./story-form-author.ts");
  }

  private _t(key: FormKey, vars?: Record<string, string | number>) {
    return formText(this.locale, key, vars);
  }

  private _values(): Values {
    const form = this.renderRoot.querySelector("form");
    const values: Values = {};
    if (form) for (const [key, value] of new FormData(form)) values[key] = String(value);
    return values;
  }

  private _validate(v: Values): Partial<Record<Field, string>> {
    const errors: Partial<Record<Field, string>> = {};
    for (const field of ["name", "headline", "body"] as const) {
      const value = (v[field] ?? "").trim();
      if (!value) errors[field] = this._t("required");
      else if (value.length > (limits[field] ?? 0)) errors[field] = this._t("tooLong", { max: limits[field] ?? 0 });
    }
    if (!/^[1-5]$/.test(v.rating ?? "")) errors.rating = this._t("chooseRating");
    if (!(outcomeTypes as readonly string[]).includes(v.outcome ?? "")) errors.outcome = this._t("chooseOutcome");
    for (const [field, max] of [
      ["salary", 1000],
      ["months", 120],
    ] as const) {
      const value = (v[field] ?? "").trim();
      if (value && !(/^\d+$/.test(value) && Number(value) <= max)) errors[field] = this._t("whole", { min: 0, max });
    }
    if (v.publish !== "on") errors.publish = this._t("mustPublish");
    const video = this._video?.problem();
    if (video) errors.video = video;
    const credential = (v.credential ?? "").trim();
    if (this._credentialType === "image") {
      if (!this._image?.data) errors.credential = this._image?.error || this._t("required");
    } else if (this._credentialType !== "none") {
      if (!credential) errors.credential = this._t("required");
      else if (this._credentialType === "url" && !isHttps(credential)) errors.credential = this._t("https");
      else if (this._credentialType === "jwt" && !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential))
        errors.credential = this._t("badJwt");
      else if (this._credentialType === "json") {
        try {
          const parsed: unknown = JSON.parse(credential);
          if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) errors.credential = this._t("badJson");
        } catch {
          errors.credential = this._t("badJson");
        }
      }
    }
    return errors;
  }

  private readonly _onLeave = (event: Event) => {
    const name = (event.target as HTMLInputElement).name;
    if (name) this._touched.add(name);
    const all = this._validate(this._values());
    const shown: Partial<Record<Field, string>> = {};
    for (const field of order) if (this._submitted || this._touched.has(field)) shown[field] = all[field];
    this._errors = shown;
  };

  private _body(v: Values) {
    const number = (value = "") => (value.trim() ? Number(value.trim()) : undefined);
    const credential = (v.credential ?? "").trim();
    const type = this._credentialType;
    return {
      course: this.course,
      name: v.name?.trim(),
      headline: v.headline?.trim(),
      body: v.body?.trim(),
      rating: Number(v.rating),
      outcome: { type: v.outcome, salaryIncreasePct: number(v.salary), monthsToOutcome: number(v.months) },
      consent: {
        publish: true,
        name: v.consentName === "on",
        photo: v.consentPhoto === "on",
        salary: v.consentSalary === "on",
      },
      ...(v.transcript?.trim() ? { transcript: v.transcript.trim() } : {}),
      ...(type === "none"
        ? {}
        : {
            credential: {
              [type]: type === "json" ? JSON.parse(credential) : type === "image" ? this._image?.data : credential,
            },
          }),
      ...(v.website ? { website: v.website } : {}),
    };
  }

  private async _submit(event: Event) {
    event.preventDefault();
    if (this._send.status === PENDING) return;
    this._submitted = true;
    this._failure = "";
    const values = this._values();
    this._errors = this._validate(values);
    if (Object.keys(this._errors).length > 0) return this._focusSummary();
    await this._send.run([values]);
    const { status, error } = this._send;
    if (status === COMPLETE) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>("#thanks")?.focus();
      return;
    }
    const failure = error instanceof ChorusApiError ? error : new ChorusApiError(0, "network_error", "");
    const errors: Partial<Record<Field, string>> = {};
    for (const detail of failure.details) {
      const field = apiPaths.find(([prefix]) => detail.path?.startsWith(prefix))?.[1];
      if (field) errors[field] = this._t("invalid");
    }
    this._errors = errors;
    this._failure =
      failure.status === 429
        ? this._t("rateLimited")
        : Object.keys(errors).length
          ? ""
          : this._t("failed", { code: failure.code });
    this._focusSummary();
  }

  private _pick(event: Event) {
    // Read now: once dispatch ends, an event from a shadow tree has no target.
    const input = event.target as HTMLInputElement;
    return import("./story-form-photo.ts").then((photo) => photo.pick(this, input));
  }

  private async _focusSummary() {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(".summary")?.focus();
  }

  private readonly _onCredentialType = (event: Event) => {
    this._credentialType = (event.target as HTMLSelectElement).value as "image";
    if (this._credentialType === "image") import("./story-form-badge.ts").then((badge) => badge.badgePicker(this));
  };

  /** Loads the video part (recording, upload, transcript) only for a learner who asks for it. */
  private async _addVideo() {
    const slot = this.renderRoot.querySelector<HTMLElement>("#video-slot");
    if (slot) this._video = await (await import("./story-form-video.ts")).attachVideo(this, slot);
  }

  private _focusField(field: Field, event: Event) {
    event.preventDefault();
    this.renderRoot.querySelector<HTMLElement>(`#${field}`)?.focus();
  }

  /** Attributes that tie a field to its hint and error for assistive technology. */
  private _described(field: Field, hint = false) {
    const ids = [hint ? `${field}-hint` : "", this._errors[field] ? `${field}-error` : ""].filter(Boolean).join(" ");
    return { invalid: this._errors[field] ? "true" : "false", describedby: ids || nothing };
  }

  private _error(field: Field) {
    const message = this._errors[field];
    return message ? html`<p class="error" id="${field}-error">${message}</p>` : nothing;
  }

  private _text(
    field: "name" | "headline" | "salary" | "months",
    label: FormKey,
    extra = {} as {
      required?: boolean;
      type?: string;
      hint?: FormKey;
      autocomplete?: string;
      max?: number;
    },
  ) {
    const a = this._described(field, Boolean(extra.hint));
    return html`<div class="field">
      <label for=${field}>${this._t(label)}${extra.required ? html`<span aria-hidden="true"> *</span>` : nothing}</label>
      ${extra.hint ? html`<p class="hint" id="${field}-hint">${this._t(extra.hint)}</p>` : nothing}
      <input id=${field} name=${field} type=${extra.type ?? "text"} ?required=${extra.required ?? false}
        maxlength=${limits[field] ?? nothing} inputmode=${extra.type === "number" ? "numeric" : nothing}
        min=${extra.max ? 0 : nothing} max=${extra.max ?? nothing} autocomplete=${extra.autocomplete ?? "off"}
        aria-invalid=${a.invalid} aria-describedby=${a.describedby} />
      ${this._error(field)}
    </div>`;
  }

  private _success(result: AuthorStory) {
    const failed = result.verification?.checks.filter((check) => check.result === "fail") ?? [];
    const linkedIn = this._receipt.value?.addToLinkedIn;
    return html`<section class="panel success" part="success" aria-labelledby="thanks">
      <h2 id="thanks" tabindex="-1">${this._t("thanks")}</h2>
      <p>${this._t(result.status === "approved" ? "approved" : "pending")}</p>
      ${this._photo?.note()}
      ${this._videoNote ? html`<p role="alert">${this._videoNote}</p>` : nothing}
      <p><span class="level ${result.verificationLevel}">${this._t("level", {
        level: storyText(this.locale, result.verificationLevel),
      })}</span></p>
      ${
        failed.length
          ? html`<div><p>${this._t("credentialFailed")}</p><ul>${failed.map((check) => html`<li>${check.detail}</li>`)}</ul></div>`
          : nothing
      }
      ${
        linkedIn?.startsWith("https://")
          ? html`<p><a class="button secondary" href=${linkedIn} target="_blank" rel="noopener noreferrer">${this._t("linkedIn")}</a></p>`
          : nothing
      }
      ${
        result.editToken
          ? html`<div class="field"><label for="token">${this._t("editToken")}</label>
            <p class="hint" id="token-hint">${this._t("editTokenHint")}</p>
            <input id="token" readonly .value=${result.editToken} aria-describedby="token-hint"
              @focus=${(e: Event) => (e.target as HTMLInputElement).select()} /></div>`
          : nothing
      }
      ${
        result.shareLink
          ? html`<div class="field"><label for="share">${this._t("shareLink")}</label>
            <input id="share" readonly .value=${result.shareLink} /></div>`
          : nothing
      }
    </section>`;
  }

  override render() {
    const more = this._more?.();
    const result = this._send.status === COMPLETE && this._send.value;
    if (result) return html`${this._success(result)}${more}`;
    if (more) return more;
    const problems = order.filter((field) => this._errors[field]);
    const body = this._described("body", true);
    const rating = this._described("rating");
    const outcome = this._described("outcome");
    const publish = this._described("publish");
    const credential = this._described("credential", true);
    const sending = this._send.status === PENDING;
    return html`<form class="panel" part="form" novalidate aria-labelledby="title" @submit=${this._submit}
        @focusout=${this._onLeave} @change=${this._onLeave}>
      <h2 id="title">${this._t("title")}</h2>
      <p class="hint">${this._t("intro")}</p>
      ${
        this._submitted && (problems.length || this._failure)
          ? html`<div class="summary" part="error-summary" tabindex="-1" role="alert">
            ${this._failure ? html`<p>${this._failure}</p>` : nothing}
            ${
              problems.length
                ? html`<p>${this._t("problems", { n: problems.length })}</p>
                  <ul>${problems.map(
                    (field) =>
                      html`<li><a href="#${field}" @click=${(e: Event) => this._focusField(field, e)}>${this._t(field)}: ${this._errors[field]}</a></li>`,
                  )}</ul>`
                : nothing
            }
          </div>`
          : nothing
      }
      ${this._text("name", "name", { required: true, autocomplete: "name" })}
      ${this._text("headline", "headline", { required: true, hint: "headlineHint" })}
      <div class="field">
        <label for="body">${this._t("body")}<span aria-hidden="true"> *</span></label>
        <p class="hint" id="body-hint">${this._t("bodyHint")}</p>
        <textarea id="body" name="body" rows="6" required maxlength="5000" aria-invalid=${body.invalid}
          aria-describedby=${body.describedby}></textarea>
        ${this._error("body")}
      </div>
      <fieldset class="field" aria-describedby=${rating.describedby}>
        <legend>${this._t("rating")}<span aria-hidden="true"> *</span></legend>
        <div class="stars">
          ${[1, 2, 3, 4, 5].map(
            (n) => html`<label><input type="radio" name="rating" value=${n} id=${n === 1 ? "rating" : `rating-${n}`}
              required aria-invalid=${rating.invalid} />${this._t("stars", { n })}</label>`,
          )}
        </div>
        ${this._error("rating")}
      </fieldset>
      <div class="field">
        <label for="outcome">${this._t("outcome")}<span aria-hidden="true"> *</span></label>
        <select id="outcome" name="outcome" required aria-invalid=${outcome.invalid} aria-describedby=${outcome.describedby}>
          <option value="">${this._t("choose")}</option>
          ${outcomeTypes.map((type) => html`<option value=${type}>${storyText(this.locale, type)}</option>`)}
        </select>
        ${this._error("outcome")}
      </div>
      <div class="row">
        ${this._text("salary", "salary", { type: "number", max: 1000 })}
        ${this._text("months", "months", { type: "number", max: 120 })}
      </div>
      <fieldset class="field consents">
        <legend>${this._t("consents")}</legend>
        <label><input type="checkbox" id="publish" name="publish" required aria-invalid=${publish.invalid}
          aria-describedby=${publish.describedby} />${this._t("publish")}<span aria-hidden="true"> *</span></label>
        ${this._error("publish")}
        <label><input type="checkbox" name="consentName" />${this._t("showName")}</label>
        <label><input type="checkbox" name="consentPhoto" />${this._t("showPhoto")}</label>
        <label><input type="checkbox" name="consentSalary" />${this._t("showSalary")}</label>
      </fieldset>
      <div class="field">
        <label for="photo">${this._t("photo")}</label>
        <input id="photo" type="file" accept="image/jpeg,image/png,image/webp" @change=${this._pick} />
        ${this._photo?.render()}
      </div>
      <div id="video-slot"></div>
      ${
        this._video
          ? this._error("video")
          : html`<p><button type="button" class="button secondary" @click=${this._addVideo}>${this._t("addVideo")}</button></p>`
      }
      <fieldset class="field">
        <legend>${this._t("credential")}</legend>
        <p class="hint" id="credential-hint">${this._t("credentialHint")}</p>
        <label for="credential-type">${this._t("credentialType")}</label>
        <select id="credential-type" @change=${this._onCredentialType}>
          ${(["none", "url", "json", "jwt", "image"] as const).map(
            (type) => html`<option value=${type} ?selected=${type === this._credentialType}>${this._t(type)}</option>`,
          )}
        </select>
        ${
          this._credentialType === "none"
            ? nothing
            : this._credentialType === "image"
              ? html`${this._badge?.()}${this._error("credential")}`
              : html`<label for="credential">${this._t("credentialValue")}</label>
              <textarea id="credential" name="credential" rows=${this._credentialType === "url" ? 1 : 5} spellcheck="false"
                aria-invalid=${credential.invalid} aria-describedby=${credential.describedby}></textarea>
              ${this._error("credential")}`
        }
      </fieldset>
      <div class="trap" aria-hidden="true">
        <label for="website">${this._t("website")}</label>
        <input id="website" name="website" tabindex="-1" autocomplete="off" />
      </div>
      <p><button class="button" part="submit" type="submit" ?disabled=${sending} aria-busy=${sending ? "true" : "false"}>
        ${sending ? this._t("sending") : this._t("submit")}</button></p>
    </form>`;
  }
}

define("chorus-story-form", ChorusStoryForm);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-story-form": ChorusStoryForm;
  }
}
