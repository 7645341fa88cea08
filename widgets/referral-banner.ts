import { css, html } from "lit";
import { ChorusElement, define } from "./lib/element.ts";
import { formatOffer } from "./lib/i18n.ts";
import { baseStyles } from "./lib/styles.ts";
import type { StoredReferral } from "./lib/types.ts";

/** Also erased by the loader's `consent(false)`. */
const DISMISSED_KEY = "chorus.banner.dismissed";

/**
 * `<chorus-referral-banner>`: greets a friend who arrived through a referral link ("Priya invited
 * you: 10% off your first course: PRIYA-10-K7M4Q9X", with the referrer's friend coupon code; the
 * code needs no words of its own, which keeps the English page within its weight budget).
 * Renders nothing when there is no referral, except what it holds: put
 * `<chorus-referred-by ask>` inside it to offer "Were you referred by someone?" to visitors who
 * came without a link (its code loads only on such pages). Dismissible.
 *
 * @tagname chorus-referral-banner
 * @slot - shown when there is no referral, such as `<chorus-referred-by ask course="…">`
 * @csspart banner - the banner's frame
 * @csspart coupon - the referrer's friend coupon code, to type at checkout
 * @csspart dismiss - the dismiss button
 * @fires chorus-dismiss - when the visitor closes the banner
 */
export class ChorusReferralBanner extends ChorusElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        min-height: 3.5rem;
      }
      .banner {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 1rem;
        padding: 0.75rem 1rem;
        background: var(--_accent);
        color: var(--_accent-text);
        border-radius: var(--_radius);
      }
      p {
        font-weight: 600;
      }
      button {
        min-width: 44px;
        min-height: 44px;
        border: 0;
        border-radius: 50%;
        background: transparent;
        color: inherit;
        font-size: 1.4em;
        line-height: 1;
        cursor: pointer;
      }
      :focus-visible {
        outline-color: var(--_accent-text);
      }
    `,
  ];
  static override properties = { ...ChorusElement.properties, _referral: { state: true }, _dismissed: { state: true } };

  declare _referral: StoredReferral | null;
  declare _dismissed: boolean;

  private readonly _onReferral = () => {
    // A copy: the loader fills in the referrer on the same object it first announced, and Lit
    // only re-renders for a new value, so a banner that rendered early would keep "A friend".
    const details = window.chorus?.details();
    this._referral = details ? { ...details } : null;
  };

  constructor() {
    super();
    this._referral = null;
    this._dismissed = false;
  }

  override connectedCallback() {
    super.connectedCallback();
    this._onReferral();
    window.addEventListener("chorus:referral", this._onReferral);
    try {
      this._dismissed = sessionStorage.getItem(DISMISSED_KEY) === this._referral?.code;
    } catch {}
    // Now, not only at the first render: a Hindi banner waits for its strings (see element.ts)
    // and meanwhile holds the loader's 3.5rem only if it has something to say.
    this._hideIfSilent();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener("chorus:referral", this._onReferral);
  }

  private _dismiss() {
    this._dismissed = true;
    // Remembered for the session only with consent to store; otherwise for this page.
    try {
      if (window.chorus?.consented()) sessionStorage.setItem(DISMISSED_KEY, this._referral?.code ?? "");
    } catch {}
    this.emit("chorus-dismiss", {});
  }

  private _hideIfSilent() {
    this.hidden = !(this._referral || this.firstElementChild) || this._dismissed;
  }

  override willUpdate() {
    this._hideIfSilent();
  }

  override render() {
    const referral = this._referral;
    // Dismissed, the element is hidden (display: none) whatever it renders.
    if (!referral) return html`<slot></slot>`;
    const name = referral.referrer?.name || this.t("aFriend");
    const text = referral.offer
      ? this.t("invitedOffer", { name, offer: formatOffer(this.locale, referral.offer) })
      : this.t("invitedNoOffer", { name });
    return html`<aside class="banner" part="banner" aria-label=${this.t("referralOffer")}>
      <p>${text}${referral.coupon && html`: <strong part="coupon">${referral.coupon}</strong>`}</p>
      <button part="dismiss" aria-label=${this.t("dismiss")} @click=${this._dismiss}>×</button>
    </aside>`;
  }
}

define("chorus-referral-banner", ChorusReferralBanner);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-referral-banner": ChorusReferralBanner;
  }
}
