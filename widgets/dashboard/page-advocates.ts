/** The advocates leaderboard: who brought the most enrolments in the period. */

import { html } from "lit";
import type { TopAdvocates } from "../lib/api-types.ts";
import { get, query } from "./api.ts";
import { formatNumber, formatRevenue } from "./format.ts";
import { DashboardPage } from "./page.ts";

export class ChorusPageAdvocates extends DashboardPage {
  static override properties = { ...DashboardPage.properties, _items: { state: true } };
  private _items: TopAdvocates["items"] | null = null;

  protected async load() {
    this._items = (
      await get<TopAdvocates>(`/v1/analytics/advocates${query({ ...this.rangeQuery(), limit: 50 })}`)
    ).items;
  }

  override render() {
    return html`<h2>Advocates</h2>
      ${this.status()}
      ${
        this._items?.length === 0
          ? html`<p class="empty">No advocate has brought a click or an enrolment in this period yet.</p>`
          : this._items
            ? html`<div class="panel table-wrap" tabindex="0"><table>
                <caption class="sr-only">Top advocates by enrolments, then clicks</caption>
                <thead><tr><th scope="col">#</th><th scope="col">Advocate</th><th scope="col" class="num">Shares</th>
                  <th scope="col" class="num">Clicks</th><th scope="col" class="num">Sign-ups</th><th scope="col" class="num">Enrolments</th>
                  <th scope="col" class="num">Completions</th><th scope="col">Revenue</th></tr></thead>
                <tbody>${this._items.map(
                  (
                    a,
                    i,
                  ) => html`<tr><td>${i + 1}</td><th scope="row">${a.name ?? "A learner"}<br /><small>${a.learnerId ?? ""}</small></th>
                    <td class="num">${formatNumber(a.shares)}</td><td class="num">${formatNumber(a.clicks)}</td>
                    <td class="num">${formatNumber(a.signups)}</td><td class="num">${formatNumber(a.enrollments)}</td>
                    <td class="num">${formatNumber(a.completions)}</td><td>${formatRevenue(a.revenue)}</td></tr>`,
                )}</tbody></table></div>`
            : ""
      }`;
  }
}

customElements.define("chorus-page-advocates", ChorusPageAdvocates);
