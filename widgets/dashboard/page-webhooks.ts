/** Webhooks: the endpoints that receive signed events (from the webhooks admin API). */
import { html, nothing } from "lit";
import { get } from "./api.ts";
import { formatDate } from "./format.ts";
import { DashboardPage } from "./page.ts";

type Endpoint = { id: string; url: string; events: string[]; disabledAt?: string | null; createdAt?: string };

export class ChorusPageWebhooks extends DashboardPage {
  static override properties = { ...DashboardPage.properties, _items: { state: true } };
  private _items: Endpoint[] | null = null;

  protected async load() {
    this._items = (await get<{ items: Endpoint[] }>("/v1/admin/webhooks")).items;
  }

  override render() {
    const missing = html`<p class="notice">
      This server does not offer webhook management yet (<code>/v1/admin/webhooks</code> answered 404).
    </p>`;
    return html`<h2>Webhooks</h2>
      <p>Chorus signs every delivery (<code>Chorus-Signature: t=…,v1=…</code>) and retries with backoff until your endpoint answers 2xx.</p>
      ${this.status(missing)}
      ${this._items?.length === 0 ? html`<p class="empty">No endpoints yet. Add one with <code>POST /v1/admin/webhooks</code>.</p>` : nothing}
      ${
        this._items?.length
          ? html`<div class="panel table-wrap" tabindex="0"><table>
              <caption class="sr-only">Webhook endpoints</caption>
              <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">State</th></tr></thead>
              <tbody>${this._items.map(
                (
                  e,
                ) => html`<tr><th scope="row">${e.url}</th><td>${e.events.length ? e.events.join(", ") : "all events"}</td>
                  <td>${e.disabledAt ? `disabled ${formatDate(e.disabledAt)}` : "active"}</td></tr>`,
              )}</tbody></table></div>`
          : nothing
      }`;
  }
}

customElements.define("chorus-page-webhooks", ChorusPageWebhooks);
