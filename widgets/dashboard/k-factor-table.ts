/**
 * `<chorus-k-factor-table>` on the overview: the viral coefficient per monthly cohort of learners
 * with its two parts. Each part is shown with the counts it is made of, so the parts shown
 * multiply to the figure shown (sharers/learners × enrolments/sharers = enrolments/learners)
 * however the decimals are rounded.
 */
import { html, LitElement } from "lit";
import type { KFactor } from "../lib/api-types.ts";
import { formatNumber, formatRate } from "./format.ts";
import { kFactorText } from "./k-factor-strings.ts";
import { dashboardStyles } from "./styles.ts";
import { dashboardLocale } from "./webhook-strings.ts";

const decimals = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export class ChorusKFactorTable extends LitElement {
  static override styles = [dashboardStyles];
  static override properties = { cohorts: { attribute: false }, _ready: { state: true } };
  declare cohorts: KFactor["items"];
  private _ready = false;
  private readonly _locale = dashboardLocale();

  constructor() {
    super();
    this.cohorts = [];
  }

  override connectedCallback() {
    super.connectedCallback();
    void Promise.resolve(kFactorText.load(this._locale)).then(() => {
      this._ready = true;
    });
  }

  private _t(key: Parameters<typeof kFactorText>[1], vars?: Record<string, string | number>) {
    return kFactorText(this._locale, key, vars);
  }

  private _quotient(part: number, whole: number) {
    const value = whole > 0 ? decimals.format(part / whole) : "–";
    return this._t("quotient", { part: formatNumber(part), whole: formatNumber(whole), value });
  }

  override render() {
    if (!this._ready) return html``;
    return html`<section aria-labelledby="k-title"><h3 id="k-title">${this._t("title")}</h3>
      <p>${this._t("explain")}</p>
      ${
        this.cohorts.length === 0
          ? html`<p class="empty">${this._t("empty")}</p>`
          : html`<div class="table-wrap" tabindex="0"><table>
              <caption class="sr-only">${this._t("caption")}</caption>
              <thead><tr><th scope="col">${this._t("cohort")}</th><th scope="col" class="num">${this._t("learners")}</th>
                <th scope="col" class="num">${this._t("shared")}</th><th scope="col" class="num">${this._t("perSharer")}</th>
                <th scope="col" class="num">${this._t("kFactor")}</th></tr></thead>
              <tbody>${this.cohorts.map(
                (c) => html`<tr><th scope="row">${c.cohort}</th><td class="num">${formatNumber(c.learners)}</td>
                  <td class="num">${this._t("sharedOf", { sharers: formatNumber(c.sharers), learners: formatNumber(c.learners), rate: formatRate(c.sharerShare) })}</td>
                  <td class="num">${this._quotient(c.enrollments, c.sharers)}</td>
                  <td class="num" data-k-factor>${this._quotient(c.enrollments, c.learners)}</td></tr>`,
              )}</tbody></table></div>`
      }</section>`;
  }
}

customElements.define("chorus-k-factor-table", ChorusKFactorTable);
