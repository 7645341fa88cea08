import { css, html, nothing } from "lit";
import { api } from "./lib/api.ts";
import type { ReferredByAnswer, ReferredByConfirmation } from "./lib/api-types.ts";
import { ChorusElement, define } from "./lib/element.ts";
import { ChorusApiError } from "./lib/http.ts";
import { catalog } from "./lib/i18n.ts";
import { baseStyles } from "./lib/styles.ts";

const text = catalog(
  {
    ask: "Were you referred by someone?",
    question: "Who referred you?",
    hintEmail: "Their email address",
    hintBoth: "Their email address, or their full name",
    find: "Continue",
    isItName: "Is it {initial}. from {course}?",
    isItEmail: "Did {email} refer you?",
    yes: "Yes, that's them",
    no: "No",
    thanks: "Thank you. If they are one of our learners, they will be credited when you enrol.",
    tooMany: "Too many tries. Please try again later.",
    failed: "That did not work. Please try again.",
  },
  () => import("./referred-by.hi.ts"),
);

/**
 * `<chorus-referred-by>`: "Who referred you?" for a friend who never clicked a link. They type
 * their referrer's email, or full name (with the element's `course`), confirm a question that
 * shows only an initial, and their browser keeps the referral like a link's: a conversion that
 * sends `window.chorus.referral().clickId` is attributed to that referrer. The answers are the
 * same whether or not anyone matched, so the element cannot be used to list learners; it says
 * so honestly ("if they are one of our learners").
 *
 * @tagname chorus-referred-by
 * @attr course - the course (a slug) the referrer takes: lets the friend name them by name
 * @attr ask - start folded as a "Were you referred by someone?" button (as in the referral banner)
 * @csspart ask - the folded "Were you referred by someone?" button
 * @csspart form - the question's frame
 * @csspart input - the email or name field
 * @csspart confirm - the confirmation question and its buttons
 * @fires chorus-referred-by - `{ clickId }`, once the friend confirmed (the same for a match and none)
 */
export class ChorusReferredBy extends ChorusElement {
  static override catalogs = [text];
  static override styles = [
    baseStyles,
    css`
      :host {
        min-height: 3.5rem;
      }
      form,
      .confirm {
        display: flex;
        flex-wrap: wrap;
        align-items: end;
        gap: 0.5rem;
      }
      label {
        display: grid;
        gap: 0.25rem;
        flex: 1 1 14rem;
      }
      input {
        min-height: 44px;
      }
      .confirm p {
        flex-basis: 100%;
        font-weight: 600;
      }
    `,
  ];
  static override properties = {
    ...ChorusElement.properties,
    course: { type: String },
    ask: { type: Boolean },
    _asked: { state: true },
    _status: { state: true },
    _busy: { state: true },
  };

  /** The course (slug) the referrer takes; without it only an email can name them. */
  declare course: string;
  /** Start folded as a "Were you referred by someone?" button. */
  declare ask: boolean;
  declare _asked: (ReferredByAnswer & { email: string | null }) | null;
  declare _status: string;
  declare _busy: boolean;

  constructor() {
    super();
    this.course = "";
    this.ask = false;
    this._asked = null;
    this._status = "";
    this._busy = false;
  }

  private t2(key: Parameters<typeof text>[1], vars?: Record<string, string>) {
    return text(this.locale, key, vars);
  }

  private async _call<T>(path: string, body: unknown): Promise<T | null> {
    this._busy = true;
    this._status = "";
    try {
      return await api<T>(path, { body });
    } catch (error) {
      this._status = this.t2(error instanceof ChorusApiError && error.status === 429 ? "tooMany" : "failed");
      return null;
    } finally {
      this._busy = false;
    }
  }

  private async _ask(event: Event) {
    event.preventDefault();
    const typed = new FormData(event.target as HTMLFormElement).get("who")?.toString().trim() ?? "";
    if (!typed) return;
    const email = typed.includes("@") ? typed : null;
    const course = this.course || undefined;
    const question = email ? { email, course } : { name: typed, course };
    const answer = await this._call<ReferredByAnswer>("/v1/referred-by", question);
    if (answer) this._asked = { ...answer, email };
  }

  private async _confirm() {
    const token = this._asked?.token;
    if (!token) return;
    const chorus = window.chorus;
    const confirmed = await this._call<ReferredByConfirmation>("/v1/referred-by/confirm", {
      token,
      visitorId: chorus?.visitorId(),
    });
    if (!confirmed) return;
    this._asked = null;
    this._status = this.t2("thanks");
    const now = Date.now();
    // Kept by the loader like a link's referral (no code: the friend named a person, not a link).
    chorus?.keep({ code: null, clickId: confirmed.clickId, at: now, expires: now + 30 * 864e5 });
    this.emit("chorus-referred-by", { clickId: confirmed.clickId });
  }

  override render() {
    if (this.ask)
      return html`<button class="button secondary" part="ask" @click=${() => (this.ask = false)}>${this.t2("ask")}</button>`;
    const asked = this._asked;
    const confirm = asked?.confirm;
    return html`${
      asked && confirm
        ? html`<div class="confirm" part="confirm">
            <p>${
              asked.email
                ? this.t2("isItEmail", { email: asked.email })
                : this.t2("isItName", { initial: confirm.initial ?? "", course: confirm.course ?? "" })
            }</p>
            <button class="button" ?disabled=${this._busy} @click=${this._confirm}>${this.t2("yes")}</button>
            <button class="button secondary" @click=${() => (this._asked = null)}>${this.t2("no")}</button>
          </div>`
        : html`<form part="form" @submit=${this._ask}>
            <label>${this.t2("question")}
              <span class="muted">${this.t2(this.course ? "hintBoth" : "hintEmail")}</span>
              <input part="input" name="who" type=${this.course ? "text" : "email"} required maxlength="320" autocomplete="off" />
            </label>
            <button class="button" ?disabled=${this._busy}>${this.t2("find")}</button>
          </form>`
    }
    <p role="status">${this._status || nothing}</p>`;
  }
}

define("chorus-referred-by", ChorusReferredBy);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-referred-by": ChorusReferredBy;
  }
}
