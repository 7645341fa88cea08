/**
 * The auto-approve rule (`autoApprove`) as a form on the settings page: on or off, a credential
 * required, a lowest rating, blocked words. Saved with `PATCH /v1/admin/program`; what is wrong is
 * said beside its field (checked here first, then by the server, its error paths mapped back).
 */
import { html, nothing } from "lit";
import type { Settings } from "../lib/api-types.ts";
import { ChorusApiError, request } from "./api.ts";
import { type AutoApproveKey, autoApproveText } from "./auto-approve-strings.ts";
import { SettingsForm } from "./settings-form.ts";

type Field = "minRating" | "blockedWords";

export class ChorusAutoApproveForm extends SettingsForm<Field> {
  protected readonly problemsId = "auto-approve-problems";

  protected loadStrings() {
    return autoApproveText.load(this._locale);
  }

  private _text(key: AutoApproveKey, vars?: Record<string, string | number>) {
    return autoApproveText(this._locale, key, vars);
  }

  private async _onSave(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
    const rating = field("minRating").value.trim();
    const blockedWords = [
      ...new Set(
        field("blockedWords")
          .value.split("\n")
          .map((word) => word.trim())
          .filter(Boolean),
      ),
    ];
    const errors: Partial<Record<Field, string>> = {};
    if (rating && !/^[1-5]$/.test(rating)) errors.minRating = this._text("badRating");
    const long = blockedWords.find((word) => word.length > 100);
    if (long) errors.blockedWords = this._text("longWord", { word: long });
    this._errors = errors;
    this._message = "";
    if (Object.keys(errors).length === 0) {
      const enabled = field("enabled").checked;
      try {
        this._settings = await request<Settings>("PATCH", "/v1/admin/program", {
          autoApprove: {
            enabled,
            requireCredential: field("requireCredential").checked,
            minRating: rating ? Number(rating) : null,
            blockedWords,
          },
        });
        this._message = this._text(enabled ? "saved" : "savedOff");
        return;
      } catch (error) {
        const failure = error instanceof ChorusApiError ? error : null;
        for (const detail of failure?.details ?? []) {
          const name = (["minRating", "blockedWords"] as const).find((f) =>
            detail.path?.startsWith(`autoApprove.${f}`),
          );
          if (name) this._errors = { ...this._errors, [name]: detail.message ?? this._text("invalid") };
        }
        if (Object.keys(this._errors).length === 0) this._message = failure?.message ?? String(error);
      }
    }
    await this._focusProblems();
  }

  override render() {
    const s = this._settings;
    if (!s) return nothing;
    const rule = s.autoApprove;
    const rating = this._field("minRating");
    const words = this._field("blockedWords");
    return html`<form class="panel" novalidate @submit=${this._onSave} aria-labelledby="auto-approve-title">
      <h3 id="auto-approve-title">${this._text("title")}</h3>
      <p>${this._text("intro")}</p>
      ${this._problems((n) => this._text("problems", { n }))}
      <p><label><input type="checkbox" name="enabled" ?checked=${rule.enabled} /> ${this._text("enabled")}</label></p>
      <p><label><input type="checkbox" name="requireCredential" ?checked=${rule.requireCredential} />
        ${this._text("requireCredential")}</label></p>
      <p>
        <label>${this._text("minRating")}
          <input id="minRating" name="minRating" size="2" inputmode="numeric" autocomplete="off"
            .value=${rule.minRating === null ? "" : String(rule.minRating)}
            aria-invalid=${rating.invalid} aria-describedby=${rating.describedby} />
          ${rating.error}</label>
      </p>
      <p>
        <label>${this._text("blockedWords")}
          <textarea id="blockedWords" name="blockedWords" rows="4" spellcheck="false" .value=${rule.blockedWords.join("\n")}
            aria-invalid=${words.invalid} aria-describedby=${words.describedby}></textarea>
          ${words.error}</label>
      </p>
      <button type="submit">${this._text("save")}</button>
      ${this._message ? html`<p role="status">${this._message}</p>` : nothing}
    </form>`;
  }
}

customElements.define("chorus-auto-approve-form", ChorusAutoApproveForm);
