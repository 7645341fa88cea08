/**
 * `<chorus-story-breakdown>`: the funnel per shared story in the period (clicks on
 * `/r/CODE?s=STORYID` and what they led to), most enrolments first, on the Stories page.
 */
import { css, html, nothing } from "lit";
import { get, query } from "./api.ts";
import { formatNumber, formatRevenue } from "./format.ts";
import { type BreakdownRow, DashboardPage } from "./page.ts";

type StoryName = { id: string; name: string; headline: string };

/** The most rows one breakdown answers; sorting by enrolments happens here, over all of them. */
const rowLimit = 1000;
/** Pages of the moderation list read to find authors (100 stories each), newest first. */
const authorPages = 5;

/** Enrolments first, then clicks: the stories that bring learners, not only visits. */
export const byEnrolmentsThenClicks = (a: BreakdownRow, b: BreakdownRow) =>
  b.enrollments - a.enrollments || b.clicks - a.clicks;

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
  static override properties = { ...DashboardPage.properties, _items: { state: true }, _stories: { state: true } };
  private _items: BreakdownRow[] | null = null;
  private _stories = new Map<string, StoryName>();

  protected async load() {
    const answer = await get<{ items: BreakdownRow[] }>(
      `/v1/analytics/breakdown${query({ ...this.rangeQuery(), dimension: "story", limit: rowLimit })}`,
    );
    const items = [...answer.items].sort(byEnrolmentsThenClicks);
    this._stories = await this._names(items.map((row) => row.key ?? ""));
    this._items = items;
  }

  /** Headlines and authors as the moderation queue shows them (the breakdown names headlines only). */
  private async _names(ids: string[]) {
    const wanted = new Set(ids.filter(Boolean));
    const found = new Map<string, StoryName>();
    let cursor: string | null = null;
    for (let page = 0; page < authorPages && found.size < wanted.size; page++) {
      const answer: { items: StoryName[]; nextCursor: string | null } = await get(
        `/v1/admin/stories${query({ limit: 100, cursor })}`,
      );
      for (const story of answer.items) if (wanted.has(story.id)) found.set(story.id, story);
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    return found;
  }

  private _story(row: BreakdownRow) {
    const id = row.key ?? "";
    const story = this._stories.get(id);
    const headline = story?.headline ?? row.label;
    return html`${headline ?? id}<br /><small>${story ? `${story.name} · ${id}` : headline ? id : "Unknown story"}</small>`;
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
