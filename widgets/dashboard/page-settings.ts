/** Settings: program rules, allowed origins and credential issuers (GET/PATCH /v1/admin/program). */

import { html, nothing } from "lit";
import type { Settings } from "../lib/api-types.ts";
import { get, request } from "./api.ts";
import { DashboardPage } from "./page.ts";

export class ChorusPageSettings extends DashboardPage {
  static override properties = { ...DashboardPage.properties, _settings: { state: true }, _message: { state: true } };
  private _settings: Settings | null = null;
  private _message = "";

  protected async load() {
    this._settings = await get<Settings>("/v1/admin/program");
  }

  private async _onSave(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLTextAreaElement).value;
    try {
      const rules = JSON.parse(value("rules")) as Record<string, unknown>;
      const patch = {
        ...rules,
        allowedOrigins: value("origins").split(/\s+/).filter(Boolean),
        credentialIssuers: JSON.parse(value("issuers") || "[]") as unknown[],
      };
      this._settings = await request<Settings>("PATCH", "/v1/admin/program", patch);
      this._message = "Settings saved.";
    } catch (error) {
      this._message =
        error instanceof SyntaxError
          ? "The program rules or issuers are not valid JSON."
          : error instanceof Error
            ? error.message
            : String(error);
    }
  }

  override render() {
    const s = this._settings;
    if (!s) return html`<h2>Settings</h2>${this.status()}`;
    const { allowedOrigins, credentialIssuers, ...rules } = s;
    return html`<h2>Settings</h2>
      ${this.status()}
      <form class="panel" @submit=${this._onSave}>
        <p>
          <label>Allowed origins (one per line: the sites that embed the widgets)
            <textarea name="origins" rows="4" cols="50" spellcheck="false" .value=${allowedOrigins.join("\n")}></textarea>
          </label>
        </p>
        <p>
          <label>Credential issuers (JSON: Open Badges issuers whose credentials count as verified)
            <textarea name="issuers" rows="6" cols="50" spellcheck="false" .value=${JSON.stringify(credentialIssuers, null, 2)}></textarea>
          </label>
        </p>
        <p>
          <label>Program rules (JSON: rewards, friend offer, attribution window and model, fraud rules)
            <textarea name="rules" rows="16" cols="50" spellcheck="false" .value=${JSON.stringify(rules, null, 2)}></textarea>
          </label>
        </p>
        <button type="submit">Save settings</button>
        ${this._message ? html`<p role="status">${this._message}</p>` : nothing}
      </form>`;
  }
}

customElements.define("chorus-page-settings", ChorusPageSettings);
