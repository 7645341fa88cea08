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
        width: 100%;
        height: auto;
        display: block;
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

  private _bars() {
    const values = this.series[0]?.values ?? [];
    const max = Math.max(1, ...values);
    const rowHeight = 30;
    const height = values.length * rowHeight;
    return svg`<svg viewBox="0 0 400 ${height}" aria-hidden="true" focusable="false">
      ${values.map((value, i) => {
        const y = i * rowHeight;
        const width = Math.max(2, (value / max) * 250);
        return svg`<text x="0" y=${y + 19} font-size="12" fill="#1b1b2f">${this.labels[i]}</text>
          <rect x="120" y=${y + 6} width=${width} height="18" rx="3" fill=${palette[i % palette.length]}></rect>
          <text x=${126 + width} y=${y + 19} font-size="12" fill="#1b1b2f">${formatNumber(value)}</text>`;
      })}
    </svg>`;
  }

  private _lines() {
    const count = this.labels.length;
    const max = Math.max(1, ...this.series.flatMap((s) => s.values));
    const width = 400;
    const height = 160;
    const x = (i: number) => (count <= 1 ? width / 2 : 30 + (i / (count - 1)) * (width - 40));
    const y = (value: number) => height - 20 - (value / max) * (height - 40);
    return svg`<svg viewBox="0 0 ${width} ${height}" aria-hidden="true" focusable="false">
      <line x1="30" y1=${height - 20} x2=${width - 10} y2=${height - 20} stroke="#8a8aa3"></line>
      <text x="0" y="16" font-size="11" fill="#4a4a63">${formatNumber(max)}</text>
      <text x="0" y=${height - 20} font-size="11" fill="#4a4a63">0</text>
      <text x="30" y=${height - 4} font-size="11" fill="#4a4a63">${this.labels[0] ?? ""}</text>
      <text x=${width - 10} y=${height - 4} font-size="11" fill="#4a4a63" text-anchor="end">${this.labels[count - 1] ?? ""}</text>
      ${this.series.map(
        (s, index) =>
          svg`<polyline fill="none" stroke-width="2" stroke=${palette[index % palette.length]}
            points=${s.values.map((value, i) => `${x(i)},${y(value)}`).join(" ")}></polyline>`,
      )}
    </svg>`;
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
