/**
 * "Export CSV": plain download links to `/v1/analytics/export.csv` for the period and course the
 * marketer applied. Same origin, so the browser sends the session cookie with the navigation (a
 * GET, which needs no CSRF header) and the server streams the file; no script touches the data.
 */
import { css, html } from "lit";
import { query } from "./api.ts";
import type { Filter } from "./page.ts";

/** What `GET /v1/analytics/export.csv?dataset=` offers, with what a marketer calls each. */
export const exportDatasets = [
  ["clicks", "Clicks"],
  ["conversions", "Conversions"],
  ["rewards", "Rewards"],
  ["stories", "Stories"],
] as const;

/** The export's address for one dataset, over the applied period and course. */
export const exportHref = (dataset: string, filter: Filter) =>
  `/v1/analytics/export.csv${query({ dataset, from: filter.from, to: filter.to, course: filter.course || undefined })}`;

export const exportStyles = css`
  .exports summary {
    cursor: pointer;
    font-weight: 600;
  }
  .exports ul {
    list-style: none;
    margin: 0.75rem 0 0;
    padding: 0;
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .exports a {
    display: inline-flex;
    align-items: center;
    text-decoration: none;
  }
`;

/** A closed disclosure with one download link per dataset. */
export function exportLinks(filter: Filter) {
  const period = `${filter.from} to ${filter.to}${filter.course ? `, ${filter.course}` : ""}`;
  return html`<details class="panel exports">
    <summary>Export CSV</summary>
    <p><small>Rows from ${period} (the period applied above), one file per dataset.</small></p>
    <ul aria-label="CSV exports">
      ${exportDatasets.map(
        ([dataset, label]) =>
          html`<li><a class="button" href=${exportHref(dataset, filter)} download data-dataset=${dataset}>${label} (CSV)</a></li>`,
      )}
    </ul>
  </details>`;
}
