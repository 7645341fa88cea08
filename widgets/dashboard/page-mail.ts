/** Email: whether the server sends mail, and the workspace's outbox (sent, failed, suppressed, with the reason). */

import { html, nothing } from "lit";
import type { MailOverview } from "../lib/api-types.ts";
import { get } from "./api.ts";
import { formatDate } from "./format.ts";
import "./mail-settings-form.ts";
import { mailText } from "./mail-strings.ts";
import { DashboardPage } from "./page.ts";
import { dashboardLocale } from "./webhook-strings.ts";

const states = ["queued", "sent", "failed", "suppressed"] as const;

export class ChorusPageMail extends DashboardPage {
  static override properties = { ...DashboardPage.properties, _outbox: { state: true } };
  private _outbox: MailOverview | null = null;
  private readonly _locale = dashboardLocale();

  protected async load() {
    await mailText.load(this._locale);
    this._outbox = await get<MailOverview>("/v1/admin/mail");
  }

  private _text(key: Parameters<typeof mailText>[1], vars?: Record<string, string | number>) {
    return mailText(this._locale, key, vars);
  }

  override render() {
    const outbox = this._outbox;
    const missing = html`<p class="notice">This server does not offer email yet (<code>/v1/admin/mail</code> answered 404).</p>`;
    return html`<h2>${this._text("title")}</h2>
      ${this.status(missing)}
      ${outbox ? html`<p class=${outbox.enabled ? "" : "notice"}>${this._text(outbox.enabled ? "on" : "off")}</p>` : nothing}
      ${
        outbox
          ? html`<dl class="panel" aria-label=${this._text("counts")}>
              ${states.map((state) => html`<div><dt>${this._text(state)}</dt><dd>${outbox.counts[state]}</dd></div>`)}
            </dl>`
          : nothing
      }
      ${outbox ? html`<chorus-mail-settings-form></chorus-mail-settings-form>` : nothing}
      ${outbox?.items.length === 0 ? html`<p class="empty">${this._text("none")}</p>` : nothing}
      ${
        outbox?.items.length
          ? html`<div class="panel table-wrap" tabindex="0"><table>
              <caption>${this._text("latest")}</caption>
              <thead><tr><th scope="col">${this._text("message")}</th><th scope="col">${this._text("state")}</th><th scope="col">${this._text("attempts")}</th><th scope="col">${this._text("reason")}</th><th scope="col">${this._text("created")}</th></tr></thead>
              <tbody>${outbox.items.map(
                (m) => html`<tr>
                  <th scope="row">${m.template} (${m.category})</th>
                  <td>${this._text(m.status)}${m.sentAt ? ` ${formatDate(m.sentAt)}` : ""}${m.nextAttemptAt ? html`<br /><small>${this._text("nextAttempt", { date: formatDate(m.nextAttemptAt) })}</small>` : nothing}</td>
                  <td>${m.attempts}</td>
                  <td>${m.reason ?? "—"}</td>
                  <td>${formatDate(m.createdAt)}</td>
                </tr>`,
              )}</tbody></table></div>`
          : nothing
      }`;
  }
}

customElements.define("chorus-page-mail", ChorusPageMail);
