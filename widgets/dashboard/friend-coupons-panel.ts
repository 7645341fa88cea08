/**
 * `<chorus-friend-coupons-panel>` on the overview: says when the uploaded coupon pool is running
 * low, and which codes Stripe refused (with a button to try them again). Renders nothing when
 * all is well, so a workspace with generated codes and no trouble sees no panel.
 */
import { html, LitElement, nothing } from "lit";
import type { FriendCouponOverview } from "../lib/api-types.ts";
import { get, request } from "./api.ts";
import { couponText } from "./friend-coupons-strings.ts";
import { dashboardStyles } from "./styles.ts";
import { dashboardLocale } from "./webhook-strings.ts";

export class ChorusFriendCouponsPanel extends LitElement {
  static override styles = [dashboardStyles];
  static override properties = { _state: { state: true }, _said: { state: true } };
  private _state: FriendCouponOverview | null = null;
  private _said = "";
  private readonly _locale = dashboardLocale();

  override connectedCallback() {
    super.connectedCallback();
    void this._load();
  }

  private async _load() {
    await couponText.load(this._locale);
    try {
      this._state = await get<FriendCouponOverview>("/v1/admin/friend-coupons");
    } catch {
      // An older server without friend coupons: nothing to say.
      this._state = null;
    }
  }

  private _text(key: Parameters<typeof couponText>[1], vars?: Record<string, string | number>) {
    return couponText(this._locale, key, vars);
  }

  private async _retry() {
    const { requeued } = await request<{ requeued: number }>("POST", "/v1/admin/friend-coupons/retry");
    this._said = this._text("retried", { count: requeued });
    await this._load();
  }

  override render() {
    const state = this._state;
    if (!state) return nothing;
    const pool = state.source === "pool";
    const { stripe } = state;
    if (!pool && stripe.failed === 0 && stripe.pending === 0 && !this._said) return nothing;
    return html`<section class="panel" aria-labelledby="coupons-title">
      <h3 id="coupons-title">${this._text("title")}</h3>
      ${
        pool
          ? state.pool.low
            ? html`<p class="notice" role="alert">${this._text("poolLow", { available: state.pool.available })}</p>`
            : html`<p>${this._text("poolLeft", { available: state.pool.available, claimed: state.pool.claimed })}</p>`
          : nothing
      }
      ${stripe.pending > 0 ? html`<p>${this._text("stripePending", { count: stripe.pending })}</p>` : nothing}
      ${
        stripe.failed > 0
          ? html`<p class="error">${this._text("stripeFailed", { count: stripe.failed })}</p>
              <ul>${stripe.failures.map((f) => html`<li><code>${f.code}</code>: ${f.error}</li>`)}</ul>
              <button @click=${this._retry}>${this._text("retry")}</button>`
          : nothing
      }
      ${this._said ? html`<p role="status">${this._said}</p>` : nothing}
    </section>`;
  }
}

customElements.define("chorus-friend-coupons-panel", ChorusFriendCouponsPanel);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-friend-coupons-panel": ChorusFriendCouponsPanel;
  }
}
