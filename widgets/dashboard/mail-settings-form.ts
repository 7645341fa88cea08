/**
 * The email settings as a form on the Email page: the brand (name, logo, colour), the language of
 * the mails, the story request (on or off, after how many days) and the team digest (how often,
 * to whom). Saved with `PATCH /v1/admin/program`; the server's validation messages appear beside
 * the field they name, and a summary takes focus.
 */
import { html, nothing } from "lit";
import type { Settings } from "../lib/api-types.ts";
import { ChorusApiError, request } from "./api.ts";
import { mailText } from "./mail-strings.ts";
import { SettingsForm } from "./settings-form.ts";

type MailSettings = Pick<Settings, "brand" | "mailLocale" | "storyRequest" | "digest">;
/** A form field, by the settings path the server's validation details name. */
const fields = {
  "brand.name": "brandName",
  "brand.logoUrl": "logoUrl",
  "brand.color": "color",
  mailLocale: "mailLocale",
  "storyRequest.days": "storyDays",
  "digest.frequency": "frequency",
  "digest.recipients": "recipients",
} as const;
type Field = (typeof fields)[keyof typeof fields];

export class ChorusMailSettingsForm extends SettingsForm<Field> {
  protected readonly problemsId = "mail-settings-problems";

  protected loadStrings() {
    return mailText.load(this._locale);
  }

  private _text(key: Parameters<typeof mailText>[1], vars?: Record<string, string | number>) {
    return mailText(this._locale, key, vars);
  }

  /** The form as settings, and what is wrong with it before the server is asked. */
  private _read(form: HTMLFormElement): { patch: MailSettings; errors: Partial<Record<Field, string>> } {
    const value = (name: Field | "storyOn") => form.elements.namedItem(name) as HTMLInputElement;
    const days = Number(value("storyDays").value);
    const recipients = value("recipients")
      .value.split(/[\s,;]+/)
      .map((address) => address.trim().toLowerCase())
      .filter(Boolean);
    const errors: Partial<Record<Field, string>> = {};
    if (!/^#[0-9a-fA-F]{6}$/.test(value("color").value)) errors.color = this._text("badColor");
    const logo = value("logoUrl").value.trim();
    if (logo && !logo.startsWith("https://")) errors.logoUrl = this._text("badLogo");
    if (!Number.isInteger(days) || days < 1 || days > 365) errors.storyDays = this._text("badDays");
    const wrong = recipients.find((address) => !/^[^\s<>"(),;:\\@]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,63}$/.test(address));
    if (wrong) errors.recipients = this._text("badRecipient", { address: wrong });
    else if (recipients.length > 20) errors.recipients = this._text("tooManyRecipients");
    return {
      patch: {
        brand: { name: value("brandName").value.trim() || null, logoUrl: logo || null, color: value("color").value },
        mailLocale: value("mailLocale").value as MailSettings["mailLocale"],
        storyRequest: { enabled: value("storyOn").checked, days },
        digest: { frequency: value("frequency").value as MailSettings["digest"]["frequency"], recipients },
      },
      errors,
    };
  }

  private async _onSave(event: SubmitEvent) {
    event.preventDefault();
    const { patch, errors } = this._read(event.target as HTMLFormElement);
    this._errors = errors;
    this._message = "";
    if (Object.keys(errors).length === 0) {
      try {
        this._settings = await request<Settings>("PATCH", "/v1/admin/program", patch);
        this._message = this._text("saved");
        return;
      } catch (error) {
        const failure = error instanceof ChorusApiError ? error : null;
        for (const detail of failure?.details ?? []) {
          const path = Object.keys(fields).find((key) => detail.path?.startsWith(key)) as
            | keyof typeof fields
            | undefined;
          if (path) this._errors = { ...this._errors, [fields[path]]: detail.message ?? this._text("invalid") };
        }
        if (Object.keys(this._errors).length === 0) this._message = failure?.message ?? String(error);
      }
    }
    await this._focusProblems();
  }

  override render() {
    const s = this._settings;
    if (!s) return nothing;
    const f = (name: Field) => this._field(name);
    return html`<form class="panel" novalidate @submit=${this._onSave} aria-labelledby="mail-settings-title">
      <h3 id="mail-settings-title">${this._text("settingsTitle")}</h3>
      ${this._problems((n) => this._text("problems", { n }))}
      <p class="row">
        <label>${this._text("brandName")}
          <input id="brandName" name="brandName" maxlength="100" .value=${s.brand.name ?? ""}
            aria-invalid=${f("brandName").invalid} aria-describedby=${f("brandName").describedby} />
          ${f("brandName").error}</label>
        <label>${this._text("logoUrl")}
          <input id="logoUrl" name="logoUrl" type="url" maxlength="2000" .value=${s.brand.logoUrl ?? ""}
            aria-invalid=${f("logoUrl").invalid} aria-describedby=${f("logoUrl").describedby} />
          ${f("logoUrl").error}</label>
        <label>${this._text("color")}
          <input id="color" name="color" type="color" .value=${s.brand.color}
            aria-invalid=${f("color").invalid} aria-describedby=${f("color").describedby} />
          ${f("color").error}</label>
        <label>${this._text("mailLocale")}
          <select id="mailLocale" name="mailLocale">
            <option value="en" ?selected=${s.mailLocale === "en"}>English</option>
            <option value="hi" ?selected=${s.mailLocale === "hi"} lang="hi">हिन्दी</option>
          </select></label>
      </p>
      <fieldset>
        <legend>${this._text("storyRequest")}</legend>
        <p class="row">
          <label><input type="checkbox" name="storyOn" ?checked=${s.storyRequest.enabled} />${this._text("storyOn")}</label>
          <label>${this._text("storyDays")}
            <input id="storyDays" name="storyDays" type="number" min="1" max="365" .value=${String(s.storyRequest.days)}
              aria-invalid=${f("storyDays").invalid} aria-describedby=${f("storyDays").describedby} />
            ${f("storyDays").error}</label>
        </p>
      </fieldset>
      <fieldset>
        <legend>${this._text("digest")}</legend>
        <p class="row">
          <label>${this._text("frequency")}
            <select id="frequency" name="frequency">
              ${(["off", "daily", "weekly"] as const).map(
                (option) =>
                  html`<option value=${option} ?selected=${s.digest.frequency === option}>${this._text(option === "off" ? "never" : option)}</option>`,
              )}
            </select></label>
          <label>${this._text("recipients")}
            <textarea id="recipients" name="recipients" rows="3" spellcheck="false"
              .value=${s.digest.recipients.join("\n")}
              aria-invalid=${f("recipients").invalid} aria-describedby=${f("recipients").describedby}></textarea>
            ${f("recipients").error}</label>
        </p>
      </fieldset>
      <button type="submit">${this._text("save")}</button>
      ${this._message ? html`<p role="status">${this._message}</p>` : nothing}
    </form>`;
  }
}

customElements.define("chorus-mail-settings-form", ChorusMailSettingsForm);
