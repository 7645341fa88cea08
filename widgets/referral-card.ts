import { html, nothing } from "lit";
import { api } from "./lib/api.ts";
import type { Referral } from "./lib/api-types.ts";
import { ChorusElement, define } from "./lib/element.ts";
import { formatDate, formatMoney, formatNumber, formatOffer, type MessageKey } from "./lib/i18n.ts";
import { baseStyles } from "./lib/styles.ts";
import { COMPLETE, INITIAL, initialState, PENDING, Task } from "./lib/task.ts";
import { referralCardStyles } from "./referral-card.styles.ts";

const channels: [key: string, label: string, verb: "shareOn" | "shareVia"][] = [
  ["whatsapp", "WhatsApp", "shareOn"],
  ["linkedin", "LinkedIn", "shareOn"],
  ["x", "X", "shareOn"],
  ["facebook", "Facebook", "shareOn"],
  ["telegram", "Telegram", "shareOn"],
  ["email", "Email", "shareVia"],
  ["sms", "SMS", "shareVia"],
];

const statKeys = ["clicks", "signups", "enrollments", "completions"] as const;

/**
 * `<chorus-referral-card>`: a learner's personal referral link, one-tap sharing, a QR code, and
 * what their sharing has earned.
 *
 * @tagname chorus-referral-card
 * @attr learner-token - the learner token your server signed; without it the card asks the learner to sign in
 * @attr course - a course slug: the link then lands on that course's page
 * @csspart card - the card's frame
 * @csspart link - the read-only link field
 * @csspart copy-button - the copy button
 * @csspart share-list - the list of share buttons
 * @csspart stats - the clicks / sign-ups / enrolments / completions figures
 * @csspart rewards - the list of rewards (the earnings panel, `<chorus-referral-earnings>`, loads when opened)
 * @csspart qr-code - the QR code image (once the learner opens it)
 * @cssprop --chorus-accent - buttons and focus ring
 * @cssprop --chorus-card-min-height - the space the card reserves while loading
 * @fires chorus-share - `{ channel }`, when the learner shares
 * @fires chorus-copy - `{ link }`, when the link is copied
 */
export class ChorusReferralCard extends ChorusElement {
  static override styles = [baseStyles, referralCardStyles];
  static override properties = {
    ...ChorusElement.properties,
    course: { type: String },
    learnerToken: { type: String, attribute: "learner-token" },
    _status: { state: true },
    _qr: { state: true },
  };

  /** The course the link should lead to (a slug such as `data-analytics`); empty for the provider's default page. */
  declare course: string;
  /** The learner token your server signed for the signed-in learner. Without it the card asks to sign in. */
  declare learnerToken: string;
  declare _status: string;
  /** The QR image is requested only once the learner opens it. */
  declare _qr: boolean;
  /**
   * The learner's referral; without a token the card asks to sign in. Only the latest request
   * may fill the card: after a sign-out or a change of learner or course, an answer still on its
   * way is the previous one's.
   */
  private readonly _referral = new Task(
    this,
    ([token, course]) =>
      token
        ? // Undefined fields are left out of the JSON body.
          api<Referral>("/v1/referrals/me", {
            token,
            body: { course: course || undefined, visitorId: window.chorus?.visitorId(), lang: this.locale },
          })
        : initialState,
    () => [this.learnerToken, this.course],
  );

  constructor() {
    super();
    this.course = this.learnerToken = this._status = "";
    this._qr = false;
  }

  private _share(channel: string) {
    const code = this._referral.value?.code;
    if (!code) return;
    this.emit("chorus-share", { channel });
    api("/v1/events", { token: this.learnerToken, body: { type: "share", channel, code }, keepalive: true }).catch(
      () => {},
    );
  }

  private async _copy() {
    const referral = this._referral.value;
    const link = referral?.shareLinks.copy ?? "";
    try {
      // The server's text before the link: with a friend coupon code it names it ("Use my code
      // PRIYA-10-…"), so a friend who never opens the link can still type it at checkout.
      await navigator.clipboard.writeText(`${referral?.shareText} ${link}`);
      this._status = this.t("copied");
      this._share("copy");
      this.emit("chorus-copy", { link });
    } catch {
      this.renderRoot.querySelector("input")?.select();
      this._status = this.t("copyFailed");
    }
  }

  private async _nativeShare() {
    const referral = this._referral.value;
    try {
      // The server's text, in the card's language, with the friend coupon code when there is one.
      await navigator.share({ text: referral?.shareText, url: referral?.shareLinks.native });
      this._share("native");
    } catch {
      // The learner closed the share sheet.
    }
  }

  private _toggleQr(event: Event) {
    this._qr = (event.target as HTMLDetailsElement).open;
    if (this._qr) this._share("qr");
  }

  /** The earnings panel's code is fetched the first time it is opened (the card's budget). */
  private _openEarnings() {
    import("./referral-earnings.ts");
  }

  private _offerText(referral: Referral) {
    const lines: string[] = [];
    const { offer, reward } = referral;
    if (offer) lines.push(this.t("friendGets", { offer: formatOffer(this.locale, offer) }));
    if (reward) {
      const key = reward.trigger === "completion" ? "youEarnCompletion" : "youEarnEnrollment";
      lines.push(this.t(key, { amount: formatMoney(this.locale, reward.amount, reward.currency) }));
    }
    return lines.join(" ");
  }

  override render() {
    const { status, value: referral, error } = this._referral;
    const failure = error as { status: number; message: string } | undefined;
    if (status === INITIAL) return html`<div class="card" part="card"><p>${this.t("signIn")}</p></div>`;
    if (status === PENDING)
      return html`<div class="card skeleton" part="card" aria-busy="true"><p class="muted">${this.t("loading")}</p></div>`;
    // A 409 says the program has no landing page yet: the server's message, in the card's language,
    // says what to set (kept on the server: the card's bundle is at its budget); "try again" then works.
    if (status !== COMPLETE || !referral)
      return html`<div class="card" part="card" role="alert">
        <p>${failure?.status === 409 ? failure.message : this.t("loadFailed")}</p>
        <p><button class="button secondary" @click=${() => this._referral.run()}>${this.t("retry")}</button></p>
      </div>`;
    return html`<section class="card" part="card" aria-labelledby="title">
      <h2 id="title">${this.t("cardTitle")}</h2>
      <p class="muted">${this._offerText(referral)}</p>
      <div class="link-row">
        <label class="visually-hidden" for="link">${this.t("yourLink")}</label>
        <input id="link" part="link" readonly .value=${referral.shareLinks.copy} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
        <button class="button" part="copy-button" @click=${this._copy}>${this.t("copy")}</button>
      </div>
      <p role="status">${this._status}</p>
      <ul class="share" part="share-list">
        ${channels.map(
          ([key, label, verb]) => html`<li>
            <a class="button secondary" href=${referral.shareLinks[key] ?? "#"} target="_blank" rel="noopener noreferrer"
              aria-label=${this.t(verb, { channel: label })} @click=${() => this._share(key)}>${label}</a>
          </li>`,
        )}
        ${
          "share" in navigator
            ? html`<li><button class="button secondary" @click=${this._nativeShare}>${this.t("moreOptions")}</button></li>`
            : nothing
        }
      </ul>
      <details @toggle=${this._toggleQr}>
        <summary>${this.t("showQr")}</summary>
        ${
          this._qr
            ? html`<img class="qr" part="qr-code" alt=${this.t("qrLabel")} width="160" height="160"
              src=${`${window.chorus?.config.apiBase ?? ""}/r/${referral.code}/qr.svg`} />`
            : nothing
        }
      </details>
      <h3>${this.t("yourResults")}</h3>
      <dl part="stats">
        ${statKeys.map((key) => html`<div><dt>${this.t(key)}</dt><dd>${formatNumber(this.locale, referral.stats[key])}</dd></div>`)}
      </dl>
      <h3>${this.t("rewards")}</h3>
      ${
        referral.rewards.length === 0
          ? html`<p class="muted">${this.t("noRewards")}</p>`
          : html`<ul class="rewards" part="rewards">
            ${referral.rewards.map(
              (reward) => html`<li>
                <span>${reward.amount !== null && reward.currency ? formatMoney(this.locale, reward.amount, reward.currency) : reward.kind}
                  <span class="muted">· ${formatDate(this.locale, reward.createdAt)}</span></span>
                <span>${this.t(reward.status as MessageKey)}</span>
              </li>`,
            )}
          </ul>`
      }
      <details @toggle=${this._openEarnings}>
        <summary>${this.t("earnings")}</summary>
        <chorus-referral-earnings learner-token=${this.learnerToken}></chorus-referral-earnings>
      </details>
    </section>`;
  }
}

define("chorus-referral-card", ChorusReferralCard);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-referral-card": ChorusReferralCard;
  }
}
