/**
 * Payouts: the finance view of cash rewards (README "Rewards that arrive"). What is due by payout
 * method and currency (masked methods, the minimum), "pay" per group in the file format chosen
 * (the batch id is made here first, so a retried click answers the same batch), and the batches made.
 */
import { html, nothing } from "lit";
import type { DuePayouts, PayoutBatch } from "../lib/api-types.ts";
import { get, request } from "./api.ts";
import { formatDate, formatMoney } from "./format.ts";
import { DashboardPage } from "./page.ts";
import { payoutText } from "./payout-strings.ts";
import { dashboardLocale } from "./webhook-strings.ts";

type Group = DuePayouts["groups"][number];

const batchId = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  return `pob_${Array.from(bytes, (byte) => alphabet[byte % 62]).join("")}`;
};

export class ChorusPagePayouts extends DashboardPage {
  static override properties = {
    ...DashboardPage.properties,
    _due: { state: true },
    _batches: { state: true },
    _made: { state: true },
  };
  private _due: DuePayouts | null = null;
  private _batches: PayoutBatch[] = [];
  private _made: PayoutBatch | null = null;
  /** The batch id of each group's pending click, kept until it succeeds so a retry is idempotent. */
  private readonly _pending = new Map<string, string>();
  private readonly _locale = dashboardLocale();

  protected async load() {
    await payoutText.load(this._locale);
    const [due, batches] = await Promise.all([
      get<DuePayouts>("/v1/admin/payouts"),
      get<{ items: PayoutBatch[] }>("/v1/admin/payouts/batches"),
    ]);
    this._due = due;
    this._batches = batches.items;
  }

  private _text(key: Parameters<typeof payoutText>[1], vars?: Record<string, string | number>) {
    return payoutText(this._locale, key, vars);
  }

  private _methodName(method: Group["method"]) {
    return method ? this._text(method) : this._text("noMethod");
  }

  private async _pay(event: SubmitEvent, group: Group) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const format = new FormData(form).get("format");
    const key = `${group.method}:${group.currency}`;
    const id = this._pending.get(key) ?? batchId();
    this._pending.set(key, id);
    try {
      this._made = await request<PayoutBatch>("POST", "/v1/admin/payouts/batches", {
        method: group.method,
        currency: group.currency,
        format,
        batchId: id,
      });
      this._pending.delete(key);
      await this.reload();
    } catch (error) {
      this._problem = error as typeof this._problem;
    }
  }

  private _group(group: Group) {
    const heading = this._text("group", { method: this._methodName(group.method), currency: group.currency });
    const headingId = `payouts-${group.method ?? "none"}-${group.currency}`;
    return html`<section class="panel" aria-labelledby=${headingId}>
      <h3 id=${headingId}>${heading}</h3>
      <p>${this._text("total", {
        amount: formatMoney(group.total, group.currency),
        minimum: formatMoney(group.minimum, group.currency),
      })}</p>
      <div class="table-wrap" tabindex="0"><table>
        <thead><tr><th scope="col">${this._text("referrer")}</th><th scope="col">${this._text("method")}</th><th scope="col">${this._text("amount")}</th><th scope="col">${this._text("rewards")}</th></tr></thead>
        <tbody>${group.payees.map(
          (payee) => html`<tr>
            <th scope="row">${payee.name ?? payee.learnerId}</th>
            <td>${payee.masked ?? "—"}</td>
            <td>${formatMoney(payee.amount, group.currency)}${payee.belowMinimum ? html` <small>(${this._text("belowMinimum")})</small>` : nothing}</td>
            <td>${payee.rewards}</td>
          </tr>`,
        )}</tbody>
      </table></div>
      ${
        group.method && group.total > 0
          ? html`<form @submit=${(event: SubmitEvent) => this._pay(event, group)}>
              <label>${this._text("format")}
                <select name="format">${group.formats.map((format) => html`<option value=${format}>${format}</option>`)}</select>
              </label>
              <button type="submit">${this._text("pay", { method: this._methodName(group.method), currency: group.currency })}</button>
            </form>`
          : nothing
      }
    </section>`;
  }

  override render() {
    const due = this._due;
    const made = this._made;
    return html`<h2>${this._text("title")}</h2>
      <p>${this._text("intro")}</p>
      ${this.status()}
      ${
        made
          ? html`<p role="status">${this._text("paid", { id: made.id, payees: made.payees, amount: formatMoney(made.total, made.currency) })}
              <a href=${`/v1/admin/payouts/batches/${made.id}/file`} download>${this._text("download", { id: made.id })}</a></p>`
          : nothing
      }
      ${due && due.groups.length === 0 ? html`<p class="empty">${this._text("none")}</p>` : nothing}
      ${due ? due.groups.map((group) => this._group(group)) : nothing}
      ${
        this._batches.length
          ? html`<div class="panel table-wrap" tabindex="0"><table>
              <caption>${this._text("batches")}</caption>
              <thead><tr><th scope="col">${this._text("batch")}</th><th scope="col">${this._text("method")}</th><th scope="col">${this._text("amount")}</th><th scope="col">${this._text("created")}</th></tr></thead>
              <tbody>${this._batches.map(
                (batch) => html`<tr>
                  <th scope="row"><a href=${`/v1/admin/payouts/batches/${batch.id}/file`} download>${batch.id}</a> (${batch.format})</th>
                  <td>${this._methodName(batch.method)}</td>
                  <td>${formatMoney(batch.total, batch.currency)} · ${batch.payees}</td>
                  <td>${formatDate(batch.createdAt)}</td>
                </tr>`,
              )}</tbody></table></div>`
          : nothing
      }`;
  }
}

customElements.define("chorus-page-payouts", ChorusPagePayouts);
