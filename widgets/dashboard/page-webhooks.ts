/** Webhooks: the endpoints that receive signed events, each endpoint's delivery log, and resend. */

import { html, nothing } from "lit";
import type { Delivery, DeliveryList, Endpoint, EndpointList } from "../lib/api-types.ts";
import { ChorusApiError, get, query, request } from "./api.ts";
import { formatDate } from "./format.ts";
import { DashboardPage } from "./page.ts";
import { dashboardLocale, webhookText } from "./webhook-strings.ts";

export class ChorusPageWebhooks extends DashboardPage {
  static override properties = {
    ...DashboardPage.properties,
    _items: { state: true },
    _open: { state: true },
    _deliveries: { state: true },
    _notice: { state: true },
    _added: { state: true },
  };
  private _items: Endpoint[] | null = null;
  /** The endpoint whose delivery log is shown. */
  private _open: Endpoint | null = null;
  private _deliveries: Delivery[] | null = null;
  private _notice = "";
  /** What adding an endpoint said: its secret (shown once), or why it was refused. */
  private _added = "";
  private readonly _locale = dashboardLocale();

  protected async load() {
    await webhookText.load(this._locale);
    this._items = (await get<EndpointList>("/v1/admin/webhooks")).items;
  }

  private _text(key: Parameters<typeof webhookText>[1], vars?: Record<string, string | number>) {
    return webhookText(this._locale, key, vars);
  }

  /** Paused (with why, and a resume action) or backing off after failures: shown with the endpoint. */
  private _state(endpoint: Endpoint) {
    if (endpoint.status === "paused")
      return html`<strong>${this._text("paused")}</strong>
        <p>${this._text("pausedSince", { date: formatDate(endpoint.pausedAt ?? endpoint.createdAt), reason: endpoint.pauseReason ?? "" })}</p>
        <button @click=${() => this._resume(endpoint)} aria-label=${this._text("resumeLabel", { url: endpoint.url })}>${this._text("resume")}</button>`;
    if (endpoint.retryAt)
      return html`${this._text("active")}
        <p>${this._text("backingOff", { count: endpoint.consecutiveFailures, date: formatDate(endpoint.retryAt) })}</p>`;
    return this._text("active");
  }

  private async _resume(endpoint: Endpoint) {
    try {
      await request("POST", `/v1/admin/webhooks/${encodeURIComponent(endpoint.id)}/resume`);
      await this.load();
      this._notice = this._text("resumed", { url: endpoint.url });
    } catch (error) {
      this._notice = error instanceof ChorusApiError ? error.message : this._text("resumeFailed");
    }
  }

  private async _showLog(endpoint: Endpoint) {
    this._open = endpoint;
    this._deliveries = null;
    this._notice = "";
    this._deliveries = (
      await get<DeliveryList>(`/v1/admin/webhooks/${encodeURIComponent(endpoint.id)}/deliveries${query({ limit: 50 })}`)
    ).items;
  }

  private async _resend(delivery: Delivery) {
    if (!this._open) return;
    try {
      await request(
        "POST",
        `/v1/admin/webhooks/${encodeURIComponent(this._open.id)}/deliveries/${encodeURIComponent(delivery.eventId)}/resend`,
      );
      this._notice = `Event ${delivery.type ?? delivery.eventId} will be sent again within a few seconds.`;
      await this._showLog(this._open);
      this._notice = `Event ${delivery.type ?? delivery.eventId} will be sent again within a few seconds.`;
    } catch (error) {
      this._notice = error instanceof ChorusApiError ? error.message : "The resend failed.";
    }
  }

  private async _add(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    try {
      const created = await request<Endpoint & { secret: string }>("POST", "/v1/admin/webhooks", {
        url: String(data.get("url") ?? ""),
        allowPrivateNetwork: data.get("allowPrivateNetwork") === "on",
      });
      this._added = `${this._text("added")} ${created.secret}`;
      form.reset();
      await this.load();
    } catch (error) {
      this._added = error instanceof ChorusApiError ? error.message : String(error);
    }
  }

  private _addForm() {
    return html`<form class="panel" @submit=${this._add} aria-labelledby="add-title">
      <h3 id="add-title">${this._text("addTitle")}</h3>
      <p><label>${this._text("url")} <input name="url" type="url" required maxlength="2000" /></label></p>
      <p>
        <label><input name="allowPrivateNetwork" type="checkbox" aria-describedby="private-hint" /> ${this._text("allowPrivate")}</label>
        <br /><small id="private-hint">${this._text("allowPrivateHint")}</small>
      </p>
      <button type="submit">${this._text("add")}</button>
      ${this._added ? html`<p role="status">${this._added}</p>` : nothing}
    </form>`;
  }

  private _log() {
    if (!this._open) return nothing;
    const rows = this._deliveries;
    return html`<section class="panel" aria-labelledby="log-title">
      <h3 id="log-title">Delivery log: ${this._open.url}</h3>
      <p role="status">${this._notice}</p>
      ${rows === null ? html`<p role="status">Loading…</p>` : nothing}
      ${rows?.length === 0 ? html`<p class="empty">No events sent to this endpoint yet.</p>` : nothing}
      ${
        rows?.length
          ? html`<div class="table-wrap" tabindex="0"><table>
              <caption class="sr-only">Deliveries, newest first</caption>
              <thead><tr><th scope="col">Event</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Last answer</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
              <tbody>${rows.map(
                (d) => html`<tr>
                  <th scope="row">${d.type ?? d.eventId}</th>
                  <td>${d.status}${d.deliveredAt ? ` ${formatDate(d.deliveredAt)}` : ""}</td>
                  <td>${d.attempts}</td>
                  <td>${d.lastStatusCode ?? d.lastError ?? "—"}</td>
                  <td>${formatDate(d.createdAt)}</td>
                  <td><button @click=${() => this._resend(d)}>Resend</button></td>
                </tr>`,
              )}</tbody></table></div>`
          : nothing
      }
    </section>`;
  }

  override render() {
    const missing = html`<p class="notice">
      This server does not offer webhook management yet (<code>/v1/admin/webhooks</code> answered 404).
    </p>`;
    return html`<h2>Webhooks</h2>
      ${this._open ? nothing : html`<p role="status">${this._notice}</p>`}
      <p>Chorus signs every delivery (<code>Chorus-Signature: t=…,v1=…</code>) and retries with backoff until your endpoint answers 2xx.</p>
      ${this.status(missing)}
      ${this._items?.length === 0 ? html`<p class="empty">No endpoints yet. Add one with <code>POST /v1/admin/webhooks</code>.</p>` : nothing}
      ${
        this._items?.length
          ? html`<div class="panel table-wrap" tabindex="0"><table>
              <caption class="sr-only">Webhook endpoints</caption>
              <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">State</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
              <tbody>${this._items.map(
                (
                  e,
                ) => html`<tr><th scope="row">${e.url}</th><td>${e.events.length ? e.events.join(", ") : "all events"}</td>
                  <td>${this._state(e)}${e.allowPrivateNetwork ? html`<br /><small>${this._text("privateAllowed")}</small>` : nothing}</td>
                  <td><button @click=${() => this._showLog(e)} aria-label=${`Delivery log of ${e.url}`}>Delivery log</button></td></tr>`,
              )}</tbody></table></div>`
          : nothing
      }
      ${this._addForm()}
      ${this._log()}`;
  }
}

customElements.define("chorus-page-webhooks", ChorusPageWebhooks);
