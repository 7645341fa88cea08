/** Conversions: search by order or customer id; each with the decision log that explains it. */

import { html, nothing } from "lit";
import type { ConversionSearchPage } from "../lib/api-types.ts";
import { get, query } from "./api.ts";
import { formatDate, formatMoney } from "./format.ts";
import { DashboardPage } from "./page.ts";

export class ChorusPageConversions extends DashboardPage {
  static override properties = {
    ...DashboardPage.properties,
    _items: { state: true },
    _next: { state: true },
    _search: { state: true },
  };
  private _items: ConversionSearchPage["items"] | null = null;
  private _next: string | null = null;
  private _search: Record<string, string> = {};

  protected async load() {
    const page = await get<ConversionSearchPage>(`/v1/analytics/conversions${query(this._search)}`);
    this._items = page.items;
    this._next = page.nextCursor;
  }

  private async _more() {
    if (!this._next) return;
    const page = await get<ConversionSearchPage>(
      `/v1/analytics/conversions${query({ ...this._search, cursor: this._next })}`,
    );
    this._items = [...(this._items ?? []), ...page.items];
    this._next = page.nextCursor;
  }

  private _onSearch(event: SubmitEvent) {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    this._search = Object.fromEntries(
      [...data].map(([key, value]) => [key, String(value)]).filter(([, value]) => value),
    );
    void this.reload();
  }

  override render() {
    return html`<h2>Conversions</h2>
      <form class="panel row" @submit=${this._onSearch} role="search" aria-label="Search conversions">
        <label>Order or customer id <input name="q" maxlength="100" /></label>
        <label>Type
          <select name="type"><option value="">Any</option><option>signup</option><option>enrollment</option><option>completion</option><option>refund</option></select>
        </label>
        <label>Attribution
          <select name="status"><option value="">Any</option><option value="attributed">Attributed</option><option value="unattributed">Unattributed</option></select>
        </label>
        <button type="submit">Search</button>
      </form>
      ${this.status()}
      ${this._items?.length === 0 ? html`<p class="empty">No conversions match. Your server reports them with <code>POST /v1/conversions</code>.</p>` : nothing}
      ${(this._items ?? []).map(
        (v) => html`<article class="panel" aria-labelledby=${`c-${v.id}`}>
          <h3 id=${`c-${v.id}`}>${v.externalId} <span class="badge">${v.type}</span> <span class="badge">${v.status}</span>
            ${v.flagged ? html`<span class="badge">flagged</span>` : nothing}</h3>
          <p>
            Customer ${v.customerId} · ${v.course || "no course"} · ${formatDate(v.occurredAt)}
            ${v.amount !== null && v.currency ? html` · ${formatMoney(v.amount, v.currency)}` : nothing}
            ${v.referrer ? html` · referred by ${v.referrer.name ?? v.referrer.learnerId}${v.channel ? ` via ${v.channel}` : ""}` : nothing}
          </p>
          <details>
            <summary>Decision log (${v.decision.length} ${v.decision.length === 1 ? "step" : "steps"})</summary>
            <ol data-testid="decision-log">
              ${v.decision.map((step) => html`<li><strong class=${step.result === "fail" ? "fail" : step.result === "pass" ? "pass" : ""}>${step.rule}: ${step.result}</strong> — ${step.detail}</li>`)}
            </ol>
          </details>
        </article>`,
      )}
      ${this._next ? html`<button class="secondary" @click=${this._more}>Show more</button>` : nothing}`;
  }
}

customElements.define("chorus-page-conversions", ChorusPageConversions);
