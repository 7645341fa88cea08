/**
 * Styles every element shares. Public knobs are `--chorus-*` custom properties (set them on the
 * element or any ancestor); each falls back to a default chosen for AA contrast in both themes.
 */
import { css } from "lit";
import { visuallyHidden } from "./visually-hidden.ts";

/**
 * The dark palette: chosen by `theme="dark"`, and by `theme="auto"` when the system is dark. Written
 * minified, as lib/visually-hidden.ts says why.
 */
const darkTheme = css`
--_accent:var(--chorus-accent,#a5b4fc);
--_accent-text:var(--chorus-accent-text,#111827);
--_bg:var(--chorus-background,#111827);
--_fg:var(--chorus-text,#f9fafb);
--_muted:var(--chorus-muted,#d1d5db);
--_border:var(--chorus-border,#374151);
--_surface:var(--chorus-surface,#1f2937);
`;

export const baseStyles = css`
  :host {
    --_accent: var(--chorus-accent, #4338ca);
    --_accent-text: var(--chorus-accent-text, #ffffff);
    --_bg: var(--chorus-background, #ffffff);
    --_fg: var(--chorus-text, #1f2937);
    --_muted: var(--chorus-muted, #4b5563);
    --_border: var(--chorus-border, #d1d5db);
    --_surface: var(--chorus-surface, #f3f4f6);
    --_radius: var(--chorus-radius, 12px);
    --_font: var(--chorus-font, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Devanagari", sans-serif);
    display: block;
    box-sizing: border-box;
    color: var(--_fg);
    font-family: var(--_font);
    font-size: var(--chorus-font-size, 1rem);
    line-height: 1.5;
  }
  :host([hidden]) {
    display: none;
  }
  :host([theme="dark"]) {
    ${darkTheme}
  }
  @media (prefers-color-scheme: dark) {
    :host([theme="auto"]) {
      ${darkTheme}
    }
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  button,
  input,
  a {
    font: inherit;
  }
  :focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .muted {
    color: var(--_muted);
  }
  /* What several elements share, written once: headings and paragraphs without margins, the
     frame of the card (.card), the outcome statistics (.stats) and the story form (.panel), the
     figures of a <dl>, and a <summary> big enough to tap. */
  h2,
  h3,
  p {
    margin: 0;
  }
  .card,
  .stats,
  .panel {
    display: grid;
    gap: 1rem;
    padding: clamp(1rem, 3vw, 1.5rem);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  dl {
    display: grid;
    gap: 0.5rem;
    margin: 0;
  }
  dl div {
    padding: 0.5rem 0.75rem;
    background: var(--_surface);
    border-radius: calc(var(--_radius) * 0.66);
  }
  dt {
    font-size: 0.85em;
    color: var(--_muted);
  }
  dd {
    margin: 0;
  }
  summary {
    cursor: pointer;
    min-height: 44px;
    display: flex;
    align-items: center;
  }
  .visually-hidden {
    ${visuallyHidden}
  }
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.4em;
    min-height: 44px;
    padding: 0.5em 1em;
    border: 1px solid var(--_accent);
    border-radius: calc(var(--_radius) * 0.66);
    background: var(--_accent);
    color: var(--_accent-text);
    cursor: pointer;
    text-decoration: none;
    transition: filter 0.15s;
  }
  .button:hover {
    filter: brightness(1.1);
  }
  .button.secondary {
    background: transparent;
    color: var(--_fg);
    border-color: var(--_border);
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      transition: none !important;
      animation: none !important;
    }
  }
`;
