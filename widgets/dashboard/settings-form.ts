/**
 * What the dashboard's settings forms share (the email settings, the hosted advocate page): the
 * program settings loaded once their strings are, a message per field tied to it for screen
 * readers, a summary that takes focus when something is wrong, and styles that fit a phone.
 * Each form reads its fields, checks them, and saves with `PATCH /v1/admin/program`.
 */
import { css, html, LitElement, nothing } from "lit";
import type { Settings } from "../lib/api-types.ts";
import type { Locale } from "../lib/i18n.ts";
import { get } from "./api.ts";
import { dashboardStyles } from "./styles.ts";
import { dashboardLocale } from "./webhook-strings.ts";

export abstract class SettingsForm<Field extends string> extends LitElement {
  static override styles = [
    dashboardStyles,
    // Fieldsets are as wide as their content by default: at phone width they would overflow.
    css`
      fieldset {
        min-width: 0;
        margin: 0 0 1rem;
      }
      input:not([type="checkbox"]):not([type="radio"]),
      textarea,
      select {
        max-width: 100%;
        box-sizing: border-box;
      }
    `,
  ];
  static override properties = {
    _settings: { state: true },
    _errors: { state: true },
    _message: { state: true },
  };
  protected _settings: Settings | null = null;
  protected _errors: Partial<Record<Field, string>> = {};
  protected _message = "";
  protected readonly _locale: Locale = dashboardLocale();
  /** The id of the summary of problems, which takes focus after a refused save. */
  protected abstract readonly problemsId: string;

  /** Loads the form's strings for the dashboard's language (Hindi on demand). */
  protected abstract loadStrings(): Promise<void> | undefined;

  override async connectedCallback() {
    super.connectedCallback();
    await this.loadStrings();
    this._settings = await get<Settings>("/v1/admin/program");
  }

  /** aria attributes tying a field to its error message, and the message. */
  protected _field(name: Field) {
    const error = this._errors[name];
    return {
      invalid: error ? "true" : "false",
      describedby: error ? `${name}-error` : nothing,
      error: error ? html`<span class="error" id="${name}-error">${error}</span>` : nothing,
    };
  }

  /** The summary of what is wrong (nothing when all is well), in words the form chose. */
  protected _problems(summary: (n: number) => string) {
    const n = Object.keys(this._errors).length;
    return n
      ? html`<div id=${this.problemsId} class="error" role="alert" tabindex="-1"><p>${summary(n)}</p></div>`
      : nothing;
  }

  /** After a save that left problems: moves focus to their summary. */
  protected async _focusProblems() {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#${this.problemsId}`)?.focus();
  }
}
