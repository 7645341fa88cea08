/**
 * `<chorus-referral-earnings>`: the referral card's earnings panel (issue 18), loaded only when
 * the learner opens it, so the card's first paint stays within its budget. Totals pending,
 * approved and paid; each reward with the reason it waits, in plain words; a coupon reward's
 * code; and the payout method for cash rewards (PayPal email, UPI ID or bank reference), shown
 * masked once saved.
 *
 * @tagname chorus-referral-earnings
 * @attr learner-token - the card's learner token
 */
import { html, nothing } from "lit";
import { api } from "./lib/api.ts";
import type { Earnings } from "./lib/api-types.ts";
import { ChorusElement, define } from "./lib/element.ts";
import { ChorusApiError } from "./lib/http.ts";
import { catalog, formatDate, formatMoney } from "./lib/i18n.ts";
import { baseStyles } from "./lib/styles.ts";
import { COMPLETE, initialState, Task } from "./lib/task.ts";

const earningsText = catalog(
  {
    pending: "Pending",
    approved: "Approved",
    paid: "Paid",
    void: "Cancelled",
    hold: "held until {date} in case of a refund",
    review: "held while the team reviews it",
    refunded: "cancelled: the purchase was refunded",
    voided: "cancelled by the team",
    "payout-method": "add a payout method below to be paid",
    minimum: "paid once your approved rewards reach {amount}",
    "next-batch": "in the next payout",
    delivering: "on its way",
    "no-stripe-customer": "waiting: no payment account found for you yet; the team will be in touch",
    "delivery-failed": "waiting: the team is sorting out a problem sending it",
    code: "Your code for the next course: {code}",
    method: "Payout method",
    methodNow: "Paid to: {masked}",
    kind: "Method",
    paypal: "PayPal email",
    upi: "UPI ID (name@bank)",
    bank: "Bank reference",
    details: "Details",
    save: "Save payout method",
    saved: "Saved.",
  },
  () => import("./referral-earnings.hi.ts"),
);
type Key = Parameters<typeof earningsText>[1];

export class ChorusReferralEarnings extends ChorusElement {
  static override catalogs = [earningsText];
  static override styles = [baseStyles];
  static override properties = {
    ...ChorusElement.properties,
    learnerToken: { type: String, attribute: "learner-token" },
    _note: { state: true },
  };

  /** The card's learner token. */
  declare learnerToken: string;
  declare _note: string;

  private readonly _earnings = new Task(
    this,
    ([token]) => (token ? api<Earnings>("/v1/referrals/me/earnings", { token }) : initialState),
    () => [this.learnerToken],
  );

  constructor() {
    super();
    this.learnerToken = "";
    this._note = "";
  }

  private _t(key: Key, vars?: Record<string, string | number>) {
    return earningsText(this.locale, key, vars);
  }

  private async _save(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    try {
      await api("/v1/referrals/me/payout-method", {
        method: "PUT",
        token: this.learnerToken,
        body: { kind: form.get("kind"), details: form.get("details") },
      });
      this._note = this._t("saved");
      this._earnings.run();
    } catch (error) {
      const details =
        error instanceof ChorusApiError ? (error.details as { message: string }[] | undefined) : undefined;
      this._note = details?.[0]?.message ?? String((error as Error).message);
    }
  }

  override render() {
    const { status, value } = this._earnings;
    if (status !== COMPLETE || !value) return nothing;
    const money = (amount: number | null, currency: string | null) =>
      amount !== null && currency ? formatMoney(this.locale, amount, currency) : "";
    return html`<dl>
        ${value.totals.map((total) =>
          (["pending", "approved", "paid"] as const).map(
            (state) => html`<div><dt>${this._t(state)}</dt><dd>${money(total[state], total.currency)}</dd></div>`,
          ),
        )}
      </dl>
      <ul class="rewards">
        ${value.items.map(
          (item) => html`<li>
            <span>${money(item.amount, item.currency) || item.kind} · ${this._t(item.status)}</span>
            <span class="muted">${this._t(item.reason.code as Key, {
              date: item.reason.until ? formatDate(this.locale, item.reason.until) : "",
              amount: money(item.reason.minimum ?? null, item.currency),
            })}${item.code ? html`<br />${this._t("code", { code: item.code })}` : nothing}</span>
          </li>`,
        )}
      </ul>
      ${
        value.paysCash
          ? html`<form @submit=${this._save}>
              <h4>${this._t("method")}</h4>
              ${value.payoutMethod ? html`<p>${this._t("methodNow", { masked: value.payoutMethod.masked })}</p>` : nothing}
              <label>${this._t("kind")}
                <select name="kind">${(["paypal", "upi", "bank"] as const).map((kind) => html`<option value=${kind}>${this._t(kind)}</option>`)}</select>
              </label>
              <label>${this._t("details")} <input name="details" required autocomplete="off" /></label>
              <button class="button" type="submit">${this._t("save")}</button>
              <p role="status">${this._note}</p>
            </form>`
          : nothing
      }`;
  }
}

define("chorus-referral-earnings", ChorusReferralEarnings);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-referral-earnings": ChorusReferralEarnings;
  }
}
