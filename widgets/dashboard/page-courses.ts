/** Courses: the funnel per course in the period. */
import { html } from "lit";
import { get, query } from "./api.ts";
import { formatNumber, formatRate, formatRevenue } from "./format.ts";
import { type BreakdownRow, DashboardPage } from "./page.ts";

type Row = BreakdownRow & { key: string };

export class ChorusPageCourses extends DashboardPage {
  static override properties = { ...DashboardPage.properties, _items: { state: true } };
  private _items: Row[] | null = null;

  protected async load() {
    this._items = (
      await get<{ items: Row[] }>(`/v1/analytics/breakdown${query({ ...this.rangeQuery(), dimension: "course" })}`)
    ).items;
  }

  override render() {
    return html`<h2>Courses</h2>
      ${this.status()}
      ${
        this._items?.length === 0
          ? html`<p class="empty">No course has referral traffic in this period yet.</p>`
          : this._items
            ? html`<div class="panel table-wrap" tabindex="0"><table>
                <caption class="sr-only">Referral funnel per course</caption>
                <thead><tr><th scope="col">Course</th><th scope="col" class="num">Clicks</th><th scope="col" class="num">Visitors</th>
                  <th scope="col" class="num">Sign-ups</th><th scope="col" class="num">Enrolments</th><th scope="col" class="num">Completions</th>
                  <th scope="col" class="num">Click → enrolment</th><th scope="col">Revenue</th></tr></thead>
                <tbody>${this._items.map(
                  (
                    row,
                  ) => html`<tr><th scope="row">${row.label ?? (row.key || "Any course (general links)")}<br /><small>${row.key}</small></th>
                    <td class="num">${formatNumber(row.clicks)}</td><td class="num">${formatNumber(row.visitors)}</td>
                    <td class="num">${formatNumber(row.signups)}</td><td class="num">${formatNumber(row.enrollments)}</td>
                    <td class="num">${formatNumber(row.completions)}</td>
                    <td class="num">${formatRate(row.clicks ? row.enrollments / row.clicks : null)}</td><td>${formatRevenue(row.revenue)}</td></tr>`,
                )}</tbody></table></div>`
            : ""
      }`;
  }
}

customElements.define("chorus-page-courses", ChorusPageCourses);
