/**
 * `<chorus-chart>`: a small inline-SVG chart (horizontal bars or lines) with the same figures as
 * a table. The table is always in the page for screen readers (visually hidden), and a button
 * shows it to everyone; the SVG itself is decorative (aria-hidden).
 */
import { css, html, LitElement, nothing, svg } from "lit";
import { formatNumber } from "./format.ts";
import { dashboardStyles } from "./styles.ts";

export type Series = { name: string; values: number[] };

const palette = ["#3730a3", "#b45309", "#0f766e", "#9d174d", "#1d4ed8", "#4d7c0f"];

export class ChorusChart extends LitElement {
  static override styles = [
    dashboardStyles,
    css`
      figure {
        margin: 0;
      }
      figcaption {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 0.5rem;
        font-weight: 600;
        margin-bottom: 0.5rem;
      }
      svg {
        display: block;
        width: 100%;
      }
      .bars {
        display: grid;
        grid-template-columns: minmax(0, max-content) minmax(2rem, 1fr) max-content;
        align-items: center;
        gap: 0.35rem 0.5rem;
        font-size: 0.85rem;
      }
      .bars svg {
        height: 1.1rem;
      }
      .bars .label {
        overflow-wrap: anywhere;
      }
      .bars .value,
      .axis-label {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .plot {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        gap: 0.25rem 0.5rem;
        font-size: 0.8rem;
        color: var(--muted);
      }
      .y-axis {
        display: flex;
        flex-direction: column;
        justify-content: space-between;
        text-align: right;
      }
      .x-axis {
        display: flex;
        justify-content: space-between;
        gap: 1rem;
      }
      svg.lines {
        height: 10rem;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        font-size: 0.85rem;
        color: var(--muted);
      }
      .swatch {
        display: inline-block;
        width: 0.8rem;
        height: 0.8rem;
        border-radius: 2px;
        margin-right: 0.3rem;
        vertical-align: -1px;
      }
      /* Classes, not style attributes: the dashboard's CSP forbids inline styles. */
      .swatch-0 {
        background: #3730a3;
      }
      .swatch-1 {
        background: #b45309;
      }
      .swatch-2 {
        background: #0f766e;
      }
      .swatch-3 {
        background: #9d174d;
      }
      .swatch-4 {
        background: #1d4ed8;
      }
      .swatch-5 {
        background: #4d7c0f;
      }
    `,
  ];
  static override properties = {
    kind: { type: String },
    caption: { type: String },
    labels: { attribute: false },
    series: { attribute: false },
    _table: { state: true },
  };

  /** `bars` (one series, one bar per label) or `line` (one line per series over the labels). */
  kind: "bars" | "line" = "bars";
  /** What the chart shows, also the table's caption. */
  caption = "";
  /** The category or period of each value. */
  labels: string[] = [];
  series: Series[] = [];
  private _table = false;

  // Labels and figures are HTML beside the SVG, not SVG text: text inside a viewBox scales with
  // the drawing (three times body size on a wide screen), HTML text stays at the page's size.
  private _bars() {
    const values = this.series[0]?.values ?? [];
    const max = Math.max(1, ...values);
    return html`<div class="bars" aria-hidden="true">
      ${values.map(
        (value, i) => html`<span class="label">${this.labels[i]}</span>
          <svg viewBox="0 0 100 10" preserveAspectRatio="none" focusable="false">
            <rect width=${Math.max(1, (value / max) * 100)} height="10" rx="1" fill=${palette[i % palette.length]}></rect>
          </svg>
          <span class="value">${formatNumber(value)}</span>`,
      )}
    </div>`;
  }

  private _lines() {
    const count = this.labels.length;
    const max = Math.max(1, ...this.series.flatMap((s) => s.values));
    // The drawing stretches to the box (preserveAspectRatio none); strokes keep their width.
    const width = 400;
    const height = 140;
    const x = (i: number) => (count <= 1 ? width / 2 : (i / (count - 1)) * width);
    const y = (value: number) => height - 2 - (value / max) * (height - 4);
    return html`<div class="plot" aria-hidden="true">
        <div class="y-axis"><span class="axis-label">${formatNumber(max)}</span><span class="axis-label">0</span></div>
        <svg class="lines" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" focusable="false">
          <line x1="0" y1=${height - 1} x2=${width} y2=${height - 1} stroke="#8a8aa3" vector-effect="non-scaling-stroke"></line>
          ${this.series.map(
            (s, index) =>
              svg`<polyline fill="none" stroke-width="2" vector-effect="non-scaling-stroke" stroke=${palette[index % palette.length]}
                points=${s.values.map((value, i) => `${x(i)},${y(value)}`).join(" ")}></polyline>`,
          )}
        </svg>
        <span></span>
        <div class="x-axis"><span class="axis-label">${this.labels[0] ?? ""}</span><span class="axis-label">${count > 1 ? this.labels[count - 1] : ""}</span></div>
      </div>`;
  }

  override render() {
    const empty = this.series.every((s) => s.values.every((value) => value === 0));
    return html`<figure>
      <figcaption>
        <span>${this.caption}</span>
        <button class="secondary" aria-pressed=${this._table ? "true" : "false"} @click=${this._onToggle}>
          ${this._table ? "Show chart" : "Show table"}
        </button>
      </figcaption>
      ${
        this._table
          ? nothing
          : html`${empty ? html`<p class="empty">Nothing to draw in this period yet.</p>` : this.kind === "bars" ? this._bars() : this._lines()}
            ${
              this.kind === "line"
                ? html`<div class="legend" aria-hidden="true">
                    ${this.series.map((s, i) => html`<span><span class=${`swatch swatch-${i % palette.length}`}></span>${s.name}</span>`)}
                  </div>`
                : nothing
            }`
      }
      <div class=${this._table ? "table-wrap" : "sr-only"} tabindex=${this._table ? "0" : "-1"} aria-label=${this.caption}>
        <table>
          <caption class="sr-only">${this.caption}</caption>
          <thead>
            <tr>
              <th scope="col">${this.kind === "line" ? "Period" : "Item"}</th>
              ${this.series.map((s) => html`<th scope="col" class="num">${s.name}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${this.labels.map(
              (label, i) => html`<tr>
                <th scope="row">${label}</th>
                ${this.series.map((s) => html`<td class="num">${formatNumber(s.values[i] ?? 0)}</td>`)}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </figure>`;
  }

  private _onToggle() {
    this._table = !this._table;
  }
}

customElements.define("chorus-chart", ChorusChart);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-chart": ChorusChart;
  }
}
