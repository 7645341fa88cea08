/** The dashboard's shared styles (adopted stylesheets: nothing inline, strict CSP holds). */
import { css } from "lit";
import { visuallyHidden } from "../lib/visually-hidden.ts";

export const dashboardStyles = css`
  :host {
    --ink: #1b1b2f;
    --muted: #4a4a63;
    --line: #d6d6e3;
    --panel: #ffffff;
    --page: #f4f4f8;
    --accent: #3730a3;
    --accent-ink: #ffffff;
    --good: #14532d;
    --bad: #991b1b;
    display: block;
    color: var(--ink);
    font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h1,
  h2,
  h3 {
    line-height: 1.2;
    margin: 0 0 0.75rem;
  }
  h2 {
    font-size: 1.35rem;
  }
  h3 {
    font-size: 1.05rem;
  }
  a {
    color: var(--accent);
  }
  .panel {
    background: var(--panel);
    border: 1px solid var(--line);
    border-radius: 10px;
    padding: 1rem;
    margin-bottom: 1rem;
    min-width: 0;
    /* Long URLs and ids break instead of widening the page on a phone. */
    overflow-wrap: anywhere;
  }
  .grid {
    display: grid;
    gap: 1rem;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 320px), 1fr));
  }
  .figures {
    display: grid;
    gap: 0.5rem;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 10.5rem), 1fr));
    margin: 0;
  }
  .figures div {
    background: var(--page);
    border-radius: 8px;
    padding: 0.5rem 0.75rem;
  }
  .figures dt {
    color: var(--muted);
    font-size: 0.85rem;
  }
  .figures dd {
    margin: 0;
    font-size: 1.35rem;
    font-weight: 650;
    font-variant-numeric: tabular-nums;
    /* A figure never breaks inside a number ("₹747,46 / 3.00"); several amounts wrap between them. */
    white-space: nowrap;
  }
  .figures dd.amounts {
    white-space: normal;
  }
  .figures .amount {
    white-space: nowrap;
  }
  .table-wrap {
    overflow-x: auto;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    text-align: left;
    padding: 0.45rem 0.5rem;
    border-bottom: 1px solid var(--line);
    vertical-align: top;
  }
  th {
    font-weight: 600;
    color: var(--muted);
    font-size: 0.85rem;
  }
  td.num,
  th.num {
    text-align: right;
  }
  button,
  .button {
    font: inherit;
    border-radius: 8px;
    border: 1px solid var(--accent);
    background: var(--accent);
    color: var(--accent-ink);
    padding: 0.4rem 0.8rem;
    cursor: pointer;
    min-height: 2.5rem;
  }
  button.secondary {
    background: transparent;
    color: var(--accent);
  }
  button.danger {
    background: var(--bad);
    border-color: var(--bad);
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  :focus-visible {
    outline: 3px solid #f59e0b;
    outline-offset: 2px;
  }
  input,
  select,
  textarea {
    font: inherit;
    padding: 0.4rem 0.5rem;
    border: 1px solid #8a8aa3;
    border-radius: 6px;
    min-height: 2.5rem;
    max-width: 100%;
    background: #fff;
    color: var(--ink);
  }
  label {
    display: inline-flex;
    flex-direction: column;
    gap: 0.2rem;
    font-size: 0.9rem;
    color: var(--muted);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: end;
  }
  .empty {
    padding: 1.5rem 1rem;
    text-align: center;
    color: var(--muted);
    border: 1px dashed var(--line);
    border-radius: 10px;
  }
  .error {
    color: var(--bad);
    font-weight: 600;
  }
  .notice {
    border-left: 4px solid var(--accent);
    background: var(--page);
    padding: 0.5rem 0.75rem;
    border-radius: 4px;
  }
  .badge {
    display: inline-block;
    border-radius: 999px;
    padding: 0 0.5rem;
    font-size: 0.8rem;
    border: 1px solid var(--line);
    background: var(--page);
  }
  .pass {
    color: var(--good);
  }
  .fail {
    color: var(--bad);
  }
  .sr-only {
    ${visuallyHidden}
  }
  @media (prefers-reduced-motion: no-preference) {
    button {
      transition: background 0.15s;
    }
  }
`;
