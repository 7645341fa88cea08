/** Overview: the funnel, revenue, rates, time to convert, the daily series, channel mix, K-factor. */
import { html, nothing } from "lit";
import type { Breakdown, Funnel, KFactor, Timeseries, TimeToConvert } from "../lib/api-types.ts";
import { get, query } from "./api.ts";
import "./chart.ts";
import "./friend-coupons-panel.ts";
import "./k-factor-table.ts";
import { formatDuration, formatMoney, formatNumber, formatRate } from "./format.ts";
import { DashboardPage } from "./page.ts";

export class ChorusPageOverview extends DashboardPage {
  static override properties = {
    ...DashboardPage.properties,
    _funnel: { state: true },
    _series: { state: true },
    _channels: { state: true },
    _cohorts: { state: true },
    _delay: { state: true },
  };
  private _funnel: Funnel | null = null;
  private _series: Timeseries["items"] = [];
  private _channels: Breakdown["items"] = [];
  private _cohorts: KFactor["items"] = [];
  private _delay: TimeToConvert | null = null;

  protected async load() {
    const range = query(this.rangeQuery());
    const [funnel, series, channels, cohorts, delay] = await Promise.all([
      get<Funnel>(`/v1/analytics/funnel${range}`),
      get<Timeseries>(`/v1/analytics/timeseries${range}`),
      get<Breakdown>(`/v1/analytics/breakdown${query({ ...this.rangeQuery(), dimension: "channel" })}`),
      get<KFactor>(`/v1/analytics/k-factor${range}`),
      get<TimeToConvert>(`/v1/analytics/time-to-convert${range}`),
    ]);
    this._funnel = funnel;
    this._series = series.items;
    this._channels = channels.items;
    this._cohorts = cohorts.items;
    this._delay = delay;
  }

  override render() {
    const f = this._funnel;
    if (!f) return this.status();
    const empty = f.clicks === 0 && f.signups === 0 && f.enrollments === 0 && f.shares === 0;
    const steps: [string, number][] = [
      ["Clicks", f.clicks],
      ["Visitors", f.visitors],
      ["Sign-ups", f.signups],
      ["Enrolments", f.enrollments],
      ["Completions", f.completions],
    ];
    return html`${this.status()}
      <h2>Overview</h2>
      ${
        empty
          ? html`<p class="empty">
              No referral activity in this period yet. Once learners share their links from the referral card,
              clicks, sign-ups and enrolments appear here.
            </p>`
          : nothing
      }
      <chorus-friend-coupons-panel></chorus-friend-coupons-panel>
      <section class="panel" aria-labelledby="funnel-title">
        <h3 id="funnel-title">Funnel</h3>
        <dl class="figures" data-testid="funnel">
          ${[...steps, ["Shares", f.shares] as [string, number], ["Refunds", f.refunds] as [string, number]].map(
            ([label, value]) => html`<div><dt>${label}</dt><dd data-figure=${label}>${formatNumber(value)}</dd></div>`,
          )}
          <div><dt>Revenue</dt><dd class="amounts" data-figure="Revenue">${
            f.revenue.length === 0
              ? "–"
              : f.revenue.map(
                  (item, i) =>
                    html`${i > 0 ? " · " : ""}<span class="amount">${formatMoney(item.amount, item.currency)}</span>`,
                )
          }</dd></div>
          <div><dt>Click → enrolment</dt><dd>${formatRate(f.rates.clickToEnrollment ?? null)}</dd></div>
          <div><dt>Sign-up → enrolment</dt><dd>${formatRate(f.rates.signupToEnrollment ?? null)}</dd></div>
          <div><dt>Click to enrolment (median)</dt><dd>${formatDuration(this._delay?.medianSeconds ?? null)}</dd></div>
          <div><dt>Click to enrolment (p90)</dt><dd>${formatDuration(this._delay?.p90Seconds ?? null)}</dd></div>
        </dl>
      </section>
      <div class="grid">
        <section class="panel">
          <chorus-chart kind="bars" caption="Funnel steps" .labels=${steps.map(([label]) => label)}
            .series=${[{ name: "Count", values: steps.map(([, value]) => value) }]}></chorus-chart>
        </section>
        <section class="panel">
          <chorus-chart kind="bars" caption="Clicks by channel" .labels=${this._channels.map((row) => row.key)}
            .series=${[{ name: "Clicks", values: this._channels.map((row) => row.clicks) }]}></chorus-chart>
        </section>
      </div>
      <section class="panel">
        <chorus-chart kind="line" caption="Clicks and enrolments per day" .labels=${this._series.map((point) => point.period)}
          .series=${[
            { name: "Clicks", values: this._series.map((point) => point.clicks) },
            { name: "Enrolments", values: this._series.map((point) => point.enrollments) },
          ]}></chorus-chart>
      </section>
      <div class="panel"><chorus-k-factor-table .cohorts=${this._cohorts}></chorus-k-factor-table></div>`;
  }
}

customElements.define("chorus-page-overview", ChorusPageOverview);
