import { css, html, nothing } from "lit";
import { api } from "./lib/api.ts";
import type { Outcomes } from "./lib/api-types.ts";
import { ChorusElement, define } from "./lib/element.ts";
import { catalog, formatDate, formatNumber } from "./lib/i18n.ts";
import { storyText } from "./lib/stories.ts";
import { baseStyles } from "./lib/styles.ts";
import { COMPLETE, PENDING, Task } from "./lib/task.ts";

type Figure = Outcomes["monthsToOutcome"];

const statsText = catalog(
  {
    title: "What learners achieved",
    basedOn: "From {n} published success stories",
    loading: "Loading outcomes…",
    notEnough: "not enough stories yet (n < {min})",
    notEnoughAll: "Not enough stories yet (n < {min}) to show figures: {n} so far.",
    outcome: "Outcome",
    stories: "Stories (k/n)",
    share: "Share",
    kOfN: "{k}/{n}",
    ofStories: "{k} of {n} stories",
    medianSalary: "Median salary increase",
    medianMonths: "Median time to outcome",
    verified: "Verified stories",
    pct: "{value}%",
    monthsValue: "{value} months",
    fromN: "from {n} stories that gave it",
    verifiedValue: "{k}/{n} ({share}), of which {c} by credential",
    period: "Stories submitted from {from} to {to}",
    methodology: "How these figures are made",
    note:
      "These figures come from success stories that learners chose to publish and the provider approved, not from a " +
      "survey of every learner, so they describe those who told their story. Each share is k stories out of n. The " +
      "salary median uses only figures learners agreed to share. A story counts as verified when the provider " +
      "confirmed the completion or an Open Badges credential was verified. Any figure from fewer than {min} stories " +
      "is not shown.",
  },
  () => import("./outcome-stats.hi.ts"),
);

type StatsKey = Parameters<typeof statsText>[1];

/**
 * `<chorus-outcome-stats>`: what happened to learners who told their story, as `k/n` with the
 * sample size beside every figure, medians, the verified share, the period and a methodology
 * note. A figure from fewer stories than the workspace's minimum sample is never shown as a
 * number: it reads "not enough stories yet (n < 10)".
 *
 * @tagname chorus-outcome-stats
 * @attr course - the course whose outcomes to show (a slug); empty for every course of the workspace
 * @csspart stats - the frame
 * @csspart table - the table of outcomes
 * @csspart methodology - the methodology note
 * @cssprop --chorus-accent - the bars of the chart
 * @cssprop --chorus-stats-min-height - the space the element reserves while loading
 * @fires chorus-outcomes-loaded - `{ n, suppressed }`, once the figures arrive
 */
export class ChorusOutcomeStats extends ChorusElement {
  static override catalogs = [statsText, storyText];
  static override styles = [
    baseStyles,
    css`
      :host {
        min-height: var(--chorus-stats-min-height, 12rem);
      }
      .stats {
        gap: 0.75rem;
      }
      h2 {
        font-size: 1.2em;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-variant-numeric: tabular-nums;
      }
      th,
      td {
        padding: 0.35rem 0.5rem 0.35rem 0;
        text-align: start;
        border-bottom: 1px solid var(--_border);
      }
      thead th {
        font-size: 0.85em;
        color: var(--_muted);
        font-weight: 600;
      }
      svg {
        display: block;
        width: 100%;
        min-width: 4rem;
        height: 0.75rem;
      }
      .track {
        fill: var(--_surface);
      }
      .bar {
        fill: var(--_accent);
      }
      dl {
        grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr));
      }
      dd {
        font-weight: 600;
      }
      dd small {
        display: block;
        font-weight: 400;
        color: var(--_muted);
      }
    `,
  ];
  static override properties = {
    ...ChorusElement.properties,
    course: { type: String },
  };

  /** The course whose outcomes to show (a slug); empty for every course of the workspace. */
  declare course: string;
  /** The figures for the course; only the latest request may fill them. */
  private readonly _outcomes = new Task(
    this,
    ([course]) => api<Outcomes>(`/v1/outcomes${course ? `?course=${encodeURIComponent(course)}` : ""}`),
    () => [this.course],
    (data) => this.emit("chorus-outcomes-loaded", { n: data.n, suppressed: data.suppressed }),
  );

  constructor() {
    super();
    this.course = "";
  }

  private _t(key: StatsKey, vars?: Record<string, string | number>) {
    return statsText(this.locale, key, vars);
  }

  private _percent(share: number) {
    return this._t("pct", { value: formatNumber(this.locale, Math.round(share * 100)) });
  }

  private _figure(label: StatsKey, figure: Figure, value: (median: number) => string) {
    const min = this._outcomes.value?.minSampleSize ?? 10;
    return html`<div><dt>${this._t(label)}</dt><dd>
      ${
        figure.suppressed || figure.median === null
          ? this._t("notEnough", { min })
          : html`${value(figure.median)} <small>${this._t("fromN", { n: formatNumber(this.locale, figure.n) })}</small>`
      }
    </dd></div>`;
  }

  override render() {
    const { status, value: data } = this._outcomes;
    if (status === PENDING)
      return html`<div class="stats" part="stats" aria-busy="true"><p class="muted">${this._t("loading")}</p></div>`;
    if (status !== COMPLETE || !data)
      return html`<div class="stats" part="stats" role="alert"><p>${storyText(this.locale, "loadFailed")}</p>
        <p><button class="button secondary" @click=${() => this._outcomes.run()}>${storyText(this.locale, "retry")}</button></p></div>`;
    const locale = this.locale;
    const number = (value: number) => formatNumber(locale, value);
    const min = data.minSampleSize;
    const note = html`<details part="methodology"><summary>${this._t("methodology")}</summary>
      <p class="muted">${this._t("note", { min: number(min) })}</p></details>`;
    const period = data.period
      ? html`<p class="muted">${this._t("period", { from: formatDate(locale, data.period.from), to: formatDate(locale, data.period.to) })}</p>`
      : nothing;
    if (data.suppressed)
      return html`<section class="stats" part="stats" aria-labelledby="title">
        <h2 id="title">${this._t("title")}</h2>
        <p>${this._t("notEnoughAll", { min: number(min), n: number(data.n) })}</p>
        ${period} ${note}
      </section>`;
    const verified = data.verified;
    return html`<section class="stats" part="stats" aria-labelledby="title">
      <h2 id="title">${this._t("title")}</h2>
      <p class="muted">${this._t("basedOn", { n: number(data.n) })}</p>
      <table part="table">
        <thead><tr><th scope="col">${this._t("outcome")}</th><th scope="col">${this._t("stories")}</th>
          <th scope="col">${this._t("share")}</th><th scope="col"><span class="visually-hidden">${this._t("share")}</span></th></tr></thead>
        <tbody>
          ${data.outcomes.map((row) => {
            const shown = !row.suppressed && row.count !== null && row.share !== null;
            return html`<tr>
              <th scope="row">${storyText(locale, row.type)}</th>
              ${
                shown
                  ? html`<td><span aria-hidden="true">${this._t("kOfN", { k: number(row.count ?? 0), n: number(row.n) })}</span>
                    <span class="visually-hidden">${this._t("ofStories", { k: number(row.count ?? 0), n: number(row.n) })}</span></td>
                    <td>${this._percent(row.share ?? 0)}</td>
                    <td><svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                      <rect class="track" width="100" height="10" rx="2"></rect>
                      <rect class="bar" width=${Math.round((row.share ?? 0) * 100)} height="10" rx="2"></rect></svg></td>`
                  : html`<td colspan="3">${this._t("notEnough", { min: number(min) })}</td>`
              }
            </tr>`;
          })}
        </tbody>
      </table>
      <dl>
        ${this._figure("medianSalary", data.salaryIncreasePct, (value) => this._t("pct", { value: number(value) }))}
        ${this._figure("medianMonths", data.monthsToOutcome, (value) => this._t("monthsValue", { value: number(value) }))}
        <div><dt>${this._t("verified")}</dt><dd>${
          verified.suppressed || verified.count === null || verified.share === null
            ? this._t("notEnough", { min: number(min) })
            : this._t("verifiedValue", {
                k: number(verified.count),
                n: number(verified.n),
                share: this._percent(verified.share),
                c: number(verified.credentialVerified ?? 0),
              })
        }</dd></div>
      </dl>
      ${period} ${note}
    </section>`;
  }
}

define("chorus-outcome-stats", ChorusOutcomeStats);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-outcome-stats": ChorusOutcomeStats;
  }
}
