/** Audit: the workspace's trail of changes, filtered by actor, action and day, and its CSV export. */
import { html, nothing } from "lit";
import type { AuditEvent, AuditList } from "../lib/api-types.ts";
import { get, query } from "./api.ts";
import { auditText } from "./audit-strings.ts";
import { formatDate } from "./format.ts";
import { DashboardPage } from "./page.ts";
import { dashboardLocale } from "./webhook-strings.ts";

type AuditFilterForm = { actor: string; action: string; from: string; to: string };

export class ChorusPageAudit extends DashboardPage {
  static override properties = {
    ...DashboardPage.properties,
    _items: { state: true },
    _next: { state: true },
    _form: { state: true },
  };
  private _items: AuditEvent[] | null = null;
  private _next: string | null = null;
  private _form: AuditFilterForm = { actor: "", action: "", from: "", to: "" };
  private readonly _locale = dashboardLocale();

  private _t(key: Parameters<typeof auditText>[1]) {
    return auditText(this._locale, key);
  }

  protected async load() {
    await auditText.load(this._locale);
    const page = await get<AuditList>(`/v1/admin/audit${query({ ...this._form, limit: 50 })}`);
    this._items = page.items;
    this._next = page.nextCursor;
  }

  private async _more() {
    if (!this._next) return;
    const page = await get<AuditList>(`/v1/admin/audit${query({ ...this._form, cursor: this._next, limit: 50 })}`);
    this._items = [...(this._items ?? []), ...page.items];
    this._next = page.nextCursor;
  }

  private _onFilter(event: SubmitEvent) {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const value = (name: string) => String(data.get(name) ?? "").trim();
    this._form = { actor: value("actor"), action: value("action"), from: value("from"), to: value("to") };
    void this.reload();
  }

  private _actor(row: AuditEvent) {
    const kind = row.actor.kind;
    return html`${this._t(kind)}<br /><small>${row.actor.email ?? html`<code>${row.actor.id}</code>`}</small>`;
  }

  private _change(row: AuditEvent) {
    const show = (value: unknown) => (value === null || value === undefined ? "–" : JSON.stringify(value));
    return html`<code class="change">${show(row.before)}</code> → <code class="change">${show(row.after)}</code>`;
  }

  override render() {
    return html`<h2>${this._t("title")}</h2>
      <p>${this._t("intro")}</p>
      <form class="panel row" aria-label=${this._t("filters")} @submit=${this._onFilter}>
        <label>${this._t("actor")} <input name="actor" .value=${this._form.actor} maxlength="64" /></label>
        <label>${this._t("action")} <input name="action" .value=${this._form.action} maxlength="64" pattern="[a-z_]+(\\.[a-z_]+)?" /></label>
        <label>${this._t("from")} <input type="date" name="from" .value=${this._form.from} /></label>
        <label>${this._t("to")} <input type="date" name="to" .value=${this._form.to} /></label>
        <button type="submit">${this._t("apply")}</button>
        <a class="button secondary" download href=${`/v1/admin/audit/export${query({ ...this._form })}`}>${this._t("export")}</a>
      </form>
      ${this.status()}
      ${this._items?.length === 0 ? html`<p class="empty">${this._t("empty")}</p>` : nothing}
      ${
        this._items?.length
          ? html`<div class="panel table-wrap" tabindex="0"><table data-testid="audit">
              <caption class="sr-only">${this._t("title")}</caption>
              <thead><tr><th scope="col">${this._t("when")}</th><th scope="col">${this._t("who")}</th>
                <th scope="col">${this._t("what")}</th><th scope="col">${this._t("change")}</th><th scope="col">${this._t("request")}</th></tr></thead>
              <tbody>${this._items.map(
                (row) => html`<tr>
                  <td>${formatDate(row.at)}</td>
                  <td>${this._actor(row)}</td>
                  <th scope="row">${row.action}${row.targetId ? html`<br /><small><code>${row.targetId}</code></small>` : nothing}</th>
                  <td>${this._change(row)}</td>
                  <td><small><code>${row.requestId ?? "–"}</code></small></td>
                </tr>`,
              )}</tbody></table></div>
              ${this._next ? html`<button class="secondary" @click=${this._more}>${this._t("more")}</button>` : nothing}`
          : nothing
      }`;
  }
}

customElements.define("chorus-page-audit", ChorusPageAudit);
