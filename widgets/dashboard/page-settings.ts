/**
 * Settings: program rules, allowed origins and credential issuers (GET/PATCH /v1/admin/program),
 * the reward rules (reward-rules-form.ts), the auto-approve rule for stories (auto-approve-form.ts), the hosted advocate page (hosted-page-form.ts) and the brand names reserved as vanity codes
 * (/v1/admin/reserved-codes).
 */

import { html, nothing } from "lit";
import type { ReservedCode, ReservedCodeList, Settings } from "../lib/api-types.ts";
import { ChorusApiError, get, request } from "./api.ts";
import "./auto-approve-form.ts";
import "./hosted-page-form.ts";
import "./reward-rules-form.ts";
import { DashboardPage } from "./page.ts";

export class ChorusPageSettings extends DashboardPage {
  static override properties = {
    ...DashboardPage.properties,
    _settings: { state: true },
    _message: { state: true },
    _reserved: { state: true },
    _reservedMessage: { state: true },
  };
  private _settings: Settings | null = null;
  private _message = "";
  private _reserved: ReservedCode[] = [];
  private _reservedMessage = "";

  protected async load() {
    const [settings, reserved] = await Promise.all([
      get<Settings>("/v1/admin/program"),
      get<ReservedCodeList>("/v1/admin/reserved-codes"),
    ]);
    this._settings = settings;
    this._reserved = reserved.items;
  }

  private async _onReserve(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const input = form.elements.namedItem("reserved-name") as HTMLInputElement;
    const name = input.value.trim();
    if (!name) return;
    await this._changeReserved("PUT", name, `"${name.toLowerCase()}" is reserved for this workspace.`);
    if (!this._reservedMessage.startsWith("Could not")) form.reset();
  }

  private async _changeReserved(method: "PUT" | "DELETE", name: string, done: string) {
    try {
      await request(method, `/v1/admin/reserved-codes/${encodeURIComponent(name)}`);
      this._reserved = (await get<ReservedCodeList>("/v1/admin/reserved-codes")).items;
      this._reservedMessage = done;
    } catch (error) {
      this._reservedMessage = `Could not change "${name}": ${error instanceof ChorusApiError ? error.message : String(error)}`;
    }
  }

  private _reservedPanel() {
    return html`<form class="panel" @submit=${this._onReserve} aria-labelledby="reserved-title">
      <h3 id="reserved-title">Reserved brand names</h3>
      <p>No other workspace on this server can make a referral code with these names, or names that look like them.</p>
      ${
        this._reserved.length
          ? html`<ul>${this._reserved.map(
              (r) => html`<li>
                <code>${r.name}</code>
                <button type="button" @click=${() => this._changeReserved("DELETE", r.name, `"${r.name}" is released.`)}>
                  Release<span class="sr-only"> ${r.name}</span>
                </button>
              </li>`,
            )}</ul>`
          : html`<p class="empty">No names reserved yet.</p>`
      }
      <p>
        <label>Name to reserve (3–32 letters, digits and hyphens)
          <input name="reserved-name" maxlength="32" spellcheck="false" />
        </label>
      </p>
      <button type="submit">Reserve</button>
      ${this._reservedMessage ? html`<p role="status">${this._reservedMessage}</p>` : nothing}
    </form>`;
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
    // The reward rules and the auto-approve rule have their own forms; left out here, a save keeps them.
    const { allowedOrigins, credentialIssuers, rewardRules: _, autoApprove: __, ...rules } = s;
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
          <label>Program rules (JSON: friend offer, trigger, hold, attribution window and model, fraud rules; reward rules have their own form below)
            <textarea name="rules" rows="16" cols="50" spellcheck="false" .value=${JSON.stringify(rules, null, 2)}></textarea>
          </label>
        </p>
        <button type="submit">Save settings</button>
        ${this._message ? html`<p role="status">${this._message}</p>` : nothing}
      </form>
      <chorus-reward-rules-form></chorus-reward-rules-form>
      <chorus-auto-approve-form></chorus-auto-approve-form>
      <chorus-hosted-page-form></chorus-hosted-page-form>
      ${this._reservedPanel()}`;
  }
}

customElements.define("chorus-page-settings", ChorusPageSettings);
