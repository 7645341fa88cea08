/**
 * `<chorus-story-breakdown>`: the funnel per shared story in the period (clicks on
 * `/r/CODE?s=STORYID` and what they led to), most enrolments first, on the Stories page.
 */
import { css, html, nothing } from "lit";
import type { Breakdown, BreakdownRow } from "../lib/api-types.ts";
import { get, query } from "./api.ts";
import { formatNumber, formatRevenue } from "./format.ts";
import { DashboardPage } from "./page.ts";

export class ChorusStoryBreakdown extends DashboardPage {
  static override styles = [
    ...DashboardPage.styles,
    // On a phone the table scrolls sideways instead of breaking figures digit by digit.
    css`
      table {
        min-width: 40rem;
        overflow-wrap: normal;
      }
      th[scope="row"] {
        min-width: 12rem;
        overflow-wrap: anywhere;
      }
      td {
        white-space: nowrap;
      }
    `,
  ];
  static override properties = { ...DashboardPage.properties, _items: { state: true } };
  private _items: BreakdownRow[] | null = null;

  /** One request: the server sorts (enrolments, then clicks) and names each story's headline and author. */
  protected async load() {
    const answer = await get<Breakdown>(
      `/v1/analytics/breakdown${query({ ...this.rangeQuery(), dimension: "story", sort: "enrollments", limit: 100 })}`,
    );
    this._items = answer.items;
  }

  private _story(row: BreakdownRow) {
    const id = row.key ?? "";
    return html`${row.label ?? id}<br /><small>${row.author ? `${row.author} · ${id}` : row.label ? id : "Unknown story"}</small>`;
  }

  override render() {
    return html`<section class="panel" aria-labelledby="story-breakdown-title">
      <h3 id="story-breakdown-title">Clicks and enrolments by story</h3>
      <p>Stories shared with an author's referral link in the period and course chosen above, most enrolments first.</p>
      ${this.status()}
      ${
        this._items?.length === 0
          ? html`<p class="empty">
              No clicks from shared stories yet: authors share a story with their referral link,
              <code>/r/CODE?s=STORYID</code>.
            </p>`
          : this._items
            ? html`<div class="table-wrap" tabindex="0"><table data-testid="story-breakdown">
                <caption class="sr-only">Referral funnel per shared story, most enrolments first</caption>
                <thead><tr><th scope="col">Story</th><th scope="col" class="num">Clicks</th><th scope="col" class="num">Visitors</th>
                  <th scope="col" class="num">Sign-ups</th><th scope="col" class="num">Enrolments</th>
                  <th scope="col" class="num">Completions</th><th scope="col">Revenue</th></tr></thead>
                <tbody>${this._items.map(
                  (row) => html`<tr><th scope="row">${this._story(row)}</th>
                    <td class="num">${formatNumber(row.clicks)}</td><td class="num">${formatNumber(row.visitors)}</td>
                    <td class="num">${formatNumber(row.signups)}</td><td class="num">${formatNumber(row.enrollments)}</td>
                    <td class="num">${formatNumber(row.completions)}</td><td>${formatRevenue(row.revenue)}</td></tr>`,
                )}</tbody></table></div>`
            : nothing
      }
    </section>`;
  }
}

customElements.define("chorus-story-breakdown", ChorusStoryBreakdown);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-story-breakdown": ChorusStoryBreakdown;
  }
}
